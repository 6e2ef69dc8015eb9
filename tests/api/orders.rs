//! Orders: server-side pricing, atomic reservations under concurrency, idempotency, the
//! lifecycle, payments and refunds, marketplace imports, POS registers, listings and
//! tenant isolation — all through HTTP against a real PostgreSQL.

use futures_util::future::join_all;
use serde_json::{Value, json};

use crate::fixtures::{
    CHANGE, CustomerBuilder, ORDER_CREATE, OrderBuilder, PlacedOrder, ProductBuilder, as_staff, change, codes, pay,
    place, product, refund, shop, stock,
};
use crate::harness::{STORE_CREATE, TestApp, error_code};

async fn reserved(app: &TestApp, slug: &str, sku: &str) -> (i64, i64) {
    let q = |col: &str| {
        format!(
            "SELECT COALESCE(sum(i.{col}), 0)::bigint AS n FROM t_{slug}.inventory i \
             JOIN t_{slug}.product_variants v ON v.id = i.variant_id WHERE v.sku = '{sku}'"
        )
    };
    (app.sql_count(&q("quantity")).await, app.sql_count(&q("reserved")).await)
}

#[tokio::test]
async fn the_server_prices_snapshots_and_reserves() {
    let app = TestApp::start().await;
    let t = shop(&app, "ord_a").await;
    let body = place(&app, &t.storefront, &[("TEE-S", 2), ("TEE-M", 3)], None).await;
    assert_eq!(body["data"]["orderCreate"]["userErrors"], json!([]), "{body}");
    let order = &body["data"]["orderCreate"]["order"];
    assert_eq!(order["number"], "1001");
    assert_eq!(order["status"], "PENDING");
    assert_eq!(order["paymentStatus"], "UNPAID");
    assert_eq!(order["channel"], "ONLINE");
    assert_eq!(order["email"], "ada@example.com");
    assert_eq!(order["subtotal"], json!({ "amount": "57.50", "currency": "EUR" }));
    assert_eq!(order["total"]["amount"], "57.50");
    assert_eq!(
        order["items"],
        json!([
            { "line": 1, "sku": "TEE-S", "productName": "Product tee", "variantName": "", "quantity": 2,
              "unitPrice": { "amount": "10.00" }, "priceSource": "BASE_PRICE", "lineTotal": { "amount": "20.00" } },
            { "line": 2, "sku": "TEE-M", "productName": "Product tee", "variantName": "", "quantity": 3,
              "unitPrice": { "amount": "12.50" }, "priceSource": "VARIANT_PRICE", "lineTotal": { "amount": "37.50" } },
        ]),
        "{body}"
    );
    assert_eq!(order["shippingAddress"], json!({ "city": "London", "country": "GB" }));
    assert_eq!(order["history"], json!([{ "fromStatus": null, "toStatus": "PENDING" }]));
    assert_eq!(reserved(&app, "ord_a", "TEE-S").await, (5, 2));
    assert_eq!(reserved(&app, "ord_a", "TEE-M").await, (5, 3));
}

/// A shop `slug` and its first order (TEE-S ×2, TEE-M ×3) placed by the storefront.
async fn first_order(app: &TestApp, slug: &str) -> (crate::harness::TestTenant, PlacedOrder) {
    let t = shop(app, slug).await;
    let order = OrderBuilder::new()
        .items(&[("TEE-S", 2), ("TEE-M", 3)])
        .email("Ada@Example.com")
        .shipping()
        .create(app, &t.storefront)
        .await;
    (t, order)
}

/// The storefront's token of a placed order.
fn token(order: &PlacedOrder) -> &str {
    order.body["data"]["orderCreate"]["order"]["token"].as_str().unwrap()
}

#[tokio::test]
async fn a_catalog_change_later_does_not_rewrite_the_order() {
    let app = TestApp::start().await;
    let (t, order) = first_order(&app, "ord_a").await;
    app.sql_count("WITH u AS (UPDATE t_ord_a.products SET name = 'Renamed' RETURNING 1) SELECT count(*) AS n FROM u")
        .await;
    let read = "query($t: ID!) { order(token: $t) { number items { productName } total { amount } } }";
    let body = app.gql(&t.storefront, read, json!({ "t": token(&order) })).await;
    assert_eq!(body["data"]["order"]["items"][0]["productName"], "Product tee", "{body}");
}

#[tokio::test]
async fn a_storefront_reads_an_order_by_token_only_and_never_the_admin_only_parts() {
    let app = TestApp::start().await;
    let (t, order) = first_order(&app, "ord_a").await;
    let token = token(&order);
    let body = app.gql(&t.storefront, "{ order(number: \"1001\") { id } }", json!({})).await;
    assert_eq!(error_code(&body), "FORBIDDEN");
    let body =
        app.gql(&t.storefront, "query($t: ID!) { order(token: $t) { payments { id } } }", json!({ "t": token })).await;
    assert_eq!(error_code(&body), "FORBIDDEN");
    let body = app.gql(&t.admin, "{ order(number: \"#1001\") { email placedBy } }", json!({})).await;
    assert_eq!(body["data"]["order"], json!({ "email": "ada@example.com", "placedBy": "storefront" }));
}

#[tokio::test]
async fn refused_orders_write_and_reserve_nothing() {
    let app = TestApp::start().await;
    let t = shop(&app, "ord_b").await;
    product(&app, &t, "draft", "DRAFT", &["DRAFT-1"]).await;
    stock(&app, &t, "DRAFT-1", 5, None).await;
    let body = app
        .gql(&t.admin, STORE_CREATE, json!({ "input": { "code": "usa", "name": "USA", "defaultCurrency": "USD" } }))
        .await;
    assert_eq!(body["data"]["storeCreate"]["userErrors"], json!([]));

    let cases: Vec<(Value, &str)> = vec![
        (json!({ "items": [], "store": "web", "email": "a@b.co" }), "EMPTY_ORDER"),
        (json!({ "items": [{ "sku": "NOPE", "quantity": 1 }], "store": "web", "email": "a@b.co" }), "NOT_FOUND"),
        (
            json!({ "items": [{ "sku": "DRAFT-1", "quantity": 1 }], "store": "web", "email": "a@b.co" }),
            "PRODUCT_UNAVAILABLE",
        ),
        (
            json!({ "items": [{ "sku": "TEE-S", "quantity": 6 }], "store": "web", "email": "a@b.co" }),
            "INSUFFICIENT_STOCK",
        ),
        (
            json!({ "items": [{ "sku": "TEE-S", "quantity": 1 }], "store": "usa", "email": "a@b.co" }),
            "CURRENCY_MISMATCH",
        ),
        (json!({ "items": [{ "sku": "TEE-S", "quantity": 1 }], "email": "a@b.co" }), "REQUIRED"),
        (
            json!({ "items": [{ "sku": "TEE-S", "quantity": 1 }], "store": "nope", "email": "a@b.co" }),
            "STORE_NOT_FOUND",
        ),
        (json!({ "items": [{ "sku": "TEE-S", "quantity": 0 }], "store": "web", "email": "a@b.co" }), "INVALID"),
        (
            json!({ "items": [{ "sku": "TEE-S", "quantity": 1 }], "store": "web", "email": "not-an-email" }),
            "INVALID_EMAIL",
        ),
        (json!({ "items": [{ "sku": "TEE-S", "quantity": 1 }], "store": "web" }), "REQUIRED"),
        (
            json!({ "items": [{ "sku": "TEE-S", "quantity": 1 }], "store": "web", "email": "a@b.co", "channel": "POS" }),
            "INVALID",
        ),
    ];
    for (input, code) in cases {
        let body = app.gql(&t.storefront, ORDER_CREATE, json!({ "input": input })).await;
        assert!(codes(&body, "orderCreate").contains(&code.to_owned()), "{input}: {body}");
        assert_eq!(body["data"]["orderCreate"]["order"], Value::Null);
    }
    assert_eq!(app.sql_count("SELECT count(*) AS n FROM t_ord_b.orders").await, 0);
    assert_eq!(app.sql_count("SELECT sum(reserved)::bigint AS n FROM t_ord_b.inventory").await, 0);
}

