//! What a request costs in SQL statements, counted by the pool's statement watch.

use serde_json::json;

use crate::harness::{TestApp, TestTenant};

const PAGE: &str = "query($first: Int) { stores(first: $first) { totalCount edges { node { code name locale } } } }";

async fn cost(app: &TestApp, tenant: &TestTenant, first: i32) -> u64 {
    let before = app.db.statements();
    let body = app.gql(&tenant.storefront, PAGE, json!({ "first": first })).await;
    assert!(body["errors"].is_null(), "{body}");
    assert_eq!(body["data"]["stores"]["edges"].as_array().unwrap().len(), first.min(60) as usize);
    app.db.statements() - before
}

#[tokio::test]
async fn a_stores_page_costs_the_same_statements_at_any_size_and_one_more_to_switch_tenant() {
    // One connection, so which connection a request gets (and its remembered tenant) is known.
    let app = TestApp::one_connection().await;
    let a = app.tenant("stmt_a").await;
    let b = app.tenant("stmt_b").await;
    for i in 0..60 {
        app.store(&a.admin, &format!("s{i:02}"), None).await;
    }
    app.store(&b.admin, "only", None).await;

    // The connection serves tenant a already: the token lookup, the page and its count.
    cost(&app, &a, 1).await;
    assert_eq!(cost(&app, &a, 5).await, 3);
    assert_eq!(cost(&app, &a, 50).await, 3);
    // After another tenant used the connection, the path statement comes back: 4.
    cost(&app, &b, 1).await;
    assert_eq!(cost(&app, &a, 50).await, 4);
    assert_eq!(cost(&app, &a, 50).await, 3);
}

#[tokio::test]
async fn a_connection_whose_cached_plans_went_stale_is_replaced() {
    use diesel_async::{AsyncConnection, AsyncPgConnection, SimpleAsyncConnection};

    let app = TestApp::one_connection().await;
    let a = app.tenant("stale_a").await;
    app.store(&a.admin, "main", None).await;
    assert!(app.gql(&a.storefront, PAGE, json!({ "first": 5 })).await["errors"].is_null());

    // A column changes type under the cached statement, as in the middle of a migration.
    let mut conn = AsyncPgConnection::establish(&app.db_url).await.unwrap();
    conn.batch_execute("ALTER TABLE t_stale_a.stores ALTER COLUMN name TYPE varchar(300)").await.unwrap();

    // At most one request fails on the stale plan; the connection is then dropped, and
    // requests succeed again on a fresh one.
    let first = app.gql(&a.storefront, PAGE, json!({ "first": 5 })).await;
    if !first["errors"].is_null() {
        assert_eq!(first["errors"][0]["extensions"]["code"], "INTERNAL_SERVER_ERROR", "{first}");
    }
    for _ in 0..3 {
        let body = app.gql(&a.storefront, PAGE, json!({ "first": 5 })).await;
        assert!(body["errors"].is_null(), "{body}");
        assert_eq!(body["data"]["stores"]["edges"][0]["node"]["name"], "Store main");
    }
}

#[tokio::test]
async fn a_statement_running_past_the_timeout_is_cancelled() {
    use std::time::{Duration, Instant};

    use diesel_async::RunQueryDsl;
    use storegraph::db::{Database, PoolConfig, tenant_connection};

    let app = TestApp::start().await;
    app.tenant("slow_a").await;
    let config = PoolConfig { statement_timeout: Duration::from_millis(200), ..PoolConfig::default() };
    let db = Database::connect(&app.db_url, &config).await.unwrap();
    let schema = app.tenant_row("slow_a").await.schema().unwrap();
    let mut conn = tenant_connection(&db.pool, &schema).await.unwrap();
    let started = Instant::now();
    let result = diesel::sql_query("SELECT pg_sleep(5)").execute(&mut *conn).await;
    let error = result.expect_err("the sleep should have been cancelled").to_string();
    assert!(error.contains("statement timeout"), "{error}");
    assert!(started.elapsed() < Duration::from_secs(3));
    // The connection is still usable afterwards.
    assert_eq!(diesel::sql_query("SELECT 1").execute(&mut *conn).await.unwrap(), 1);
}
