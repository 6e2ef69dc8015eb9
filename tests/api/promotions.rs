//! Promotions: coupons applied by orderCreate (exact decimal discounts, validity windows,
//! store and currency scope, minimums), usage limits under racing orders, per-customer
//! limits, releases on cancellation, campaigns and their figures — through HTTP against a
//! real PostgreSQL.

use futures_util::future::join_all;
use serde_json::{Value, json};

use crate::fixtures::{ProductBuilder, change, codes, pay, refund, shop, stock};
use crate::harness::{TestApp, TestTenant, error_code};

const COUPON_CREATE: &str = "mutation($input: CouponCreateInput!) { couponCreate(input: $input) {
    coupon { id code kind value currency usageLimit perCustomerLimit usedCount remainingUses active
             minimumSubtotal { amount currency } campaign { name } store { code } }
    userErrors { field code message } } }";

const CAMPAIGN_CREATE: &str = "mutation($input: PromotionCampaignCreateInput!) {
    promotionCampaignCreate(input: $input) { campaign { id name status } userErrors { field code message } } }";

const PLACE: &str = "mutation($input: OrderCreateInput!) { orderCreate(input: $input) {
    order { id number token status paymentStatus couponCode subtotal { amount } discountTotal { amount } total { amount }
            items { sku lineTotal { amount } discountTotal { amount } } }
    userErrors { field code message } } }";

/// Creates a coupon from `input` and returns it, asserting it worked.
async fn coupon(app: &TestApp, t: &TestTenant, input: Value) -> Value {
    let body = app.gql(&t.admin, COUPON_CREATE, json!({ "input": input })).await;
    assert_eq!(body["data"]["couponCreate"]["userErrors"], json!([]), "{body}");
    body["data"]["couponCreate"]["coupon"].clone()
}

/// Places an order in store `web` for `email` with `code`.
async fn order(app: &TestApp, token: &str, items: &[(&str, i32)], email: &str, code: Option<&str>) -> Value {
    let items: Vec<Value> = items.iter().map(|(sku, q)| json!({ "sku": sku, "quantity": q })).collect();
    app.gql(token, PLACE, json!({ "input": { "items": items, "store": "web", "email": email, "couponCode": code } }))
        .await
}

/// Creates an ACTIVE product `slug` priced `price` EUR with one variant (its slug upper
/// case) and 1,000 units in stock.
async fn priced(app: &TestApp, t: &TestTenant, slug: &str, price: &str) {
    ProductBuilder::new(slug).price(price).variant(&slug.to_uppercase()).stock(1000).create(app, t).await;
}

fn placed(body: &Value) -> &Value {
    let order = &body["data"]["orderCreate"]["order"];
    assert!(order.is_object(), "order refused: {body}");
    order
}

async fn used_count(app: &TestApp, t: &TestTenant, code: &str) -> i64 {
    let body = app.gql(&t.admin, "query($c: String) { coupon(code: $c) { usedCount } }", json!({ "c": code })).await;
    body["data"]["coupon"]["usedCount"].as_i64().unwrap_or_else(|| panic!("{body}"))
}

