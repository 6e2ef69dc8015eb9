//! The stores API: validation as userErrors that write nothing, uniqueness, domains,
//! visibility by role, and Relay pagination.

use serde_json::{Value, json};

use crate::fixtures::{ORDER_CREATE, codes, shop, user_errors};
use crate::harness::{STORE_CREATE, TestApp, error_code};

const STORE_UPDATE: &str = "mutation($input: StoreUpdateInput!) { storeUpdate(input: $input) {
    store { id code name domain locale defaultCurrency theme active }
    userErrors { field code message } } }";

#[tokio::test]
async fn invalid_store_input_returns_user_errors_and_writes_nothing() {
    let app = TestApp::start().await;
    let t = app.tenant("val_a").await;
    let count = || app.sql_count("SELECT count(*) AS n FROM t_val_a.stores");
    let domains = || app.sql_count("SELECT count(*) AS n FROM control.store_domains");

    let body = app
        .gql(
            &t.admin,
            STORE_CREATE,
            json!({ "input": {
                "code": "Bad Code!", "name": "  ", "domain": "not a domain", "locale": "english",
                "defaultCurrency": "XYZ", "theme": "t".repeat(101),
            }}),
        )
        .await;
    assert_eq!(body["data"]["storeCreate"]["store"], Value::Null);
    let mut errors = user_errors(&body, "storeCreate");
    errors.sort();
    assert_eq!(
        errors,
        [
            ("code", "INVALID"),
            ("defaultCurrency", "INVALID_CURRENCY"),
            ("domain", "INVALID_DOMAIN"),
            ("locale", "INVALID_LOCALE"),
            ("name", "REQUIRED"),
            ("theme", "TOO_LONG"),
        ]
        .map(|(f, c)| (f.to_owned(), c.to_owned()))
    );
    assert_eq!(count().await, 0);
    assert_eq!(domains().await, 0);

    // Valid input is stored as normalised.
    let body = app
        .gql(&t.admin, STORE_CREATE, json!({ "input": {
            "code": "main", "name": " Main ", "domain": "Main.Example.com", "locale": "es-419", "defaultCurrency": "eur",
        }}))
        .await;
    let store = &body["data"]["storeCreate"]["store"];
    assert_eq!(store["name"], "Main");
    assert_eq!(store["domain"], "main.example.com");
    assert_eq!(store["defaultCurrency"], "EUR");
    assert_eq!(store["active"], true);

    // A duplicate code is a userError, and the transaction writes nothing.
    let body = app
        .gql(
            &t.admin,
            STORE_CREATE,
            json!({ "input": {
                "code": "main", "name": "Again", "domain": "again.example.com", "defaultCurrency": "USD",
            }}),
        )
        .await;
    assert_eq!(user_errors(&body, "storeCreate"), [("code".to_owned(), "DUPLICATE".to_owned())]);
    assert_eq!(count().await, 1);
    assert_eq!(domains().await, 1);
}

#[tokio::test]
async fn a_domain_belongs_to_one_store_across_tenants() {
    let app = TestApp::start().await;
    let a = app.tenant("dt_a").await;
    let b = app.tenant("dt_b").await;
    let a_store = app.store(&a.admin, "main", Some("shop.example.com")).await;

    // Tenant b cannot take it: the store insert is rolled back with the domain claim.
    let body = app
        .gql(
            &b.admin,
            STORE_CREATE,
            json!({ "input": {
                "code": "main", "name": "B", "domain": "shop.example.com", "defaultCurrency": "USD",
            }}),
        )
        .await;
    assert_eq!(user_errors(&body, "storeCreate"), [("domain".to_owned(), "DOMAIN_TAKEN".to_owned())]);
    assert_eq!(app.sql_count("SELECT count(*) AS n FROM t_dt_b.stores").await, 0);

    // Once a moves to another domain, the old one is free for b.
    let body =
        app.gql(&a.admin, STORE_UPDATE, json!({ "input": { "id": a_store["id"], "domain": "new.example.com" }})).await;
    assert_eq!(body["data"]["storeUpdate"]["store"]["domain"], "new.example.com", "{body}");
    app.store(&b.admin, "main", Some("shop.example.com")).await;
    assert_eq!(
        app.sql_count(
            "SELECT count(*) AS n FROM control.store_domains WHERE domain IN ('shop.example.com', 'new.example.com')"
        )
        .await,
        2
    );

    // Removing a domain frees it.
    let body = app.gql(&a.admin, STORE_UPDATE, json!({ "input": { "id": a_store["id"], "domain": null }})).await;
    assert_eq!(body["data"]["storeUpdate"]["store"]["domain"], Value::Null);
    assert_eq!(
        app.sql_count("SELECT count(*) AS n FROM control.store_domains WHERE domain = 'new.example.com'").await,
        0
    );
}