#[tokio::test]
async fn a_shortage_on_one_line_refuses_the_whole_order() {
    let app = TestApp::start().await;
    let t = shop(&app, "ord_b").await;
    // Four units of one line and three of another: the second line's shortage refuses
    // the whole order, the first line's units included.
    let body = place(&app, &t.storefront, &[("TEE-S", 4), ("TEE-M", 6)], None).await;
    assert_eq!(body["data"]["orderCreate"]["userErrors"][0]["field"], json!(["input", "items", "1", "quantity"]));
    assert_eq!(app.sql_count("SELECT count(*) AS n FROM t_ord_b.orders").await, 0);
    assert_eq!(app.sql_count("SELECT sum(reserved)::bigint AS n FROM t_ord_b.inventory").await, 0);
}

#[tokio::test]
async fn fifty_concurrent_orders_for_ten_units() {
    let app = TestApp::start().await;
    let t = shop(&app, "ord_c").await;
    stock(&app, &t, "TEE-S", 10, None).await;
    let attempts = (0..50).map(|_| place(&app, &t.storefront, &[("TEE-S", 1)], None));
    let bodies = join_all(attempts).await;
    let placed = bodies.iter().filter(|b| b["data"]["orderCreate"]["order"].is_object()).count();
    let short = bodies.iter().filter(|b| codes(b, "orderCreate") == ["INSUFFICIENT_STOCK"]).count();
    assert_eq!((placed, short), (10, 40), "{:?}", bodies.iter().find(|b| b["errors"].is_array()));
    assert_eq!(reserved(&app, "ord_c", "TEE-S").await, (10, 10));
    assert_eq!(app.sql_count("SELECT count(*) AS n FROM t_ord_c.orders").await, 10);
    assert_eq!(app.sql_count("SELECT sum(quantity)::bigint AS n FROM t_ord_c.order_allocations").await, 10);
    assert_eq!(app.sql_count("SELECT count(*) AS n FROM t_ord_c.inventory WHERE quantity - reserved < 0").await, 0);
    let mut numbers: Vec<i64> = bodies
        .iter()
        .filter_map(|b| b["data"]["orderCreate"]["order"]["number"].as_str().map(|n| n.parse().unwrap()))
        .collect();
    numbers.sort_unstable();
    numbers.dedup();
    assert_eq!(numbers.len(), 10, "order numbers are unique");
}

#[tokio::test]
async fn one_idempotency_key_gives_one_order() {
    let app = TestApp::start().await;
    let t = shop(&app, "ord_d").await;
    let attempts = (0..20).map(|_| place(&app, &t.storefront, &[("TEE-M", 2)], Some("checkout-42")));
    let bodies = join_all(attempts).await;
    let ids: Vec<&str> =
        bodies.iter().map(|b| b["data"]["orderCreate"]["order"]["id"].as_str().unwrap_or("none")).collect();
    assert!(ids.iter().all(|id| *id == ids[0] && *id != "none"), "{bodies:?}");
    let fresh = bodies.iter().filter(|b| b["data"]["orderCreate"]["replayed"] == false).count();
    assert_eq!(fresh, 1);
    assert_eq!(app.sql_count("SELECT count(*) AS n FROM t_ord_d.orders").await, 1);
    assert_eq!(reserved(&app, "ord_d", "TEE-M").await, (5, 2));
    // Later, too.
    let body = place(&app, &t.storefront, &[("TEE-M", 2)], Some("checkout-42")).await;
    assert_eq!(body["data"]["orderCreate"]["order"]["id"], ids[0]);
    assert_eq!(body["data"]["orderCreate"]["replayed"], true);
}

#[tokio::test]
async fn an_unpaid_order_is_not_fulfilled_and_a_storefront_changes_none() {
    let app = TestApp::start().await;
    let (t, id) = unpaid_order(&app, "ord_e").await;
    let body = change(&app, &t.admin, "orderFulfill", &id, None).await;
    assert_eq!(codes(&body, "orderFulfill"), ["ILLEGAL_TRANSITION"], "an unpaid order is not fulfilled");
    let body = change(&app, &t.storefront, "orderCancel", &id, None).await;
    assert_eq!(error_code(&body), "FORBIDDEN");
}

/// A shop `slug` and an unpaid order of 2 × TEE-S (20.00): the shop and the order's id.
async fn unpaid_order(app: &TestApp, slug: &str) -> (crate::harness::TestTenant, String) {
    let t = shop(app, slug).await;
    let body = place(app, &t.storefront, &[("TEE-S", 2)], None).await;
    let id = body["data"]["orderCreate"]["order"]["id"].as_str().unwrap().to_owned();
    (t, id)
}

/// [`unpaid_order`], paid in two parts (5 and 15).
async fn paid_order(app: &TestApp, slug: &str) -> (crate::harness::TestTenant, String) {
    let (t, id) = unpaid_order(app, slug).await;
    for (amount, txn) in [("5", "pi_1"), ("15", "pi_2")] {
        let body = pay(app, &t.admin, &id, amount, txn).await;
        assert_eq!(codes(&body, "paymentCreate"), Vec::<String>::new(), "{body}");
    }
    (t, id)
}