#[tokio::test]
async fn a_usage_limit_of_five_holds_against_fifty_racing_orders() {
    let app = TestApp::start().await;
    let t = shop(&app, "promo_a").await;
    stock(&app, &t, "TEE-S", 100, None).await;
    coupon(&app, &t, json!({ "code": "LAST5", "kind": "PERCENTAGE", "value": "10", "usageLimit": 5 })).await;
    let attempts = (0..50).map(|i| {
        let email = format!("racer{i}@example.com");
        let app = &app;
        let token = t.storefront.clone();
        async move { order(app, &token, &[("TEE-S", 1)], &email, Some("last5")).await }
    });
    let bodies = join_all(attempts).await;
    let won = bodies.iter().filter(|b| b["data"]["orderCreate"]["order"].is_object()).count();
    let refused = bodies.iter().filter(|b| codes(b, "orderCreate") == ["COUPON_USAGE_LIMIT"]).count();
    assert_eq!((won, refused), (5, 45), "{:?}", bodies.iter().find(|b| b["errors"].is_array()));
    for body in bodies.iter().filter(|b| b["data"]["orderCreate"]["order"].is_object()) {
        assert_eq!(placed(body)["couponCode"], "LAST5");
        assert_eq!(placed(body)["discountTotal"]["amount"], "1.00");
    }
    // Refused orders left nothing: no order, no reservation, no redemption.
    assert_eq!(app.sql_count("SELECT count(*) AS n FROM t_promo_a.orders").await, 5);
    assert_eq!(app.sql_count("SELECT sum(reserved)::bigint AS n FROM t_promo_a.inventory").await, 5);
    assert_eq!(app.sql_count("SELECT count(*) AS n FROM t_promo_a.coupon_redemptions").await, 5);
    assert_eq!(used_count(&app, &t, "LAST5").await, 5);

    // Cancelling an order gives its use back; the next order takes it.
    let first = bodies.iter().find(|b| b["data"]["orderCreate"]["order"].is_object()).unwrap();
    let id = placed(first)["id"].as_str().unwrap().to_owned();
    let body = change(&app, &t.admin, "orderCancel", &id, None).await;
    assert_eq!(body["data"]["orderCancel"]["order"]["status"], "CANCELLED", "{body}");
    assert_eq!(used_count(&app, &t, "LAST5").await, 4);
    let read =
        "query($id: ID!) { order(id: $id) { couponCode couponRedemption { status releasedAt discount { amount } } } }";
    let body = app.gql(&t.admin, read, json!({ "id": id })).await;
    assert_eq!(body["data"]["order"]["couponCode"], "LAST5", "the code stays on the order");
    assert_eq!(body["data"]["order"]["couponRedemption"]["status"], "RELEASED", "{body}");
    let body = order(&app, &t.storefront, &[("TEE-S", 1)], "late@example.com", Some("LAST5")).await;
    placed(&body);
    let body = order(&app, &t.storefront, &[("TEE-S", 1)], "later@example.com", Some("LAST5")).await;
    assert_eq!(codes(&body, "orderCreate"), ["COUPON_USAGE_LIMIT"]);
    assert_eq!(used_count(&app, &t, "LAST5").await, 5);
    // A storefront sees the code on its order, not the redemption's admin details.
    let token = placed(first)["token"].clone();
    let by_token = "query($t: ID!) { order(token: $t) { couponCode } }";
    let body = app.gql(&t.storefront, by_token, json!({ "t": token })).await;
    assert_eq!(body["data"]["order"]["couponCode"], "LAST5", "{body}");
    let body = app
        .gql(
            &t.storefront,
            "query($t: ID!) { order(token: $t) { couponRedemption { status } } }",
            json!({ "t": token }),
        )
        .await;
    assert_eq!(error_code(&body), "FORBIDDEN", "{body}");
}

