//! Who may do what: tokens, tenants named three ways, roles, suspension.

use serde_json::json;
use storegraph::tenancy::TenantStatus;

use crate::harness::{STORE_CODES, STORE_CREATE, TestApp, error_code, store_codes};

fn new_store(code: &str) -> serde_json::Value {
    json!({ "input": { "code": code, "name": "New", "defaultCurrency": "USD" } })
}

#[tokio::test]
async fn token_rules() {
    let app = TestApp::start().await;
    let a = app.tenant("auth_a").await;
    let b = app.tenant("auth_b").await;
    app.store(&a.admin, "a1", None).await;

    // No token, no tenant: nothing to answer for.
    let (_, body) = app.post(&[], STORE_CODES, json!({})).await;
    assert_eq!(error_code(&body), "UNAUTHENTICATED");
    assert_eq!(body["data"], serde_json::Value::Null);

    // A tenant named without a token.
    let (_, body) = app.post(&[("x-tenant", "auth_a")], STORE_CODES, json!({})).await;
    assert_eq!(error_code(&body), "UNAUTHENTICATED");

    // A wrong token, a malformed header.
    let (_, body) = app.post(&[("authorization", "Bearer sg_not_a_real_token")], STORE_CODES, json!({})).await;
    assert_eq!(error_code(&body), "UNAUTHENTICATED");
    let (_, body) = app.post(&[("authorization", &format!("Basic {}", a.admin))], STORE_CODES, json!({})).await;
    assert_eq!(error_code(&body), "UNAUTHENTICATED");

    // The right token works, with or without a matching X-Tenant.
    assert_eq!(store_codes(&app.gql(&a.storefront, STORE_CODES, json!({})).await), ["a1"]);
    let auth = format!("Bearer {}", a.storefront);
    let (_, body) = app.post(&[("authorization", &auth), ("x-tenant", "auth_a")], STORE_CODES, json!({})).await;
    assert_eq!(store_codes(&body), ["a1"]);

    // Another tenant's token with X-Tenant: refused, and none of either tenant's data shows.
    let auth_b = format!("Bearer {}", b.admin);
    let (_, body) = app.post(&[("authorization", &auth_b), ("x-tenant", "auth_a")], STORE_CODES, json!({})).await;
    assert_eq!(error_code(&body), "FORBIDDEN");
    assert_eq!(body["data"], serde_json::Value::Null);

    // A storefront token on an admin mutation: refused, nothing written.
    let body = app.gql(&a.storefront, STORE_CREATE, new_store("sneaky")).await;
    assert_eq!(error_code(&body), "FORBIDDEN");
    assert_eq!(app.sql_count("SELECT count(*) AS n FROM t_auth_a.stores WHERE code = 'sneaky'").await, 0);
    let (_, body) = app.post(&[("x-tenant", "auth_a")], STORE_CREATE, new_store("anon")).await;
    assert_eq!(error_code(&body), "UNAUTHENTICATED");

    // A revoked token stops working as soon as the server hears of it (the revocation
    // comes from another process here, as from the command line).
    let tenant = app.tenant_row("auth_a").await;
    let keys = app.control().list_keys(&tenant).await.unwrap();
    let storefront_key = keys.iter().find(|k| a.storefront.starts_with(&k.token_prefix)).unwrap();
    assert_eq!(storefront_key.role.as_str(), "storefront");
    assert_eq!(app.control().revoke_keys(&tenant, Some(storefront_key.id), None).await.unwrap(), 1);
    let body = app.gql_until(&a.storefront, STORE_CODES, json!({}), |b| !b["errors"].is_null()).await;
    assert_eq!(error_code(&body), "UNAUTHENTICATED");
    assert!(body["errors"][0]["message"].as_str().unwrap().contains("revoked"));
    // The admin key of the same tenant is untouched.
    assert_eq!(store_codes(&app.gql(&a.admin, STORE_CODES, json!({})).await), ["a1"]);
}

