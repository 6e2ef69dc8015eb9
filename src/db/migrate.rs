//! The migration runner. The control plane is migrated first (and everything stops if it
//! fails), then every tenant schema, by a bounded number of workers. Each schema keeps its
//! own `__diesel_schema_migrations` table (it is created on the schema's `search_path`),
//! each migration runs in its own transaction, and each schema is migrated under a
//! PostgreSQL advisory lock named after it: two runners at once serialise per schema, and
//! a run cut off in the middle is finished by the next one.
//!
//! diesel's migration harness is synchronous, so this module works on
//! `AsyncConnectionWrapper` connections inside `spawn_blocking`.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use anyhow::{Context as _, anyhow};
use diesel::migration::MigrationSource;
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::Text;
use diesel_async::AsyncPgConnection;
use diesel_async::async_connection_wrapper::AsyncConnectionWrapper;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use super::TenantSchema;
use super::schema::control::tenants;
use crate::tenancy::Slug;

/// Migrations of the control plane (schema `control`).
pub const CONTROL_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/control");
/// Migrations applied to every tenant schema, in order.
pub const TENANT_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/tenant");

/// A blocking connection for the migration harness.
pub type SyncConn = AsyncConnectionWrapper<AsyncPgConnection>;

/// What one migration run did to one tenant schema.
#[derive(Debug)]
pub struct TenantReport {
    /// The tenant's slug.
    pub slug: String,
    /// The versions applied in this run (empty: it was up to date), or why it failed.
    pub outcome: Result<Vec<String>, String>,
}

/// What `storegraph migrate` did, schema by schema.
#[derive(Debug)]
pub struct MigrationReport {
    /// Versions applied to the control plane.
    pub control: Vec<String>,
    /// One entry per tenant, ordered by slug.
    pub tenants: Vec<TenantReport>,
}

impl MigrationReport {
    /// The tenants whose migration failed.
    pub fn failures(&self) -> impl Iterator<Item = &TenantReport> {
        self.tenants.iter().filter(|t| t.outcome.is_err())
    }
}

/// Opens a blocking connection for migrations and schema DDL.
pub fn connect_blocking(url: &str) -> anyhow::Result<SyncConn> {
    SyncConn::establish(url).with_context(|| "cannot connect to PostgreSQL for migrations")
}

#[derive(QueryableByName)]
struct Statement {
    #[diesel(sql_type = Text)]
    sql: String,
}

/// Runs DDL naming `schema`: PostgreSQL quotes the identifier itself (`format('%I')`), so
/// the name is never pasted into SQL text by this program.
fn execute_with_schema(conn: &mut SyncConn, template: &str, schema: &str) -> QueryResult<()> {
    let statement: Statement = diesel::sql_query("SELECT format($1, $2) AS sql")
        .bind::<Text, _>(template)
        .bind::<Text, _>(schema)
        .get_result(conn)?;
    diesel::connection::SimpleConnection::batch_execute(conn, &statement.sql)
}

fn set_search_path(conn: &mut SyncConn, schema: &str) -> QueryResult<()> {
    diesel::sql_query("SELECT set_config('search_path', $1, false)").bind::<Text, _>(schema).execute(conn).map(drop)
}

/// Holds the advisory lock that serialises all migration work on `schema` while `work`
/// runs, and releases it whatever `work` returned.
fn with_schema_lock<T>(
    conn: &mut SyncConn,
    schema: &str,
    work: impl FnOnce(&mut SyncConn) -> anyhow::Result<T>,
) -> anyhow::Result<T> {
    let key = format!("storegraph.migrate:{schema}");
    diesel::sql_query("SELECT pg_advisory_lock(hashtextextended($1, 0))").bind::<Text, _>(&key).execute(conn)?;
    let result = work(conn);
    let unlocked =
        diesel::sql_query("SELECT pg_advisory_unlock(hashtextextended($1, 0))").bind::<Text, _>(&key).execute(conn);
    let value = result?;
    unlocked?;
    Ok(value)
}

fn run_pending<S: MigrationSource<Pg>>(conn: &mut SyncConn, source: S) -> anyhow::Result<Vec<String>> {
    let applied = conn.run_pending_migrations(source).map_err(|e| anyhow!("{e}"))?;
    Ok(applied.into_iter().map(|v| v.to_string()).collect())
}

/// Brings the control plane to the newest version.
pub fn migrate_control_blocking(conn: &mut SyncConn) -> anyhow::Result<Vec<String>> {
    with_schema_lock(conn, "control", |conn| {
        execute_with_schema(conn, "CREATE SCHEMA IF NOT EXISTS %I", "control")?;
        set_search_path(conn, "control")?;
        run_pending(conn, CONTROL_MIGRATIONS).context("control-plane migration failed")
    })
}

