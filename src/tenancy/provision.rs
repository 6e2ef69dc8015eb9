//! Creating and dropping tenants. A tenant is created in one transaction: its control-plane
//! row, its schema and every tenant migration, so it exists at the newest version or not
//! at all.
//!
//! Creating a tenant is dominated by the DDL of its schema, so everything around it is
//! kept to a handful of round trips: the migrations go in one batch (see
//! [`create_tenant_schema`]) and [`create_tenant`] reuses its connections instead of
//! opening one per tenant. What is left is PostgreSQL's own work, and much of that is
//! disk: up to PostgreSQL 16, with `wal_level` `replica` (the default) every index built
//! is flushed to disk on its own, some 160 flushes per tenant.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, OnceLock};

use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel::{ExpressionMethods as _, QueryDsl as _, SelectableHelper as _};
use diesel_async::{AsyncConnection, AsyncPgConnection};

use super::model::Tenant;
use super::slug::{Slug, SlugError};
use crate::db::TenantSchema;
use crate::db::migrate::{connect_blocking, create_tenant_schema, drop_tenant_schema_blocking};
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

/// Creates tenant `slug` with display name `name`, at the newest tenant version, on a
/// connection of the database at `url` that is kept for the next call (see
/// [`create_tenant_on`] to use a connection of your own).
pub async fn create_tenant(url: &str, slug: &str, name: &str) -> Result<Tenant, ProvisionError> {
    let (slug, name) = validate(slug, name)?;
    let url = url.to_owned();
    // The kept connections live on a runtime of their own (see `provisioner`). The task
    // runs to its end even if the caller stops waiting: the tenant is made or not, whole.
    provisioner()
        .spawn(async move { provision_on_kept_connection(&url, &slug, &name).await })
        .await
        .map_err(|e| ProvisionError::Database(anyhow::Error::new(e).context("the provisioning task failed")))?
}

/// The runtime that owns [`create_tenant`]'s kept connections. A connection's I/O is
/// driven by a task of the runtime it was opened on, and callers' runtimes come and go
/// (every `#[tokio::test]` has its own); on this one, which lives as long as the process,
/// a kept connection never outlives the runtime that drives it.
fn provisioner() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("storegraph-provision")
            .enable_all()
            .build()
            .expect("cannot start the provisioning runtime")
    })
}

async fn provision_on_kept_connection(url: &str, slug: &Slug, name: &str) -> Result<Tenant, ProvisionError> {
    let (mut conn, kept) = match IDLE.take(url) {
        Some(conn) => (conn, true),
        None => (connect(url).await?, false),
    };
    let began = AtomicBool::new(false);
    let mut result = provision(&mut conn, slug, name, &began).await;
    if kept && !began.load(Ordering::Relaxed) {
        // The kept connection failed before the transaction began: the server closed it
        // while it was idle (a restart, a forced database drop). Nothing was done; once
        // more on a new one.
        conn = connect(url).await?;
        result = provision(&mut conn, slug, name, &began).await;
    }
    // After success or a refused duplicate the transaction has ended cleanly and the
    // connection can serve the next tenant; after anything else it is not trusted.
    if matches!(result, Ok(_) | Err(ProvisionError::Exists(_))) {
        IDLE.put(url, conn);
    }
    result
}

/// Creates tenant `slug` with display name `name`, at the newest tenant version, on
/// `conn`: for callers that hold a connection already, and for measuring provisioning
/// without the cost of connecting. Call it outside a transaction: inside one, the new
/// schema's `search_path` would last until that transaction ends.
pub async fn create_tenant_on(conn: &mut AsyncPgConnection, slug: &str, name: &str) -> Result<Tenant, ProvisionError> {
    let (slug, name) = validate(slug, name)?;
    provision(conn, &slug, &name, &AtomicBool::new(false)).await
}

fn validate(slug: &str, name: &str) -> Result<(Slug, String), ProvisionError> {
    let slug = Slug::parse(slug)?;
    let name = name.trim().to_owned();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(ProvisionError::InvalidName);
    }
    Ok((slug, name))
}

/// A connection for provisioning. It keeps no statement prepared between its
/// transactions, so it works through a transaction pooler (each tenant is created in one
/// transaction, whose cost is its DDL).
async fn connect(url: &str) -> Result<AsyncPgConnection, ProvisionError> {
    let mut conn = AsyncPgConnection::establish(url)
        .await
        .map_err(|e| ProvisionError::Database(anyhow::Error::new(e).context("cannot connect to PostgreSQL")))?;
    conn.set_prepared_statement_cache_size(diesel::connection::CacheSize::Disabled);
    Ok(conn)
}

/// The transaction that creates a tenant; `began` is set once it has begun.
async fn provision(
    conn: &mut AsyncPgConnection,
    slug: &Slug,
    name: &str,
    began: &AtomicBool,
) -> Result<Tenant, ProvisionError> {
    let schema = TenantSchema::for_slug(slug);
    conn.transaction::<_, ProvisionError, _>(async |conn| {
        began.store(true, Ordering::Relaxed);
        let insert = diesel::insert_into(tenants::table)
            .values((tenants::slug.eq(slug.as_str()), tenants::name.eq(name), tenants::schema_name.eq(schema.as_str())))
            .returning(Tenant::as_returning());
        let tenant = diesel_async::RunQueryDsl::get_result(insert, conn).await.map_err(|e| match e {
            DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => {
                ProvisionError::Exists(slug.to_string())
            }
            other => ProvisionError::Database(other.into()),
        })?;
        create_tenant_schema(conn, &schema).await?;
        Ok(tenant)
    })
    .await
}

/// Connections [`create_tenant`] keeps between calls, newest last, by database URL. Few:
/// a process creates tenants of one or two databases (tests: one database each, dropped
/// with the test, so older entries are simply pushed out).
struct IdleConnections(Mutex<Vec<(String, AsyncPgConnection)>>);

const IDLE_CONNECTIONS: usize = 4;

static IDLE: IdleConnections = IdleConnections(Mutex::new(Vec::new()));

impl IdleConnections {
    fn take(&self, url: &str) -> Option<AsyncPgConnection> {
        let mut idle = self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let at = idle.iter().rposition(|(u, _)| u == url)?;
        Some(idle.remove(at).1)
    }

    fn put(&self, url: &str, conn: AsyncPgConnection) {
        let mut idle = self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        idle.push((url.to_owned(), conn));
        if idle.len() > IDLE_CONNECTIONS {
            // Closed outside the lock.
            let oldest = idle.remove(0);
            drop(idle);
            drop(oldest);
        }
    }
}

/// Drops tenant `slug`: its schema with all its data, its keys and its domains.
pub async fn drop_tenant(url: &str, slug: &str) -> Result<(), ProvisionError> {
    let slug = Slug::parse(slug)?;
    let url = url.to_owned();
    tokio::task::spawn_blocking(move || {
        let mut conn = connect_blocking(&url)?;
        diesel::Connection::transaction(&mut conn, |conn| {
            let deleted = diesel::RunQueryDsl::execute(
                diesel::delete(tenants::table.filter(tenants::slug.eq(slug.as_str()))),
                conn,
            )
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
