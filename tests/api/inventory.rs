//! Inventory: set and adjust with reasons, never below reserved, never oversold under
//! concurrency, batched on product pages.

use futures_util::future::join_all;
use serde_json::{Value, json};

use crate::fixtures::{codes, product};
use crate::harness::{TestApp, error_code};

const SET: &str = "mutation($input: InventorySetInput!) { inventorySet(input: $input) {
    inventory { quantity reserved available } userErrors { field code } } }";
const ADJUST: &str = "mutation($input: InventoryAdjustInput!) { inventoryAdjust(input: $input) {
    inventory { quantity reserved available } userErrors { field code } } }";

#[tokio::test]
async fn stock_is_set_and_adjusted_with_reasons() {
    let app = TestApp::start().await;
    let t = app.tenant("inv_a").await;
    product(&app, &t, "mug", "ACTIVE", &["MUG-1"]).await;

    let body =
        app.gql(&t.admin, SET, json!({ "input": { "sku": "MUG-1", "quantity": 10, "reason": "stock-take" }})).await;
    assert_eq!(
        body["data"]["inventorySet"]["inventory"],
        json!({ "quantity": 10, "reserved": 0, "available": 10 }),
        "{body}"
    );
    let body = app.gql(&t.admin, ADJUST, json!({ "input": { "sku": "MUG-1", "delta": 5, "reason": "delivery" }})).await;
    assert_eq!(body["data"]["inventoryAdjust"]["inventory"]["quantity"], 15);
    let body = app.gql(&t.admin, ADJUST, json!({ "input": { "sku": "MUG-1", "delta": -3, "reason": "damaged" }})).await;
    assert_eq!(body["data"]["inventoryAdjust"]["inventory"]["quantity"], 12);
    assert_eq!(
        app.sql_count("SELECT count(*) AS n FROM t_inv_a.inventory_movements WHERE reason IN ('stock-take', 'delivery', 'damaged')").await,
        3
    );

    // Storefronts read availability through the variant.
    let body = app.gql(&t.storefront, "{ variant(sku: \"MUG-1\") { inventory { available } } }", json!({})).await;
    assert_eq!(body["data"]["variant"]["inventory"]["available"], 12);
    // …but cannot change it.
    let body = app.gql(&t.storefront, ADJUST, json!({ "input": { "sku": "MUG-1", "delta": 100, "reason": "x" }})).await;
    assert_eq!(error_code(&body), "FORBIDDEN");

    // Reserved units hold: stock cannot fall below them.
    app.sql_count("WITH r AS (UPDATE t_inv_a.inventory SET reserved = 4 RETURNING 1) SELECT count(*) AS n FROM r")
        .await;
    let body = app.gql(&t.admin, SET, json!({ "input": { "sku": "MUG-1", "quantity": 3, "reason": "recount" }})).await;
    assert_eq!(codes(&body, "inventorySet"), ["BELOW_RESERVED"]);
    let body = app.gql(&t.admin, ADJUST, json!({ "input": { "sku": "MUG-1", "delta": -9, "reason": "loss" }})).await;
    assert_eq!(codes(&body, "inventoryAdjust"), ["BELOW_RESERVED"]);
    let body = app.gql(&t.admin, ADJUST, json!({ "input": { "sku": "MUG-1", "delta": -8, "reason": "loss" }})).await;
    assert_eq!(body["data"]["inventoryAdjust"]["inventory"], json!({ "quantity": 4, "reserved": 4, "available": 0 }));
}

