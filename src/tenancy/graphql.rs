use async_graphql::{Context, Object};
use chrono::{DateTime, Utc};

use super::model::Role;
use crate::graphql::caller_scope;

/// The tenant a request resolved to, as the API shows it.
pub struct TenantInfo {
    slug: String,
    name: String,
    created_at: DateTime<Utc>,
    role: Option<Role>,
    store: Option<String>,
}

#[Object(name = "Tenant")]
impl TenantInfo {
    /// The tenant's slug (`X-Tenant`).
    async fn slug(&self) -> &str {
        &self.slug
    }
    /// Display name.
    async fn name(&self) -> &str {
        &self.name
    }
    /// When the tenant was provisioned.
    async fn created_at(&self) -> DateTime<Utc> {
        self.created_at
    }
    /// The role of the token this request carries.
    async fn role(&self) -> Option<Role> {
        self.role
    }
    /// The store code the request is in (`X-Store` or its store domain), if any.
    async fn store_code(&self) -> Option<&str> {
        self.store.as_deref()
    }
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
            store: scope.store().map(str::to_owned),
        })
    }
}
