//! The store a request is about: the one place that reads the `store:` argument (or an
//! input's `store` field) together with the request's own store (`X-Store` or the store
//! domain), and decides whether the caller may see it. Storefronts see active stores
//! only: an inactive store is, to them, a store that does not exist. Admins see every
//! store.

use diesel::QueryResult;
use diesel_async::AsyncPgConnection;

use super::model::Store;
use crate::graphql::validate::is_code;
use crate::tenancy::{Role, TenantScope};

/// Why the store a request names cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreRefusal {
    /// The argument is not a store code.
    Malformed,
    /// The argument and the request's store name different stores.
    Disagree {
        /// The argument.
        argument: String,
        /// The request's store.
        request: String,
    },
    /// No store with this code that the caller may see.
    NotFound(String),
}

impl StoreRefusal {
    /// A sentence for the client.
    pub fn message(&self) -> String {
        match self {
            Self::Malformed => "store is not a valid store code".to_owned(),
            Self::Disagree { argument, request } => {
                format!("the request is for store '{request}' (X-Store or its domain), the argument names '{argument}'")
            }
            Self::NotFound(code) => format!("the tenant has no store \"{code}\""),
        }
    }

    /// The GraphQL error of a query: STORE_NOT_FOUND, else BAD_USER_INPUT.
    pub fn into_error(self) -> async_graphql::Error {
        let code = if matches!(self, Self::NotFound(_)) { "STORE_NOT_FOUND" } else { "BAD_USER_INPUT" };
        crate::graphql::coded_error(code, self.message())
    }
}

impl ResolveError {
    /// The GraphQL error of a query.
    pub fn into_error(self) -> async_graphql::Error {
        match self {
            Self::Refused(refusal) => refusal.into_error(),
            Self::Db(e) => crate::graphql::internal_error(&crate::db::DbError::Query(e)),
        }
    }
}

/// The store code a request names: the argument (trimmed; blank counts as absent) or the
/// request's store; when both are given they must agree. Nothing is looked up.
pub fn named_store(scope: &TenantScope, argument: Option<&str>) -> Result<Option<String>, StoreRefusal> {
    let argument = argument.map(str::trim).filter(|s| !s.is_empty());
    if argument.is_some_and(|code| !is_code(code)) {
        return Err(StoreRefusal::Malformed);
    }
    match (argument, scope.store()) {
        (Some(argument), Some(request)) if argument != request => {
            Err(StoreRefusal::Disagree { argument: argument.to_owned(), request: request.to_owned() })
        }
        (argument, request) => Ok(argument.or(request).map(str::to_owned)),
    }
}

/// Whether the caller may see inactive stores (admins may).
pub fn sees_inactive(scope: &TenantScope) -> bool {
    scope.role() == Some(Role::Admin)
}

/// The store with this code, if the caller may see it.
pub async fn visible_store(
    conn: &mut AsyncPgConnection,
    scope: &TenantScope,
    code: &str,
) -> QueryResult<Option<Store>> {
    let store = super::data::by_code(conn, code).await?;
    Ok(store.filter(|store| store.active || sees_inactive(scope)))
}

/// The store the request names (see [`named_store`]), looked up: `Ok(None)` when it
/// names none, [`StoreRefusal::NotFound`] when the caller may not see it.
pub async fn resolve_store(
    conn: &mut AsyncPgConnection,
    scope: &TenantScope,
    argument: Option<&str>,
) -> Result<Option<Store>, ResolveError> {
    let Some(code) = named_store(scope, argument)? else { return Ok(None) };
    match visible_store(conn, scope, &code).await? {
        Some(store) => Ok(Some(store)),
        None => Err(StoreRefusal::NotFound(code).into()),
    }
}

/// Why [`resolve_store`] failed: a refusal, or the database.
#[derive(Debug)]
pub enum ResolveError {
    /// The request's store cannot be used.
    Refused(StoreRefusal),
    /// The lookup failed.
    Db(diesel::result::Error),
}

impl From<StoreRefusal> for ResolveError {
    fn from(e: StoreRefusal) -> Self {
        Self::Refused(e)
    }
}

impl From<diesel::result::Error> for ResolveError {
    fn from(e: diesel::result::Error) -> Self {
        Self::Db(e)
    }
}
