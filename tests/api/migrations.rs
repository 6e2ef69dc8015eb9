//! The migration runner: idempotent, per-tenant failures reported and finished later,
//! concurrent runners harmless, new tenants at the newest version, up-to-date tenants
//! passed over without waiting for their lock.

use std::path::Path;
use std::time::{Duration, Instant};

use diesel_async::{AsyncConnection, AsyncPgConnection, SimpleAsyncConnection};
use diesel_migrations::FileBasedMigrations;
use storegraph::db::migrate::{MigrationReport, SqlMigration, TENANT_MIGRATIONS, migrate_all, migrate_all_with};

use crate::harness::TestApp;

/// The real tenant migrations plus one more, in a temporary folder.
fn migrations_with_extra(sql: &str) -> (tempdir::Dir, FileBasedMigrations) {
    let dir = tempdir::Dir::new();
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations/tenant");
    for entry in std::fs::read_dir(source).unwrap() {
        let entry = entry.unwrap();
        let target = dir.path().join(entry.file_name());
        std::fs::create_dir_all(&target).unwrap();
        for file in std::fs::read_dir(entry.path()).unwrap() {
            let file = file.unwrap();
            std::fs::copy(file.path(), target.join(file.file_name())).unwrap();
        }
    }
    let extra = dir.path().join("2099-01-01-000000_widgets");
    std::fs::create_dir_all(&extra).unwrap();
    std::fs::write(extra.join("up.sql"), sql).unwrap();
    std::fs::write(extra.join("down.sql"), "DROP TABLE widgets;").unwrap();
    let migrations = FileBasedMigrations::from_path(dir.path()).unwrap();
    (dir, migrations)
}

/// A folder removed when dropped.
mod tempdir {
    pub struct Dir(std::path::PathBuf);
    impl Dir {
        pub fn new() -> Self {
            let path = std::env::temp_dir().join(format!("storegraph-migrations-{}", uuid::Uuid::new_v4()));
            std::fs::create_dir_all(&path).unwrap();
            Self(path)
        }
        pub fn path(&self) -> &std::path::Path {
            &self.0
        }
    }
    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

fn applied<'a>(report: &'a MigrationReport, slug: &str) -> &'a Result<Vec<String>, String> {
    &report.tenants.iter().find(|t| t.slug == slug).unwrap_or_else(|| panic!("{slug} not in report")).outcome
}