#[tokio::test]
async fn percentage_and_fixed_discounts_are_exact_decimals() {
    let app = TestApp::start().await;
    let t = shop(&app, "promo_b").await;
    priced(&app, &t, "odd", "19.99").await;
    priced(&app, &t, "dime", "0.1").await;
    coupon(&app, &t, json!({ "code": "EIGHTH", "kind": "PERCENTAGE", "value": "12.5" })).await;
    coupon(&app, &t, json!({ "code": "FIVE", "kind": "FIXED", "value": "5", "currency": "eur" })).await;
    coupon(&app, &t, json!({ "code": "DOLLARS", "kind": "FIXED", "value": "5", "currency": "USD" })).await;
    coupon(
        &app,
        &t,
        json!({ "code": "BIG", "kind": "PERCENTAGE", "value": "20", "currency": "EUR", "minimumSubtotal": "50" }),
    )
    .await;

    // 7 × 19.99 + 3 × 0.10 = 140.23; 12.5% of it is 17.52875, half up to the cent: 17.53.
    let body = order(&app, &t.storefront, &[("ODD", 7), ("DIME", 3)], "a@example.com", Some("eighth")).await;
    let o = placed(&body);
    assert_eq!(o["subtotal"]["amount"], "140.23");
    assert_eq!(o["discountTotal"]["amount"], "17.53");
    assert_eq!(o["total"]["amount"], "122.70");
    // Spread over the lines in proportion (139.93 : 0.30), in whole cents, adding up exactly.
    let shares: Vec<&str> =
        o["items"].as_array().unwrap().iter().map(|i| i["discountTotal"]["amount"].as_str().unwrap()).collect();
    assert_eq!(shares, ["17.49", "0.04"], "{body}");
    assert_eq!(
        app.sql_count(
            "SELECT count(*) AS n FROM t_promo_b.orders o WHERE discount_total = 17.53 AND total = 122.70
             AND discount_total = (SELECT sum(discount_total) FROM t_promo_b.order_items i WHERE i.order_id = o.id)"
        )
        .await,
        1
    );

    // A fixed coupon takes its amount, never more than the subtotal: 3 × 0.10 leaves
    // nothing to pay, so the order is paid at once.
    let body = order(&app, &t.storefront, &[("ODD", 1)], "b@example.com", Some("FIVE")).await;
    assert_eq!(placed(&body)["total"]["amount"], "14.99", "{body}");
    let body = order(&app, &t.storefront, &[("DIME", 3)], "c@example.com", Some("FIVE")).await;
    let o = placed(&body);
    assert_eq!((o["discountTotal"]["amount"].as_str(), o["total"]["amount"].as_str()), (Some("0.30"), Some("0.00")));
    assert_eq!(o["status"], "PAID", "{body}");

    // Scope: another currency, a minimum not met, then met.
    let body = order(&app, &t.storefront, &[("ODD", 1)], "d@example.com", Some("DOLLARS")).await;
    assert_eq!(codes(&body, "orderCreate"), ["COUPON_NOT_APPLICABLE"], "{body}");
    let body = order(&app, &t.storefront, &[("ODD", 2)], "d@example.com", Some("BIG")).await;
    assert_eq!(codes(&body, "orderCreate"), ["MINIMUM_NOT_MET"], "{body}");
    assert_eq!(body["data"]["orderCreate"]["userErrors"][0]["field"], json!(["input", "couponCode"]));
    let body = order(&app, &t.storefront, &[("ODD", 3)], "d@example.com", Some("BIG")).await;
    // 20% of 59.97 = 11.994 → 11.99.
    assert_eq!(placed(&body)["discountTotal"]["amount"], "11.99", "{body}");
}

