//! Running behind PgBouncer: in transaction pooling (each request one transaction that sets
//! its tenant's path, no statement kept prepared) and in session pooling, thousands of
//! interleaved reads and writes of two tenants never cross, a revoked key stops working
//! within seconds, startup (migrations, a new tenant) works through the pooler, and an
//! undeclared transaction pooler is refused.

use std::time::Duration;

use futures_util::future::join_all;
use serde_json::json;
use storegraph::db::{PoolConfig, PoolerMode, migrate, pooler};
use storegraph::graphql::Limits;

use crate::fixtures::{place, shop, stock};
use crate::harness::{STORE_CODES, TestApp, TestTenant, error_code, store_codes};
use crate::harness_pgbouncer::PgBouncer;

/// Clients at once, and requests per client.
const CLIENTS: usize = 16;
const REQUESTS_PER_CLIENT: usize = 150;

async fn behind(bouncer: &PgBouncer, pooler: PoolerMode, direct: bool) -> TestApp {
    let pool = PoolConfig { pooler, max_size: 12, ..PoolConfig::default() };
    TestApp::start_routed(pool, Limits::default(), |db_url| (bouncer.route(db_url), direct.then(|| db_url.to_owned())))
        .await
}

/// Two shops whose store codes differ, with stock for every order the run places.
async fn two_shops(app: &TestApp) -> [(TestTenant, Vec<&'static str>, &'static str); 2] {
    let a = shop(app, "pool_a").await;
    let b = shop(app, "pool_b").await;
    app.store(&a.admin, "a-only", None).await;
    app.store(&b.admin, "b-only", None).await;
    for t in [&a, &b] {
        stock(app, t, "TEE-S", 1_000_000, None).await;
    }
    [(a, vec!["a-only", "web"], "pool_a"), (b, vec!["b-only", "web"], "pool_b")]
}

