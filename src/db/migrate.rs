//! The migration runner. The control plane is migrated first (and everything stops if it
//! fails), then every tenant schema, by a bounded number of workers. Each schema keeps its
//! own `__diesel_schema_migrations` table (it is created on the schema's `search_path`),
//! and each schema is migrated in one transaction that holds a PostgreSQL advisory lock
//! named after it and sets the path for itself alone: two runners at once serialise per
//! schema, and a run cut off in the middle leaves the schema as it was, for the next run.
//!
//! Nothing here relies on session state, so migrations also run through a transaction
//! pooler: every statement runs inside a transaction, the lock and the path are the
//! transaction's, and no statement stays prepared between transactions.
//!
//! Most runs have nothing to do for most tenants, so the runner first reads the applied
//! versions of every tenant schema, a few hundred schemas per statement, and only locks
//! and migrates the tenants that miss a version of the source (checking again under the
//! lock, where diesel's harness decides what is pending).
//!
//! diesel's migration harness is synchronous, so this module works on
//! `AsyncConnectionWrapper` connections inside `spawn_blocking`.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex};

use anyhow::{Context as _, anyhow};
use diesel::migration::MigrationSource;
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::{Array, Nullable, Text};
use diesel_async::AsyncPgConnection;
use diesel_async::async_connection_wrapper::AsyncConnectionWrapper;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use super::TenantSchema;
use super::schema::control::tenants;
pub use super::tenant_migrations::{
    MigrationList, SqlMigration, TENANT_MIGRATIONS, TenantMigrations, create_tenant_schema,
};
use crate::tenancy::Slug;

/// Migrations of the control plane (schema `control`).
pub const CONTROL_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/control");

/// How many tenant schemas one statement reads the applied versions of. Each schema read
/// holds a lock on its migration table (and its index) until the statement ends, and the
/// server's lock table is shared: a few hundred keeps a statement well inside it.
const VERSIONS_PER_STATEMENT: usize = 200;

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

