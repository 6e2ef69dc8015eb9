//! Royalties: rules by product, category subtree and attribute value; allocations when an
//! order is paid, rounded half up; proportional, cumulative reversals on refunds; full
//! reversal on cancellation; the ledger and its totals by beneficiary and period;
//! validation that writes nothing; admin only; per tenant.

use chrono::{DateTime, Utc};
use diesel_async::{AsyncConnection, RunQueryDsl};
use serde_json::{Value, json};

use crate::fixtures::{ProductBuilder, ShopBuilder, capture, gql_ok, pairs, place, refund_ok};
use crate::harness::{TestApp, TestTenant, error_code};

const RULE_CREATE: &str = "mutation($input: RoyaltyRuleCreateInput!) { royaltyRuleCreate(input: $input) {
    royaltyRule { id name beneficiary scope productId categoryId attributeId attributeValue rateKind rate currency active }
    userErrors { field code message } } }";

const RULE_UPDATE: &str = "mutation($input: RoyaltyRuleUpdateInput!) { royaltyRuleUpdate(input: $input) {
    royaltyRule { id name beneficiary rateKind rate currency active }
    userErrors { field code message } } }";

const ORDER_ALLOCATIONS: &str = "query($id: ID!) { order(id: $id) { status items { id sku }
    royaltyAllocations { id kind beneficiary orderItemId saleId base { amount currency } quantity rateKind rate
                         amount { amount currency } rule { name } order { number } } } }";

const TOTALS: &str = "query($filter: RoyaltyTotalsFilterInput) { royaltyTotals(filter: $filter) {
    beneficiary currency sales { amount currency } reversals { amount } net { amount } allocationCount } }";

/// The catalog and rules most tests use, in tenant `slug` with store `web` (EUR):
///
/// | SKU      | price | product's place and attributes   | rules covering it            |
/// |----------|-------|----------------------------------|------------------------------|
/// | JACKET   | 19.99 | brand acme                       | Dana 12.5 %, Acme 10 %       |
/// | CAP-RED  |  3.45 | its variant has brand acme       | Acme 10 %                    |
/// | CAP-BLUE |  3.45 | (no brand)                       | none                         |
/// | SHIRT    | 12.49 | category shirts < tops < apparel | Guild 0.75 EUR per unit      |
/// | SOCKS    |  4.99 | brand globex, category hosiery   | none (its rule is inactive)  |
///
/// plus a fixed rule in USD on `apparel`, which never covers a EUR order.
struct Shop {
    t: TestTenant,
    jacket: String,
    shirts: String,
    apparel: String,
    rules: std::collections::HashMap<&'static str, String>,
}

/// A product of one variant per SKU (SIMPLE, or CONFIGURABLE by colour when more than
/// one), 100 of each in stock.
async fn simple_product(app: &TestApp, t: &TestTenant, slug: &str, price: &str, skus: &[&str]) -> Value {
    let mut product = ProductBuilder::new(slug).price(price).stock(100);
    product = product.kind(if skus.len() > 1 { "CONFIGURABLE" } else { "SIMPLE" });
    for sku in skus {
        let options = if skus.len() > 1 { json!([{ "name": "colour", "value": sku }]) } else { json!([]) };
        product = product.variant_with(json!({ "sku": sku, "optionValues": options }));
    }
    product.create(app, t).await
}

async fn category(app: &TestApp, t: &TestTenant, slug: &str, parent: Option<&str>) -> String {
    let payload = gql_ok(
        app,
        &t.admin,
        "mutation($input: CategoryCreateInput!) { categoryCreate(input: $input) { category { id } userErrors { field code message } } }",
        json!({ "input": { "slug": slug, "name": slug, "parentId": parent } }),
        "categoryCreate",
    )
    .await;
    payload["category"]["id"].as_str().unwrap().to_owned()
}

async fn assign(app: &TestApp, t: &TestTenant, category: &str, product: &Value) {
    gql_ok(
        app,
        &t.admin,
        "mutation($input: CategoryProductsInput!) { categoryAssignProducts(input: $input) { userErrors { field code message } } }",
        json!({ "input": { "categoryId": category, "productIds": [product] } }),
        "categoryAssignProducts",
    )
    .await;
}

async fn brand(app: &TestApp, t: &TestTenant, product: &Value, variant: Option<&Value>, value: &str) {
    gql_ok(
        app,
        &t.admin,
        "mutation($input: ProductAttributesSetInput!) { productAttributesSet(input: $input) { userErrors { field code message } } }",
        json!({ "input": { "productId": product, "variantId": variant, "values": [{ "code": "brand", "values": [value] }] } }),
        "productAttributesSet",
    )
    .await;
}

/// Creates a rule and returns its id.
async fn rule(app: &TestApp, t: &TestTenant, input: Value) -> String {
    let payload = gql_ok(app, &t.admin, RULE_CREATE, json!({ "input": input }), "royaltyRuleCreate").await;
    payload["royaltyRule"]["id"].as_str().unwrap().to_owned()
}