#[tokio::test]
async fn store_update_changes_only_what_it_names() {
    let app = TestApp::start().await;
    let t = app.tenant("upd_a").await;
    let store = app.store(&t.admin, "main", None).await;
    let id = store["id"].clone();

    let body =
        app.gql(&t.admin, STORE_UPDATE, json!({ "input": { "id": id, "theme": "dark", "locale": "fr-FR" }})).await;
    let updated = &body["data"]["storeUpdate"]["store"];
    assert_eq!(updated["theme"], "dark");
    assert_eq!(updated["locale"], "fr-FR");
    assert_eq!(updated["name"], store["name"]);

    // Bad input: nothing changes.
    let body =
        app.gql(&t.admin, STORE_UPDATE, json!({ "input": { "id": id, "name": "", "defaultCurrency": "EURO" }})).await;
    let mut errors = user_errors(&body, "storeUpdate");
    errors.sort();
    assert_eq!(
        errors,
        [("defaultCurrency".to_owned(), "INVALID_CURRENCY".to_owned()), ("name".to_owned(), "REQUIRED".to_owned())]
    );
    assert_eq!(
        app.sql_count(
            "SELECT count(*) AS n FROM t_upd_a.stores WHERE name = 'Store main' AND default_currency = 'EUR'"
        )
        .await,
        1
    );

    let body = app
        .gql(&t.admin, STORE_UPDATE, json!({ "input": { "id": "00000000-0000-0000-0000-000000000000", "name": "X" }}))
        .await;
    assert_eq!(user_errors(&body, "storeUpdate"), [("id".to_owned(), "NOT_FOUND".to_owned())]);
    let body = app.gql(&t.admin, STORE_UPDATE, json!({ "input": { "id": "nope", "name": "X" }})).await;
    assert_eq!(user_errors(&body, "storeUpdate"), [("id".to_owned(), "INVALID".to_owned())]);

    // Deactivated: hidden from storefronts, visible to admins.
    app.gql(&t.admin, STORE_UPDATE, json!({ "input": { "id": id, "active": false }})).await;
    let query = "{ stores { totalCount } store(code: \"main\") { code } }";
    let body = app.gql(&t.storefront, query, json!({})).await;
    assert_eq!(body["data"], json!({ "stores": { "totalCount": 0 }, "store": null }));
    let body = app.gql(&t.admin, query, json!({})).await;
    assert_eq!(body["data"], json!({ "stores": { "totalCount": 1 }, "store": { "code": "main" } }));
}

#[tokio::test]
async fn stores_paginate_forwards_and_backwards() {
    let app = TestApp::start().await;
    let t = app.tenant("page_a").await;
    let codes: Vec<String> = (0..7).map(|i| format!("s{i}")).collect();
    for code in codes.iter().rev() {
        app.store(&t.admin, code, None).await;
    }
    let query = "query($first: Int, $after: String, $last: Int, $before: String) {
        stores(first: $first, after: $after, last: $last, before: $before) {
            totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
            edges { node { code } } } }";
    let page = |body: &Value| -> Vec<String> {
        body["data"]["stores"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["node"]["code"].as_str().unwrap().to_owned())
            .collect()
    };

    let mut seen = Vec::new();
    let mut after = Value::Null;
    loop {
        let body = app.gql(&t.admin, query, json!({ "first": 3, "after": after })).await;
        assert_eq!(body["data"]["stores"]["totalCount"], 7);
        seen.extend(page(&body));
        let info = &body["data"]["stores"]["pageInfo"];
        if info["hasNextPage"] == false {
            break;
        }
        after = info["endCursor"].clone();
    }
    assert_eq!(seen, codes);

    let mut seen_back = Vec::new();
    let mut before = Value::Null;
    loop {
        let body = app.gql(&t.admin, query, json!({ "last": 3, "before": before })).await;
        let mut chunk = page(&body);
        chunk.extend(seen_back);
        seen_back = chunk;
        let info = &body["data"]["stores"]["pageInfo"];
        if info["hasPreviousPage"] == false {
            break;
        }
        before = info["startCursor"].clone();
    }
    assert_eq!(seen_back, codes);

    // Page sizes beyond the cap, both directions at once, and forged cursors are refused.
    for variables in [
        json!({ "first": 101 }),
        json!({ "first": -1 }),
        json!({ "first": 1, "last": 1 }),
        json!({ "after": "garbage!" }),
    ] {
        let body = app.gql(&t.admin, query, variables.clone()).await;
        assert_eq!(error_code(&body), "BAD_USER_INPUT", "{variables}: {body}");
    }
}

