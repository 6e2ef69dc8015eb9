//! Provisioning: a new tenant is exactly what diesel's harness would have made, with every
//! version recorded; a failure anywhere leaves no tenant behind; kept connections that
//! the server closed do not break the next tenant.

use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};
use diesel_migrations::MigrationHarness;
use storegraph::db::TenantSchema;
use storegraph::db::migrate::{self, TENANT_MIGRATIONS};
use storegraph::tenancy::{ProvisionError, Slug, create_tenant, create_tenant_on};

use crate::harness::TestApp;

#[derive(QueryableByName, Debug)]
struct Line {
    #[diesel(sql_type = diesel::sql_types::Text)]
    line: String,
}

/// Everything a schema holds, one line per column, constraint, index, sequence and
/// trigger, with the schema's own name replaced so two schemas can be compared.
async fn shape(conn: &mut AsyncPgConnection, schema: &str) -> Vec<String> {
    let lines: Vec<Line> = diesel::sql_query(
        "SELECT line FROM (
             SELECT format('column %s.%s %s %s null=%s default=%s', table_name, column_name, ordinal_position,
                           data_type || coalesce('(' || character_maximum_length || ')', ''), is_nullable,
                           coalesce(column_default, '-')) AS line
               FROM information_schema.columns WHERE table_schema = $1
             UNION ALL
             SELECT format('constraint %s on %s: %s', c.conname, c.conrelid::regclass, pg_get_constraintdef(c.oid))
               FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace WHERE n.nspname = $1
             UNION ALL
             SELECT format('index %s', indexdef) FROM pg_indexes WHERE schemaname = $1
             UNION ALL
             SELECT format('sequence %s', sequencename) FROM pg_sequences WHERE schemaname = $1
             UNION ALL
             SELECT format('trigger %s on %s: %s', t.tgname, t.tgrelid::regclass, pg_get_triggerdef(t.oid))
               FROM pg_trigger t JOIN pg_class r ON r.oid = t.tgrelid JOIN pg_namespace n ON n.oid = r.relnamespace
              WHERE n.nspname = $1 AND NOT t.tgisinternal
         ) lines ORDER BY 1",
    )
    .bind::<diesel::sql_types::Text, _>(schema)
    .load(conn)
    .await
    .unwrap();
    lines.into_iter().map(|l| l.line.replace(schema, "S")).collect()
}