async fn shop(app: &TestApp, slug: &str) -> Shop {
    let t = ShopBuilder::new(slug).store("web").create(app).await;
    gql_ok(
        app,
        &t.admin,
        "mutation($input: AttributeDefinitionCreateInput!) { attributeDefinitionCreate(input: $input) { userErrors { field code message } } }",
        json!({ "input": { "code": "brand", "name": "Brand", "type": "SELECT",
                           "options": [{ "value": "acme", "label": "Acme" }, { "value": "globex", "label": "Globex" }] } }),
        "attributeDefinitionCreate",
    )
    .await;
    let jacket = simple_product(app, &t, "jacket", "19.99", &["JACKET"]).await;
    let cap = simple_product(app, &t, "cap", "3.45", &["CAP-RED", "CAP-BLUE"]).await;
    let shirt = simple_product(app, &t, "shirt", "12.49", &["SHIRT"]).await;
    let socks = simple_product(app, &t, "socks", "4.99", &["SOCKS"]).await;
    brand(app, &t, &jacket["id"], None, "acme").await;
    let red = cap["variants"].as_array().unwrap().iter().find(|v| v["sku"] == "CAP-RED").unwrap()["id"].clone();
    brand(app, &t, &cap["id"], Some(&red), "acme").await;
    brand(app, &t, &socks["id"], None, "globex").await;
    let apparel = category(app, &t, "apparel", None).await;
    let tops = category(app, &t, "tops", Some(&apparel)).await;
    let shirts = category(app, &t, "shirts", Some(&tops)).await;
    let hosiery = category(app, &t, "hosiery", None).await;
    assign(app, &t, &shirts, &shirt["id"]).await;
    assign(app, &t, &hosiery, &socks["id"]).await;

    let mut rules = std::collections::HashMap::new();
    let jacket_id = jacket["id"].as_str().unwrap().to_owned();
    for (key, input) in [
        (
            "dana",
            json!({ "name": "Jacket design", "beneficiary": "Designer Dana", "productId": jacket_id,
                    "rateKind": "PERCENTAGE", "rate": "12.5" }),
        ),
        (
            "acme",
            json!({ "name": "Acme brand", "beneficiary": "Acme Brand Licensing",
                    "attribute": { "code": "brand", "value": "acme" }, "rateKind": "PERCENTAGE", "rate": "10" }),
        ),
        (
            "guild",
            json!({ "name": "Apparel guild", "beneficiary": "Apparel Guild", "categoryId": apparel,
                    "rateKind": "FIXED_PER_UNIT", "rate": "0.75", "currency": "eur" }),
        ),
        (
            "us_guild",
            json!({ "name": "US apparel guild", "beneficiary": "US Guild", "categoryId": apparel,
                    "rateKind": "FIXED_PER_UNIT", "rate": "1", "currency": "USD" }),
        ),
        (
            "dormant",
            json!({ "name": "Dormant socks deal", "beneficiary": "Dormant Partner", "productId": socks["id"],
                    "rateKind": "PERCENTAGE", "rate": "50", "active": false }),
        ),
    ] {
        rules.insert(key, rule(app, &t, input).await);
    }
    Shop { t, jacket: jacket_id, shirts, apparel, rules }
}

/// Places an order in store `web` and returns its id and total.
async fn order(app: &TestApp, t: &TestTenant, items: &[(&str, i32)]) -> (String, String) {
    let body = place(app, &t.storefront, items, None).await;
    assert_eq!(body["data"]["orderCreate"]["userErrors"], json!([]), "{body}");
    let order = &body["data"]["orderCreate"]["order"];
    (order["id"].as_str().unwrap().to_owned(), order["total"]["amount"].as_str().unwrap().to_owned())
}

