//! Hostile tenant names and headers are refused with clear errors and change nothing.

use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use serde_json::json;
use storegraph::tenancy::{ProvisionError, create_tenant};

use crate::harness::{STORE_CODES, TestApp, error_code, store_codes};

fn hostile_slugs() -> Vec<String> {
    vec![
        "'; DROP SCHEMA control CASCADE; --".into(),
        "host_a; SELECT 1".into(),
        "host_a\"".into(),
        "host_a,public".into(),
        "host_a, control".into(),
        "public".into(),
        "control".into(),
        "pg_catalog".into(),
        "pg_toast".into(),
        "information_schema".into(),
        "HOST_A".into(),
        "a".repeat(64),
        "host_a".repeat(12),
        "hôtel".into(),
        "host_a\u{0}".into(),
        "".into(),
        " ".into(),
    ]
}

/// The schemas and tenants of the test database, to show nothing changed.
async fn snapshot(app: &TestApp) -> (Vec<String>, Vec<String>) {
    diesel::table! { information_schema.schemata (schema_name) { schema_name -> Text } }
    let mut conn = AsyncPgConnection::establish(&app.db_url).await.unwrap();
    let schemas =
        schemata::table.select(schemata::schema_name).order(schemata::schema_name).load(&mut conn).await.unwrap();
    let tenants = app.control().list_tenants().await.unwrap().into_iter().map(|t| t.slug).collect();
    (schemas, tenants)
}

#[tokio::test]
async fn hostile_tenant_headers_are_refused_and_change_nothing() {
    let app = TestApp::start().await;
    let a = app.tenant("host_a").await;
    app.store(&a.admin, "mine", None).await;
    let before = snapshot(&app).await;

    for slug in hostile_slugs().into_iter().chain(["t_host_a".to_owned()]) {
        if slug.contains('\u{0}') {
            continue; // not representable in an HTTP header
        }
        let (status, body) = app.post(&[("x-tenant", &slug)], STORE_CODES, json!({})).await;
        assert_eq!(status, 200);
        assert_eq!(error_code(&body), "TENANT_NOT_FOUND", "X-Tenant {slug:?}: {body}");
        assert!(!body["errors"][0]["message"].as_str().unwrap().is_empty());
        assert_eq!(body["data"], serde_json::Value::Null, "X-Tenant {slug:?}");

        // Even next to a valid token, the hostile name is refused.
        let auth = format!("Bearer {}", a.admin);
        let (_, body) = app.post(&[("authorization", &auth), ("x-tenant", &slug)], STORE_CODES, json!({})).await;
        assert_eq!(error_code(&body), "TENANT_NOT_FOUND", "X-Tenant {slug:?} with a token: {body}");
    }

    for token in ["' OR 1=1 --", "sg_\"; DROP TABLE control.api_keys; --", "x".repeat(5000).as_str(), "tökén"] {
        let (_, body) = app.post(&[("authorization", &format!("Bearer {token}"))], STORE_CODES, json!({})).await;
        assert_eq!(error_code(&body), "UNAUTHENTICATED", "token {token:?}");
    }

    let auth = format!("Bearer {}", a.admin);
    for store in ["'; DROP TABLE stores; --", "MAIN", "a b", "ü", &"s".repeat(41)] {
        let (_, body) = app.post(&[("authorization", &auth), ("x-store", store)], STORE_CODES, json!({})).await;
        assert_eq!(error_code(&body), "FORBIDDEN", "X-Store {store:?}: {body}");
    }

    assert_eq!(snapshot(&app).await, before);
    assert_eq!(store_codes(&app.gql(&a.admin, STORE_CODES, json!({})).await), ["mine"]);
}

#[tokio::test]
async fn hostile_slugs_cannot_become_tenants() {
    let app = TestApp::start().await;
    let before = snapshot(&app).await;
    for slug in hostile_slugs() {
        let result = create_tenant(&app.db_url, &slug, "Hostile").await;
        assert!(matches!(result, Err(ProvisionError::InvalidSlug(_))), "{slug:?} was accepted: {result:?}");
    }
    assert_eq!(snapshot(&app).await, before);

    // A duplicate is refused cleanly too, and leaves the first tenant as it was.
    app.tenant("dup_ok").await;
    let again = create_tenant(&app.db_url, "dup_ok", "Again").await;
    assert!(matches!(again, Err(ProvisionError::Exists(_))), "{again:?}");
    assert_eq!(app.tenant_row("dup_ok").await.name, "Tenant dup_ok");
}