/// [`paid_order`], fulfilled by staff member alice with the note "DHL 123"; returns the
/// `orderFulfill` response too.
async fn fulfilled_order(app: &TestApp, slug: &str) -> (crate::harness::TestTenant, String, Value) {
    let (t, id) = paid_order(app, slug).await;
    let query = format!("mutation($input: OrderTransitionInput!) {{ orderFulfill(input: $input) {{ {CHANGE} }} }}");
    let body = as_staff(app, &t, "alice", &query, json!({ "input": { "id": id, "note": "DHL 123" } })).await;
    (t, id, body)
}

#[tokio::test]
async fn an_order_paid_in_two_parts_is_paid_once_the_total_is_captured() {
    let app = TestApp::start().await;
    let (t, id) = unpaid_order(&app, "ord_e").await;
    let body = pay(&app, &t.admin, &id, "5", "pi_1").await;
    assert_eq!(body["data"]["paymentCreate"]["order"]["paymentStatus"], "PARTIALLY_PAID", "{body}");
    assert_eq!(body["data"]["paymentCreate"]["order"]["status"], "PENDING");
    let body = pay(&app, &t.admin, &id, "15.01", "pi_2").await;
    assert_eq!(codes(&body, "paymentCreate"), ["AMOUNT_EXCEEDED"]);
    let body = pay(&app, &t.admin, &id, "15", "pi_1").await;
    assert_eq!(codes(&body, "paymentCreate"), ["DUPLICATE"]);
    let body = pay(&app, &t.admin, &id, "15", "pi_2").await;
    assert_eq!(
        body["data"]["paymentCreate"]["order"],
        json!({ "status": "PAID", "paymentStatus": "PAID", "capturedTotal": { "amount": "20.00" } })
    );
}

#[tokio::test]
async fn fulfilment_ships_the_reserved_units_and_names_the_staff_member() {
    let app = TestApp::start().await;
    let (_, _, body) = fulfilled_order(&app, "ord_e").await;
    assert_eq!(body["data"]["orderFulfill"]["order"]["status"], "FULFILLED", "{body}");
    assert_eq!(reserved(&app, "ord_e", "TEE-S").await, (3, 0), "fulfilment ships the reserved units");
    let history = &body["data"]["orderFulfill"]["order"]["history"];
    assert_eq!(
        history[2],
        json!({ "fromStatus": "PAID", "toStatus": "FULFILLED", "actor": "staff:alice", "note": "DHL 123" })
    );
    assert_eq!(history[1]["toStatus"], "PAID", "a partial payment changes no status: {history}");
}

#[tokio::test]
async fn a_fulfilled_order_is_completed_not_cancelled() {
    let app = TestApp::start().await;
    let (t, id, _) = fulfilled_order(&app, "ord_e").await;
    let body = change(&app, &t.admin, "orderCancel", &id, None).await;
    assert_eq!(codes(&body, "orderCancel"), ["ILLEGAL_TRANSITION"]);
    let body = change(&app, &t.admin, "orderComplete", &id, None).await;
    assert_eq!(body["data"]["orderComplete"]["order"]["status"], "COMPLETED");
}

#[tokio::test]
async fn cancelling_releases_the_reservation_and_a_cancelled_order_stays_cancelled() {
    let app = TestApp::start().await;
    let t = shop(&app, "ord_e").await;
    // 3 left, as after an order of 2 was shipped.
    stock(&app, &t, "TEE-S", 3, None).await;
    let body = place(&app, &t.storefront, &[("TEE-S", 3)], None).await;
    let other = body["data"]["orderCreate"]["order"]["id"].as_str().unwrap().to_owned();
    assert_eq!(reserved(&app, "ord_e", "TEE-S").await, (3, 3));
    let body = change(&app, &t.admin, "orderCancel", &other, Some("customer changed mind")).await;
    assert_eq!(body["data"]["orderCancel"]["order"]["status"], "CANCELLED");
    assert_eq!(reserved(&app, "ord_e", "TEE-S").await, (3, 0));
    for mutation in ["orderCancel", "orderFulfill", "orderComplete"] {
        let body = change(&app, &t.admin, mutation, &other, None).await;
        assert_eq!(codes(&body, mutation), ["ILLEGAL_TRANSITION"], "{mutation}");
    }
    let body = pay(&app, &t.admin, &other, "1", "pi_3").await;
    assert_eq!(codes(&body, "paymentCreate"), ["ILLEGAL_TRANSITION"]);
    assert_eq!(reserved(&app, "ord_e", "TEE-S").await, (3, 0));
}

#[tokio::test]
async fn refunds_never_exceed_what_was_captured() {
    let app = TestApp::start().await;
    let t = shop(&app, "ord_f").await;
    let body = place(&app, &t.storefront, &[("TEE-M", 1), ("TEE-S", 1)], None).await;
    let id = body["data"]["orderCreate"]["order"]["id"].as_str().unwrap().to_owned();
    let body = refund(&app, &t.admin, &id, "1").await;
    assert_eq!(codes(&body, "refundCreate"), ["REFUND_EXCEEDS_CAPTURED"], "nothing captured yet");
    pay(&app, &t.admin, &id, "22.50", "pi_f").await;

    let body = refund(&app, &t.admin, &id, "22.51").await;
    assert_eq!(codes(&body, "refundCreate"), ["REFUND_EXCEEDS_CAPTURED"]);
    let body = refund(&app, &t.admin, &id, "0.005").await;
    assert_eq!(codes(&body, "refundCreate"), ["INVALID"], "{body}");
    let body = refund(&app, &t.admin, &id, "2.50").await;
    assert_eq!(
        body["data"]["refundCreate"]["order"],
        json!({ "status": "PARTIALLY_REFUNDED", "paymentStatus": "PARTIALLY_REFUNDED", "refundedTotal": { "amount": "2.50" } })
    );
    // Twenty refunds of 1.50 race for the 20.00 left: at most 13 fit.
    let bodies = join_all((0..20).map(|_| refund(&app, &t.admin, &id, "1.50"))).await;
    let done = bodies.iter().filter(|b| b["data"]["refundCreate"]["order"].is_object()).count();
    assert_eq!(done, 13);
    assert_eq!(
        app.sql_count("SELECT (refunded_total * 100)::bigint AS n FROM t_ord_f.orders").await,
        2250 - 50,
        "2.50 + 13 × 1.50 = 22.00"
    );
    let body = refund(&app, &t.admin, &id, "0.50").await;
    assert_eq!(body["data"]["refundCreate"]["order"]["status"], "REFUNDED", "{body}");
    assert_eq!(reserved(&app, "ord_f", "TEE-S").await, (5, 0), "a full refund before fulfilment releases the stock");
    assert_eq!(
        app.sql_count("SELECT count(*) AS n FROM t_ord_f.payments WHERE refunded_amount > captured_amount").await,
        0
    );
}

const IMPORT: &str = "mutation($input: OrderImportInput!) { orderImport(input: $input) {
    order { id status paymentStatus channel total { amount currency } items { sku unitPrice { amount } priceSource }
            externalMapping { channelName externalId syncStatus syncCount externalStatus } }
    replayed userErrors { field code message } } }";