/// The order's allocations as sorted (kind, beneficiary, sku, amount) rows.
async fn ledger(app: &TestApp, t: &TestTenant, order: &str) -> Vec<(String, String, String, String)> {
    let body = app.gql(&t.admin, ORDER_ALLOCATIONS, json!({ "id": order })).await;
    let data = &body["data"]["order"];
    let skus: std::collections::HashMap<&str, &str> = data["items"]
        .as_array()
        .unwrap_or_else(|| panic!("{body}"))
        .iter()
        .map(|i| (i["id"].as_str().unwrap(), i["sku"].as_str().unwrap()))
        .collect();
    let mut rows: Vec<(String, String, String, String)> = data["royaltyAllocations"]
        .as_array()
        .unwrap_or_else(|| panic!("{body}"))
        .iter()
        .map(|a| {
            assert_eq!(a["amount"]["currency"], "EUR");
            (
                a["kind"].as_str().unwrap().to_owned(),
                a["beneficiary"].as_str().unwrap().to_owned(),
                skus[a["orderItemId"].as_str().unwrap()].to_owned(),
                a["amount"]["amount"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    rows.sort();
    rows
}

fn at(value: &Value) -> DateTime<Utc> {
    value.as_str().unwrap_or_else(|| panic!("not a time: {value}")).parse().unwrap()
}

fn rows(expected: &[(&str, &str, &str, &str)]) -> Vec<(String, String, String, String)> {
    let mut rows: Vec<_> =
        expected.iter().map(|(k, b, s, a)| (k.to_string(), b.to_string(), s.to_string(), a.to_string())).collect();
    rows.sort();
    rows
}

/// What the mixed order (JACKET ×7, CAP-RED, CAP-BLUE, SHIRT ×3, SOCKS ×2: 194.28 EUR)
/// earns when paid.
const MIXED_SALES: &[(&str, &str, &str, &str)] = &[
    // 12.5 % of 139.93 = 17.49125
    ("SALE", "Designer Dana", "JACKET", "17.49"),
    // 10 % of 139.93 = 13.993: the line matches two rules and earns under both
    ("SALE", "Acme Brand Licensing", "JACKET", "13.99"),
    // 10 % of 3.45 = 0.345, half up (the brand is on the red variant only)
    ("SALE", "Acme Brand Licensing", "CAP-RED", "0.35"),
    // 0.75 × 3: SHIRT is in shirts, two levels below apparel
    ("SALE", "Apparel Guild", "SHIRT", "2.25"),
];

const MIXED_ITEMS: &[(&str, i32)] = &[("JACKET", 7), ("CAP-RED", 1), ("CAP-BLUE", 1), ("SHIRT", 3), ("SOCKS", 2)];

#[tokio::test]
async fn a_paid_mixed_order_earns_per_line_and_rule_rounded_half_up() {
    let app = TestApp::start().await;
    let s = shop(&app, "roy_a").await;
    let t = &s.t;
    let (id, total) = order(&app, t, MIXED_ITEMS).await;
    assert_eq!(total, "194.28");

    // Nothing before the order is paid, not even when part of it is.
    assert_eq!(ledger(&app, t, &id).await, []);
    assert_eq!(capture(&app, t, &id, "100.00").await["order"]["status"], "PENDING");
    assert_eq!(ledger(&app, t, &id).await, []);
    assert_eq!(capture(&app, t, &id, "94.28").await["order"]["status"], "PAID");
    assert_eq!(ledger(&app, t, &id).await, rows(MIXED_SALES));
}

/// The shop of tenant `slug` with the mixed order placed and paid in full: the shop and
/// the order's id.
async fn paid_mixed_order(app: &TestApp, slug: &str) -> (Shop, String) {
    let s = shop(app, slug).await;
    let (id, total) = order(app, &s.t, MIXED_ITEMS).await;
    assert_eq!(capture(app, &s.t, &id, &total).await["order"]["status"], "PAID");
    (s, id)
}

#[tokio::test]
async fn an_allocation_copies_the_base_rate_quantity_rule_and_order() {
    let app = TestApp::start().await;
    let (s, id) = paid_mixed_order(&app, "roy_a").await;
    let t = &s.t;
    let body = app.gql(&t.admin, ORDER_ALLOCATIONS, json!({ "id": id })).await;
    let allocations = body["data"]["order"]["royaltyAllocations"].as_array().unwrap().clone();
    let dana = allocations.iter().find(|a| a["beneficiary"] == "Designer Dana").unwrap();
    assert_eq!(dana["base"], json!({ "amount": "139.93", "currency": "EUR" }));
    assert_eq!(
        (&dana["rateKind"], &dana["rate"], &dana["quantity"]),
        (&json!("PERCENTAGE"), &json!("12.5"), &json!(7))
    );
    assert_eq!(dana["rule"]["name"], "Jacket design");
    assert_eq!(dana["order"]["number"], "1001");
    assert!(dana["saleId"].is_null());
    let guild = allocations.iter().find(|a| a["beneficiary"] == "Apparel Guild").unwrap();
    assert_eq!(
        (&guild["rateKind"], &guild["rate"], &guild["base"]["amount"]),
        (&json!("FIXED_PER_UNIT"), &json!("0.75"), &json!("37.47"))
    );
}

#[tokio::test]
async fn the_ledger_pages_newest_first_and_filters_by_beneficiary_rule_and_order() {
    let app = TestApp::start().await;
    let (s, id) = paid_mixed_order(&app, "roy_a").await;
    let t = &s.t;
    let page = "query($filter: RoyaltyAllocationFilterInput, $after: String) {
        royaltyAllocations(first: 3, after: $after, filter: $filter) {
            totalCount pageInfo { hasNextPage endCursor } edges { node { id createdAt beneficiary amount { amount } } } } }";
    let body = app.gql(&t.admin, page, json!({ "filter": { "orderId": id } })).await;
    let first = &body["data"]["royaltyAllocations"];
    assert_eq!(first["totalCount"], 4, "{body}");
    assert_eq!(first["pageInfo"]["hasNextPage"], true);
    let body =
        app.gql(&t.admin, page, json!({ "filter": { "orderId": id }, "after": first["pageInfo"]["endCursor"] })).await;
    let second = &body["data"]["royaltyAllocations"];
    assert_eq!(second["pageInfo"]["hasNextPage"], false);
    let mut seen: Vec<(DateTime<Utc>, String)> = [first, second]
        .iter()
        .flat_map(|p| p["edges"].as_array().unwrap().iter())
        .map(|e| (at(&e["node"]["createdAt"]), e["node"]["id"].as_str().unwrap().to_owned()))
        .collect();
    assert_eq!(seen.len(), 4);
    let newest_first = seen.clone();
    seen.sort();
    seen.reverse();
    assert_eq!(newest_first, seen, "newest first, every allocation once");
    let body = app.gql(&t.admin, page, json!({ "filter": { "beneficiary": "Acme Brand Licensing" } })).await;
    let amounts: Vec<&str> = body["data"]["royaltyAllocations"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["amount"]["amount"].as_str().unwrap())
        .collect();
    assert_eq!(body["data"]["royaltyAllocations"]["totalCount"], 2, "{body}");
    assert!(amounts.contains(&"13.99") && amounts.contains(&"0.35"), "{body}");
    let body = app.gql(&t.admin, page, json!({ "filter": { "ruleId": s.rules["us_guild"] } })).await;
    assert_eq!(body["data"]["royaltyAllocations"]["totalCount"], 0, "a USD rate never covers a EUR order: {body}");
    let body = app.gql(&t.admin, page, json!({ "filter": { "ruleId": s.rules["dormant"] } })).await;
    assert_eq!(body["data"]["royaltyAllocations"]["totalCount"], 0, "inactive rules allocate nothing: {body}");
}

#[tokio::test]
async fn paying_is_allocated_once_per_rule_and_line() {
    let app = TestApp::start().await;
    let (_, id) = paid_mixed_order(&app, "roy_a").await;
    // The sales are unique per rule and line in the database too.
    let duplicate = format!(
        "SELECT count(*) AS n FROM t_roy_a.royalty_allocations WHERE order_id = '{id}' AND kind = 'sale' \
         GROUP BY rule_id, order_item_id HAVING count(*) > 1"
    );
    assert_eq!(app.sql_count(&format!("SELECT count(*) AS n FROM ({duplicate}) d")).await, 0);
}

#[tokio::test]
async fn a_page_of_orders_with_their_allocations_costs_the_same_statements_at_any_size() {
    let app = TestApp::one_connection().await;
    let (s, _) = paid_mixed_order(&app, "roy_a").await;
    let t = &s.t;
    // A page of orders with their allocations costs one statement more, at any size.
    order(&app, t, &[("JACKET", 1)]).await;
    let (third, _) = order(&app, t, &[("SHIRT", 1)]).await;
    capture(&app, t, &third, "12.49").await;
    let orders =
        "query($n: Int) { orders(first: $n) { edges { node { number royaltyAllocations { amount { amount } } } } } }";
    app.gql(&t.admin, orders, json!({ "n": 1 })).await;
    let mut costs = Vec::new();
    for n in [1, 3] {
        let before = app.db.statements();
        let body = app.gql(&t.admin, orders, json!({ "n": n })).await;
        assert_eq!(body["data"]["orders"]["edges"].as_array().map(Vec::len), Some(n as usize), "{body}");
        costs.push(app.db.statements() - before);
        if n == 3 {
            let counts: Vec<usize> = body["data"]["orders"]["edges"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["node"]["royaltyAllocations"].as_array().unwrap().len())
                .collect();
            assert_eq!(counts, [1, 0, 4], "newest first: the shirt, the unpaid jacket, the mixed order");
        }
    }
    assert_eq!(costs[0], costs[1], "{costs:?}");
}

#[tokio::test]
async fn refunds_reverse_in_proportion_cumulatively_down_to_zero() {
    let app = TestApp::start().await;
    let s = shop(&app, "roy_b").await;
    let t = &s.t;
    let (id, total) = order(&app, t, MIXED_ITEMS).await;
    capture(&app, t, &id, &total).await;

    // Half refunded: each sale keeps half of itself, rounded half up.
    assert_eq!(refund_ok(&app, t, &id, "97.14").await["order"]["status"], "PARTIALLY_REFUNDED");
    let mut expected: Vec<(&str, &str, &str, &str)> = MIXED_SALES.to_vec();
    expected.extend([
        ("REVERSAL", "Designer Dana", "JACKET", "-8.74"), // keeps 8.745 → 8.75
        ("REVERSAL", "Acme Brand Licensing", "JACKET", "-6.99"), // keeps 6.995 → 7.00
        ("REVERSAL", "Acme Brand Licensing", "CAP-RED", "-0.17"), // keeps 0.175 → 0.18
        ("REVERSAL", "Apparel Guild", "SHIRT", "-1.12"),  // keeps 1.125 → 1.13
    ]);
    assert_eq!(ledger(&app, t, &id).await, rows(&expected));
    // The moment the first reversal was recorded.
    let body = app.gql(&t.admin, "{ royaltyAllocations { edges { node { kind createdAt } } } }", json!({})).await;
    let midpoint = body["data"]["royaltyAllocations"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["node"]["kind"] == "REVERSAL")
        .map(|e| at(&e["node"]["createdAt"]))
        .min()
        .unwrap();

    // 144.28 refunded, 50.00 kept: each target is the sale's share of what is kept,
    // computed from the sale (17.49 × 50 / 194.28 = 4.501…), not from the last net, so
    // the second reversal is 4.25 where a reversal of the refund's own share would be 4.24.
    refund_ok(&app, t, &id, "47.14").await;
    expected.extend([
        ("REVERSAL", "Designer Dana", "JACKET", "-4.25"),
        ("REVERSAL", "Acme Brand Licensing", "JACKET", "-3.40"),
        ("REVERSAL", "Acme Brand Licensing", "CAP-RED", "-0.09"),
        ("REVERSAL", "Apparel Guild", "SHIRT", "-0.55"),
    ]);
    assert_eq!(ledger(&app, t, &id).await, rows(&expected));

    // The rest refunded: every net is exactly zero.
    assert_eq!(refund_ok(&app, t, &id, "50.00").await["order"]["status"], "REFUNDED");
    expected.extend([
        ("REVERSAL", "Designer Dana", "JACKET", "-4.50"),
        ("REVERSAL", "Acme Brand Licensing", "JACKET", "-3.60"),
        ("REVERSAL", "Acme Brand Licensing", "CAP-RED", "-0.09"),
        ("REVERSAL", "Apparel Guild", "SHIRT", "-0.58"),
    ]);
    assert_eq!(ledger(&app, t, &id).await, rows(&expected));
    let body = app.gql(&t.admin, ORDER_ALLOCATIONS, json!({ "id": id })).await;
    let allocations = body["data"]["order"]["royaltyAllocations"].as_array().unwrap();
    let sales: Vec<&str> =
        allocations.iter().filter(|a| a["kind"] == "SALE").map(|a| a["id"].as_str().unwrap()).collect();
    assert!(
        allocations.iter().filter(|a| a["kind"] == "REVERSAL").all(|a| sales.contains(&a["saleId"].as_str().unwrap())),
        "every reversal names its sale: {body}"
    );

    // Totals per beneficiary: all of it, only the sales before the first reversal, only
    // what came after, one beneficiary.
    let body = app.gql(&t.admin, TOTALS, json!({})).await;
    assert_eq!(
        body["data"]["royaltyTotals"],
        json!([
            { "beneficiary": "Acme Brand Licensing", "currency": "EUR", "sales": { "amount": "14.34", "currency": "EUR" },
              "reversals": { "amount": "-14.34" }, "net": { "amount": "0.00" }, "allocationCount": 8 },
            { "beneficiary": "Apparel Guild", "currency": "EUR", "sales": { "amount": "2.25", "currency": "EUR" },
              "reversals": { "amount": "-2.25" }, "net": { "amount": "0.00" }, "allocationCount": 4 },
            { "beneficiary": "Designer Dana", "currency": "EUR", "sales": { "amount": "17.49", "currency": "EUR" },
              "reversals": { "amount": "-17.49" }, "net": { "amount": "0.00" }, "allocationCount": 4 },
        ]),
        "{body}"
    );
    let before = app.gql(&t.admin, TOTALS, json!({ "filter": { "to": midpoint } })).await;
    let nets: Vec<(&str, &str, i64)> = before["data"]["royaltyTotals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["beneficiary"].as_str().unwrap(),
                r["net"]["amount"].as_str().unwrap(),
                r["allocationCount"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        nets,
        [("Acme Brand Licensing", "14.34", 2), ("Apparel Guild", "2.25", 1), ("Designer Dana", "17.49", 1)],
        "{before}"
    );
    let body =
        app.gql(&t.admin, TOTALS, json!({ "filter": { "beneficiary": "Designer Dana", "from": midpoint } })).await;
    assert_eq!(
        body["data"]["royaltyTotals"],
        json!([{ "beneficiary": "Designer Dana", "currency": "EUR", "sales": { "amount": "0.00", "currency": "EUR" },
                 "reversals": { "amount": "-17.49" }, "net": { "amount": "-17.49" }, "allocationCount": 3 }]),
        "{body}"
    );
    let body = app
        .gql(&t.admin, TOTALS, json!({ "filter": { "from": "2030-01-02T00:00:00Z", "to": "2030-01-01T00:00:00Z" } }))
        .await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT");
}

#[tokio::test]
async fn cancelling_a_paid_order_reverses_everything_and_rule_changes_apply_later() {
    let app = TestApp::start().await;
    let s = shop(&app, "roy_c").await;
    let t = &s.t;
    let (id, total) = order(&app, t, &[("JACKET", 1), ("CAP-BLUE", 1)]).await;
    capture(&app, t, &id, &total).await;
    let sales = [("SALE", "Designer Dana", "JACKET", "2.50"), ("SALE", "Acme Brand Licensing", "JACKET", "2.00")];
    assert_eq!(ledger(&app, t, &id).await, rows(&sales), "12.5 % of 19.99 is 2.49875, 10 % is 1.999");
    let body = app
        .gql(
            &t.admin,
            "mutation($input: OrderTransitionInput!) { orderCancel(input: $input) { order { status } userErrors { code } } }",
            json!({ "input": { "id": id } }),
        )
        .await;
    assert_eq!(body["data"]["orderCancel"]["order"]["status"], "CANCELLED", "{body}");
    let mut expected = sales.to_vec();
    expected.extend([
        ("REVERSAL", "Designer Dana", "JACKET", "-2.50"),
        ("REVERSAL", "Acme Brand Licensing", "JACKET", "-2.00"),
    ]);
    assert_eq!(ledger(&app, t, &id).await, rows(&expected));
    // Refunding the cancelled order's money moves nothing further.
    refund_ok(&app, t, &id, "10.00").await;
    refund_ok(&app, t, &id, "13.44").await;
    assert_eq!(ledger(&app, t, &id).await, rows(&expected));

    // Deactivating a rule and changing another's rate: later orders only.
    let body = app.gql(&t.admin, RULE_UPDATE, json!({ "input": { "id": s.rules["dana"], "active": false } })).await;
    assert_eq!(body["data"]["royaltyRuleUpdate"]["royaltyRule"]["active"], false, "{body}");
    let body = app
        .gql(
            &t.admin,
            RULE_UPDATE,
            json!({ "input": { "id": s.rules["acme"], "rate": "20", "beneficiary": "Acme Holdings" } }),
        )
        .await;
    assert_eq!(
        body["data"]["royaltyRuleUpdate"]["royaltyRule"],
        json!({ "id": s.rules["acme"], "name": "Acme brand", "beneficiary": "Acme Holdings", "rateKind": "PERCENTAGE",
                "rate": "20", "currency": null, "active": true }),
        "{body}"
    );
    let (later, total) = order(&app, t, &[("JACKET", 1)]).await;
    capture(&app, t, &later, &total).await;
    assert_eq!(ledger(&app, t, &later).await, rows(&[("SALE", "Acme Holdings", "JACKET", "4.00")]));
    assert_eq!(ledger(&app, t, &id).await, rows(&expected), "earlier allocations keep their terms");

    // A rule switched to a fixed rate needs its rate and currency; back to a percentage,
    // the currency goes.
    let body = app
        .gql(&t.admin, RULE_UPDATE, json!({ "input": { "id": s.rules["acme"], "rateKind": "FIXED_PER_UNIT", "rate": "0.5", "currency": "EUR" } }))
        .await;
    assert_eq!(body["data"]["royaltyRuleUpdate"]["royaltyRule"]["currency"], "EUR", "{body}");
    let body = app
        .gql(
            &t.admin,
            RULE_UPDATE,
            json!({ "input": { "id": s.rules["acme"], "rateKind": "PERCENTAGE", "rate": "5" } }),
        )
        .await;
    assert_eq!(body["data"]["royaltyRuleUpdate"]["royaltyRule"]["currency"], json!(null), "{body}");
}

#[tokio::test]
async fn the_base_is_what_was_paid_for_the_line_after_its_discount() {
    let app = TestApp::start().await;
    let s = shop(&app, "roy_g").await;
    let t = &s.t;
    gql_ok(
        &app,
        &t.admin,
        "mutation($input: CouponCreateInput!) { couponCreate(input: $input) { coupon { id } userErrors { field code message } } }",
        json!({ "input": { "code": "SAVE10", "kind": "PERCENTAGE", "value": "10" } }),
        "couponCreate",
    )
    .await;
    let items = [json!({ "sku": "JACKET", "quantity": 7 }), json!({ "sku": "SHIRT", "quantity": 3 })];
    let placed = gql_ok(
        &app,
        &t.storefront,
        "mutation($input: OrderCreateInput!) { orderCreate(input: $input) {
            order { id total { amount } items { sku lineTotal { amount } discountTotal { amount } } }
            userErrors { field code message } } }",
        json!({ "input": { "items": items, "store": "web", "email": "ada@example.com", "couponCode": "SAVE10" } }),
        "orderCreate",
    )
    .await;
    let order = &placed["order"];
    // 10 % of 177.40 = 17.74, spread over the lines by their totals.
    assert_eq!(order["total"]["amount"], "159.66", "{order}");
    assert_eq!(
        order["items"],
        json!([{ "sku": "JACKET", "lineTotal": { "amount": "139.93" }, "discountTotal": { "amount": "13.99" } },
               { "sku": "SHIRT", "lineTotal": { "amount": "37.47" }, "discountTotal": { "amount": "3.75" } }])
    );
    let id = order["id"].as_str().unwrap();
    capture(&app, t, id, "159.66").await;
    assert_eq!(
        ledger(&app, t, id).await,
        rows(&[
            ("SALE", "Designer Dana", "JACKET", "15.74"), // 12.5 % of 125.94 = 15.7425
            ("SALE", "Acme Brand Licensing", "JACKET", "12.59"), // 10 % of 125.94 = 12.594
            ("SALE", "Apparel Guild", "SHIRT", "2.25"),   // per unit: no discount
        ])
    );
    let body = app.gql(&t.admin, ORDER_ALLOCATIONS, json!({ "id": id })).await;
    let mut bases: Vec<&str> = body["data"]["order"]["royaltyAllocations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["base"]["amount"].as_str().unwrap())
        .collect();
    bases.sort_unstable();
    assert_eq!(bases, ["125.94", "125.94", "33.72"], "line total less its discount: {body}");
}

fn errors(body: &Value, field: &str) -> Vec<(String, String)> {
    body["data"][field]["userErrors"]
        .as_array()
        .unwrap_or_else(|| panic!("no userErrors in {body}"))
        .iter()
        .map(|e| {
            (
                e["field"].as_array().unwrap().iter().map(|f| f.as_str().unwrap()).collect::<Vec<_>>().join("."),
                e["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn invalid_rules_are_refused_and_write_nothing() {
    let app = TestApp::start().await;
    let s = shop(&app, "roy_d").await;
    let t = &s.t;
    let count = "SELECT count(*) AS n FROM t_roy_d.royalty_rules";
    let rules_before = app.sql_count(count).await;
    let unknown = "00000000-0000-0000-0000-000000000000";
    let base = json!({ "name": "New rule", "beneficiary": "Someone", "rateKind": "PERCENTAGE", "rate": "5",
                       "productId": s.jacket });
    let with = |changes: Value| {
        let mut input = base.clone();
        for (k, v) in changes.as_object().unwrap() {
            input[k] = v.clone();
        }
        input
    };
    for (input, expected) in [
        (with(json!({ "rate": "100.01" })), vec![("input.rate", "INVALID")]),
        (with(json!({ "rate": "0" })), vec![("input.rate", "INVALID")]),
        (with(json!({ "currency": "EUR" })), vec![("input.currency", "INVALID")]),
        (with(json!({ "rateKind": "FIXED_PER_UNIT", "rate": "1" })), vec![("input.currency", "REQUIRED")]),
        (
            with(json!({ "rateKind": "FIXED_PER_UNIT", "rate": "0.001", "currency": "EUR" })),
            vec![("input.rate", "INVALID")],
        ),
        (
            with(json!({ "rateKind": "FIXED_PER_UNIT", "rate": "1", "currency": "EURO" })),
            vec![("input.currency", "INVALID_CURRENCY")],
        ),
        (with(json!({ "productId": unknown })), vec![("input.productId", "NOT_FOUND")]),
        (with(json!({ "productId": null, "categoryId": unknown })), vec![("input.categoryId", "NOT_FOUND")]),
        (with(json!({ "categoryId": s.shirts })), vec![("input.productId", "REQUIRED")]),
        (with(json!({ "productId": null })), vec![("input.productId", "REQUIRED")]),
        (with(json!({ "productId": "not-an-id" })), vec![("input.productId", "INVALID")]),
        (
            with(json!({ "productId": null, "attribute": { "code": "make", "value": "acme" } })),
            vec![("input.attribute.code", "NOT_FOUND")],
        ),
        (
            with(json!({ "productId": null, "attribute": { "code": "brand", "value": "initech" } })),
            vec![("input.attribute.value", "INVALID_ATTRIBUTE_VALUE")],
        ),
        (with(json!({ "name": "  JACKET DESIGN " })), vec![("input.name", "DUPLICATE")]),
        (
            with(json!({ "name": "", "beneficiary": " ", "rate": "101" })),
            vec![("input.name", "REQUIRED"), ("input.beneficiary", "REQUIRED"), ("input.rate", "INVALID")],
        ),
    ] {
        let body = app.gql(&t.admin, RULE_CREATE, json!({ "input": input })).await;
        let expected = pairs(&expected);
        assert_eq!(errors(&body, "royaltyRuleCreate"), expected, "{input}: {body}");
        assert!(body["data"]["royaltyRuleCreate"]["royaltyRule"].is_null());
    }
    assert_eq!(app.sql_count(count).await, rules_before, "refused rules write nothing");
}

#[tokio::test]
async fn invalid_rule_updates_are_refused_and_change_nothing() {
    let app = TestApp::start().await;
    let s = shop(&app, "roy_d").await;
    let t = &s.t;
    let unknown = "00000000-0000-0000-0000-000000000000";
    // Updates are checked against the rule as it is.
    for (input, expected) in [
        (json!({ "id": s.rules["dana"], "rate": "250" }), vec![("input.rate", "INVALID")]),
        (json!({ "id": s.rules["guild"], "rate": "0.125" }), vec![("input.rate", "INVALID")]),
        (json!({ "id": s.rules["guild"], "currency": null }), vec![("input.currency", "REQUIRED")]),
        (json!({ "id": s.rules["dana"], "rateKind": "FIXED_PER_UNIT" }), vec![("input.rate", "REQUIRED")]),
        (
            json!({ "id": s.rules["dana"], "rateKind": "FIXED_PER_UNIT", "rate": "2" }),
            vec![("input.currency", "REQUIRED")],
        ),
        (json!({ "id": s.rules["dana"], "name": "acme BRAND" }), vec![("input.name", "DUPLICATE")]),
        (json!({ "id": unknown, "active": false }), vec![("input.id", "NOT_FOUND")]),
    ] {
        let body = app.gql(&t.admin, RULE_UPDATE, json!({ "input": input })).await;
        let expected = pairs(&expected);
        assert_eq!(errors(&body, "royaltyRuleUpdate"), expected, "{input}: {body}");
    }
    let body = app
        .gql(
            &t.admin,
            "query($id: ID!) { royaltyRule(id: $id) { rate currency rateKind name } }",
            json!({ "id": s.rules["guild"] }),
        )
        .await;
    assert_eq!(
        body["data"]["royaltyRule"],
        json!({ "rate": "0.75", "currency": "EUR", "rateKind": "FIXED_PER_UNIT", "name": "Apparel guild" }),
        "refused updates change nothing: {body}"
    );
}

#[tokio::test]
async fn the_database_refuses_inconsistent_rules_on_its_own() {
    let app = TestApp::start().await;
    let s = shop(&app, "roy_d").await;
    let mut conn = diesel_async::AsyncPgConnection::establish(&app.db_url).await.unwrap();
    for bad in [
        "INSERT INTO t_roy_d.royalty_rules (name, beneficiary, scope, rate_kind, rate) VALUES ('x', 'y', 'product', 'percentage', 5)",
        &format!(
            "INSERT INTO t_roy_d.royalty_rules (name, beneficiary, scope, product_id, rate_kind, rate) VALUES ('x', 'y', 'product', '{}', 'percentage', 101)",
            s.jacket
        ),
        &format!(
            "INSERT INTO t_roy_d.royalty_rules (name, beneficiary, scope, product_id, rate_kind, rate) VALUES ('x', 'y', 'product', '{}', 'fixed_per_unit', 1)",
            s.jacket
        ),
        &format!(
            "INSERT INTO t_roy_d.royalty_rules (name, beneficiary, scope, product_id, category_id, rate_kind, rate) VALUES ('x', 'y', 'product', '{}', '{}', 'percentage', 1)",
            s.jacket, s.apparel
        ),
    ] {
        assert!(diesel::sql_query(bad).execute(&mut conn).await.is_err(), "{bad}");
    }
}

#[tokio::test]
async fn royalties_are_admin_only_and_per_tenant() {
    let app = TestApp::start().await;
    let s = shop(&app, "roy_e").await;
    let t = &s.t;
    let (id, total) = order(&app, t, &[("JACKET", 1)]).await;
    capture(&app, t, &id, &total).await;
    let other = app.tenant("roy_f").await;

    for query in [
        "{ royaltyRules { totalCount } }",
        "{ royaltyAllocations { totalCount } }",
        "{ royaltyTotals { net { amount } } }",
        "mutation { royaltyRuleCreate(input: { name: \"x\", beneficiary: \"y\", categoryId: \"00000000-0000-0000-0000-000000000000\", rateKind: PERCENTAGE, rate: \"1\" }) { userErrors { code } } }",
    ] {
        let body = app.gql(&t.storefront, query, json!({})).await;
        assert_eq!(error_code(&body), "FORBIDDEN", "{query}: {body}");
    }
    let rule = "query($id: ID!) { royaltyRule(id: $id) { name } }";
    let body = app.gql(&t.storefront, rule, json!({ "id": s.rules["dana"] })).await;
    assert_eq!(error_code(&body), "FORBIDDEN");
    let token = app
        .gql(&t.admin, "query($id: ID) { order(id: $id) { token } }", json!({ "id": id }))
        .await["data"]["order"]["token"]
        .clone();
    let body = app
        .gql(
            &t.storefront,
            "query($t: ID) { order(token: $t) { royaltyAllocations { amount { amount } } } }",
            json!({ "t": token }),
        )
        .await;
    assert_eq!(error_code(&body), "FORBIDDEN", "{body}");

    // The owner sees its rules and allocations; another tenant sees none of them.
    let body = app.gql(&t.admin, "{ royaltyRules { totalCount } royaltyAllocations { totalCount } }", json!({})).await;
    assert_eq!(body["data"], json!({ "royaltyRules": { "totalCount": 5 }, "royaltyAllocations": { "totalCount": 2 } }));
    let body = app
        .gql(
            &other.admin,
            "query($id: ID!) { royaltyRules { totalCount } royaltyAllocations { totalCount } royaltyTotals { beneficiary } royaltyRule(id: $id) { name } }",
            json!({ "id": s.rules["dana"] }),
        )
        .await;
    assert_eq!(
        body["data"],
        json!({ "royaltyRules": { "totalCount": 0 }, "royaltyAllocations": { "totalCount": 0 }, "royaltyTotals": [], "royaltyRule": null }),
        "{body}"
    );
    let body = app.gql(&other.admin, RULE_UPDATE, json!({ "input": { "id": s.rules["dana"], "active": false } })).await;
    assert_eq!(errors(&body, "royaltyRuleUpdate"), [("input.id".to_owned(), "NOT_FOUND".to_owned())]);

    // Rule listing: filters and pages.
    let page = "query($filter: RoyaltyRuleFilterInput, $after: String) { royaltyRules(first: 2, after: $after, filter: $filter) {
        totalCount pageInfo { hasNextPage endCursor } edges { node { name } } } }";
    let body = app.gql(&t.admin, page, json!({ "filter": { "active": true } })).await;
    assert_eq!(body["data"]["royaltyRules"]["totalCount"], 4, "{body}");
    let names: Vec<&str> = body["data"]["royaltyRules"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Jacket design", "Acme brand"], "oldest first");
    let body = app
        .gql(
            &t.admin,
            page,
            json!({ "filter": { "active": true }, "after": body["data"]["royaltyRules"]["pageInfo"]["endCursor"] }),
        )
        .await;
    let names: Vec<&str> = body["data"]["royaltyRules"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Apparel guild", "US apparel guild"]);
    assert_eq!(body["data"]["royaltyRules"]["pageInfo"]["hasNextPage"], false);
    let body = app.gql(&t.admin, page, json!({ "filter": { "beneficiary": "Dormant Partner" } })).await;
    assert_eq!(body["data"]["royaltyRules"]["edges"], json!([{ "node": { "name": "Dormant socks deal" } }]), "{body}");
}
