//! Bad input that the server must refuse as the client's mistake — a forged cursor, a
//! date PostgreSQL cannot store, a number past its range, a text past its cap — before
//! any SQL runs with it: each is BAD_USER_INPUT or a userError, never an internal error.

use serde_json::{Value, json};
use storegraph::db::Cursor;
use uuid::Uuid;

use crate::fixtures::{ADJUST, as_staff, codes, customer, pay, place, program, shop};
use crate::harness::{TestApp, error_code};

/// A cursor of the sort tagged `tag` with these key values, as a client could forge it.
fn cursor(tag: &str, values: &[&str], id: Uuid) -> String {
    Cursor::new(tag, values.iter().map(|v| v.to_string()).collect(), id).encode()
}

#[tokio::test]
async fn forged_cursors_of_every_shape_are_bad_user_input() {
    let app = TestApp::start().await;
    let t = shop(&app, "bad_cur").await;
    place(&app, &t.storefront, &[("TEE-S", 1)], None).await;
    let id = Uuid::new_v4();
    let products = "query($after: String, $sort: ProductSortInput, $filter: ProductFilterInput) {
        products(first: 5, after: $after, sortBy: $sort, filter: $filter) { edges { cursor } } }";
    let long = "x".repeat(100_000);
    let cases: [(&str, &[&str]); 8] = [
        ("PRICE", &["abc"]),
        ("RELEVANCE", &["abc"]),
        ("CREATED_AT", &["abc"]),
        ("CREATED_AT", &["0000-01-01 00:00:00+00"]),
        ("NAME", &["a\u{0}b"]),
        ("NAME", &[&long]),
        ("NAME", &["two", "values"]),
        ("NAME", &[]),
    ];
    for (field, values) in cases {
        let forged = cursor(field, values, id);
        let variables = json!({ "after": forged, "sort": { "field": field }, "filter": { "search": "tee" } });
        let body = app.gql(&t.admin, products, variables).await;
        assert_eq!(error_code(&body), "BAD_USER_INPUT", "{field}: {body}");
    }
    // A real cursor still works.
    let page = app.gql(&t.admin, products, json!({ "sort": { "field": "PRICE" } })).await;
    let real = page["data"]["products"]["edges"][0]["cursor"].clone();
    let body = app.gql(&t.admin, products, json!({ "after": real, "sort": { "field": "PRICE" } })).await;
    assert!(body["errors"].is_null(), "{body}");

    let orders = "query($after: String, $s: OrderSortInput) { orders(first: 5, after: $after, sortBy: $s) { edges { cursor } } }";
    for (field, value) in [("TOTAL", "abc"), ("NUMBER", "99999999999999999999"), ("CREATED_AT", "yesterday")] {
        let forged = cursor(field, &[value], id);
        let body = app.gql(&t.admin, orders, json!({ "after": forged, "s": { "field": field } })).await;
        assert_eq!(error_code(&body), "BAD_USER_INPUT", "{field}: {body}");
    }

    let customers = "query($after: String, $s: CustomerSortInput) { customers(first: 5, after: $after, sortBy: $s) { edges { cursor } } }";
    for (field, values) in [("EMAIL", &["a\u{0}b"][..]), ("NAME", &["a", "b\u{0}"][..])] {
        let forged = cursor(field, values, id);
        let body = app.gql(&t.admin, customers, json!({ "after": forged, "s": { "field": field } })).await;
        assert_eq!(error_code(&body), "BAD_USER_INPUT", "{field}: {body}");
    }

    let stores = "query($after: String) { stores(first: 5, after: $after) { edges { cursor } } }";
    let body = app.gql(&t.storefront, stores, json!({ "after": cursor("CODE", &["we\u{0}b"], id) })).await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
    // A long cursor is refused without being decoded (100 KB: well within any body limit).
    let body = app.gql(&t.storefront, stores, json!({ "after": "A".repeat(100_000) })).await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
    assert!(body.to_string().len() < 10_000, "the refusal does not repeat the cursor");
}

