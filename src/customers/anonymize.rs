//! Anonymization: a customer's personal data goes, the customer's row stays (orders,
//! activity and notes stay linked to it), all in one transaction.

use async_graphql::{Context, ID, InputObject, Object};

use super::activity::record_activity;
use super::model::ActivityKind;
use super::mutation::{CustomerPayload, change_customer, live_customer};
use super::{address_data, data, tokens};
use crate::graphql::{UserErrors, caller_scope, validate};
use crate::tenancy::Role;

/// A customer to anonymize.
#[derive(InputObject)]
pub struct CustomerAnonymizeInput {
    /// The customer.
    id: ID,
    /// Why (an erasure request, …), kept in the activity trail; at most 1,000 characters.
    reason: String,
}

/// The anonymization mutation (admin only).
#[derive(Default)]
pub struct CustomerAnonymizeMutation;

#[Object]
impl CustomerAnonymizeMutation {
    /// Removes a customer's personal data for good: email, names, phone, auth subject,
    /// locale, preferences and marketing consent are replaced, saved addresses deleted,
    /// their orders lose their contact email and addresses, and their customer tokens are
    /// revoked. The customer's row stays, so orders keep their customer; an ANONYMIZED
    /// activity records who did it and why.
    /// A customer can be anonymized once (CUSTOMER_ANONYMIZED after that).
    async fn customer_anonymize(
        &self,
        ctx: &Context<'_>,
        input: CustomerAnonymizeInput,
    ) -> async_graphql::Result<CustomerPayload> {
        let scope = caller_scope(ctx, Role::Admin)?;
        let mut errors = UserErrors::default();
        let id = errors.id_at(&["id"], &input.id);
        let reason = validate::required_text(&mut errors, &["reason"], &input.reason, 1000);
        change_customer(&scope, id, errors, |conn, id, actor| {
            Box::pin(async move {
                live_customer(conn, id, "id").await?;
                let customer = data::anonymize(conn, id).await?;
                address_data::delete_all_of(conn, id).await?;
                crate::orders::forget_customer(conn, id).await?;
                tokens::revoke_all_of(conn, id).await?;
                record_activity(conn, id, ActivityKind::Anonymized, None, &reason, actor).await?;
                Ok(customer)
            })
        })
        .await
    }
}