const WIDGETS: &str = "CREATE TABLE widgets (id integer PRIMARY KEY, name text NOT NULL);";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn migrate_is_idempotent_and_finishes_after_a_failure() {
    let app = TestApp::start().await;
    for slug in ["mig_a", "mig_b", "mig_c"] {
        app.tenant(slug).await;
    }

    // New tenants are created at the newest version: nothing to do, twice.
    for _ in 0..2 {
        let report = migrate_all(&app.db_url, 2).await.unwrap();
        assert!(report.control.is_empty());
        assert_eq!(report.tenants.len(), 3);
        for tenant in &report.tenants {
            assert_eq!(tenant.outcome, Ok(vec![]), "{}", tenant.slug);
        }
    }

    // mig_b already has a `widgets` table, so the new migration fails there.
    let mut conn = AsyncPgConnection::establish(&app.db_url).await.unwrap();
    conn.batch_execute("CREATE TABLE t_mig_b.widgets (sabotage boolean)").await.unwrap();
    let (_dir, source) = migrations_with_extra(WIDGETS);

    let report = migrate_all_with(&app.db_url, 2, source.clone()).await.unwrap();
    assert_eq!(applied(&report, "mig_a"), &Ok(vec!["20990101000000".to_owned()]));
    assert_eq!(applied(&report, "mig_c"), &Ok(vec!["20990101000000".to_owned()]));
    let failure = applied(&report, "mig_b").as_ref().unwrap_err();
    assert!(failure.contains("widgets"), "{failure}");
    assert_eq!(report.failures().count(), 1);
    // The failed migration left nothing half-done in mig_b.
    assert_eq!(
        app.sql_count("SELECT count(*) AS n FROM t_mig_b.__diesel_schema_migrations WHERE version = '20990101000000'")
            .await,
        0
    );

    // After the cause is fixed, a re-run finishes mig_b and leaves the others alone.
    conn.batch_execute("DROP TABLE t_mig_b.widgets").await.unwrap();
    let report = migrate_all_with(&app.db_url, 2, source.clone()).await.unwrap();
    assert_eq!(applied(&report, "mig_a"), &Ok(vec![]));
    assert_eq!(applied(&report, "mig_b"), &Ok(vec!["20990101000000".to_owned()]));
    assert_eq!(applied(&report, "mig_c"), &Ok(vec![]));
    for slug in ["mig_a", "mig_b", "mig_c"] {
        let sql = format!(
            "SELECT count(*) AS n FROM information_schema.columns WHERE table_schema = 't_{slug}' AND table_name = 'widgets'"
        );
        assert_eq!(app.sql_count(&sql).await, 2, "{slug}");
    }
    let report = migrate_all_with(&app.db_url, 2, source).await.unwrap();
    assert_eq!(report.failures().count(), 0);
    assert!(report.tenants.iter().all(|t| t.outcome == Ok(vec![])));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_runners_at_once_apply_each_migration_once() {
    let app = TestApp::start().await;
    let slugs: Vec<String> = (0..8).map(|i| format!("race_{i}")).collect();
    for slug in &slugs {
        app.tenant(slug).await;
    }
    let (_dir, source) = migrations_with_extra(WIDGETS);
    let (first, second) = tokio::join!(
        migrate_all_with(&app.db_url, 3, source.clone()),
        migrate_all_with(&app.db_url, 3, source.clone()),
    );
    let (first, second) = (first.unwrap(), second.unwrap());
    for slug in &slugs {
        let a = applied(&first, slug).clone().unwrap();
        let b = applied(&second, slug).clone().unwrap();
        assert_eq!(a.len() + b.len(), 1, "{slug}: first run {a:?}, second run {b:?}");
    }
}

/// The tenant migrations plus one that makes a `gadgets` table.
fn embedded_with_gadgets() -> storegraph::db::migrate::MigrationList {
    let gadgets = SqlMigration::new(
        "2099-02-01-000000_gadgets",
        "CREATE TABLE gadgets (id integer PRIMARY KEY);",
        Some("DROP TABLE gadgets;"),
    )
    .unwrap();
    TENANT_MIGRATIONS.followed_by([gadgets]).unwrap()
}

const GADGETS: &str = "20990201000000";

/// Holds the migration lock of one tenant schema, as a runner migrating it would.
async fn hold_migration_lock(url: &str, schema: &str) -> AsyncPgConnection {
    let mut conn = AsyncPgConnection::establish(url).await.unwrap();
    conn.batch_execute(&format!("SELECT pg_advisory_lock(hashtextextended('storegraph.migrate:{schema}', 0))"))
        .await
        .unwrap();
    conn
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn migrate_leaves_up_to_date_tenants_unlocked_and_migrates_every_other() {
    let app = TestApp::start().await;
    for slug in ["skip_a", "skip_b", "skip_c"] {
        app.tenant(slug).await;
    }
    // Another runner is busy with skip_b. Nothing is pending anywhere, so this run has no
    // reason to wait for it.
    let mut locker = hold_migration_lock(&app.db_url, "t_skip_b").await;
    let report = tokio::time::timeout(Duration::from_secs(60), migrate_all(&app.db_url, 2))
        .await
        .expect("an up-to-date tenant's lock held elsewhere stalled the run")
        .unwrap();
    assert_eq!(report.tenants.len(), 3);
    assert!(report.tenants.iter().all(|t| t.outcome == Ok(vec![])), "{report:?}");

    // With a migration pending, the run migrates skip_a and skip_c and waits for skip_b.
    let url = app.db_url.clone();
    let run = tokio::spawn(async move { migrate_all_with(&url, 2, embedded_with_gadgets()).await });
    let gadgets = |slug: &str| {
        format!(
            "SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = 't_{slug}' AND table_name = 'gadgets'"
        )
    };
    let deadline = Instant::now() + Duration::from_secs(60);
    while app.sql_count(&gadgets("skip_a")).await + app.sql_count(&gadgets("skip_c")).await < 2 {
        assert!(Instant::now() < deadline, "skip_a and skip_c were not migrated while skip_b was locked");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(!run.is_finished());
    assert_eq!(app.sql_count(&gadgets("skip_b")).await, 0);
    locker.batch_execute("SELECT pg_advisory_unlock_all()").await.unwrap();
    let report = run.await.unwrap().unwrap();
    for slug in ["skip_a", "skip_b", "skip_c"] {
        assert_eq!(applied(&report, slug), &Ok(vec![GADGETS.to_owned()]), "{slug}");
        assert_eq!(app.sql_count(&gadgets(slug)).await, 1, "{slug}");
    }

    // Back to the normal source: the extra version is left alone and nothing fails.
    for _ in 0..2 {
        let report = migrate_all(&app.db_url, 2).await.unwrap();
        assert_eq!(report.failures().count(), 0, "{report:?}");
        assert!(report.tenants.iter().all(|t| t.outcome == Ok(vec![])), "{report:?}");
    }
    let report = migrate_all_with(&app.db_url, 2, embedded_with_gadgets()).await.unwrap();
    assert!(report.tenants.iter().all(|t| t.outcome == Ok(vec![])), "{report:?}");
    assert_eq!(
        app.sql_count(&format!(
            "SELECT count(*) AS n FROM t_skip_a.__diesel_schema_migrations WHERE version = '{GADGETS}'"
        ))
        .await,
        1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tenant_whose_versions_cannot_be_read_is_not_taken_for_up_to_date() {
    let app = TestApp::start().await;
    for slug in ["lost_a", "lost_b", "lost_c", "lost_d", "lost_e"] {
        app.tenant(slug).await;
    }
    let mut conn = AsyncPgConnection::establish(&app.db_url).await.unwrap();
    // lost_a lost its migration table, lost_b its whole schema, lost_d the record of every
    // version and lost_e the record of the newest one; their tables are all still there.
    let newest = TENANT_MIGRATIONS.all().last().unwrap().version();
    conn.batch_execute(&format!(
        "DROP TABLE t_lost_a.__diesel_schema_migrations; DROP SCHEMA t_lost_b CASCADE; \
         DELETE FROM t_lost_d.__diesel_schema_migrations; \
         DELETE FROM t_lost_e.__diesel_schema_migrations WHERE version = '{newest}'"
    ))
    .await
    .unwrap();
    let report = migrate_all(&app.db_url, 2).await.unwrap();
    // They go to the harness, which runs a migration whose tables are already there (or
    // finds no schema to work in) and says so.
    for slug in ["lost_a", "lost_b", "lost_d", "lost_e"] {
        let failure = applied(&report, slug).as_ref().expect_err(slug);
        assert!(failure.contains("already exists") || slug == "lost_b", "{slug}: {failure}");
    }
    assert_eq!(applied(&report, "lost_c"), &Ok(vec![]));
    assert_eq!(report.failures().count(), 4);
}
