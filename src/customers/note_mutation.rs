//! Customer-service notes: written by a staff member (the admin key's, or `X-Staff-Id`),
//! about a customer, an order, or both; changed only by their author.

use async_graphql::{Context, ID, InputObject, Object};
use diesel_async::AsyncConnection;

use super::activity::record_activity;
use super::model::{ActivityKind, NewNote, NoteRow};
use super::mutation::live_customer;
use super::trail_data;
use crate::graphql::{GqlResultExt, MutationError, UserErrorCode, UserErrors, caller_scope, validate};
use crate::outcome::refuse;
use crate::tenancy::Role;

/// The most characters a note may hold.
const MAX_BODY: usize = 5000;

/// A new note.
#[derive(InputObject)]
pub struct CustomerNoteCreateInput {
    /// The customer it is about (this, or `orderId`, or both).
    customer_id: Option<ID>,
    /// The order it is about; when both are given, the order must be the customer's.
    order_id: Option<ID>,
    /// The text, 1 to 5,000 characters.
    body: String,
}

/// New text for a note.
#[derive(InputObject)]
pub struct CustomerNoteUpdateInput {
    /// The note.
    id: ID,
    /// The new text, 1 to 5,000 characters.
    body: String,
}

crate::payload!(
    /// The result of a note mutation.
    ServiceNotePayload {
        /// The note as it is now; null when the mutation was refused.
        note: NoteRow,
    }
);

/// The staff member of the request, or the STAFF_REQUIRED userError.
fn staff_of(errors: &mut UserErrors, staff: Option<&str>) -> String {
    if staff.is_none() {
        errors.add(
            "staffId",
            UserErrorCode::StaffRequired,
            "notes are written by a staff member: use an admin key that belongs to one, or send X-Staff-Id",
        );
    }
    staff.unwrap_or_default().to_owned()
}

/// Note mutations (admin only, and a staff member).
#[derive(Default)]
pub struct CustomerNoteMutation;

#[Object]
impl CustomerNoteMutation {
    /// Writes a note about a customer, an order, or both, as the request's staff member.
    /// A note about a customer records NOTE_ADDED in the customer's activity.
    async fn customer_note_create(
        &self,
        ctx: &Context<'_>,
        input: CustomerNoteCreateInput,
    ) -> async_graphql::Result<ServiceNotePayload> {
        let scope = caller_scope(ctx, Role::Admin)?;
        let mut errors = UserErrors::default();
        let staff_id = staff_of(&mut errors, scope.staff());
        let customer_id = input.customer_id.as_ref().and_then(|id| errors.id_at(&["customerId"], id));
        let order_id = input.order_id.as_ref().and_then(|id| errors.id_at(&["orderId"], id));
        if input.customer_id.is_none() && input.order_id.is_none() {
            errors.add("customerId", UserErrorCode::Required, "a note is about a customer, an order, or both");
        }
        let body = validate::required_text(&mut errors, &["body"], &input.body, MAX_BODY);
        if !errors.is_empty() {
            return ServiceNotePayload::from_outcome(Err(errors.into()));
        }
        let actor = scope.actor();
        let mut conn = scope.conn().await.gql()?;
        let result = conn
            .transaction::<_, MutationError, _>(async |conn| {
                if let Some(id) = customer_id {
                    live_customer(conn, id, "customerId").await?;
                }
                if let Some(order) = order_id {
                    match crate::orders::customer_of_order(conn, order).await? {
                        None => {
                            return refuse("orderId", UserErrorCode::NotFound, "no order has this id");
                        }
                        Some(owner) if customer_id.is_some() && owner != customer_id => {
                            return refuse("orderId", UserErrorCode::Invalid, "the order is not this customer's");
                        }
                        Some(_) => {}
                    }
                }
                let note = trail_data::insert_note(conn, &NewNote { customer_id, order_id, staff_id, body }).await?;
                if let Some(id) = customer_id {
                    let detail = format!("note {}", note.id);
                    record_activity(conn, id, ActivityKind::NoteAdded, order_id, &detail, &actor).await?;
                }
                Ok(note)
            })
            .await;
        ServiceNotePayload::from_outcome(result)
    }

    /// Changes the text of a note. Only its author may.
    async fn customer_note_update(
        &self,
        ctx: &Context<'_>,
        input: CustomerNoteUpdateInput,
    ) -> async_graphql::Result<ServiceNotePayload> {
        let scope = caller_scope(ctx, Role::Admin)?;
        let mut errors = UserErrors::default();
        let staff_id = staff_of(&mut errors, scope.staff());
        let id = errors.id_at(&["id"], &input.id);
        let body = validate::required_text(&mut errors, &["body"], &input.body, MAX_BODY);
        let (Some(id), true) = (id, errors.is_empty()) else {
            return ServiceNotePayload::from_outcome(Err(errors.into()));
        };
        let mut conn = scope.conn().await.gql()?;
        let result = conn
            .transaction::<_, MutationError, _>(async |conn| {
                let Some(note) = trail_data::note_for_update(conn, id).await? else {
                    return refuse("id", UserErrorCode::NotFound, "no note has this id");
                };
                if note.staff_id != staff_id {
                    return refuse("id", UserErrorCode::NotAuthor, "only the note's author may change it");
                }
                Ok(trail_data::update_note(conn, id, &body).await?)
            })
            .await;
        ServiceNotePayload::from_outcome(result)
    }
}