#[tokio::test]
async fn bad_inventory_input_changes_nothing() {
    let app = TestApp::start().await;
    let t = app.tenant("inv_b").await;
    product(&app, &t, "cup", "ACTIVE", &["CUP-1"]).await;
    for (mutation, name, input, expected) in [
        (SET, "inventorySet", json!({ "sku": "CUP-1", "quantity": -1, "reason": "x" }), vec!["INVALID"]),
        (SET, "inventorySet", json!({ "sku": "CUP-1", "quantity": 1, "reason": "  " }), vec!["REQUIRED"]),
        (SET, "inventorySet", json!({ "quantity": 1, "reason": "x" }), vec!["REQUIRED"]),
        (SET, "inventorySet", json!({ "sku": "NOPE", "quantity": 1, "reason": "x" }), vec!["NOT_FOUND"]),
        (SET, "inventorySet", json!({ "variantId": "nope", "quantity": 1, "reason": "x" }), vec!["INVALID"]),
        (ADJUST, "inventoryAdjust", json!({ "sku": "CUP-1", "delta": 0, "reason": "x" }), vec!["INVALID"]),
        (ADJUST, "inventoryAdjust", json!({ "sku": "CUP-1", "delta": -1, "reason": "x" }), vec!["BELOW_RESERVED"]),
    ] {
        let body = app.gql(&t.admin, mutation, json!({ "input": input })).await;
        assert_eq!(codes(&body, name), expected, "{input}: {body}");
        assert_eq!(body["data"][name]["inventory"], Value::Null);
    }
    assert_eq!(app.sql_count("SELECT count(*) AS n FROM t_inv_b.inventory_movements").await, 0);
    assert_eq!(app.sql_count("SELECT count(*) AS n FROM t_inv_b.inventory WHERE quantity <> 0").await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_removals_never_oversell() {
    let app = TestApp::start().await;
    let t = app.tenant("inv_c").await;
    product(&app, &t, "last-ones", "ACTIVE", &["LAST-1"]).await;
    app.gql(&t.admin, SET, json!({ "input": { "sku": "LAST-1", "quantity": 10, "reason": "stock-take" }})).await;

    let attempts = (0..25).map(|_| {
        app.gql(&t.admin, ADJUST, json!({ "input": { "sku": "LAST-1", "delta": -1, "reason": "sold in shop" }}))
    });
    let results = join_all(attempts).await;
    let succeeded = results.iter().filter(|body| body["data"]["inventoryAdjust"]["inventory"].is_object()).count();
    let refused = results.iter().filter(|body| codes(body, "inventoryAdjust") == ["BELOW_RESERVED"]).count();
    assert_eq!((succeeded, refused), (10, 15));
    assert_eq!(app.sql_count("SELECT quantity::bigint AS n FROM t_inv_c.inventory").await, 0);
    assert_eq!(app.sql_count("SELECT count(*) AS n FROM t_inv_c.inventory_movements WHERE delta = -1").await, 10);
}

#[tokio::test]
async fn stock_on_a_product_page_is_one_more_statement_at_any_size() {
    let app = TestApp::one_connection().await;
    let t = app.tenant("inv_page").await;
    for i in 0..50 {
        product(&app, &t, &format!("i{i:02}"), "ACTIVE", &[&format!("I{i:02}-A"), &format!("I{i:02}-B")]).await;
    }
    app.gql(&t.admin, SET, json!({ "input": { "sku": "I00-A", "quantity": 7, "reason": "stock-take" }})).await;
    let query = "query($first: Int) { products(first: $first) { edges { node { slug
        variants { sku inventory { available } } images { url } } } } }";
    let mut costs = Vec::new();
    for first in [5, 5, 50] {
        let before = app.db.statements();
        let body = app.gql(&t.storefront, query, json!({ "first": first })).await;
        costs.push(app.db.statements() - before);
        assert_eq!(body["data"]["products"]["edges"][0]["node"]["variants"][0]["inventory"]["available"], 7, "{body}");
        assert_eq!(body["data"]["products"]["edges"][0]["node"]["variants"][1]["inventory"]["available"], 0);
    }
    // 4 statements: products, variants, images, stock of every variant (the token lookup
    // is remembered from the first request).
    assert_eq!(&costs[1..], &[4, 4], "{costs:?}");
}

#[tokio::test]
async fn stock_is_kept_per_location_and_summed_per_variant() {
    let app = TestApp::start().await;
    let t = app.tenant("inv_loc").await;
    product(&app, &t, "mug", "ACTIVE", &["MUG-1"]).await;
    let create = "mutation($input: LocationCreateInput!) { locationCreate(input: $input) { location { code kind isDefault } userErrors { field code } } }";
    let body =
        app.gql(&t.admin, create, json!({ "input": { "code": "shop-1", "name": "Shop", "kind": "STORE" } })).await;
    assert_eq!(
        body["data"]["locationCreate"]["location"],
        json!({ "code": "shop-1", "kind": "STORE", "isDefault": false })
    );
    let dup = app.gql(&t.admin, create, json!({ "input": { "code": "shop-1", "name": "Again" } })).await;
    assert_eq!(
        dup["data"]["locationCreate"]["userErrors"],
        json!([{ "field": ["input", "code"], "code": "DUPLICATE" }])
    );

    // No location named: the default one.
    app.gql(&t.admin, SET, json!({ "input": { "sku": "MUG-1", "quantity": 10, "reason": "count" }})).await;
    let body = app
        .gql(
            &t.admin,
            ADJUST,
            json!({ "input": { "sku": "MUG-1", "locationCode": "shop-1", "delta": 4, "reason": "transfer in" }}),
        )
        .await;
    assert_eq!(body["data"]["inventoryAdjust"]["inventory"], json!({ "quantity": 14, "reserved": 0, "available": 14 }));
    let q = "{ variant(sku: \"MUG-1\") { inventory { quantity available locations { location { code } quantity available } } } }";
    let body = app.gql(&t.admin, q, json!({})).await;
    assert_eq!(
        body["data"]["variant"]["inventory"]["locations"],
        json!([{ "location": { "code": "default" }, "quantity": 10, "available": 10 },
               { "location": { "code": "shop-1" }, "quantity": 4, "available": 4 }])
    );
    // A location's stock cannot go below zero even when another location has plenty.
    let body = app
        .gql(
            &t.admin,
            ADJUST,
            json!({ "input": { "sku": "MUG-1", "locationCode": "shop-1", "delta": -5, "reason": "sold" }}),
        )
        .await;
    assert_eq!(codes(&body, "inventoryAdjust"), ["BELOW_RESERVED"]);
    let body = app
        .gql(
            &t.admin,
            SET,
            json!({ "input": { "sku": "MUG-1", "locationCode": "nowhere", "quantity": 1, "reason": "count" }}),
        )
        .await;
    assert_eq!(
        body["data"]["inventorySet"]["userErrors"],
        json!([{ "field": ["input", "locationCode"], "code": "NOT_FOUND" }])
    );
    assert_eq!(app.sql_count("SELECT sum(quantity)::bigint AS n FROM t_inv_loc.inventory").await, 14);
    let listed = app.gql(&t.admin, "{ locations { code } }", json!({})).await;
    assert_eq!(listed["data"]["locations"], json!([{ "code": "default" }, { "code": "shop-1" }]));
}
