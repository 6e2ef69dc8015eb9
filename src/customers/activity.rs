//! The activity trail: what the server records as things happen (in the transaction of
//! what they describe), and what outside systems report (`customerActivityRecord`).

use async_graphql::{Context, ID, InputObject, Object};
use diesel::QueryResult;
use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use super::model::{ActivityKind, NewActivity};
use super::mutation::{CustomerPayload, change_customer, live_customer};
use super::trail_data;
use crate::graphql::{UserErrorCode, UserErrors, caller_scope, validate};
use crate::tenancy::Role;

/// The most characters of detail an activity keeps.
const MAX_DETAIL: usize = 1000;
/// The most characters of an actor an activity keeps.
const MAX_ACTOR: usize = 120;

fn clip(text: &str, max: usize) -> &str {
    match text.char_indices().nth(max) {
        Some((end, _)) => &text[..end],
        None => text,
    }
}

/// Records that `kind` happened to the customer, by `actor` (`scope.actor()`), about
/// `order_id` if given. Call it inside the transaction of the change it describes, so
/// both are written or neither. A detail longer than 1,000 characters (an actor longer
/// than 120) is cut; an empty actor is recorded as `system`.
pub async fn record_activity(
    conn: &mut AsyncPgConnection,
    customer_id: Uuid,
    kind: ActivityKind,
    order_id: Option<Uuid>,
    detail: &str,
    actor: &str,
) -> QueryResult<()> {
    let actor = match actor.trim() {
        "" => "system",
        actor => clip(actor, MAX_ACTOR),
    };
    let new = NewActivity { customer_id, kind, order_id, detail: clip(detail, MAX_DETAIL), actor };
    trail_data::insert_activity(conn, &new).await
}

/// Something an outside system (the identity provider, a marketing tool) reports about a
/// customer.
#[derive(InputObject)]
pub struct CustomerActivityRecordInput {
    /// The customer.
    customer_id: ID,
    /// SIGNUP, LOGIN or OTHER; the other kinds are recorded by the server itself.
    kind: ActivityKind,
    /// Free text, at most 1,000 characters.
    #[graphql(default)]
    detail: String,
}

/// Activity mutations (admin only).
#[derive(Default)]
pub struct CustomerActivityMutation;

#[Object]
impl CustomerActivityMutation {
    /// Records something an outside system saw the customer do (a login, say). Order,
    /// profile, note and anonymization events are refused: the server records those.
    async fn customer_activity_record(
        &self,
        ctx: &Context<'_>,
        input: CustomerActivityRecordInput,
    ) -> async_graphql::Result<CustomerPayload> {
        let scope = caller_scope(ctx, Role::Admin)?;
        let mut errors = UserErrors::default();
        let id = errors.id_at(&["customerId"], &input.customer_id);
        if !input.kind.reportable() {
            errors.add(
                "kind",
                UserErrorCode::Invalid,
                format!("{} is recorded by the server itself; report SIGNUP, LOGIN or OTHER", input.kind),
            );
        }
        let detail = validate::optional_text(&mut errors, &["detail"], Some(&input.detail), MAX_DETAIL);
        change_customer(&scope, id, errors, |conn, id, actor| {
            Box::pin(async move {
                let customer = live_customer(conn, id, "customerId").await?;
                record_activity(conn, id, input.kind, None, detail.as_deref().unwrap_or(""), actor).await?;
                Ok(customer)
            })
        })
        .await
    }
}