#[tokio::test]
async fn dates_outside_years_1_to_9999_are_refused_everywhere() {
    let app = TestApp::start().await;
    let t = shop(&app, "bad_date").await;
    for date in ["-9999-01-01T00:00:00Z", "+200000-01-01T00:00:00Z"] {
        let orders = "query($d: DateTime) { orders(first: 1, filter: { createdAfter: $d }) { totalCount } }";
        let body = app.gql(&t.admin, orders, json!({ "d": date })).await;
        assert_eq!(error_code(&body), "BAD_USER_INPUT", "orders {date}: {body}");
        let customers = "query($d: DateTime) { customers(first: 1, filter: { createdBefore: $d }) { totalCount } }";
        let body = app.gql(&t.admin, customers, json!({ "d": date })).await;
        assert_eq!(error_code(&body), "BAD_USER_INPUT", "customers {date}: {body}");
        let royalty = "query($d: DateTime) { royaltyAllocations(first: 1, filter: { from: $d }) { totalCount } }";
        let body = app.gql(&t.admin, royalty, json!({ "d": date })).await;
        assert_eq!(error_code(&body), "BAD_USER_INPUT", "royalty {date}: {body}");

        let price_list =
            "mutation($d: DateTime) { priceListCreate(input: { name: \"x\", currency: \"EUR\", startsAt: $d }) {
            priceList { id } userErrors { field code } } }";
        let body = app.gql(&t.admin, price_list, json!({ "d": date })).await;
        assert_eq!(codes(&body, "priceListCreate"), ["INVALID"], "price list {date}: {body}");
        let coupon = "mutation($d: DateTime) { couponCreate(input: { code: \"SAVE\", kind: PERCENTAGE, value: \"10\", endsAt: $d }) {
            coupon { id } userErrors { field code } } }";
        let body = app.gql(&t.admin, coupon, json!({ "d": date })).await;
        assert_eq!(codes(&body, "couponCreate"), ["INVALID"], "coupon {date}: {body}");
    }
    assert_eq!(app.sql_count("SELECT count(*) AS n FROM t_bad_date.price_lists").await, 0);
    assert_eq!(app.sql_count("SELECT count(*) AS n FROM t_bad_date.coupons").await, 0);
}

#[tokio::test]
async fn stock_cannot_overflow() {
    let app = TestApp::start().await;
    let t = shop(&app, "bad_stock").await;
    let adjust = "mutation($d: Int!) { inventoryAdjust(input: { sku: \"TEE-S\", delta: $d, reason: \"count\" }) {
        userErrors { field code } } }";
    let body = app.gql(&t.admin, adjust, json!({ "d": 2_147_483_647 })).await;
    assert_eq!(codes(&body, "inventoryAdjust"), ["OUT_OF_RANGE"], "{body}");
    let body = app.gql(&t.admin, adjust, json!({ "d": 999_999_999 })).await;
    assert_eq!(codes(&body, "inventoryAdjust"), ["OUT_OF_RANGE"], "5 + 999,999,999 passes the cap: {body}");
    let body = app.gql(&t.admin, adjust, json!({ "d": 999_999_995 })).await;
    assert_eq!(codes(&body, "inventoryAdjust"), Vec::<String>::new(), "up to the cap: {body}");
    let set = "mutation($q: Int!) { inventorySet(input: { sku: \"TEE-S\", quantity: $q, reason: \"count\" }) {
        userErrors { field code } } }";
    let body = app.gql(&t.admin, set, json!({ "q": 2_000_000_000 })).await;
    assert_eq!(codes(&body, "inventorySet"), ["OUT_OF_RANGE"], "{body}");
    let stock = "SELECT sum(i.quantity)::bigint AS n FROM t_bad_stock.inventory i \
                 JOIN t_bad_stock.product_variants v ON v.id = i.variant_id WHERE v.sku = 'TEE-S'";
    assert_eq!(app.sql_count(stock).await, 1_000_000_000);
}

#[tokio::test]
async fn points_and_counts_beyond_32_bits_are_big_ints() {
    let app = TestApp::start().await;
    let t = shop(&app, "bad_points").await;
    program(&app, &t, true, "1", "0.01", &[]).await;
    let ada = customer(&app, &t, "ada@example.com").await;
    let input = |points: Value| json!({ "input": { "customerId": ada, "points": points, "reason": "goodwill" } });
    let mut last = Value::Null;
    for _ in 0..2 {
        last = as_staff(&app, &t, "alice", ADJUST, input(json!(2_147_483_647))).await;
        assert_eq!(last["data"]["loyaltyAdjust"]["userErrors"], json!([]), "{last}");
    }
    assert_eq!(last["data"]["loyaltyAdjust"]["account"]["balance"], json!(4_294_967_294i64));
    let types = "{ __type(name: \"LoyaltyAccount\") { fields { name type { ofType { name } } } } }";
    let body = app.gql(&t.admin, types, json!({})).await;
    let balance = body["data"]["__type"]["fields"].as_array().unwrap().iter().find(|f| f["name"] == "balance").cloned();
    assert_eq!(balance.unwrap()["type"]["ofType"]["name"], "BigInt", "{body}");
    // An adjustment is a 32-bit Int: larger is refused before the resolver runs.
    let body = as_staff(&app, &t, "alice", ADJUST, input(json!(3_000_000_000i64))).await;
    assert!(body["data"].is_null() || body["data"]["loyaltyAdjust"].is_null(), "{body}");
    assert!(body["errors"][0]["message"].as_str().unwrap().contains("2147483647"), "{body}");
    // totalCount is a BigInt too.
    let body = app
        .gql(
            &t.admin,
            "{ __type(name: \"ProductConnection\") { fields { name type { ofType { name } } } } }",
            json!({}),
        )
        .await;
    let total =
        body["data"]["__type"]["fields"].as_array().unwrap().iter().find(|f| f["name"] == "totalCount").cloned();
    assert_eq!(total.unwrap()["type"]["ofType"]["name"], "BigInt", "{body}");
}