/// Opens a blocking connection for migrations and schema DDL. It keeps no statement
/// prepared, so it works through a transaction pooler (migrations are rare; the cost of
/// preparing each statement again does not matter).
pub fn connect_blocking(url: &str) -> anyhow::Result<SyncConn> {
    let mut conn = SyncConn::establish(url).with_context(|| "cannot connect to PostgreSQL for migrations")?;
    conn.set_prepared_statement_cache_size(diesel::connection::CacheSize::Disabled);
    Ok(conn)
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

/// Sets the path for the current transaction only.
fn set_search_path(conn: &mut SyncConn, schema: &str) -> QueryResult<()> {
    diesel::sql_query("SELECT set_config('search_path', $1, true)").bind::<Text, _>(schema).execute(conn).map(drop)
}

/// Runs `work` in a transaction that holds the advisory lock serialising all migration
/// work on `schema` (released when the transaction ends, however it ends). Inside a
/// caller's transaction it is a savepoint, and the lock lasts until the caller's end.
fn with_schema_lock<T>(
    conn: &mut SyncConn,
    schema: &str,
    work: impl FnOnce(&mut SyncConn) -> anyhow::Result<T>,
) -> anyhow::Result<T> {
    let key = format!("storegraph.migrate:{schema}");
    conn.transaction::<_, anyhow::Error, _>(|conn| {
        diesel::sql_query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
            .bind::<Text, _>(&key)
            .execute(conn)?;
        work(conn)
    })
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
///
/// Tenants whose schema already records every version of `source` are reported up to date
/// without being locked; the others are migrated by the workers. Versions a schema has
/// that `source` does not know (a migration of a newer program, or of another source) are
/// left alone, as diesel leaves them.
pub async fn migrate_all_with<S>(url: &str, jobs: usize, source: S) -> anyhow::Result<MigrationReport>
where
    S: MigrationSource<Pg> + Send + Sync + 'static,
{
    let owned_url = url.to_owned();
    let source = SharedSource(Arc::new(source));
    let wanted = source.clone();
    let (control, mut reports, pending) = tokio::task::spawn_blocking(move || -> anyhow::Result<_> {
        let mut conn = connect_blocking(&owned_url)?;
        let control = migrate_control_blocking(&mut conn)?;
        let slugs: Vec<String> =
            conn.transaction(|conn| tenants::table.select(tenants::slug).order(tenants::slug).load(conn))?;
        let (up_to_date, pending) = split_up_to_date(&mut conn, slugs, &wanted);
        let reports: Vec<TenantReport> =
            up_to_date.into_iter().map(|slug| TenantReport { slug, outcome: Ok(Vec::new()) }).collect();
        Ok((control, reports, pending))
    })
    .await??;
    tracing::debug!(up_to_date = reports.len(), to_migrate = pending.len(), "tenant versions read");

    let workers = jobs.max(1).min(pending.len());
    let queue = Arc::new(Mutex::new(pending));
    let mut handles = Vec::with_capacity(workers);
    for _ in 0..workers {
        let queue = Arc::clone(&queue);
        let source = source.clone();
        let url = url.to_owned();
        handles.push(tokio::task::spawn_blocking(move || migrate_worker(&url, &queue, source)));
    }
    for handle in handles {
        reports.extend(handle.await?);
    }
    reports.sort_by(|a, b| a.slug.cmp(&b.slug));
    Ok(MigrationReport { control, tenants: reports })
}

/// Splits `slugs` into the tenants whose schema records every version of `source` and
/// the others (in the order given). Anything that cannot be decided here (a slug that is
/// not valid, a schema or migration table that is missing, a source that cannot list its
/// migrations, a read that fails) counts as "to migrate": the worker then deals with it
/// under the lock, and reports what goes wrong, as it always has.
fn split_up_to_date<S: MigrationSource<Pg>>(
    conn: &mut SyncConn,
    slugs: Vec<String>,
    source: &S,
) -> (Vec<String>, VecDeque<String>) {
    let wanted: Vec<String> = match source.migrations() {
        Ok(migrations) => migrations.iter().map(|m| m.name().version().to_string()).collect(),
        Err(error) => {
            tracing::warn!(error = %error, "cannot list the tenant migrations; every tenant goes to the workers");
            return (Vec::new(), slugs.into());
        }
    };
    let schemas: Vec<String> = slugs
        .iter()
        .filter_map(|slug| Slug::parse(slug).ok())
        .map(|slug| TenantSchema::for_slug(&slug).as_str().to_owned())
        .collect();
    let mut applied = HashMap::with_capacity(schemas.len());
    for chunk in schemas.chunks(VERSIONS_PER_STATEMENT) {
        match conn.transaction(|conn| applied_versions(conn, chunk)) {
            Ok(versions) => applied.extend(versions),
            // Those schemas are read again, one by one, by the workers.
            Err(error) => tracing::warn!(error = %error, "cannot read the applied versions of some tenants"),
        }
    }
    let (mut up_to_date, mut pending) = (Vec::new(), VecDeque::new());
    for slug in slugs {
        let done = Slug::parse(&slug)
            .ok()
            .and_then(|s| applied.get(TenantSchema::for_slug(&s).as_str()))
            .is_some_and(|versions: &HashSet<String>| wanted.iter().all(|v| versions.contains(v)));
        if done { up_to_date.push(slug) } else { pending.push_back(slug) }
    }
    (up_to_date, pending)
}

#[derive(QueryableByName)]
struct AppliedVersion {
    #[diesel(sql_type = Text)]
    schema_name: String,
    #[diesel(sql_type = Text)]
    version: String,
}

#[derive(QueryableByName)]
struct MaybeStatement {
    #[diesel(sql_type = Nullable<Text>)]
    sql: Option<String>,
}

/// The versions recorded in each of `schemas`' `__diesel_schema_migrations`, in two
/// statements: PostgreSQL writes the query (quoting every name itself, `format('%I')`),
/// then runs it. A schema without a migration table, or with an empty one, is not in the
/// answer. (A plain `UNION ALL` of the tables: an `ARRAY(...)` per schema would cost the
/// planner several times as much.)
fn applied_versions(conn: &mut SyncConn, schemas: &[String]) -> QueryResult<HashMap<String, HashSet<String>>> {
    let query: MaybeStatement = diesel::sql_query(
        "SELECT string_agg(format('SELECT %L::text AS schema_name, version::text AS version \
         FROM %I.__diesel_schema_migrations', s, s), ' UNION ALL ') AS sql \
         FROM unnest($1::text[]) AS s \
         WHERE to_regclass(format('%I.__diesel_schema_migrations', s)) IS NOT NULL",
    )
    .bind::<Array<Text>, _>(schemas)
    .get_result(conn)?;
    let Some(query) = query.sql else {
        return Ok(HashMap::new());
    };
    let rows: Vec<AppliedVersion> = diesel::sql_query(query).load(conn)?;
    let mut applied: HashMap<String, HashSet<String>> = HashMap::new();
    for row in rows {
        applied.entry(row.schema_name).or_default().insert(row.version);
    }
    Ok(applied)
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