#[tokio::test]
async fn an_external_order_is_imported_once() {
    let app = TestApp::start().await;
    let t = shop(&app, "ord_g").await;
    let input = |price: &str, status: &str| {
        json!({ "input": { "channelName": "amazon-de", "externalId": "302-1234567", "externalStatus": status,
                           "currency": "EUR", "paid": true,
                           "items": [{ "sku": "TEE-S", "quantity": 2, "unitPrice": price }] } })
    };
    let bodies = join_all((0..10).map(|_| app.gql(&t.admin, IMPORT, input("9.99", "Unshipped")))).await;
    let ids: Vec<&str> =
        bodies.iter().map(|b| b["data"]["orderImport"]["order"]["id"].as_str().unwrap_or("none")).collect();
    assert!(ids.iter().all(|id| *id == ids[0] && *id != "none"), "{bodies:?}");
    assert_eq!(app.sql_count("SELECT count(*) AS n FROM t_ord_g.orders").await, 1);
    assert_eq!(app.sql_count("SELECT count(*) AS n FROM t_ord_g.payments").await, 1);
    assert_eq!(reserved(&app, "ord_g", "TEE-S").await, (5, 2));

    let body = app.gql(&t.admin, IMPORT, input("9.99", "Shipped")).await;
    let order = &body["data"]["orderImport"]["order"];
    assert_eq!(body["data"]["orderImport"]["replayed"], true);
    assert_eq!(order["channel"], "EXTERNAL");
    assert_eq!(order["status"], "PAID");
    assert_eq!(order["total"], json!({ "amount": "19.98", "currency": "EUR" }));
    assert_eq!(order["items"], json!([{ "sku": "TEE-S", "unitPrice": { "amount": "9.99" }, "priceSource": null }]));
    assert_eq!(
        order["externalMapping"],
        json!({ "channelName": "amazon-de", "externalId": "302-1234567", "syncStatus": "SYNCED", "syncCount": 11,
                "externalStatus": "Shipped" })
    );
    // The marketplace now says other lines: flagged, not applied.
    let body = app.gql(&t.admin, IMPORT, input("8.99", "Shipped")).await;
    assert_eq!(body["data"]["orderImport"]["order"]["externalMapping"]["syncStatus"], "CONFLICT");
    assert_eq!(body["data"]["orderImport"]["order"]["total"]["amount"], "19.98");
    let body = app.gql(&t.storefront, IMPORT, input("9.99", "Shipped")).await;
    assert_eq!(error_code(&body), "FORBIDDEN");
}

#[tokio::test]
async fn pos_orders_take_stock_at_their_register() {
    let app = TestApp::start().await;
    let t = shop(&app, "ord_h").await;
    let body = app
        .gql(
            &t.admin,
            "mutation { locationCreate(input: { code: \"shop\", name: \"Shop\", kind: POS }) { userErrors { code } } }",
            json!({}),
        )
        .await;
    assert_eq!(body["data"]["locationCreate"]["userErrors"], json!([]), "{body}");
    stock(&app, &t, "TEE-S", 3, Some("shop")).await;
    let body = app
        .gql(
            &t.admin,
            "mutation { posRegisterCreate(input: { code: \"till-1\", name: \"Till 1\", locationCode: \"shop\" }) {
                register { code } userErrors { code } } }",
            json!({}),
        )
        .await;
    assert_eq!(body["data"]["posRegisterCreate"]["register"]["code"], "till-1", "{body}");

    let pos = |quantity: i32| {
        json!({ "input": { "items": [{ "sku": "TEE-S", "quantity": quantity }], "store": "web", "channel": "POS",
                           "registerCode": "till-1", "email": "walkin@example.com" } })
    };
    let body = app.gql(&t.admin, ORDER_CREATE, pos(4)).await;
    assert_eq!(codes(&body, "orderCreate"), ["INSUFFICIENT_STOCK"], "the shop has 3, the warehouse's 5 do not count");
    let body = app.gql(&t.admin, ORDER_CREATE, pos(3)).await;
    assert_eq!(body["data"]["orderCreate"]["order"]["channel"], "POS", "{body}");
    assert_eq!(
        app.sql_count(
            "SELECT sum(i.reserved)::bigint AS n FROM t_ord_h.inventory i JOIN t_ord_h.locations l ON l.id = i.location_id WHERE l.code = 'shop'"
        )
        .await,
        3
    );
    let body = app
        .gql(
            &t.admin,
            ORDER_CREATE,
            json!({ "input": { "items": [{ "sku": "TEE-S", "quantity": 1 }], "store": "web",
                                                        "channel": "POS", "email": "a@b.co" } }),
        )
        .await;
    assert_eq!(codes(&body, "orderCreate"), ["REQUIRED"], "a POS order names its register");
    let body = app.gql(&t.admin, "{ posRegisters { code } }", json!({})).await;
    assert_eq!(body["data"]["posRegisters"], json!([{ "code": "till-1" }]));
}

#[tokio::test]
async fn a_listing_pages_newest_first() {
    let app = TestApp::start().await;
    let (a, ..) = orders_of_two_tenants(&app).await;
    let list = LIST;
    let body = app.gql(&a.admin, list, json!({})).await;
    assert_eq!(numbers(&body), ["1004", "1003"], "newest first: {body}");
    assert_eq!(body["data"]["orders"]["totalCount"], 4);
    let cursor = body["data"]["orders"]["pageInfo"]["endCursor"].clone();
    let body = app.gql(&a.admin, list, json!({ "after": cursor })).await;
    assert_eq!(numbers(&body), ["1002", "1001"]);
    assert_eq!(body["data"]["orders"]["pageInfo"]["hasNextPage"], false);
}

const LIST: &str = "query($f: OrderFilterInput, $s: OrderSortInput, $after: String) {
    orders(first: 2, after: $after, filter: $f, sortBy: $s) { totalCount pageInfo { hasNextPage endCursor }
        edges { node { number status } } } }";

/// The order numbers of a `LIST` response.
fn numbers(body: &Value) -> Vec<&str> {
    body["data"]["orders"]["edges"].as_array().unwrap().iter().map(|e| e["node"]["number"].as_str().unwrap()).collect()
}

/// Tenant A (`ord_i`) with four orders, the last cancelled, and tenant B (`ord_j`) with
/// one, placed in between: A, B, A's last order and B's order.
async fn orders_of_two_tenants(
    app: &TestApp,
) -> (crate::harness::TestTenant, crate::harness::TestTenant, String, String) {
    let a = shop(app, "ord_i").await;
    let b = shop(app, "ord_j").await;
    for _ in 0..3 {
        place(app, &a.storefront, &[("TEE-S", 1)], None).await;
    }
    let body = place(app, &b.storefront, &[("TEE-M", 1)], None).await;
    let b_order = body["data"]["orderCreate"]["order"]["id"].as_str().unwrap().to_owned();
    let body = place(app, &a.storefront, &[("TEE-M", 1)], None).await;
    let a_last = body["data"]["orderCreate"]["order"]["id"].as_str().unwrap().to_owned();
    change(app, &a.admin, "orderCancel", &a_last, None).await;
    (a, b, a_last, b_order)
}

