//! The tenant migrations, embedded at build time (see `build.rs`) with their SQL text in
//! reach. To diesel they are an ordinary [`MigrationSource`]: `storegraph migrate` runs
//! them through diesel's harness, one transaction per migration, like any other source.
//! Provisioning reads the text instead and sends all of them in one round trip.

use std::borrow::Cow;

use anyhow::Context as _;
use diesel::QueryableByName;
use diesel::connection::BoxableConnection;
use diesel::migration::{
    CREATE_MIGRATIONS_TABLE, Migration, MigrationMetadata, MigrationName, MigrationSource, MigrationVersion,
};
use diesel::pg::Pg;
use diesel::sql_types::{Array, Text};
use diesel_async::{AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};

use super::TenantSchema;

/// One SQL migration: its name (`<version>_<what>`, like a diesel migration folder), its
/// version (as diesel derives it from the name) and its SQL. The tenant migrations are
/// embedded as these; tests and benchmarks make more with [`SqlMigration::new`].
#[derive(Debug, Clone)]
pub struct SqlMigration {
    name: &'static str,
    version: Cow<'static, str>,
    up: &'static str,
    down: Option<&'static str>,
}

impl SqlMigration {
    /// Used by the list `build.rs` writes (which checked the name and derived the version).
    const fn embedded(name: &'static str, version: &'static str, up: &'static str, down: Option<&'static str>) -> Self {
        Self { name, version: Cow::Borrowed(version), up, down }
    }

    /// A migration named like a diesel migration folder, e.g. `2099-01-01-000000_widgets`
    /// (version `20990101000000`), that runs `up` (and `down` to revert).
    pub fn new(name: &'static str, up: &'static str, down: Option<&'static str>) -> anyhow::Result<Self> {
        let version: String = name.split('_').next().unwrap_or_default().replace('-', "");
        if version.is_empty() || !version.bytes().all(|b| b.is_ascii_digit()) || !name.contains('_') {
            anyhow::bail!("migration name {name:?} is not <version>_<name> with a numeric version");
        }
        Ok(Self { name, version: Cow::Owned(version), up, down })
    }

    /// The name, e.g. `2026-11-24-000001_stores`.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The version recorded in `__diesel_schema_migrations`, e.g. `20261124000001`.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// The SQL that applies the migration (`up.sql`).
    pub fn up_sql(&self) -> &'static str {
        self.up
    }
}

/// The tenant migrations in version order. A source diesel's harness can run, whose SQL
/// provisioning can also read directly ([`TenantMigrations::all`]).
#[derive(Debug, Clone, Copy)]
pub struct TenantMigrations {
    migrations: &'static [SqlMigration],
}

/// Every migration of `migrations/tenant`, in version order.
pub const TENANT_MIGRATIONS: TenantMigrations =
    TenantMigrations { migrations: include!(concat!(env!("OUT_DIR"), "/tenant_migrations.rs")) };

impl TenantMigrations {
    /// The migrations, oldest first.
    pub fn all(&self) -> &'static [SqlMigration] {
        self.migrations
    }

    /// These migrations followed by `extra`: a source for
    /// [`migrate_all_with`](super::migrate::migrate_all_with) when a test or a benchmark
    /// needs a migration the tenants do not have yet. Refuses a version already listed.
    pub fn followed_by(&self, extra: impl IntoIterator<Item = SqlMigration>) -> anyhow::Result<MigrationList> {
        let mut list = self.migrations.to_vec();
        for migration in extra {
            if list.iter().any(|m| m.version == migration.version) {
                anyhow::bail!("two migrations have version {}", migration.version);
            }
            list.push(migration);
        }
        Ok(MigrationList(list))
    }
}

impl MigrationSource<Pg> for TenantMigrations {
    fn migrations(&self) -> diesel::migration::Result<Vec<Box<dyn Migration<Pg>>>> {
        Ok(self.migrations.iter().map(|m| Box::new(m.clone()) as Box<dyn Migration<Pg>>).collect())
    }
}

/// SQL migrations as one source, made by [`TenantMigrations::followed_by`].
#[derive(Debug, Clone)]
pub struct MigrationList(Vec<SqlMigration>);

impl MigrationSource<Pg> for MigrationList {
    fn migrations(&self) -> diesel::migration::Result<Vec<Box<dyn Migration<Pg>>>> {
        Ok(self.0.iter().map(|m| Box::new(m.clone()) as Box<dyn Migration<Pg>>).collect())
    }
}

/// Tenant migrations always run in a transaction (`build.rs` refuses `metadata.toml`).
struct InTransaction;

impl MigrationMetadata for InTransaction {}

impl MigrationName for SqlMigration {
    fn version(&self) -> MigrationVersion<'_> {
        MigrationVersion::from(self.version.as_ref())
    }
}

impl std::fmt::Display for SqlMigration {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name)
    }
}

/// The error of one migration's SQL, named after the migration.
#[derive(Debug, thiserror::Error)]
#[error("migration {name} failed: {source}")]
struct MigrationFailed {
    name: &'static str,
    source: diesel::result::Error,
}

impl Migration<Pg> for SqlMigration {
    fn run(&self, conn: &mut dyn BoxableConnection<Pg>) -> diesel::migration::Result<()> {
        conn.batch_execute(self.up).map_err(|source| MigrationFailed { name: self.name, source }.into())
    }

    fn revert(&self, conn: &mut dyn BoxableConnection<Pg>) -> diesel::migration::Result<()> {
        let down = self.down.ok_or_else(|| format!("migration {} has no down.sql", self.name))?;
        conn.batch_execute(down).map_err(|source| MigrationFailed { name: self.name, source }.into())
    }

