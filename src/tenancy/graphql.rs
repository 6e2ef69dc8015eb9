use async_graphql::{Context, Object, SimpleObject};
use chrono::{DateTime, Utc};

use super::model::Role;
use crate::graphql::caller_scope;

/// The tenant a request resolved to, as the API shows it.
#[derive(SimpleObject)]
#[graphql(name = "Tenant")]
pub struct TenantInfo {
    /// The tenant's slug (`X-Tenant`).
    slug: String,
    /// Display name.
    name: String,
    /// When the tenant was provisioned.
    created_at: DateTime<Utc>,
    /// The role of the token this request carries.
    role: Option<Role>,
    /// The store code the request is in (`X-Store` or its store domain), if any.
    store_code: Option<String>,
}

/// Queries about the calling tenant itself.
#[derive(Default)]
pub struct TenantQuery;

#[Object]
impl TenantQuery {
    /// The tenant this request belongs to.
    async fn tenant(&self, ctx: &Context<'_>) -> async_graphql::Result<TenantInfo> {
        let scope = caller_scope(ctx, Role::Storefront)?;
        let tenant = scope.tenant();
        Ok(TenantInfo {
            slug: tenant.slug.clone(),
            name: tenant.name.clone(),
            created_at: tenant.created_at,
            role: scope.role(),
            store_code: scope.store().map(str::to_owned),
        })
    }
}