#[tokio::test]
async fn a_listing_filters_and_sorts() {
    let app = TestApp::start().await;
    let (a, ..) = orders_of_two_tenants(&app).await;
    let list = LIST;
    let cursor = app.gql(&a.admin, list, json!({})).await["data"]["orders"]["pageInfo"]["endCursor"].clone();
    let body = app.gql(&a.admin, list, json!({ "f": { "status": ["CANCELLED"] } })).await;
    assert_eq!(body["data"]["orders"]["totalCount"], 1);
    let body = app.gql(&a.admin, list, json!({ "f": { "search": "#1002" } })).await;
    assert_eq!(body["data"]["orders"]["edges"][0]["node"]["number"], "1002");
    assert_eq!(body["data"]["orders"]["totalCount"], 1);
    let body = app.gql(&a.admin, list, json!({ "f": { "search": "ADA@" } })).await;
    assert_eq!(body["data"]["orders"]["totalCount"], 4);
    let body = app.gql(&a.admin, list, json!({ "s": { "field": "NUMBER", "direction": "ASC" } })).await;
    assert_eq!(body["data"]["orders"]["edges"][0]["node"]["number"], "1001");
    let body = app.gql(&a.admin, list, json!({ "s": { "field": "NUMBER" }, "after": cursor })).await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT", "a cursor of another sort is refused");
}

#[tokio::test]
async fn listings_never_mix_tenants() {
    let app = TestApp::start().await;
    let (a, b, a_last, b_order) = orders_of_two_tenants(&app).await;
    let list = LIST;
    // Tenant B has its own numbers and sees nothing of A.
    let body = app.gql(&b.admin, list, json!({})).await;
    assert_eq!(body["data"]["orders"]["totalCount"], 1);
    assert_eq!(body["data"]["orders"]["edges"][0]["node"]["number"], "1001");
    let body = app.gql(&b.admin, "query($id: ID!) { order(id: $id) { id } }", json!({ "id": a_last })).await;
    assert_eq!(body["data"]["order"], Value::Null);
    let body = app.gql(&a.admin, "query($id: ID!) { order(id: $id) { id } }", json!({ "id": b_order })).await;
    assert_eq!(body["data"]["order"], Value::Null);
    let body = app.gql(&b.storefront, list, json!({})).await;
    assert_eq!(error_code(&body), "FORBIDDEN");
}

#[tokio::test]
async fn bundles_reserve_their_parts_and_virtual_products_nothing() {
    let app = TestApp::start().await;
    let t = shop(&app, "ord_k").await;
    product(&app, &t, "lens", "ACTIVE", &["LENS"]).await;
    stock(&app, &t, "LENS", 3, None).await;
    for (slug, kind, sku) in [("kit", "BUNDLE", "KIT"), ("ebook", "VIRTUAL", "EBOOK")] {
        ProductBuilder::new(slug).kind(kind).price("30").variant(sku).create(&app, &t).await;
    }
    let kit = app.gql(&t.admin, "{ product(slug: \"kit\") { id } }", json!({})).await["data"]["product"]["id"].clone();
    let body = place(&app, &t.storefront, &[("KIT", 1)], None).await;
    assert_eq!(codes(&body, "orderCreate"), ["PRODUCT_UNAVAILABLE"], "a bundle without parts is not sold");
    let set = "mutation($input: ProductBundleSetInput!) { productBundleSet(input: $input) { userErrors { code } } }";
    let body = app
        .gql(&t.admin, set, json!({ "input": { "productId": kit, "components": [{ "sku": "TEE-S" }, { "sku": "LENS", "quantity": 2 }] } }))
        .await;
    assert_eq!(body["data"]["productBundleSet"]["userErrors"], json!([]), "{body}");

    // Two kits need 4 lenses; there are 3.
    let body = place(&app, &t.storefront, &[("KIT", 2)], None).await;
    assert_eq!(codes(&body, "orderCreate"), ["INSUFFICIENT_STOCK"]);
    // One kit, one loose lens (same variant as a part: 3 needed, 3 there) and an e-book.
    let body = place(&app, &t.storefront, &[("KIT", 1), ("LENS", 1), ("EBOOK", 7)], None).await;
    assert_eq!(body["data"]["orderCreate"]["userErrors"], json!([]), "{body}");
    assert_eq!(body["data"]["orderCreate"]["order"]["total"]["amount"], "250.00", "30 + 10 + 7 × 30");
    assert_eq!(reserved(&app, "ord_k", "LENS").await, (3, 3));
    assert_eq!(reserved(&app, "ord_k", "TEE-S").await, (5, 1));
    assert_eq!(reserved(&app, "ord_k", "KIT").await, (0, 0));
    assert_eq!(reserved(&app, "ord_k", "EBOOK").await, (0, 0));
    // Paid and fulfilled, the parts leave the stock.
    let id = body["data"]["orderCreate"]["order"]["id"].as_str().unwrap().to_owned();
    pay(&app, &t.admin, &id, "250", "pi_k").await;
    let body = change(&app, &t.admin, "orderFulfill", &id, None).await;
    assert_eq!(body["data"]["orderFulfill"]["order"]["status"], "FULFILLED", "{body}");
    assert_eq!(reserved(&app, "ord_k", "LENS").await, (0, 0));
    assert_eq!(reserved(&app, "ord_k", "TEE-S").await, (4, 0));
}

#[tokio::test]
async fn a_page_of_orders_costs_the_same_statements_at_5_and_40() {
    let app = TestApp::one_connection().await;
    let t = shop(&app, "ord_l").await;
    CustomerBuilder::new("ada@example.com").create(&app, &t).await;
    stock(&app, &t, "TEE-S", 1000, None).await;
    stock(&app, &t, "TEE-M", 1000, None).await;
    for i in 0..40 {
        let body = place(&app, &t.storefront, &[("TEE-S", 1), ("TEE-M", 1 + i % 2)], None).await;
        assert_eq!(body["data"]["orderCreate"]["userErrors"], json!([]), "{body}");
    }
    let page = "query($n: Int) { orders(first: $n) { edges { node { number items { sku } shippingAddress { city }
        history { toStatus } payments { id } refunds { id } externalMapping { externalId } store { code }
        customer { email } notes { body } register { code } } } } }";
    let mut costs = Vec::new();
    for n in [5, 40] {
        app.gql(&t.admin, page, json!({ "n": 1 })).await;
        let before = app.db.statements();
        let body = app.gql(&t.admin, page, json!({ "n": n })).await;
        assert_eq!(body["data"]["orders"]["edges"].as_array().map(Vec::len), Some(n as usize), "{body}");
        costs.push(app.db.statements() - before);
    }
    assert_eq!(costs[0], costs[1], "the page size does not change the statement count");
    // Page, items, addresses, history, payments, refunds, mapping, stores, customers,
    // notes (no order here has a register, so registers cost nothing; the token lookup
    // is remembered).
    assert_eq!(costs[1], 10);
}