#[tokio::test]
async fn expired_future_inactive_and_unknown_coupons_are_refused() {
    let app = TestApp::start().await;
    let t = shop(&app, "promo_c").await;
    app.store(&t.admin, "outlet", None).await;
    let now = chrono::Utc::now();
    let past = (now - chrono::Duration::days(10)).to_rfc3339();
    let yesterday = (now - chrono::Duration::days(1)).to_rfc3339();
    let tomorrow = (now + chrono::Duration::days(1)).to_rfc3339();
    coupon(
        &app,
        &t,
        json!({ "code": "OLD", "kind": "PERCENTAGE", "value": "10", "startsAt": past, "endsAt": yesterday }),
    )
    .await;
    coupon(&app, &t, json!({ "code": "SOON", "kind": "PERCENTAGE", "value": "10", "startsAt": tomorrow })).await;
    let off = coupon(&app, &t, json!({ "code": "OFF", "kind": "PERCENTAGE", "value": "10", "active": false })).await;
    coupon(&app, &t, json!({ "code": "OUTLET", "kind": "PERCENTAGE", "value": "10", "store": "outlet" })).await;
    let body = app.gql(&t.admin, CAMPAIGN_CREATE, json!({ "input": { "name": "Spring" } })).await;
    let campaign = body["data"]["promotionCampaignCreate"]["campaign"].clone();
    assert_eq!(campaign["status"], "DRAFT", "{body}");
    coupon(&app, &t, json!({ "code": "SPRING", "kind": "PERCENTAGE", "value": "10", "campaignId": campaign["id"] }))
        .await;

    for (code, expected) in [
        ("OLD", "COUPON_EXPIRED"),
        ("SOON", "COUPON_NOT_YET_VALID"),
        ("off", "COUPON_INACTIVE"),
        ("OUTLET", "COUPON_NOT_APPLICABLE"),
        ("SPRING", "COUPON_INACTIVE"),
        ("NOPE", "COUPON_NOT_FOUND"),
    ] {
        let body = order(&app, &t.storefront, &[("TEE-S", 1)], "a@example.com", Some(code)).await;
        assert_eq!(codes(&body, "orderCreate"), [expected], "{code}: {body}");
    }
    assert_eq!(app.sql_count("SELECT count(*) AS n FROM t_promo_c.orders").await, 0, "refusals write nothing");
    assert_eq!(app.sql_count("SELECT sum(reserved)::bigint AS n FROM t_promo_c.inventory").await, 0);

    // Starting the campaign and switching the coupon on make them work; a campaign's
    // window bounds its coupons.
    let update = "mutation($input: PromotionCampaignUpdateInput!) { promotionCampaignUpdate(input: $input) {
        campaign { status endsAt } userErrors { field code } } }";
    let body = app.gql(&t.admin, update, json!({ "input": { "id": campaign["id"], "status": "ACTIVE" } })).await;
    assert_eq!(body["data"]["promotionCampaignUpdate"]["campaign"]["status"], "ACTIVE", "{body}");
    placed(&order(&app, &t.storefront, &[("TEE-S", 1)], "a@example.com", Some("spring")).await);
    let body = app.gql(&t.admin, update, json!({ "input": { "id": campaign["id"], "endsAt": yesterday } })).await;
    assert_eq!(body["data"]["promotionCampaignUpdate"]["userErrors"], json!([]), "{body}");
    let body = order(&app, &t.storefront, &[("TEE-S", 1)], "a@example.com", Some("SPRING")).await;
    assert_eq!(codes(&body, "orderCreate"), ["COUPON_EXPIRED"]);
    let update_coupon = "mutation($input: CouponUpdateInput!) { couponUpdate(input: $input) {
        coupon { active } userErrors { field code } } }";
    let body = app.gql(&t.admin, update_coupon, json!({ "input": { "id": off["id"], "active": true } })).await;
    assert_eq!(body["data"]["couponUpdate"]["coupon"]["active"], true, "{body}");
    placed(&order(&app, &t.storefront, &[("TEE-S", 1)], "a@example.com", Some("OFF")).await);
}

#[tokio::test]
async fn a_per_customer_limit_counts_each_customer_and_holds_under_racing() {
    let app = TestApp::start().await;
    let t = shop(&app, "promo_d").await;
    stock(&app, &t, "TEE-S", 100, None).await;
    coupon(
        &app,
        &t,
        json!({ "code": "ONCE", "kind": "FIXED", "value": "2", "currency": "EUR", "perCustomerLimit": 1 }),
    )
    .await;
    let first = order(&app, &t.storefront, &[("TEE-S", 1)], "ada@example.com", Some("ONCE")).await;
    placed(&first);
    let body = order(&app, &t.storefront, &[("TEE-S", 1)], "ADA@example.com", Some("ONCE")).await;
    assert_eq!(codes(&body, "orderCreate"), ["COUPON_CUSTOMER_LIMIT"], "the email matches in any case: {body}");
    placed(&order(&app, &t.storefront, &[("TEE-S", 1)], "bob@example.com", Some("ONCE")).await);
    // A cancelled order's use no longer counts against the customer.
    let id = placed(&first)["id"].as_str().unwrap().to_owned();
    change(&app, &t.admin, "orderCancel", &id, None).await;
    placed(&order(&app, &t.storefront, &[("TEE-S", 1)], "ada@example.com", Some("ONCE")).await);

    // Ten racing orders of one customer against a limit of two: exactly two win.
    coupon(&app, &t, json!({ "code": "TWICE", "kind": "PERCENTAGE", "value": "5", "perCustomerLimit": 2 })).await;
    let attempts = (0..10).map(|_| order(&app, &t.storefront, &[("TEE-S", 1)], "cy@example.com", Some("TWICE")));
    let bodies = join_all(attempts).await;
    let won = bodies.iter().filter(|b| b["data"]["orderCreate"]["order"].is_object()).count();
    let refused = bodies.iter().filter(|b| codes(b, "orderCreate") == ["COUPON_CUSTOMER_LIMIT"]).count();
    assert_eq!((won, refused), (2, 8));
    assert_eq!(used_count(&app, &t, "TWICE").await, 2);
}