#[tokio::test]
async fn free_texts_have_caps() {
    let app = TestApp::start().await;
    let t = shop(&app, "bad_text").await;
    let long = "d".repeat(20_001);
    let body = app
        .gql(
            &t.admin,
            "mutation($input: ProductCreateInput!) { productCreate(input: $input) { product { id } userErrors { field code } } }",
            json!({ "input": { "slug": "long", "name": "Long", "description": long, "status": "ACTIVE",
                               "basePrice": "1", "currency": "EUR", "variants": [{ "sku": "LONG" }] } }),
        )
        .await;
    assert_eq!(codes(&body, "productCreate"), ["TOO_LONG"], "{body}");
    let body = app
        .gql(
            &t.admin,
            "mutation($d: String) { productUpdate(input: { id: \"00000000-0000-0000-0000-000000000000\", description: $d }) {
                userErrors { field code } } }",
            json!({ "d": "d".repeat(20_001) }),
        )
        .await;
    assert!(codes(&body, "productUpdate").contains(&"TOO_LONG".to_owned()), "{body}");
    let body = app
        .gql(
            &t.admin,
            "mutation($d: String!) { categoryCreate(input: { slug: \"c\", name: \"C\", description: $d }) {
                userErrors { field code } } }",
            json!({ "d": "d".repeat(20_001) }),
        )
        .await;
    assert_eq!(codes(&body, "categoryCreate"), ["TOO_LONG"], "{body}");
    assert_eq!(app.sql_count("SELECT count(*) AS n FROM t_bad_text.products WHERE slug = 'long'").await, 0);
    assert_eq!(app.sql_count("SELECT count(*) AS n FROM t_bad_text.categories").await, 0);
}

#[tokio::test]
async fn a_refund_of_an_unknown_payment_is_not_found() {
    let app = TestApp::start().await;
    let t = shop(&app, "bad_refund").await;
    let body = place(&app, &t.storefront, &[("TEE-S", 1)], None).await;
    let order = body["data"]["orderCreate"]["order"]["id"].as_str().unwrap().to_owned();
    let paid = pay(&app, &t.admin, &order, "10.00", "txn-1").await;
    assert_eq!(paid["data"]["paymentCreate"]["userErrors"], json!([]), "{paid}");
    let body = app
        .gql(
            &t.admin,
            "mutation($input: RefundCreateInput!) { refundCreate(input: $input) { userErrors { field code } } }",
            json!({ "input": { "orderId": order, "paymentId": Uuid::new_v4(), "amount": "1.00", "reason": "r" } }),
        )
        .await;
    assert_eq!(codes(&body, "refundCreate"), ["NOT_FOUND"], "{body}");
    assert_eq!(app.sql_count("SELECT count(*) AS n FROM t_bad_refund.refunds").await, 0);
}

#[tokio::test]
async fn every_listing_caps_its_search_text() {
    let app = TestApp::start().await;
    let t = app.tenant("bad_search").await;
    let long = "s".repeat(201);
    for listing in [
        "products(first: 1, filter: { search: $s })",
        "customers(first: 1, filter: { search: $s })",
        "orders(first: 1, filter: { search: $s })",
        "stores(first: 1, filter: { search: $s })",
        "coupons(first: 1, filter: { search: $s })",
        "attributeDefinitions(first: 1, filter: { search: $s })",
    ] {
        let query = format!("query($s: String) {{ {listing} {{ totalCount }} }}");
        let body = app.gql(&t.admin, &query, json!({ "s": long })).await;
        assert_eq!(error_code(&body), "BAD_USER_INPUT", "{listing}: {body}");
        let body = app.gql(&t.admin, &query, json!({ "s": "s".repeat(200) })).await;
        assert!(body["errors"].is_null(), "{listing}: {body}");
    }
}
