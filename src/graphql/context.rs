use std::sync::Arc;

use async_graphql::Context;

use super::errors::{GqlResultExt, coded_error};
use crate::tenancy::{Caller, Role, TenantScope};

/// The tenant scope of the request, if the caller may do what needs `need`. Every tenant
/// resolver starts here, so an unknown, suspended or unauthorised caller is refused before
/// any tenant query runs.
pub fn caller_scope(ctx: &Context<'_>, need: Role) -> async_graphql::Result<Arc<TenantScope>> {
    match ctx.data_opt::<Caller>() {
        Some(Caller::Tenant(scope)) => {
            scope.require(need).gql()?;
            Ok(Arc::clone(scope))
        }
        Some(Caller::Rejected(error)) => Err(error.clone()).gql(),
        Some(Caller::Anonymous) | None => Err(coded_error(
            "UNAUTHENTICATED",
            "name a tenant: send an API token (Authorization: Bearer <token>), X-Tenant, or use a store domain",
        )),
    }
}

/// A field guard: the field answers only callers with at least this role (for example
/// an order's payments, which a storefront that placed the order may not read).
pub struct RoleGuard(pub Role);

impl async_graphql::Guard for RoleGuard {
    async fn check(&self, ctx: &Context<'_>) -> async_graphql::Result<()> {
        caller_scope(ctx, self.0).map(drop)
    }
}