#[tokio::test]
async fn orders_belong_to_customers() {
    let app = TestApp::start().await;
    let (t, customer, _) = customer_with_orders(&app, "ord_m").await;
    let query = "query($id: ID!) { customer(id: $id) {
        orders { totalCount edges { node { number status total { amount } customer { email } notes { body staffId } } } }
        activity(first: 10) { edges { node { kind } } } } }";
    let body = app.gql(&t.admin, query, json!({ "id": customer })).await;
    let c = &body["data"]["customer"];
    assert_eq!(c["orders"]["totalCount"], 2, "{body}");
    assert_eq!(c["orders"]["edges"][0]["node"]["status"], "CANCELLED");
    assert_eq!(c["orders"]["edges"][1]["node"]["customer"]["email"], "ada@example.com");
    assert_eq!(c["orders"]["edges"][1]["node"]["notes"], json!([{ "body": "asked for gift wrap", "staffId": "bob" }]));
    let kinds: Vec<&str> =
        c["activity"]["edges"].as_array().unwrap().iter().map(|e| e["node"]["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["ORDER_CANCELLED", "ORDER_PLACED", "ORDER_PLACED", "SIGNUP"]);
}

/// A shop `slug` with customer Ada, a guest order of hers (by email, with a note of staff
/// member bob) and a cancelled admin order naming her: the shop, her id and the first
/// order's id.
async fn customer_with_orders(app: &TestApp, slug: &str) -> (crate::harness::TestTenant, String, String) {
    let t = shop(app, slug).await;
    let customer = CustomerBuilder::new("Ada@Example.com").name("Ada", "Lovelace").create(app, &t).await;

    // A guest order with the customer's email is theirs; so is an admin order naming them.
    let body = place(app, &t.storefront, &[("TEE-S", 1)], None).await;
    let first = body["data"]["orderCreate"]["order"]["id"].as_str().unwrap().to_owned();
    let second = OrderBuilder::new().item("TEE-M", 2).customer(&customer).create(app, &t.admin).await;
    assert_eq!(second.body["data"]["orderCreate"]["order"]["email"], "ada@example.com", "{}", second.body);
    change(app, &t.admin, "orderCancel", &second.id, None).await;
    let note =
        "mutation($input: CustomerNoteCreateInput!) { customerNoteCreate(input: $input) { userErrors { code } } }";
    let body =
        as_staff(app, &t, "bob", note, json!({ "input": { "orderId": first, "body": "asked for gift wrap" } })).await;
    assert_eq!(body["data"]["customerNoteCreate"]["userErrors"], json!([]), "{body}");
    (t, customer, first)
}

/// [`customer_with_orders`], with Ada anonymized.
async fn anonymized_customer(app: &TestApp, slug: &str) -> (crate::harness::TestTenant, String, String) {
    let (t, customer, first) = customer_with_orders(app, slug).await;
    let body = app
        .gql(
            &t.admin,
            "mutation($input: CustomerAnonymizeInput!) { customerAnonymize(input: $input) { userErrors { code } } }",
            json!({ "input": { "id": customer, "reason": "GDPR request" } }),
        )
        .await;
    assert_eq!(body["data"]["customerAnonymize"]["userErrors"], json!([]), "{body}");
    (t, customer, first)
}

#[tokio::test]
async fn an_anonymized_customer_keeps_orders_and_money_without_personal_data() {
    let app = TestApp::start().await;
    let (t, customer, first) = anonymized_customer(&app, "ord_m").await;
    // Personal data gone from the customer and their orders, orders and money kept.
    let query = "query($id: ID!) { order(id: $id) { email total { amount } shippingAddress { city } customer { id anonymized } } }";
    let body = app.gql(&t.admin, query, json!({ "id": first })).await;
    assert_eq!(
        body["data"]["order"],
        json!({ "email": null, "total": { "amount": "10.00" }, "shippingAddress": null,
                "customer": { "id": customer, "anonymized": true } })
    );
    assert_eq!(app.sql_count("SELECT count(*) AS n FROM t_ord_m.orders WHERE customer_id IS NOT NULL").await, 2);
}

#[tokio::test]
async fn an_anonymized_customer_orders_nothing_more() {
    let app = TestApp::start().await;
    let (t, customer, _) = anonymized_customer(&app, "ord_m").await;
    let body = app
        .gql(
            &t.admin,
            ORDER_CREATE,
            json!({ "input": { "items": [{ "sku": "TEE-M", "quantity": 1 }], "store": "web", "customerId": customer } }),
        )
        .await;
    assert_eq!(codes(&body, "orderCreate"), ["CUSTOMER_ANONYMIZED"]);
}

#[tokio::test]
async fn storefronts_do_not_name_customers() {
    let app = TestApp::start().await;
    let (t, customer, _) = anonymized_customer(&app, "ord_m").await;
    let body = app
        .gql(
            &t.storefront,
            ORDER_CREATE,
            json!({ "input": { "items": [{ "sku": "TEE-M", "quantity": 1 }], "store": "web",
                                                              "email": "x@y.co", "customerId": customer } }),
        )
        .await;
    assert_eq!(codes(&body, "orderCreate"), ["INVALID"], "storefronts do not name customers");
}

#[tokio::test]
async fn placing_an_order_costs_a_fixed_number_of_statements() {
    let app = TestApp::one_connection().await;
    let t = shop(&app, "ord_n").await;
    place(&app, &t.storefront, &[("TEE-S", 1)], None).await;
    let mut costs = Vec::new();
    for items in [&[("TEE-S", 1)][..], &[("TEE-S", 1), ("TEE-M", 1)][..]] {
        let before = app.db.statements();
        let body = place(&app, &t.storefront, items, Some(&format!("k{}", items.len()))).await;
        assert_eq!(body["data"]["orderCreate"]["userErrors"], json!([]), "{body}");
        costs.push(app.db.statements() - before);
    }
    // Idempotency check, BEGIN, store, customer by email, priced lines, order,
    // items, addresses, history, inventory lock, one reservation update per stocked
    // variant, allocations, COMMIT; then the payload's items, addresses and history.
    assert_eq!(costs, [16, 17]);
}

#[tokio::test]
async fn invalid_payments_are_refused_and_write_nothing() {
    let app = TestApp::start().await;
    let (t, id) = order_to_pay(&app, "ord_p").await;
    for (input, code) in [
        (json!({ "orderId": id, "provider": "Stripe.X", "amount": "1" }), "INVALID"),
        (json!({ "orderId": id, "provider": "stripe", "amount": "-1" }), "NEGATIVE_PRICE"),
        (json!({ "orderId": id, "provider": "stripe", "amount": "0" }), "INVALID"),
        (json!({ "orderId": id, "provider": "stripe", "amount": "1", "currency": "USD" }), "CURRENCY_MISMATCH"),
        (
            json!({ "orderId": "00000000-0000-0000-0000-000000000000", "provider": "stripe", "amount": "1" }),
            "NOT_FOUND",
        ),
    ] {
        let body = app.gql(&t.admin, PAYMENT_CREATE, json!({ "input": input })).await;
        assert_eq!(codes(&body, "paymentCreate"), [code], "{input}: {body}");
    }
    assert_eq!(app.sql_count("SELECT count(*) AS n FROM t_ord_p.payments").await, 0);
}

const PAYMENT_CREATE: &str = "mutation($input: PaymentCreateInput!) { paymentCreate(input: $input) {
    payment { id status } order { status } userErrors { field code } } }";