#[tokio::test]
async fn unknown_and_suspended_tenants() {
    let app = TestApp::start().await;
    let a = app.tenant("susp_a").await;

    let (_, body) = app.post(&[("x-tenant", "no_such_tenant")], STORE_CODES, json!({})).await;
    assert_eq!(error_code(&body), "TENANT_NOT_FOUND");

    // The server now remembers the admin token and its (active) tenant.
    assert_eq!(app.gql(&a.admin, STORE_CODES, json!({})).await["data"]["tenant"]["slug"], "susp_a");

    // Suspended by another process (as `storegraph tenant suspend` would): the server hears
    // of it by notification and forgets what it remembered.
    let slug = storegraph::tenancy::Slug::parse("susp_a").unwrap();
    assert!(app.control().set_status(&slug, TenantStatus::Suspended).await.unwrap());
    let body = app.gql_until(&a.admin, STORE_CODES, json!({}), |b| !b["errors"].is_null()).await;
    assert_eq!(error_code(&body), "TENANT_SUSPENDED");
    let body = app.gql(&a.admin, STORE_CREATE, new_store("while-suspended")).await;
    assert_eq!(error_code(&body), "TENANT_SUSPENDED");
    assert_eq!(app.sql_count("SELECT count(*) AS n FROM t_susp_a.stores").await, 0);

    assert!(app.control().set_status(&slug, TenantStatus::Active).await.unwrap());
    let body = app.gql_until(&a.admin, STORE_CODES, json!({}), |b| b["errors"].is_null()).await;
    assert_eq!(body["data"]["tenant"]["slug"], "susp_a");
}

#[tokio::test]
async fn store_domains_name_the_tenant_and_store() {
    let app = TestApp::start().await;
    let a = app.tenant("dom_a").await;
    let b = app.tenant("dom_b").await;
    app.store(&a.admin, "main", Some("Shop.Example.COM")).await;
    app.store(&b.admin, "other", Some("other.example.org")).await;

    let query = "{ tenant { slug storeCode } }";
    let auth = format!("Bearer {}", a.storefront);
    let (_, body) = app.post(&[("host", "shop.example.com"), ("authorization", &auth)], query, json!({})).await;
    assert_eq!(body["data"]["tenant"], json!({ "slug": "dom_a", "storeCode": "main" }), "{body}");

    // The domain alone names the tenant, but reading still needs a token.
    let (_, body) = app.post(&[("host", "shop.example.com:443")], query, json!({})).await;
    assert_eq!(error_code(&body), "UNAUTHENTICATED");

    // Another tenant's token on this domain, or a disagreeing X-Tenant or X-Store: refused.
    let auth_b = format!("Bearer {}", b.storefront);
    let (_, body) = app.post(&[("host", "shop.example.com"), ("authorization", &auth_b)], query, json!({})).await;
    assert_eq!(error_code(&body), "FORBIDDEN");
    let (_, body) = app
        .post(&[("host", "shop.example.com"), ("authorization", &auth), ("x-tenant", "dom_b")], query, json!({}))
        .await;
    assert_eq!(error_code(&body), "FORBIDDEN");
    let (_, body) = app
        .post(&[("host", "shop.example.com"), ("authorization", &auth), ("x-store", "elsewhere")], query, json!({}))
        .await;
    assert_eq!(error_code(&body), "FORBIDDEN");

    // X-Store alone sets the store.
    let (_, body) = app.post(&[("authorization", &auth), ("x-store", "main")], query, json!({})).await;
    assert_eq!(body["data"]["tenant"]["storeCode"], "main");
}

#[tokio::test]
async fn a_domain_moved_to_another_tenant_names_the_new_one_at_once() {
    let app = TestApp::start().await;
    let a = app.tenant("move_a").await;
    let b = app.tenant("move_b").await;
    let store = app.store(&a.admin, "main", Some("moving.example.com")).await;
    let query = "{ tenant { slug storeCode } }";
    let on_domain = async |token: &str| {
        let auth = format!("Bearer {token}");
        app.post(&[("host", "moving.example.com"), ("authorization", &auth)], query, json!({})).await.1
    };
    // Resolved (and remembered) as tenant a's store.
    assert_eq!(on_domain(&a.storefront).await["data"]["tenant"], json!({ "slug": "move_a", "storeCode": "main" }));

    // a lets the domain go, b takes it: the very next request on it is b's, not refused as
    // "the domain names another tenant" from a remembered answer.
    let update = "mutation($input: StoreUpdateInput!) { storeUpdate(input: $input) { userErrors { field } } }";
    let body =
        app.gql(&a.admin, update, json!({ "input": { "id": store["id"], "domain": "elsewhere.example.com" }})).await;
    assert_eq!(body["data"]["storeUpdate"]["userErrors"], json!([]), "{body}");
    app.store(&b.admin, "shop", Some("moving.example.com")).await;
    let body = on_domain(&b.storefront).await;
    assert_eq!(body["data"]["tenant"], json!({ "slug": "move_b", "storeCode": "shop" }), "{body}");
    assert_eq!(error_code(&on_domain(&a.storefront).await), "FORBIDDEN");
}
