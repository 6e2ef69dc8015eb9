//! Customer tokens: how a storefront acts for a signed-in customer. An admin mints a token
//! for a customer (`customerTokenCreate`, shown once); the storefront sends it as
//! `X-Customer-Token` beside its own API token. Only the token's SHA-256 is stored (the
//! same hash as API keys, `tenancy::hash_token`). The header is checked lazily, the first
//! time a resolver asks who the customer is, with one indexed lookup, and the answer is
//! kept for the rest of the request.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::db::schema::customer_tokens;
use crate::graphql::GqlResultExt;
use crate::tenancy::{TenancyError, TenancyErrorCode, TenantScope, hash_token, mint_secret};

/// What customer tokens start with (API keys start with `sg_`).
const PREFIX: &str = "sgc_";

/// The longest header worth looking up; minted tokens are 47 characters.
const MAX_TOKEN: usize = 200;

/// A stored token, as the lookup needs it.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = customer_tokens)]
#[diesel(check_for_backend(diesel::pg::Pg))]
pub struct TokenRow {
    /// Whose token it is.
    pub customer_id: Uuid,
    /// When it stops working.
    pub expires_at: DateTime<Utc>,
    /// When it was revoked, if it was.
    pub revoked_at: Option<DateTime<Utc>>,
}

/// Mints a token for `customer`, valid until `expires_at`; returns the secret (the only
/// copy there will be).
pub async fn create(conn: &mut AsyncPgConnection, customer: Uuid, expires_at: DateTime<Utc>) -> QueryResult<String> {
    let secret = mint_secret(PREFIX);
    diesel::insert_into(customer_tokens::table)
        .values((
            customer_tokens::token_hash.eq(hash_token(&secret)),
            customer_tokens::customer_id.eq(customer),
            customer_tokens::expires_at.eq(expires_at),
        ))
        .execute(conn)
        .await?;
    Ok(secret)
}

/// The stored token with this secret, if any.
pub async fn find(conn: &mut AsyncPgConnection, secret: &str) -> QueryResult<Option<TokenRow>> {
    customer_tokens::table
        .filter(customer_tokens::token_hash.eq(hash_token(secret)))
        .select(TokenRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// Revokes the token with this secret (a revoked token keeps its first revocation time).
/// Returns the token as it is now, `None` for an unknown secret.
pub async fn revoke(conn: &mut AsyncPgConnection, secret: &str) -> QueryResult<Option<TokenRow>> {
    let hash = hash_token(secret);
    diesel::update(customer_tokens::table.filter(customer_tokens::token_hash.eq(hash)))
        .set(customer_tokens::revoked_at.eq(diesel::dsl::sql::<
            diesel::sql_types::Nullable<diesel::sql_types::Timestamptz>,
        >("COALESCE(revoked_at, now())")))
        .returning(TokenRow::as_returning())
        .get_result(conn)
        .await
        .optional()
}

/// Revokes every live token of a customer (anonymization). Returns how many.
pub async fn revoke_all_of(conn: &mut AsyncPgConnection, customer: Uuid) -> QueryResult<usize> {
    diesel::update(
        customer_tokens::table
            .filter(customer_tokens::customer_id.eq(customer))
            .filter(customer_tokens::revoked_at.is_null()),
    )
    .set(customer_tokens::revoked_at.eq(diesel::dsl::now))
    .execute(conn)
    .await
}

fn unauthenticated(message: &str) -> TenancyError {
    TenancyError::new(TenancyErrorCode::Unauthenticated, message)
}

/// Whether a header could be a minted token at all (checked before any lookup).
fn well_formed(token: &str) -> bool {
    token.len() <= MAX_TOKEN
        && token.starts_with(PREFIX)
        && token.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// Checks the request's customer token on `conn`.
async fn check(conn: &mut AsyncPgConnection, token: &str) -> Result<Uuid, TenancyError> {
    if !well_formed(token) {
        return Err(unauthenticated("X-Customer-Token is not a customer token"));
    }
    let row = find(conn, token).await.map_err(|error| {
        tracing::error!(error = %crate::graphql::log_excerpt(&error.to_string()), "customer token lookup failed");
        TenancyError::new(TenancyErrorCode::Unavailable, "the database is unavailable, try again")
    })?;
    match row {
        None => Err(unauthenticated("unknown customer token")),
        Some(row) if row.revoked_at.is_some() => Err(unauthenticated("this customer token has been revoked")),
        Some(row) if row.expires_at <= Utc::now() => Err(unauthenticated("this customer token has expired")),
        Some(row) => Ok(row.customer_id),
    }
}

/// The customer a storefront request acts for: `None` without `X-Customer-Token`, the
/// customer's id with a live token, and an `UNAUTHENTICATED` GraphQL error for an unknown,
/// revoked or expired one (a token of another tenant is unknown here). The token is
/// looked up once per request (one indexed statement); later calls answer from the
/// request. It takes the request's connection itself, so call it before holding
/// `scope.conn()`; inside a transaction, use [`signed_in_customer_on`].
pub async fn signed_in_customer(scope: &TenantScope) -> async_graphql::Result<Option<Uuid>> {
    if scope.customer_token().is_none() {
        return Ok(None);
    }
    if let Some(known) = scope.signed_in_cell().get() {
        return known.clone().gql();
    }
    let mut conn = scope.conn().await.gql()?;
    signed_in_customer_on(&mut conn, scope).await
}

/// [`signed_in_customer`] on a connection the caller holds (the request's own, or its
/// transaction).
pub async fn signed_in_customer_on(
    conn: &mut AsyncPgConnection,
    scope: &TenantScope,
) -> async_graphql::Result<Option<Uuid>> {
    let Some(token) = scope.customer_token() else { return Ok(None) };
    scope.signed_in_cell().get_or_init(|| async { check(conn, token).await.map(Some) }).await.clone().gql()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_minted_shapes_are_looked_up() {
        assert!(well_formed(&mint_secret(PREFIX)));
        assert_eq!(mint_secret(PREFIX).len(), 47);
        assert!(!well_formed(&mint_secret("sg_")), "an API key is not a customer token");
        assert!(!well_formed("sgc_abc def"));
        assert!(!well_formed(&format!("sgc_{}", "a".repeat(300))));
        assert!(!well_formed(""));
    }
}
