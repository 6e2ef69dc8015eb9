//! Creating and changing customers. Every change records its activity in the same
//! transaction.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object};
use diesel_async::{AsyncConnection, AsyncPgConnection};
use futures_util::future::BoxFuture;
use uuid::Uuid;

use super::activity::record_activity;
use super::data::{self, AUTH_SUBJECT_TAKEN_CONSTRAINT, EMAIL_TAKEN_CONSTRAINT};
use super::model::{ActivityKind, Customer, CustomerChanges, NewCustomer};
use super::validate;
use crate::graphql::{GqlResultExt, MutationError, UserErrorCode, UserErrors, caller_scope};
use crate::outcome::{Violation, refused};
use crate::tenancy::{Role, TenantScope};

/// A new customer.
#[derive(InputObject)]
pub struct CustomerCreateInput {
    /// Email address, unique in the tenant (compared case-insensitively).
    email: String,
    /// Given name.
    #[graphql(default)]
    first_name: String,
    /// Family name.
    #[graphql(default)]
    last_name: String,
    /// Phone number, at most 40 characters.
    phone: Option<String>,
    /// The customer's subject in the external identity provider, unique in the tenant.
    auth_subject: Option<String>,
    /// Preferred BCP 47 locale, e.g. `de-DE`.
    locale: Option<String>,
    /// Whether the customer agreed to marketing messages.
    #[graphql(default)]
    marketing_consent: bool,
    /// Free-form preferences: a JSON object of at most 16 KiB.
    preferences: Option<serde_json::Value>,
}

/// Changes to a customer; fields left out stay as they are, `null` clears.
#[derive(InputObject)]
pub struct CustomerUpdateInput {
    /// The customer to change.
    id: ID,
    /// New email address.
    email: Option<String>,
    /// New given name.
    first_name: Option<String>,
    /// New family name.
    last_name: Option<String>,
    /// New phone number; `null` removes it.
    phone: MaybeUndefined<String>,
    /// New identity-provider subject; `null` removes it.
    auth_subject: MaybeUndefined<String>,
    /// New locale; `null` removes it.
    locale: MaybeUndefined<String>,
    /// Give or withdraw marketing consent (its time is recorded when it changes).
    marketing_consent: Option<bool>,
    /// New preferences, replacing the old ones: a JSON object.
    preferences: Option<serde_json::Value>,
}

crate::payload!(
    /// The result of a customer mutation.
    CustomerPayload {
        /// The customer as it is now; null when the mutation was refused.
        customer: Customer,
    }
);

/// What a customer's unique constraints mean to the client.
const CONFLICTS: &[Violation] = &[
    Violation::new(EMAIL_TAKEN_CONSTRAINT, "email", UserErrorCode::Duplicate, "another customer has this email"),
    Violation::new(
        AUTH_SUBJECT_TAKEN_CONSTRAINT,
        "authSubject",
        UserErrorCode::Duplicate,
        "another customer has this auth subject",
    ),
];

/// The customer `id`, locked until the transaction ends, if it exists and is not
/// anonymized; otherwise the userError at `input.<field>`.
pub(super) async fn live_customer(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    field: &str,
) -> Result<Customer, MutationError> {
    match data::by_id_for_update(conn, id).await? {
        None => Err(MutationError::user(field, UserErrorCode::NotFound, "no customer has this id")),
        Some(customer) if customer.is_anonymized() => Err(MutationError::user(
            field,
            UserErrorCode::CustomerAnonymized,
            "the customer has been anonymized and can no longer be changed",
        )),
        Some(customer) => Ok(customer),
    }
}

/// Runs `change` on the customer `id` in one transaction, as the caller
/// (`scope.actor()`), once the input had no userErrors: the customer it returns, or the
/// userErrors, as the payload.
pub(super) async fn change_customer(
    scope: &TenantScope,
    id: Option<Uuid>,
    errors: UserErrors,
    change: impl for<'c> FnOnce(&'c mut AsyncPgConnection, Uuid, &'c str) -> BoxFuture<'c, Result<Customer, MutationError>>
    + Send,
) -> async_graphql::Result<CustomerPayload> {
    let (Some(id), true) = (id, errors.is_empty()) else {
        return CustomerPayload::from_outcome(Err(errors.into()));
    };
    let actor = scope.actor();
    let mut conn = scope.conn().await.gql()?;
    let result = conn.transaction::<_, MutationError, _>(async |conn| change(conn, id, &actor).await).await;
    CustomerPayload::from_outcome(result)
}