#[tokio::test]
async fn coupons_are_validated_admin_only_and_per_tenant() {
    let app = TestApp::start().await;
    let t = shop(&app, "promo_e").await;
    let other = shop(&app, "promo_f").await;
    let bad = |input: Value| {
        let app = &app;
        let token = t.admin.clone();
        async move {
            let body = app.gql(&token, COUPON_CREATE, json!({ "input": input })).await;
            assert!(body["data"]["couponCreate"]["coupon"].is_null(), "{body}");
            codes(&body, "couponCreate")
        }
    };
    assert_eq!(bad(json!({ "code": "X", "kind": "PERCENTAGE", "value": "150" })).await, ["INVALID"]);
    assert_eq!(bad(json!({ "code": "X", "kind": "FIXED", "value": "5" })).await, ["REQUIRED"]);
    assert_eq!(bad(json!({ "code": "X", "kind": "FIXED", "value": "0.001", "currency": "EUR" })).await, ["INVALID"]);
    assert_eq!(bad(json!({ "code": "no spaces", "kind": "PERCENTAGE", "value": "5" })).await, ["INVALID"]);
    assert_eq!(bad(json!({ "code": "X", "kind": "PERCENTAGE", "value": "5", "usageLimit": 0 })).await, ["INVALID"]);
    assert_eq!(bad(json!({ "code": "X", "kind": "PERCENTAGE", "value": "5", "store": "nope" })).await, ["NOT_FOUND"]);
    let made =
        coupon(&app, &t, json!({ "code": "Welcome", "kind": "PERCENTAGE", "value": "5", "usageLimit": 3 })).await;
    assert_eq!(made["code"], "WELCOME");
    assert_eq!(bad(json!({ "code": "welcome", "kind": "PERCENTAGE", "value": "5" })).await, ["DUPLICATE"]);
    assert_eq!(app.sql_count("SELECT count(*) AS n FROM t_promo_e.coupons").await, 1);

    // A usage limit cannot go below the uses already made.
    placed(&order(&app, &t.storefront, &[("TEE-S", 1)], "a@example.com", Some("WELCOME")).await);
    placed(&order(&app, &t.storefront, &[("TEE-S", 1)], "b@example.com", Some("WELCOME")).await);
    let update = "mutation($input: CouponUpdateInput!) { couponUpdate(input: $input) {
        coupon { usageLimit remainingUses } userErrors { field code } } }";
    let body = app.gql(&t.admin, update, json!({ "input": { "id": made["id"], "usageLimit": 1 } })).await;
    assert_eq!(codes(&body, "couponUpdate"), ["INVALID"], "{body}");
    let body = app.gql(&t.admin, update, json!({ "input": { "id": made["id"], "usageLimit": 10 } })).await;
    assert_eq!(body["data"]["couponUpdate"]["coupon"]["remainingUses"], 8, "{body}");

    // Storefronts can neither manage nor list coupons.
    let body = app
        .gql(&t.storefront, COUPON_CREATE, json!({ "input": { "code": "MINE", "kind": "PERCENTAGE", "value": "90" } }))
        .await;
    assert_eq!(error_code(&body), "FORBIDDEN", "{body}");
    let body = app.gql(&t.storefront, "{ coupons { edges { node { code } } } }", json!({})).await;
    assert_eq!(error_code(&body), "FORBIDDEN", "{body}");

    // Another tenant has its own coupons: this code does not exist there.
    let body = order(&app, &other.storefront, &[("TEE-S", 1)], "a@example.com", Some("WELCOME")).await;
    assert_eq!(codes(&body, "orderCreate"), ["COUPON_NOT_FOUND"]);
    let body = app
        .gql(
            &t.admin,
            "{ coupons(filter: { search: \"elc\" }) { totalCount edges { node { code usedCount } } } }",
            json!({}),
        )
        .await;
    assert_eq!(body["data"]["coupons"]["totalCount"], 1, "{body}");
    assert_eq!(body["data"]["coupons"]["edges"][0]["node"], json!({ "code": "WELCOME", "usedCount": 2 }));
}

