//! Minting and revoking customer tokens (admin only): the identity provider in front of a
//! storefront signs a customer in, then asks for a token to send as `X-Customer-Token`.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Duration, Utc};
use diesel_async::AsyncConnection;

use super::mutation::live_customer;
use super::tokens;
use crate::graphql::{
    GqlResultExt, MutationError, UserError, UserErrorCode, UserErrors, caller_scope, mutation_outcome,
};
use crate::tenancy::Role;

/// A token's lifetime when none is asked for: one day.
const DEFAULT_MINUTES: i32 = 60 * 24;
/// The longest lifetime: 30 days.
const MAX_MINUTES: i32 = 60 * 24 * 30;

/// A token to mint.
#[derive(InputObject)]
pub struct CustomerTokenCreateInput {
    /// The customer the token acts for (not anonymized).
    customer_id: ID,
    /// How long the token works, in minutes: 1 to 43,200 (30 days); one day by default.
    #[graphql(default_with = "DEFAULT_MINUTES")]
    expires_in_minutes: i32,
}

/// A token to revoke.
#[derive(InputObject)]
pub struct CustomerTokenRevokeInput {
    /// The token, as `customerTokenCreate` returned it.
    token: String,
}

crate::payload!(
    /// The result of `customerTokenCreate`.
    CustomerTokenCreatePayload {
        /// The token, shown this once (only its hash is kept): send it as `X-Customer-Token`
        /// with a storefront token. Null when the mutation was refused.
        token: String,
        /// When the token stops working.
        expires_at: DateTime<Utc>,
    }
);

/// The result of `customerTokenRevoke`.
#[derive(SimpleObject)]
pub struct CustomerTokenRevokePayload {
    /// When the token was revoked (the first time, if it already was); null when refused.
    revoked_at: Option<DateTime<Utc>>,
    /// What was wrong with the input; empty on success.
    user_errors: Vec<UserError>,
}

/// Customer token mutations (admin only).
#[derive(Default)]
pub struct CustomerTokenMutation;

#[Object]
impl CustomerTokenMutation {
    /// Mints a token a storefront sends as `X-Customer-Token` to act for this customer
    /// (for example to read their loyalty account). The token is returned once.
    async fn customer_token_create(
        &self,
        ctx: &Context<'_>,
        input: CustomerTokenCreateInput,
    ) -> async_graphql::Result<CustomerTokenCreatePayload> {
        let scope = caller_scope(ctx, Role::Admin)?;
        let mut errors = UserErrors::default();
        let customer = errors.id_at(&["customerId"], &input.customer_id);
        if !(1..=MAX_MINUTES).contains(&input.expires_in_minutes) {
            errors.add(
                "expiresInMinutes",
                UserErrorCode::Invalid,
                format!("a token lasts 1 to {MAX_MINUTES} minutes (30 days)"),
            );
        }
        let (Some(customer), true) = (customer, errors.is_empty()) else {
            return CustomerTokenCreatePayload::from_outcome(Err(errors.into()));
        };
        let expires_at = Utc::now() + Duration::minutes(i64::from(input.expires_in_minutes));
        let mut conn = scope.conn().await.gql()?;
        let result = conn
            .transaction::<_, MutationError, _>(async |conn| {
                live_customer(conn, customer, "customerId").await?;
                Ok((tokens::create(conn, customer, expires_at).await?, expires_at))
            })
            .await;
        CustomerTokenCreatePayload::from_outcome(result)
    }

    /// Revokes a customer token: requests carrying it are refused from now on.
    async fn customer_token_revoke(
        &self,
        ctx: &Context<'_>,
        input: CustomerTokenRevokeInput,
    ) -> async_graphql::Result<CustomerTokenRevokePayload> {
        let scope = caller_scope(ctx, Role::Admin)?;
        let token = input.token.trim();
        let result = match tokens::revoke(&mut *scope.conn().await.gql()?, token).await.gql()? {
            Some(row) => Ok(row.revoked_at),
            None => Err(MutationError::user("token", UserErrorCode::NotFound, "no customer token is this one")),
        };
        let (revoked_at, user_errors) = mutation_outcome(result)?;
        Ok(CustomerTokenRevokePayload { revoked_at: revoked_at.flatten(), user_errors })
    }
}