const PAYMENT_CAPTURE: &str = "mutation($input: PaymentCaptureInput!) { paymentCapture(input: $input) {
    payment { status capturedAmount { amount } } order { status paymentStatus } userErrors { code } } }";

/// A shop `slug` and an order of 2 × TEE-M (25.00) to pay: the shop and the order's id.
async fn order_to_pay(app: &TestApp, slug: &str) -> (crate::harness::TestTenant, String) {
    let t = shop(app, slug).await;
    let body = place(app, &t.storefront, &[("TEE-M", 2)], None).await;
    let id = body["data"]["orderCreate"]["order"]["id"].as_str().unwrap().to_owned();
    (t, id)
}

/// A pending (uncaptured) payment of the whole 25.00 of `order`; returns the payload.
async fn pending_payment(app: &TestApp, token: &str, order: &str) -> Value {
    let body = app
        .gql(token, PAYMENT_CREATE, json!({ "input": { "orderId": order, "provider": "adyen", "amount": "25" } }))
        .await;
    body["data"]["paymentCreate"].clone()
}

#[tokio::test]
async fn a_failed_payment_is_not_captured() {
    let app = TestApp::start().await;
    let (t, id) = order_to_pay(&app, "ord_p").await;
    let created = pending_payment(&app, &t.admin, &id).await;
    let failing = created["payment"]["id"].clone();
    assert_eq!(created["payment"]["status"], "PENDING");
    let fail = "mutation($input: PaymentFailInput!) { paymentFail(input: $input) { payment { status failureReason } userErrors { code } } }";
    let body = app.gql(&t.admin, fail, json!({ "input": { "paymentId": failing, "reason": "card declined" } })).await;
    assert_eq!(body["data"]["paymentFail"]["payment"], json!({ "status": "FAILED", "failureReason": "card declined" }));
    let body = app.gql(&t.admin, PAYMENT_CAPTURE, json!({ "input": { "paymentId": failing } })).await;
    assert_eq!(codes(&body, "paymentCapture"), ["ILLEGAL_TRANSITION"], "a failed payment is not captured");
}

#[tokio::test]
async fn a_payment_is_captured_once_and_never_beyond_what_is_owed() {
    let app = TestApp::start().await;
    let (t, id) = order_to_pay(&app, "ord_p").await;
    let (create, capture) = (PAYMENT_CREATE, PAYMENT_CAPTURE);
    let payment = pending_payment(&app, &t.admin, &id).await["payment"]["id"].clone();
    let body = app.gql(&t.admin, capture, json!({ "input": { "paymentId": payment, "amount": "25.01" } })).await;
    assert_eq!(codes(&body, "paymentCapture"), ["AMOUNT_EXCEEDED"]);
    let body = app.gql(&t.admin, capture, json!({ "input": { "paymentId": payment } })).await;
    assert_eq!(
        body["data"]["paymentCapture"],
        json!({ "payment": { "status": "CAPTURED", "capturedAmount": { "amount": "25.00" } },
                "order": { "status": "PAID", "paymentStatus": "PAID" }, "userErrors": [] })
    );
    let body = app.gql(&t.admin, capture, json!({ "input": { "paymentId": payment } })).await;
    assert_eq!(codes(&body, "paymentCapture"), ["ILLEGAL_TRANSITION"], "captured once");
    let body =
        app.gql(&t.admin, create, json!({ "input": { "orderId": id, "provider": "adyen", "amount": "0.01" } })).await;
    assert_eq!(codes(&body, "paymentCreate"), ["AMOUNT_EXCEEDED"], "nothing is owed any more");
}

#[tokio::test]
async fn a_storefront_captures_no_payment() {
    let app = TestApp::start().await;
    let (t, id) = order_to_pay(&app, "ord_p").await;
    let payment = pending_payment(&app, &t.admin, &id).await["payment"]["id"].clone();
    let body = app.gql(&t.storefront, PAYMENT_CAPTURE, json!({ "input": { "paymentId": payment } })).await;
    assert_eq!(error_code(&body), "FORBIDDEN");
}

#[tokio::test]
async fn totals_are_exact_decimals() {
    let app = TestApp::start().await;
    let t = shop(&app, "ord_q").await;
    for (slug, price) in [("dime", "0.1"), ("odd", "19.99"), ("fine", "0.3333")] {
        ProductBuilder::new(slug).price(price).variant(&slug.to_uppercase()).stock(100).create(&app, &t).await;
    }
    // 3 × 0.1 is 0.30, not 0.30000000000000004; 7 × 19.99 = 139.93; 3 × 0.3333 = 0.9999,
    // rounded half up to the cent: 1.00.
    let body = place(&app, &t.storefront, &[("DIME", 3), ("ODD", 7), ("FINE", 3)], None).await;
    let order = &body["data"]["orderCreate"]["order"];
    let totals: Vec<&str> =
        order["items"].as_array().unwrap().iter().map(|i| i["lineTotal"]["amount"].as_str().unwrap()).collect();
    assert_eq!(totals, ["0.30", "139.93", "1.00"], "{body}");
    let units: Vec<&str> =
        order["items"].as_array().unwrap().iter().map(|i| i["unitPrice"]["amount"].as_str().unwrap()).collect();
    assert_eq!(units, ["0.10", "19.99", "0.3333"], "unit prices keep their precision");
    assert_eq!(order["total"]["amount"], "141.23");
    assert_eq!(
        app.sql_count("SELECT count(*) AS n FROM t_ord_q.orders WHERE total = 141.23 AND subtotal = total").await,
        1
    );
    // The total can be paid exactly.
    let id = order["id"].as_str().unwrap().to_owned();
    let body = pay(&app, &t.admin, &id, "141.23", "pi_q").await;
    assert_eq!(body["data"]["paymentCreate"]["order"]["status"], "PAID", "{body}");
}