#[tokio::test]
async fn a_campaign_reports_redemptions_discount_and_revenue() {
    let app = TestApp::start().await;
    let t = shop(&app, "promo_g").await;
    stock(&app, &t, "TEE-S", 100, None).await;
    let body =
        app.gql(&t.admin, CAMPAIGN_CREATE, json!({ "input": { "name": "Black Friday", "status": "ACTIVE" } })).await;
    let campaign = body["data"]["promotionCampaignCreate"]["campaign"]["id"].clone();
    coupon(&app, &t, json!({ "code": "BF10", "kind": "PERCENTAGE", "value": "10", "campaignId": campaign })).await;
    coupon(
        &app,
        &t,
        json!({ "code": "BF3", "kind": "FIXED", "value": "3", "currency": "EUR", "campaignId": campaign }),
    )
    .await;
    // TEE-S costs 10.00: BF10 on 2 units → 18.00 (−2.00); BF10 on 1 → 9.00 (−1.00);
    // BF3 on 1 → 7.00 (−3.00); a cancelled BF3 order and an order without coupon do not count.
    let a = order(&app, &t.storefront, &[("TEE-S", 2)], "a@example.com", Some("BF10")).await;
    placed(&order(&app, &t.storefront, &[("TEE-S", 1)], "b@example.com", Some("BF10")).await);
    placed(&order(&app, &t.storefront, &[("TEE-S", 1)], "c@example.com", Some("BF3")).await);
    let cancelled = order(&app, &t.storefront, &[("TEE-S", 1)], "d@example.com", Some("BF3")).await;
    placed(&order(&app, &t.storefront, &[("TEE-S", 5)], "e@example.com", None).await);
    let id = placed(&cancelled)["id"].as_str().unwrap().to_owned();
    change(&app, &t.admin, "orderCancel", &id, None).await;
    // Order a is paid and 4.50 of it refunded: revenue counts 18.00 − 4.50.
    let a = placed(&a)["id"].as_str().unwrap().to_owned();
    let body = pay(&app, &t.admin, &a, "18.00", "pi_a").await;
    assert_eq!(body["data"]["paymentCreate"]["order"]["status"], "PAID", "{body}");
    refund(&app, &t.admin, &a, "4.50").await;

    let query = "query($id: ID!) { promotionCampaign(id: $id) { name status
        figures { redemptions byCurrency { currency redemptions discountGiven { amount } revenue { amount } } }
        coupons { totalCount edges { node { code usedCount } } } } }";
    let body = app.gql(&t.admin, query, json!({ "id": campaign })).await;
    let c = &body["data"]["promotionCampaign"];
    assert_eq!(c["figures"]["redemptions"], 3, "{body}");
    assert_eq!(
        c["figures"]["byCurrency"],
        json!([{ "currency": "EUR", "redemptions": 3, "discountGiven": { "amount": "6.00" },
                 "revenue": { "amount": "29.50" } }])
    );
    assert_eq!(c["coupons"]["totalCount"], 2);
    let mut used: Vec<(String, i64)> = c["coupons"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["node"]["code"].as_str().unwrap().to_owned(), e["node"]["usedCount"].as_i64().unwrap()))
        .collect();
    used.sort();
    assert_eq!(used, [("BF10".to_owned(), 2), ("BF3".to_owned(), 1)]);
    let body = app
        .gql(&t.admin, "{ promotionCampaigns(status: ACTIVE) { totalCount edges { node { name } } } }", json!({}))
        .await;
    assert_eq!(body["data"]["promotionCampaigns"]["totalCount"], 1, "{body}");
}