/// The names of the fields that differ between two versions of a customer.
fn changed_fields(before: &Customer, after: &Customer) -> Vec<&'static str> {
    let mut changed = Vec::new();
    let mut check = |differs: bool, name: &'static str| {
        if differs {
            changed.push(name);
        }
    };
    check(before.email != after.email, "email");
    check(before.first_name != after.first_name, "firstName");
    check(before.last_name != after.last_name, "lastName");
    check(before.phone != after.phone, "phone");
    check(before.auth_subject != after.auth_subject, "authSubject");
    check(before.locale != after.locale, "locale");
    check(before.marketing_consent != after.marketing_consent, "marketingConsent");
    check(before.preferences != after.preferences, "preferences");
    changed
}

/// Customer mutations (admin only).
#[derive(Default)]
pub struct CustomerProfileMutation;

#[Object]
impl CustomerProfileMutation {
    /// Creates a customer and records its SIGNUP.
    async fn customer_create(
        &self,
        ctx: &Context<'_>,
        input: CustomerCreateInput,
    ) -> async_graphql::Result<CustomerPayload> {
        let scope = caller_scope(ctx, Role::Admin)?;
        let mut errors = UserErrors::default();
        let new = NewCustomer {
            email: validate::email(&mut errors, &["email"], &input.email),
            first_name: validate::person_name(&mut errors, "firstName", &input.first_name),
            last_name: validate::person_name(&mut errors, "lastName", &input.last_name),
            phone: validate::phone(&mut errors, input.phone.as_deref()),
            auth_subject: validate::auth_subject(&mut errors, input.auth_subject.as_deref()),
            locale: validate::locale(&mut errors, input.locale.as_deref()),
            marketing_consent: input.marketing_consent,
            marketing_consent_at: input.marketing_consent.then(chrono::Utc::now),
            preferences: validate::preferences(&mut errors, input.preferences.unwrap_or_else(|| serde_json::json!({}))),
        };
        if !errors.is_empty() {
            return CustomerPayload::from_outcome(Err(errors.into()));
        }
        let actor = scope.actor();
        let mut conn = scope.conn().await.gql()?;
        let result = conn
            .transaction::<_, MutationError, _>(async |conn| {
                let customer = data::insert(conn, &new).await.map_err(refused(CONFLICTS))?;
                record_activity(conn, customer.id, ActivityKind::Signup, None, "", &actor).await?;
                Ok(customer)
            })
            .await;
        CustomerPayload::from_outcome(result)
    }

    /// Changes a customer and records PROFILE_UPDATED with the fields that changed.
    /// Anonymized customers cannot be changed.
    async fn customer_update(
        &self,
        ctx: &Context<'_>,
        input: CustomerUpdateInput,
    ) -> async_graphql::Result<CustomerPayload> {
        let scope = caller_scope(ctx, Role::Admin)?;
        let mut errors = UserErrors::default();
        let id = errors.id_at(&["id"], &input.id);
        let mut changes = CustomerChanges {
            email: input.email.as_deref().map(|e| validate::email(&mut errors, &["email"], e)),
            first_name: input.first_name.as_deref().map(|n| validate::person_name(&mut errors, "firstName", n)),
            last_name: input.last_name.as_deref().map(|n| validate::person_name(&mut errors, "lastName", n)),
            phone: input.phone.as_opt_ref().map(|p| p.and_then(|p| validate::phone(&mut errors, Some(p)))),
            auth_subject: input
                .auth_subject
                .as_opt_ref()
                .map(|s| s.and_then(|s| validate::auth_subject(&mut errors, Some(s)))),
            locale: input.locale.as_opt_ref().map(|l| l.and_then(|l| validate::locale(&mut errors, Some(l)))),
            marketing_consent: input.marketing_consent,
            marketing_consent_at: None,
            preferences: input.preferences.map(|p| validate::preferences(&mut errors, p)),
        };
        change_customer(&scope, id, errors, |conn, id, actor| {
            Box::pin(async move {
                let before = live_customer(conn, id, "id").await?;
                if changes.marketing_consent.is_some_and(|consent| consent != before.marketing_consent) {
                    changes.marketing_consent_at = Some(Some(chrono::Utc::now()));
                }
                let after = data::update(conn, id, &changes).await.map_err(refused(CONFLICTS))?;
                let changed = changed_fields(&before, &after);
                if !changed.is_empty() {
                    let detail = format!("changed: {}", changed.join(", "));
                    record_activity(conn, id, ActivityKind::ProfileUpdated, None, &detail, actor).await?;
                }
                Ok(after)
            })
        })
        .await
    }
}
