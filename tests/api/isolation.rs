//! Tenant isolation: whatever the interleaving, a request sees its own tenant's rows only.

use diesel::sql_types::Text;
use diesel_async::{RunQueryDsl, SimpleAsyncConnection};
use futures_util::future::join_all;
use serde_json::json;
use storegraph::db::tenant_connection;

use crate::harness::{STORE_CODES, TestApp, store_codes};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_pooled_connection_alternating_between_two_tenants_1000_times() {
    let app = TestApp::one_connection().await;
    let a = app.tenant("iso_a").await;
    let b = app.tenant("iso_b").await;
    app.store(&a.admin, "a-only", None).await;
    app.store(&a.admin, "same-code", None).await;
    app.store(&b.admin, "b-only", None).await;
    app.store(&b.admin, "same-code", None).await;

    for i in 0..1000 {
        let (tenant, expected) = if i % 2 == 0 { (&a, ["a-only", "same-code"]) } else { (&b, ["b-only", "same-code"]) };
        let body = app.gql(&tenant.storefront, STORE_CODES, json!({})).await;
        assert_eq!(body["data"]["tenant"]["slug"], tenant.slug.as_str(), "request {i}: {body}");
        assert_eq!(store_codes(&body), expected, "request {i}");
    }
    // Every one of those requests went through the pool's single connection.
    assert_eq!(app.db.pool.state().connections, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_tenants_with_fifty_concurrent_requests_each() {
    let app = TestApp::start().await;
    let mut tenants = Vec::new();
    for i in 0..20 {
        let tenant = app.tenant(&format!("conc_{i:02}")).await;
        app.store(&tenant.admin, &format!("own-{i:02}"), None).await;
        tenants.push(tenant);
    }
    let requests = (0..50).flat_map(|_| tenants.iter().enumerate()).map(|(i, tenant)| {
        let app = &app;
        async move {
            let body = app.gql(&tenant.storefront, STORE_CODES, json!({})).await;
            assert_eq!(body["data"]["tenant"]["slug"], tenant.slug.as_str(), "{body}");
            assert_eq!(store_codes(&body), [format!("own-{i:02}")], "tenant {}", tenant.slug);
        }
    });
    join_all(requests).await;
}

#[derive(diesel::QueryableByName)]
struct Text1 {
    #[diesel(sql_type = Text)]
    value: String,
}

#[tokio::test]
async fn a_tenant_connection_sees_its_schema_and_nothing_else() {
    let app = TestApp::one_connection().await;
    app.tenant("path_a").await;
    app.tenant("path_b").await;
    let mut admin = storegraph::db::control_connection(&app.db.control).await.unwrap();
    admin
        .batch_execute("CREATE TABLE public.leak_probe (secret text); INSERT INTO public.leak_probe VALUES ('x')")
        .await
        .unwrap();
    drop(admin);

    for round in 0..50 {
        let slug = if round % 2 == 0 { "path_a" } else { "path_b" };
        let schema = app.tenant_row(slug).await.schema().unwrap();
        let mut conn = tenant_connection(&app.db.pool, &schema).await.unwrap();
        let path: Text1 =
            diesel::sql_query("SELECT current_setting('search_path') AS value").get_result(&mut *conn).await.unwrap();
        assert_eq!(path.value, format!("t_{slug}"));
        // A table that exists only in public, or only in the control plane, is out of reach.
        let leak = diesel::sql_query("SELECT secret AS value FROM leak_probe").load::<Text1>(&mut *conn).await;
        assert!(leak.is_err(), "public is on the search_path");
        let control = diesel::sql_query("SELECT slug AS value FROM tenants").load::<Text1>(&mut *conn).await;
        assert!(control.is_err(), "control is on the search_path");
    }
}