#[tokio::test]
async fn the_store_comes_from_the_input_or_the_request() {
    let app = TestApp::start().await;
    let t = shop(&app, "ord_r").await;
    app.store(&t.admin, "outlet", None).await;
    let auth = format!("Bearer {}", t.storefront);
    let input = |store: Option<&str>| json!({ "input": { "items": [{ "sku": "TEE-S", "quantity": 1 }], "store": store, "email": "a@b.co" } });
    let query = ORDER_CREATE;
    let (_, body) = app.post(&[("authorization", &auth), ("x-store", "outlet")], query, input(None)).await;
    assert_eq!(body["data"]["orderCreate"]["userErrors"], json!([]), "{body}");
    let read = "query($t: ID!) { order(token: $t) { store { code } } }";
    let token = body["data"]["orderCreate"]["order"]["token"].clone();
    assert_eq!(app.gql(&t.storefront, read, json!({ "t": token })).await["data"]["order"]["store"]["code"], "outlet");
    let (_, body) = app.post(&[("authorization", &auth), ("x-store", "outlet")], query, input(Some("web"))).await;
    assert_eq!(codes(&body, "orderCreate"), ["INVALID"], "the input and X-Store disagree");
    assert_eq!(app.sql_count("SELECT sum(reserved)::bigint AS n FROM t_ord_r.inventory").await, 1);
}

#[tokio::test]
async fn an_order_with_nothing_to_pay_is_paid_at_once() {
    let app = TestApp::start().await;
    let t = shop(&app, "ord_s").await;
    ProductBuilder::new("sample").name("Free sample").price("0").variant("SAMPLE").stock(5).create(&app, &t).await;
    let body = place(&app, &t.storefront, &[("SAMPLE", 2)], None).await;
    let order = &body["data"]["orderCreate"]["order"];
    assert_eq!(order["status"], "PAID", "{body}");
    assert_eq!(order["paymentStatus"], "PAID");
    assert_eq!(
        order["history"],
        json!([{ "fromStatus": null, "toStatus": "PENDING" }, { "fromStatus": "PENDING", "toStatus": "PAID" }])
    );
    assert_eq!(reserved(&app, "ord_s", "SAMPLE").await, (5, 2), "still reserved until fulfilled");
}

/// Places an order in store `web` as `email`, with `key`.
async fn place_as(app: &TestApp, token: &str, email: &str, sku: &str, quantity: i32, key: &str) -> Value {
    OrderBuilder::new().item(sku, quantity).email(email).key(Some(key)).shipping().send(app, token).await
}

#[tokio::test]
async fn an_idempotency_key_belongs_to_its_caller_and_its_input() {
    let app = TestApp::start().await;
    let t = shop(&app, "ord_idem").await;
    let first = place_as(&app, &t.storefront, "ada@example.com", "TEE-S", 1, "k-1").await;
    let first = &first["data"]["orderCreate"];
    assert_eq!(first["userErrors"], json!([]), "{first}");
    let first_id = first["order"]["id"].as_str().unwrap().to_owned();

    // Another shopper with the same key gets an order of their own: nothing of the first.
    let other = place_as(&app, &t.storefront, "eve@example.com", "TEE-M", 2, "k-1").await;
    let other = &other["data"]["orderCreate"];
    assert_eq!(other["userErrors"], json!([]), "{other}");
    assert_eq!(other["replayed"], false);
    assert_ne!(other["order"]["id"], first_id.as_str());
    assert_eq!(other["order"]["email"], "eve@example.com");
    assert_eq!(other["order"]["items"][0]["sku"], "TEE-M");

    // Another API key with the same shopper and key: another key, too.
    let tenant = app.tenant_row("ord_idem").await;
    let (_, second_key) =
        app.control().create_key(&tenant, storegraph::tenancy::Role::Storefront, "app-2", None).await.unwrap();
    let body = place_as(&app, &second_key.secret, "ada@example.com", "TEE-S", 1, "k-1").await;
    assert_eq!(body["data"]["orderCreate"]["replayed"], false, "{body}");
    assert_ne!(body["data"]["orderCreate"]["order"]["id"], first_id.as_str());

    // The same caller and key with the same input: the same order.
    let again = place_as(&app, &t.storefront, "ada@example.com", "TEE-S", 1, "k-1").await;
    assert_eq!(again["data"]["orderCreate"]["replayed"], true, "{again}");
    assert_eq!(again["data"]["orderCreate"]["order"]["id"], first_id.as_str());

    // The same caller and key with another input: refused, and nothing of the first order shown.
    let reused = place_as(&app, &t.storefront, "ada@example.com", "TEE-S", 3, "k-1").await;
    assert_eq!(codes(&reused, "orderCreate"), ["IDEMPOTENCY_KEY_REUSED"], "{reused}");
    assert_eq!(reused["data"]["orderCreate"]["order"], Value::Null);
    assert_eq!(reused["data"]["orderCreate"]["replayed"], false);
    assert_eq!(app.sql_count("SELECT count(*) AS n FROM t_ord_idem.orders").await, 3);
}

#[tokio::test]
async fn an_expired_idempotency_key_can_be_used_afresh() {
    let app = TestApp::start().await;
    let t = shop(&app, "ord_exp").await;
    let first = place_as(&app, &t.storefront, "ada@example.com", "TEE-S", 1, "k-exp").await;
    let first_id = first["data"]["orderCreate"]["order"]["id"].as_str().unwrap().to_owned();
    // A day and a minute later (the default lifetime is a day).
    let moved = app
        .sql_count(
            "WITH u AS (UPDATE t_ord_exp.orders SET created_at = created_at - interval '1 day 1 minute' \
             RETURNING 1) SELECT count(*) AS n FROM u",
        )
        .await;
    assert_eq!(moved, 1);
    // Even with another input: the old order no longer holds the key.
    let body = place_as(&app, &t.storefront, "ada@example.com", "TEE-M", 2, "k-exp").await;
    let created = &body["data"]["orderCreate"];
    assert_eq!(created["userErrors"], json!([]), "{body}");
    assert_eq!(created["replayed"], false);
    assert_ne!(created["order"]["id"], first_id.as_str());
    // And the new order holds it now.
    let again = place_as(&app, &t.storefront, "ada@example.com", "TEE-M", 2, "k-exp").await;
    assert_eq!(again["data"]["orderCreate"]["replayed"], true, "{again}");
    assert_eq!(again["data"]["orderCreate"]["order"]["id"], created["order"]["id"]);
}
