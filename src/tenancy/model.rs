use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use crate::db::TenantSchema;
use crate::db::schema::control::tenants;
use crate::tenancy::Slug;

crate::text_enum! {
    /// What an API key may do. A storefront reads the active, visible catalog and places
    /// orders; an admin does everything within its tenant.
    #[derive(async_graphql::Enum, PartialOrd, Ord, serde::Serialize)]
    #[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
    pub enum Role {
        /// A headless storefront.
        Storefront = "storefront",
        /// The merchant's back office.
        Admin = "admin",
    }
}

crate::text_enum! {
    /// Whether a tenant is served. A suspended tenant's requests are refused with
    /// `TENANT_SUSPENDED`; its data stays.
    pub enum TenantStatus {
        /// Served.
        Active = "active",
        /// Refused, data kept.
        Suspended = "suspended",
    }
}

/// A row of `control.tenants`: a merchant with its own PostgreSQL schema.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = tenants)]
#[diesel(check_for_backend(diesel::pg::Pg))]
pub struct Tenant {
    /// Stable id.
    pub id: Uuid,
    /// The tenant's name in requests (`X-Tenant`) and on the command line.
    pub slug: String,
    /// Display name.
    pub name: String,
    /// `t_<slug>`.
    pub schema_name: String,
    /// Served or suspended.
    pub status: TenantStatus,
    /// Which database shard holds the schema (one shard for now).
    pub shard: String,
    /// When it was provisioned.
    pub created_at: DateTime<Utc>,
    /// Cost points the tenant's budget holds when full; `None`: the server's default.
    pub query_budget: Option<i64>,
    /// Cost points the tenant's budget regains per second; `None`: the server's default.
    pub query_restore_rate: Option<i64>,
}

impl Tenant {
    /// The tenant's schema, re-derived from its validated slug (never taken from the row
    /// as text, so a tampered `schema_name` cannot redirect a connection).
    pub fn schema(&self) -> Result<TenantSchema, crate::tenancy::SlugError> {
        Ok(TenantSchema::for_slug(&Slug::parse(&self.slug)?))
    }

    /// Whether requests for this tenant are served.
    pub fn is_active(&self) -> bool {
        self.status == TenantStatus::Active
    }
}