/// Interleaves reads and orders of both tenants from many clients and checks that no
/// answer holds the other tenant's data and no order landed in the other's schema.
async fn no_crossing(app: &TestApp) {
    let shops = two_shops(app).await;
    let clients = (0..CLIENTS).map(|client| {
        let shops = &shops;
        async move {
            let (mut wrong, mut placed, mut failed) = (0, [0usize; 2], Vec::new());
            for i in 0..REQUESTS_PER_CLIENT {
                let which = (client + i) % 2;
                let (tenant, codes, slug) = &shops[which];
                if i % 5 == 4 {
                    let body = place(app, &tenant.storefront, &[("TEE-S", 1)], None).await;
                    if body["data"]["orderCreate"]["order"]["number"].is_string() {
                        placed[which] += 1;
                    } else {
                        failed.push(body.to_string());
                    }
                } else {
                    let body = app.gql(&tenant.storefront, STORE_CODES, json!({})).await;
                    if !body["errors"].is_null() {
                        failed.push(body.to_string());
                    } else if body["data"]["tenant"]["slug"] != *slug || store_codes(&body) != *codes {
                        wrong += 1;
                    }
                }
            }
            (wrong, placed, failed)
        }
    });
    let results = join_all(clients).await;
    let wrong: usize = results.iter().map(|r| r.0).sum();
    let failed: Vec<&String> = results.iter().flat_map(|r| &r.2).collect();
    assert_eq!(wrong, 0, "answers with the other tenant's data");
    assert!(failed.is_empty(), "{} requests failed, the first: {:?}", failed.len(), failed.first());
    for (index, schema) in ["t_pool_a", "t_pool_b"].into_iter().enumerate() {
        let acknowledged: usize = results.iter().map(|r| r.1[index]).sum();
        let rows = app.sql_count(&format!("SELECT count(*) AS n FROM {schema}.orders")).await;
        assert_eq!(rows as usize, acknowledged, "{schema}: orders acknowledged vs. written");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_transaction_pooler_never_mixes_tenants() {
    let Some(bouncer) = PgBouncer::start("transaction", 4) else { return };
    let app = behind(&bouncer, PoolerMode::Transaction, true).await;
    no_crossing(&app).await;
    let log = bouncer.log();
    assert!(!log.contains("does not exist"), "pgbouncer log: {log}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_pooler_never_mixes_tenants() {
    let Some(bouncer) = PgBouncer::start("session", 40) else { return };
    let app = behind(&bouncer, PoolerMode::Session, false).await;
    no_crossing(&app).await;
}

const REVOKABLE: &str = "{ tenant { slug } }";

async fn revoked_key_stops_working(app: &TestApp) {
    let t = app.tenant("pool_rev").await;
    let body = app.gql(&t.storefront, REVOKABLE, json!({})).await;
    assert_eq!(body["data"]["tenant"]["slug"], "pool_rev", "{body}");
    // Revoked by another process's control plane (the test's own, direct connection).
    let control = storegraph::tenancy::ControlPlane::new(
        storegraph::db::Database::connect(&app.db_url, &PoolConfig { max_size: 2, ..PoolConfig::default() })
            .await
            .unwrap()
            .control,
    );
    let tenant = app.tenant_row("pool_rev").await;
    assert_eq!(control.revoke_keys(&tenant, None, Some("test")).await.unwrap(), 2);
    let body = app.gql_until(&t.storefront, REVOKABLE, json!({}), |body| body["errors"].is_array()).await;
    assert_eq!(error_code(&body), "UNAUTHENTICATED", "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_key_stops_working_behind_a_transaction_pooler() {
    let Some(bouncer) = PgBouncer::start("transaction", 4) else { return };
    // With a direct URL the listener hears of the change.
    revoked_key_stops_working(&behind(&bouncer, PoolerMode::Transaction, true).await).await;
    // Without one, remembered lookups expire within two seconds.
    revoked_key_stops_working(&behind(&bouncer, PoolerMode::Transaction, false).await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn migrations_and_a_new_tenant_work_through_a_transaction_pooler() {
    let Some(bouncer) = PgBouncer::start("transaction", 2) else { return };
    // An empty database, as `serve` meets it the first time.
    let (name, direct) = crate::harness::fresh_database().await;
    let url = bouncer.route(&direct);
    {
        use diesel_async::{AsyncConnection, AsyncPgConnection, SimpleAsyncConnection};
        let mut conn = AsyncPgConnection::establish(&direct).await.unwrap();
        conn.batch_execute("DROP SCHEMA control CASCADE").await.unwrap();
    }
    let report = migrate::migrate_all(&url, 4).await.unwrap();
    assert!(!report.control.is_empty());
    storegraph::tenancy::create_tenant(&url, "pool_new", "New").await.unwrap();
    let report = migrate::migrate_all(&url, 4).await.unwrap();
    assert!(report.control.is_empty() && report.failures().count() == 0, "{report:?}");
    let pool = PoolConfig { pooler: PoolerMode::Transaction, max_size: 4, ..PoolConfig::default() };
    let db = storegraph::db::Database::connect(&url, &pool).await.unwrap();
    let control = storegraph::tenancy::ControlPlane::new(db.control.clone());
    let tenant = control.tenant_by_slug(&storegraph::tenancy::Slug::parse("pool_new").unwrap()).await.unwrap();
    assert!(tenant.is_some());
    drop((db, control));
    let _ = name;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_transaction_pooler_is_refused_unless_declared() {
    let Some(bouncer) = PgBouncer::start("transaction", 4) else { return };
    let (_, direct) = crate::harness::fresh_database().await;
    let url = bouncer.route(&direct);
    let refused = pooler::refuse_undeclared_transaction_pooler(&url, PoolerMode::None).await.unwrap_err();
    assert!(refused.to_string().contains("--pooler transaction"), "{refused}");
    assert!(pooler::refuse_undeclared_transaction_pooler(&url, PoolerMode::Session).await.is_err());
    pooler::refuse_undeclared_transaction_pooler(&url, PoolerMode::Transaction).await.unwrap();
    pooler::refuse_undeclared_transaction_pooler(&direct, PoolerMode::None).await.unwrap();
    let session = PgBouncer::start("session", 8).unwrap();
    pooler::refuse_undeclared_transaction_pooler(&session.route(&direct), PoolerMode::Session).await.unwrap();

    // And the command refuses to serve.
    let output = tokio::time::timeout(
        Duration::from_secs(60),
        tokio::process::Command::new(env!("CARGO_BIN_EXE_storegraph"))
            .args(["serve", "--listen", "127.0.0.1:0", "--database-url", &url])
            .env_remove("STOREGRAPH_POOLER")
            .output(),
    )
    .await
    .unwrap()
    .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("transaction pooler"), "{stderr}");
}