    fn metadata(&self) -> &dyn MigrationMetadata {
        &InTransaction
    }

    fn name(&self) -> &dyn MigrationName {
        self
    }
}

#[derive(QueryableByName)]
struct Framing {
    #[diesel(sql_type = Text)]
    create: String,
    #[diesel(sql_type = Text)]
    record: String,
}

/// Creates `schema` and brings it to the newest tenant version: the schema, a
/// `__diesel_schema_migrations` table made by diesel's own statement, every tenant
/// migration and one insert recording all their versions, sent as one batch. Returns the
/// versions applied.
///
/// Must run inside the caller's transaction (provisioning's): the batch sets the
/// `search_path` for that transaction only, and a failing migration then leaves nothing
/// behind. Later runs of `storegraph migrate`, and diesel itself, find the same state as
/// if diesel's harness had applied the migrations one by one.
pub async fn create_tenant_schema(conn: &mut AsyncPgConnection, schema: &TenantSchema) -> anyhow::Result<Vec<String>> {
    let migrations = TENANT_MIGRATIONS.all();
    let versions: Vec<&str> = migrations.iter().map(SqlMigration::version).collect();
    // PostgreSQL quotes the schema name (`%I`) and the versions (`%L`) itself.
    let framing: Framing = diesel::sql_query(
        "SELECT format('CREATE SCHEMA %1$I; SET LOCAL search_path TO %1$I;', $1::text) AS create, \
         coalesce((SELECT 'INSERT INTO __diesel_schema_migrations (version) VALUES ' \
                          || string_agg(format('(%L)', v), ', ' ORDER BY n) || ';' \
                   FROM unnest($2::text[]) WITH ORDINALITY AS u(v, n)), '') AS record",
    )
    .bind::<Text, _>(schema.as_str())
    .bind::<Array<Text>, _>(&versions)
    .get_result(conn)
    .await?;

    let length = migrations.iter().map(|m| m.up_sql().len() + 3).sum::<usize>();
    let mut batch = String::with_capacity(length + framing.create.len() + framing.record.len() + 256);
    batch.push_str(&framing.create);
    batch.push('\n');
    batch.push_str(CREATE_MIGRATIONS_TABLE);
    for migration in migrations {
        // The newlines end a `--` comment the file may end with.
        batch.push_str("\n;\n");
        batch.push_str(migration.up_sql());
    }
    batch.push_str("\n;\n");
    batch.push_str(&framing.record);
    conn.batch_execute(&batch).await.with_context(|| format!("cannot create tenant schema {schema}"))?;
    Ok(versions.into_iter().map(str::to_owned).collect())
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    /// The embedded list is exactly the folders of `migrations/tenant`, in order, with
    /// diesel's versions and the files' text.
    #[test]
    fn the_embedded_list_is_the_migrations_folder() {
        let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations/tenant");
        let mut names: Vec<String> = std::fs::read_dir(&folder)
            .unwrap()
            .map(|e| e.unwrap())
            .filter(|e| e.path().is_dir())
            .map(|e| e.file_name().into_string().unwrap())
            .collect();
        names.sort();
        let embedded: Vec<&str> = TENANT_MIGRATIONS.all().iter().map(SqlMigration::name).collect();
        assert_eq!(embedded, names);
        for m in TENANT_MIGRATIONS.all() {
            assert_eq!(m.up_sql(), std::fs::read_to_string(folder.join(m.name()).join("up.sql")).unwrap());
            let diesel_version: String = m.name().split('_').next().unwrap().replace('-', "");
            assert_eq!(m.version(), diesel_version);
        }
        let versions: Vec<&str> = TENANT_MIGRATIONS.all().iter().map(SqlMigration::version).collect();
        assert!(versions.windows(2).all(|w| w[0] < w[1]), "{versions:?}");
    }

    /// diesel sees the same names and versions through the `MigrationSource` view.
    #[test]
    fn diesel_sees_the_same_versions() {
        let listed = MigrationSource::<Pg>::migrations(&TENANT_MIGRATIONS).unwrap();
        let seen: Vec<(String, String)> =
            listed.iter().map(|m| (m.name().to_string(), m.name().version().to_string())).collect();
        let expected: Vec<(String, String)> =
            TENANT_MIGRATIONS.all().iter().map(|m| (m.name().to_owned(), m.version().to_owned())).collect();
        assert_eq!(seen, expected);
        assert!(listed.iter().all(|m| m.metadata().run_in_transaction()));
    }

    #[test]
    fn extra_migrations_follow_the_tenant_migrations() {
        let extra = SqlMigration::new("2099-01-01-000000_widgets", "CREATE TABLE widgets ()", None).unwrap();
        assert_eq!(extra.version(), "20990101000000");
        let list = TENANT_MIGRATIONS.followed_by([extra.clone()]).unwrap();
        let versions: Vec<String> =
            MigrationSource::<Pg>::migrations(&list).unwrap().iter().map(|m| m.name().version().to_string()).collect();
        assert_eq!(versions.len(), TENANT_MIGRATIONS.all().len() + 1);
        assert_eq!(versions.last().map(String::as_str), Some("20990101000000"));

        // A version already listed, or a name without a version, is refused.
        assert!(list.0.len() == versions.len());
        assert!(TENANT_MIGRATIONS.followed_by([extra.clone(), extra]).is_err());
        let first = TENANT_MIGRATIONS.all()[0].name();
        assert!(TENANT_MIGRATIONS.followed_by([SqlMigration::new(first, "SELECT 1", None).unwrap()]).is_err());
        assert!(SqlMigration::new("widgets", "SELECT 1", None).is_err());
        assert!(SqlMigration::new("v1_widgets", "SELECT 1", None).is_err());
    }
}