/// The storefront entry points that read from a store, each naming store `closed` by
/// argument, by `X-Store` or by its domain.
const CLOSED_PRODUCTS: &str = "query($store: String) { products(first: 5, store: $store) { edges { node { name } } } }";
const CLOSED_PRODUCT: &str = "query($store: String) { product(slug: \"tee\", store: $store) { name } }";
const CLOSED_VARIANT: &str =
    "query($store: String) { variant(sku: \"TEE-S\", store: $store) { sku price { amount } } }";

#[tokio::test]
async fn an_inactive_store_is_not_found_for_storefronts_at_every_entry_point() {
    let app = TestApp::start().await;
    let t = shop(&app, "closed_a").await;
    let closed = app.store(&t.admin, "closed", Some("closed.example.com")).await;
    let product_id =
        app.gql(&t.admin, "{ product(slug: \"tee\") { id } }", json!({})).await["data"]["product"]["id"].clone();
    let set = app
        .gql(
            &t.admin,
            "mutation($input: StoreProductSetInput!) { storeProductSet(input: $input) { userErrors { code } } }",
            json!({ "input": { "storeCode": "closed", "productId": product_id, "name": "Secret name", "priceOverride": "1" } }),
        )
        .await;
    assert_eq!(set["data"]["storeProductSet"]["userErrors"], json!([]), "{set}");
    let body = app.gql(&t.admin, STORE_UPDATE, json!({ "input": { "id": closed["id"], "active": false } })).await;
    assert_eq!(body["data"]["storeUpdate"]["store"]["active"], false, "{body}");

    let store_arg = json!({ "store": "closed" });
    let auth = format!("Bearer {}", t.storefront);
    for query in [CLOSED_PRODUCTS, CLOSED_PRODUCT, CLOSED_VARIANT] {
        let body = app.gql(&t.storefront, query, store_arg.clone()).await;
        assert_eq!(error_code(&body), "STORE_NOT_FOUND", "argument, {query}: {body}");
        assert!(!body.to_string().contains("Secret name"), "{body}");
        let (_, body) = app.post(&[("authorization", &auth), ("x-store", "closed")], query, json!({})).await;
        assert_eq!(error_code(&body), "STORE_NOT_FOUND", "X-Store, {query}: {body}");
        let (_, body) = app.post(&[("authorization", &auth), ("host", "closed.example.com")], query, json!({})).await;
        assert_eq!(error_code(&body), "STORE_NOT_FOUND", "domain, {query}: {body}");
        // An unknown store answers the same.
        let body = app.gql(&t.storefront, query, json!({ "store": "nowhere" })).await;
        assert_eq!(error_code(&body), "STORE_NOT_FOUND", "unknown, {query}: {body}");
        // Admins still see it.
        let body = app.gql(&t.admin, query, store_arg.clone()).await;
        assert!(body["errors"].is_null(), "admin, {query}: {body}");
    }
    let body = app.gql(&t.admin, CLOSED_PRODUCT, store_arg.clone()).await;
    assert_eq!(body["data"]["product"]["name"], "Secret name");
    // Even an empty page names no inactive store.
    let empty =
        "query($store: String) { products(first: 5, store: $store, filter: { search: \"zzz\" }) { edges { cursor } } }";
    let body = app.gql(&t.storefront, empty, store_arg.clone()).await;
    assert_eq!(error_code(&body), "STORE_NOT_FOUND", "{body}");

    // Placing an order there: STORE_NOT_FOUND, by input or by X-Store, and nothing written.
    let input = json!({ "items": [{ "sku": "TEE-S", "quantity": 1 }], "email": "a@b.co" });
    let mut with_store = input.clone();
    with_store["store"] = json!("closed");
    let body = app.gql(&t.storefront, ORDER_CREATE, json!({ "input": with_store })).await;
    assert_eq!(codes(&body, "orderCreate"), ["STORE_NOT_FOUND"], "{body}");
    let (_, body) =
        app.post(&[("authorization", &auth), ("x-store", "closed")], ORDER_CREATE, json!({ "input": input })).await;
    assert_eq!(codes(&body, "orderCreate"), ["STORE_NOT_FOUND"], "{body}");
    assert_eq!(app.sql_count("SELECT count(*) AS n FROM t_closed_a.orders").await, 0);
}
