//! Creating and dropping tenants. A tenant is created in one transaction: its control-plane
//! row, its schema and every tenant migration, so it exists at the newest version or not
//! at all.

use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};

use super::model::Tenant;
use super::slug::{Slug, SlugError};
use crate::db::TenantSchema;
use crate::db::migrate::{
    TENANT_MIGRATIONS, connect_blocking, create_tenant_schema_blocking, drop_tenant_schema_blocking,
};
use crate::db::schema::control::tenants;

/// Why a tenant could not be created or dropped.
#[derive(Debug, thiserror::Error)]
pub enum ProvisionError {
    /// The slug is not valid.
    #[error(transparent)]
    InvalidSlug(#[from] SlugError),
    /// The name is empty or too long.
    #[error("the tenant name must be 1 to 200 characters")]
    InvalidName,
    /// A tenant with this slug exists.
    #[error("a tenant with slug '{0}' already exists")]
    Exists(String),
    /// No tenant has this slug.
    #[error("no tenant with slug '{0}'")]
    NotFound(String),
    /// The database refused.
    #[error(transparent)]
    Database(#[from] anyhow::Error),
}

/// Creates tenant `slug` with display name `name`, at the newest tenant version.
pub async fn create_tenant(url: &str, slug: &str, name: &str) -> Result<Tenant, ProvisionError> {
    let slug = Slug::parse(slug)?;
    let name = name.trim().to_owned();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(ProvisionError::InvalidName);
    }
    let url = url.to_owned();
    tokio::task::spawn_blocking(move || {
        let mut conn = connect_blocking(&url)?;
        let schema = TenantSchema::for_slug(&slug);
        conn.transaction(|conn| {
            let tenant = diesel::insert_into(tenants::table)
                .values((
                    tenants::slug.eq(slug.as_str()),
                    tenants::name.eq(&name),
                    tenants::schema_name.eq(schema.as_str()),
                ))
                .returning(Tenant::as_returning())
                .get_result(conn)
                .map_err(|e| match e {
                    DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => {
                        ProvisionError::Exists(slug.to_string())
                    }
                    other => ProvisionError::Database(other.into()),
                })?;
            create_tenant_schema_blocking(conn, &schema, TENANT_MIGRATIONS)?;
            Ok(tenant)
        })
    })
    .await
    .map_err(|e| ProvisionError::Database(e.into()))?
}

/// Drops tenant `slug`: its schema with all its data, its keys and its domains.
pub async fn drop_tenant(url: &str, slug: &str) -> Result<(), ProvisionError> {
    let slug = Slug::parse(slug)?;
    let url = url.to_owned();
    tokio::task::spawn_blocking(move || {
        let mut conn = connect_blocking(&url)?;
        conn.transaction(|conn| {
            let deleted = diesel::delete(tenants::table.filter(tenants::slug.eq(slug.as_str())))
                .execute(conn)
                .map_err(anyhow::Error::from)?;
            if deleted == 0 {
                return Err(ProvisionError::NotFound(slug.to_string()));
            }
            drop_tenant_schema_blocking(conn, &TenantSchema::for_slug(&slug))?;
            Ok(())
        })
    })
    .await
    .map_err(|e| ProvisionError::Database(e.into()))?
}

impl From<DieselError> for ProvisionError {
    fn from(e: DieselError) -> Self {
        ProvisionError::Database(e.into())
    }
}