/// Creates a tenant schema and brings it to the newest version. Called inside the
/// provisioning transaction, so a tenant either exists complete or not at all.
pub fn create_tenant_schema_blocking<S: MigrationSource<Pg>>(
    conn: &mut SyncConn,
    schema: &TenantSchema,
    source: S,
) -> anyhow::Result<Vec<String>> {
    execute_with_schema(conn, "CREATE SCHEMA %I", schema.as_str())?;
    set_search_path(conn, schema.as_str())?;
    run_pending(conn, source)
}

/// Drops a tenant schema and everything in it.
pub fn drop_tenant_schema_blocking(conn: &mut SyncConn, schema: &TenantSchema) -> anyhow::Result<()> {
    with_schema_lock(conn, schema.as_str(), |conn| {
        execute_with_schema(conn, "DROP SCHEMA IF EXISTS %I CASCADE", schema.as_str())?;
        Ok(())
    })
}

/// Brings one existing tenant schema to the newest version of `source`.
pub fn migrate_tenant_blocking<S: MigrationSource<Pg>>(
    conn: &mut SyncConn,
    schema: &TenantSchema,
    source: S,
) -> anyhow::Result<Vec<String>> {
    with_schema_lock(conn, schema.as_str(), |conn| {
        set_search_path(conn, schema.as_str())?;
        run_pending(conn, source)
    })
}

/// A migration source shared by the worker threads of one run.
struct SharedSource<S>(Arc<S>);

impl<S> Clone for SharedSource<S> {
    fn clone(&self) -> Self {
        Self(Arc::clone(&self.0))
    }
}

impl<S: MigrationSource<Pg>> MigrationSource<Pg> for SharedSource<S> {
    fn migrations(&self) -> diesel::migration::Result<Vec<Box<dyn diesel::migration::Migration<Pg>>>> {
        self.0.migrations()
    }
}

/// Migrates the control plane, then every tenant with the embedded tenant migrations.
pub async fn migrate_all(url: &str, jobs: usize) -> anyhow::Result<MigrationReport> {
    migrate_all_with(url, jobs, TENANT_MIGRATIONS).await
}

/// Migrates the control plane, then every tenant with `source`, `jobs` tenants at a time.
/// A failing tenant is reported and the others go on; only a control-plane failure (or
/// not reaching the database) is an error of the whole run.
pub async fn migrate_all_with<S>(url: &str, jobs: usize, source: S) -> anyhow::Result<MigrationReport>
where
    S: MigrationSource<Pg> + Send + Sync + 'static,
{
    let owned_url = url.to_owned();
    let (control, slugs) = tokio::task::spawn_blocking(move || -> anyhow::Result<_> {
        let mut conn = connect_blocking(&owned_url)?;
        let control = migrate_control_blocking(&mut conn)?;
        let slugs: Vec<String> = tenants::table.select(tenants::slug).order(tenants::slug).load(&mut conn)?;
        Ok((control, slugs))
    })
    .await??;

    let source = SharedSource(Arc::new(source));
    let queue = Arc::new(Mutex::new(slugs.into_iter().collect::<VecDeque<_>>()));
    let workers = jobs.max(1).min(queue.lock().expect("queue lock").len().max(1));
    let mut handles = Vec::with_capacity(workers);
    for _ in 0..workers {
        let queue = Arc::clone(&queue);
        let source = source.clone();
        let url = url.to_owned();
        handles.push(tokio::task::spawn_blocking(move || migrate_worker(&url, &queue, source)));
    }
    let mut reports = Vec::new();
    for handle in handles {
        reports.extend(handle.await?);
    }
    reports.sort_by(|a, b| a.slug.cmp(&b.slug));
    Ok(MigrationReport { control, tenants: reports })
}

/// One worker: takes tenants off the queue until it is empty, on one connection that it
/// re-opens if a failure broke it.
fn migrate_worker<S: MigrationSource<Pg> + Clone>(
    url: &str,
    queue: &Mutex<VecDeque<String>>,
    source: S,
) -> Vec<TenantReport> {
    let mut reports = Vec::new();
    let mut conn: Option<SyncConn> = None;
    loop {
        let Some(slug) = queue.lock().expect("queue lock").pop_front() else {
            break;
        };
        let outcome = (|| -> anyhow::Result<Vec<String>> {
            let schema = TenantSchema::for_slug(&Slug::parse(&slug)?);
            if conn.is_none() {
                conn = Some(connect_blocking(url)?);
            }
            let c = conn.as_mut().expect("connection just opened");
            let result = migrate_tenant_blocking(c, &schema, source.clone());
            if result.is_err() {
                // A failed statement can leave the session in any state: start clean.
                conn = None;
            }
            result
        })();
        match &outcome {
            Ok(applied) if applied.is_empty() => tracing::debug!(tenant = %slug, "up to date"),
            Ok(applied) => tracing::info!(tenant = %slug, ?applied, "migrated"),
            Err(error) => tracing::error!(tenant = %slug, error = format!("{error:#}"), "migration failed"),
        }
        reports.push(TenantReport { slug, outcome: outcome.map_err(|e| format!("{e:#}")) });
    }
    reports
}