async fn versions(conn: &mut AsyncPgConnection, schema: &str) -> Vec<String> {
    #[derive(QueryableByName)]
    struct Version {
        #[diesel(sql_type = diesel::sql_types::Text)]
        version: String,
    }
    let sql = format!("SELECT version::text AS version FROM {schema}.__diesel_schema_migrations ORDER BY version");
    let rows: Vec<Version> = diesel::sql_query(sql).load(conn).await.unwrap();
    rows.into_iter().map(|r| r.version).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_tenant_is_what_diesels_harness_makes_with_every_version_recorded() {
    let app = TestApp::start().await;
    create_tenant(&app.db_url, "prov_fast", "Fast").await.unwrap();

    // The reference: a schema migrated by diesel's harness, one migration at a time.
    let url = app.db_url.clone();
    tokio::task::spawn_blocking(move || {
        let mut conn = migrate::connect_blocking(&url).unwrap();
        diesel::connection::SimpleConnection::batch_execute(
            &mut conn,
            "CREATE SCHEMA t_prov_ref; SET search_path TO t_prov_ref",
        )
        .unwrap();
        conn.run_pending_migrations(TENANT_MIGRATIONS).unwrap();
    })
    .await
    .unwrap();

    let mut conn = AsyncPgConnection::establish(&app.db_url).await.unwrap();
    let fast = shape(&mut conn, "t_prov_fast").await;
    assert!(fast.len() > 100, "{fast:?}");
    assert!(fast.iter().any(|l| l.starts_with("column __diesel_schema_migrations.run_on")), "{fast:?}");
    assert_eq!(fast, shape(&mut conn, "t_prov_ref").await);

    let expected: Vec<String> = TENANT_MIGRATIONS.all().iter().map(|m| m.version().to_owned()).collect();
    assert_eq!(
        expected.len(),
        std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/tenant")).unwrap().count()
    );
    assert_eq!(versions(&mut conn, "t_prov_fast").await, expected);
    assert_eq!(versions(&mut conn, "t_prov_ref").await, expected);

    // diesel's harness finds nothing to do on the new tenant.
    let url = app.db_url.clone();
    let pending = tokio::task::spawn_blocking(move || {
        let mut conn = migrate::connect_blocking(&url).unwrap();
        let schema = TenantSchema::for_slug(&Slug::parse("prov_fast").unwrap());
        migrate::migrate_tenant_blocking(&mut conn, &schema, TENANT_MIGRATIONS).unwrap()
    })
    .await
    .unwrap();
    assert_eq!(pending, Vec::<String>::new());
}

#[tokio::test]
async fn provisioning_on_a_connection_of_ones_own_leaves_its_search_path_alone() {
    let app = TestApp::start().await;
    let mut conn = AsyncPgConnection::establish(&app.db_url).await.unwrap();
    #[derive(QueryableByName)]
    struct Path {
        #[diesel(sql_type = diesel::sql_types::Text)]
        path: String,
    }
    let path = async |conn: &mut AsyncPgConnection| -> String {
        let row: Path =
            diesel::sql_query("SELECT current_setting('search_path') AS path").get_result(conn).await.unwrap();
        row.path
    };
    let before = path(&mut conn).await;
    let tenant = create_tenant_on(&mut conn, "prov_own", "Own").await.unwrap();
    assert_eq!(tenant.schema_name, "t_prov_own");
    assert_eq!(path(&mut conn).await, before);
    // A duplicate is refused and the connection goes on working.
    assert!(matches!(create_tenant_on(&mut conn, "prov_own", "Again").await, Err(ProvisionError::Exists(_))));
    create_tenant_on(&mut conn, "prov_own2", "Own 2").await.unwrap();
    assert_eq!(versions(&mut conn, "t_prov_own2").await.len(), TENANT_MIGRATIONS.all().len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_migration_failing_during_provisioning_leaves_no_tenant_behind() {
    let app = TestApp::start().await;
    let royalty = TENANT_MIGRATIONS.all().iter().position(|m| m.up_sql().contains("CREATE TABLE royalty_allocations"));
    assert!(royalty.is_some_and(|i| i > 0), "the sabotage below aims at this table, made after other migrations");
    let mut conn = AsyncPgConnection::establish(&app.db_url).await.unwrap();
    // The royalty migration's last table cannot be made in t_doomed: everything before it was.
    conn.batch_execute(
        "CREATE FUNCTION public.sabotage() RETURNS event_trigger LANGUAGE plpgsql AS $$
         BEGIN
             IF EXISTS (SELECT 1 FROM pg_event_trigger_ddl_commands()
                         WHERE object_identity = 't_doomed.royalty_allocations') THEN
                 RAISE EXCEPTION 'sabotaged royalty_allocations';
             END IF;
         END $$;
         CREATE EVENT TRIGGER sabotage ON ddl_command_end WHEN TAG IN ('CREATE TABLE')
             EXECUTE FUNCTION public.sabotage();",
    )
    .await
    .unwrap();

    let failed = create_tenant(&app.db_url, "doomed", "Doomed").await;
    match &failed {
        Err(ProvisionError::Database(e)) => assert!(format!("{e:#}").contains("sabotaged"), "{e:#}"),
        other => panic!("expected a database error, got {other:?}"),
    }
    assert_eq!(app.sql_count("SELECT count(*) AS n FROM control.tenants WHERE slug = 'doomed'").await, 0);
    assert_eq!(app.sql_count("SELECT count(*) AS n FROM pg_namespace WHERE nspname = 't_doomed'").await, 0);

    // The next tenant is made as usual, and once the cause is gone so is this one.
    create_tenant(&app.db_url, "spared", "Spared").await.unwrap();
    conn.batch_execute("DROP EVENT TRIGGER sabotage").await.unwrap();
    create_tenant(&app.db_url, "doomed", "Doomed").await.unwrap();
    assert_eq!(versions(&mut conn, "t_doomed").await.len(), TENANT_MIGRATIONS.all().len());
    assert_eq!(app.sql_count("SELECT count(*) AS n FROM t_doomed.royalty_allocations").await, 0);
}

#[tokio::test]
async fn a_kept_connection_the_server_closed_does_not_fail_the_next_tenant() {
    let app = TestApp::start().await;
    create_tenant(&app.db_url, "kept_a", "A").await.unwrap();
    // Close every other connection to the database: the one provisioning kept too.
    let closed = app
        .sql_count(
            "SELECT count(pg_terminate_backend(pid)) AS n FROM pg_stat_activity \
             WHERE datname = current_database() AND pid <> pg_backend_pid()",
        )
        .await;
    assert!(closed >= 1, "{closed}");
    create_tenant(&app.db_url, "kept_b", "B").await.unwrap();
    create_tenant(&app.db_url, "kept_c", "C").await.unwrap();
    assert_eq!(app.sql_count("SELECT count(*) AS n FROM control.tenants WHERE slug LIKE 'kept_%'").await, 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn storegraphs_own_cluster_runs_at_minimal_wal_and_provisions() {
    use storegraph::db::embedded::{ClusterOptions, EmbeddedPostgres, cluster_dir, ensure_database};

    let data_dir = std::env::temp_dir().join(format!("storegraph-test-own-{}", uuid::Uuid::new_v4()));
    let options = ClusterOptions::single_server(data_dir.clone());
    let cluster = tokio::task::spawn_blocking(move || EmbeddedPostgres::start(&options)).await.unwrap().unwrap();
    ensure_database(&cluster.url("postgres"), "storegraph").await.unwrap();
    let url = cluster.url("storegraph");

    let mut conn = AsyncPgConnection::establish(&url).await.unwrap();
    #[derive(QueryableByName)]
    struct Setting {
        #[diesel(sql_type = diesel::sql_types::Text)]
        value: String,
    }
    let wal: Setting =
        diesel::sql_query("SELECT current_setting('wal_level') AS value").get_result(&mut conn).await.unwrap();
    assert_eq!(wal.value, "minimal");
    let fsync: Setting =
        diesel::sql_query("SELECT current_setting('fsync') AS value").get_result(&mut conn).await.unwrap();
    assert_eq!(fsync.value, "on");

    migrate::migrate_all(&url, 1).await.unwrap();
    create_tenant(&url, "own_a", "Own").await.unwrap();
    assert_eq!(versions(&mut conn, "t_own_a").await.len(), TENANT_MIGRATIONS.all().len());

    drop(conn);
    let elsewhere = cluster_dir(&data_dir).unwrap();
    tokio::task::spawn_blocking(move || cluster.stop()).await.unwrap();
    let _ = std::fs::remove_dir_all(&elsewhere);
    let _ = std::fs::remove_dir_all(&data_dir);
}
