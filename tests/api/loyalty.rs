//! Loyalty: accrual when an order is paid (floor of the total at the program's rate), tiers,
//! proportional reversal on refunds, cancellation, clamped reversals, staff adjustments, the
//! ledger invariant after a concurrent burst, redemption through the API `orderCreate`
//! uses, customer tokens and the storefront's own account — through HTTP against a real
//! PostgreSQL.

use diesel_async::AsyncConnection;
use futures_util::future::join_all;
use serde_json::{Value, json};
use storegraph::db::{TenantSchema, tenant_connection};
use storegraph::graphql::MutationError;
use storegraph::loyalty::{RedemptionQuote, quote_redemption, redeem};
use storegraph::tenancy::Slug;

use crate::fixtures::{
    ADJUST, ORDER_CREATE, OrderBuilder, PROGRAM_SET, ProductBuilder, ShopBuilder, as_staff, cancel, capture, customer,
    pairs, program, refund_ok,
};
use crate::harness::{TestApp, TestTenant, error_code};

const ACCOUNT: &str = "query($c: ID!, $s: ID) { loyaltyAccount(customerId: $c, storeId: $s) {
    id balance lifetimePoints tier { name } nextTier { name minLifetimePoints } store { code }
    transactions(first: 100) { edges { node { kind points unrecoveredPoints reason actor order { number } } } } } }";

const TOKEN_CREATE: &str = "mutation($input: CustomerTokenCreateInput!) { customerTokenCreate(input: $input) {
    token expiresAt userErrors { field code message } } }";

const MY_ACCOUNT: &str = "query($store: String) { myLoyaltyAccount(store: $store) { balance tier { name }
    transactions { edges { node { kind points } } } } }";

/// A tenant with store `web` (EUR) and an active product MUG at 12.99, 1000 in stock.
async fn shop(app: &TestApp, slug: &str) -> TestTenant {
    ShopBuilder::new(slug)
        .store("web")
        .product(ProductBuilder::new("mug").name("Mug").price("12.99").variant("MUG").stock(1000))
        .create(app)
        .await
}

/// Places (admin) an order of `quantity` mugs in store `web` for `customer` (a guest
/// without one); returns its id and total.
async fn order(app: &TestApp, t: &TestTenant, customer: Option<&str>, quantity: i32) -> (String, String) {
    let order = OrderBuilder::new().item("MUG", quantity);
    let order = match customer {
        Some(id) => order.customer(id),
        None => order.email("guest@example.com"),
    };
    let placed = order.create(app, &t.admin).await;
    (placed.id, placed.total)
}

/// The customer's account (without a store) as an admin reads it.
async fn account(app: &TestApp, t: &TestTenant, customer: &str) -> Value {
    let body = app.gql(&t.admin, ACCOUNT, json!({ "c": customer })).await;
    assert!(body["errors"].is_null(), "{body}");
    body["data"]["loyaltyAccount"].clone()
}

/// `(kind, points, unrecoveredPoints)` of an account's ledger, newest first.
fn ledger(account: &Value) -> Vec<(String, i64, i64)> {
    account["transactions"]["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("no ledger in {account}"))
        .iter()
        .map(|e| {
            let n = &e["node"];
            (
                n["kind"].as_str().unwrap().to_owned(),
                n["points"].as_i64().unwrap(),
                n["unrecoveredPoints"].as_i64().unwrap(),
            )
        })
        .collect()
}

fn entry(kind: &str, points: i64, unrecovered: i64) -> (String, i64, i64) {
    (kind.to_owned(), points, unrecovered)
}

async fn adjust(app: &TestApp, t: &TestTenant, customer: &str, points: i64, reason: &str) -> Value {
    let input = json!({ "input": { "customerId": customer, "points": points, "reason": reason } });
    as_staff(app, t, "alice", ADJUST, input).await["data"]["loyaltyAdjust"].clone()
}

fn codes(payload: &Value) -> Vec<(String, String)> {
    payload["userErrors"]
        .as_array()
        .unwrap_or_else(|| panic!("no userErrors in {payload}"))
        .iter()
        .map(|e| {
            (
                e["field"].as_array().unwrap().last().unwrap().as_str().unwrap().to_owned(),
                e["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// Accounts whose balance is not the sum of their ledger, or is negative (SQL).
async fn broken_accounts(app: &TestApp, slug: &str) -> i64 {
    app.sql_count(&format!(
        "SELECT count(*) AS n FROM t_{slug}.loyalty_accounts a WHERE a.balance < 0 OR a.balance <> \
         (SELECT COALESCE(sum(t.points), 0) FROM t_{slug}.loyalty_transactions t WHERE t.account_id = a.id)"
    ))
    .await
}

#[tokio::test]
async fn a_paid_order_accrues_the_floor_of_its_total_and_a_pending_one_nothing() {
    let app = TestApp::start().await;
    let t = shop(&app, "loy_a").await;
    program(&app, &t, true, "1.5", "0.01", &[]).await;
    let ada = customer(&app, &t, "ada@example.com").await;

    // 2 × 12.99 = 25.98; × 1.5 = 38.97 → 38 points, once paid in full.
    let (id, total) = order(&app, &t, Some(&ada), 2).await;
    assert_eq!(total, "25.98");
    assert!(account(&app, &t, &ada).await.is_null(), "nothing while pending");
    assert_eq!(capture(&app, &t, &id, "10.00").await["order"]["status"], "PENDING");
    assert!(account(&app, &t, &ada).await.is_null(), "nothing while partly paid");
    assert_eq!(capture(&app, &t, &id, "15.98").await["order"]["status"], "PAID");
    let acc = account(&app, &t, &ada).await;
    assert_eq!((acc["balance"].as_i64(), acc["lifetimePoints"].as_i64()), (Some(38), Some(38)), "{acc}");
    assert_eq!(ledger(&acc), [entry("ACCRUAL", 38, 0)]);
    let node = &acc["transactions"]["edges"][0]["node"];
    assert_eq!(node["order"]["number"], "1001");
    assert_eq!(node["actor"], "admin");

    // One mug: 19.485 → 19. A second paid order adds to the same account.
    let (id, _) = order(&app, &t, Some(&ada), 1).await;
    capture(&app, &t, &id, "12.99").await;
    let acc = account(&app, &t, &ada).await;
    assert_eq!(acc["balance"], 57);
    assert_eq!(ledger(&acc), [entry("ACCRUAL", 19, 0), entry("ACCRUAL", 38, 0)], "newest first");

    // A guest order earns nobody anything.
    let (id, _) = order(&app, &t, None, 3).await;
    capture(&app, &t, &id, "38.97").await;
    assert_eq!(app.sql_count("SELECT count(*) AS n FROM t_loy_a.loyalty_accounts").await, 1);
    assert_eq!(app.sql_count("SELECT count(*) AS n FROM t_loy_a.loyalty_transactions").await, 2);
    assert_eq!(broken_accounts(&app, "loy_a").await, 0);
}

#[tokio::test]
async fn no_program_or_an_inactive_one_accrues_nothing() {
    let app = TestApp::start().await;
    let t = shop(&app, "loy_b").await;
    let ada = customer(&app, &t, "ada@example.com").await;
    let (id, _) = order(&app, &t, Some(&ada), 1).await;
    capture(&app, &t, &id, "12.99").await;
    program(&app, &t, false, "1", "0.01", &[]).await;
    let (id, _) = order(&app, &t, Some(&ada), 1).await;
    capture(&app, &t, &id, "12.99").await;
    assert!(account(&app, &t, &ada).await.is_null());
    assert_eq!(app.sql_count("SELECT count(*) AS n FROM t_loy_b.loyalty_transactions").await, 0);

    // Switched on, the next paid order accrues (12.99 × 1 → 12).
    program(&app, &t, true, "1", "0.01", &[]).await;
    let (id, _) = order(&app, &t, Some(&ada), 1).await;
    capture(&app, &t, &id, "12.99").await;
    assert_eq!(account(&app, &t, &ada).await["balance"], 12);
}

#[tokio::test]
async fn tiers_follow_lifetime_points_and_new_thresholds_retier_everyone() {
    let app = TestApp::start().await;
    let t = shop(&app, "loy_c").await;
    program(&app, &t, true, "1.5", "0.01", &[("Gold", 50), ("Bronze", 0), ("Silver", 20)]).await;
    let ada = customer(&app, &t, "ada@example.com").await;
    let bob = customer(&app, &t, "bob@example.com").await;

    let (id, _) = order(&app, &t, Some(&ada), 1).await;
    capture(&app, &t, &id, "12.99").await;
    let acc = account(&app, &t, &ada).await;
    assert_eq!((acc["lifetimePoints"].as_i64(), &acc["tier"]["name"]), (Some(19), &json!("Bronze")), "{acc}");
    assert_eq!(acc["nextTier"], json!({ "name": "Silver", "minLifetimePoints": 20 }));

    // Crossing 20 with the second order: 19 + 19 = 38.
    let (id, _) = order(&app, &t, Some(&ada), 1).await;
    capture(&app, &t, &id, "12.99").await;
    let acc = account(&app, &t, &ada).await;
    assert_eq!((acc["lifetimePoints"].as_i64(), &acc["tier"]["name"]), (Some(38), &json!("Silver")), "{acc}");
    assert_eq!(acc["nextTier"]["name"], "Gold");

    // Adjustments move the balance, not the lifetime points or the tier.
    let payload = adjust(&app, &t, &ada, 500, "goodwill").await;
    assert_eq!(payload["account"], json!({ "balance": 538, "lifetimePoints": 38 }), "{payload}");
    assert_eq!(account(&app, &t, &ada).await["tier"]["name"], "Silver");
    adjust(&app, &t, &bob, 5, "welcome").await;
    assert_eq!(account(&app, &t, &bob).await["tier"]["name"], "Bronze");

    let by_tier =
        "query($tier: String, $min: Int) { loyaltyAccounts(first: 10, filter: { tier: $tier, minBalance: $min }) {
        totalCount edges { node { balance customer { email } } } } }";
    let count =
        |body: Value| body["data"]["loyaltyAccounts"]["totalCount"].as_i64().unwrap_or_else(|| panic!("{body}"));
    assert_eq!(count(app.gql(&t.admin, by_tier, json!({ "tier": "silver" })).await), 1);
    assert_eq!(count(app.gql(&t.admin, by_tier, json!({ "tier": "Gold" })).await), 0);
    assert_eq!(count(app.gql(&t.admin, by_tier, json!({ "tier": "Bronze" })).await), 1);
    assert_eq!(count(app.gql(&t.admin, by_tier, json!({ "tier": "Platinum" })).await), 0);
    assert_eq!(count(app.gql(&t.admin, by_tier, json!({ "min": 100 })).await), 1);
    assert_eq!(count(app.gql(&t.admin, by_tier, json!({})).await), 2);

    // Lower thresholds: Ada is Gold at once, without any move of her account.
    program(&app, &t, true, "1.5", "0.01", &[("Bronze", 0), ("Silver", 10), ("Gold", 30)]).await;
    let acc = account(&app, &t, &ada).await;
    assert_eq!(acc["tier"]["name"], "Gold");
    assert!(acc["nextTier"].is_null());
    let body = app.gql(&t.admin, by_tier, json!({ "tier": "GOLD" })).await;
    assert_eq!(body["data"]["loyaltyAccounts"]["edges"][0]["node"]["customer"]["email"], "ada@example.com", "{body}");
}

#[tokio::test]
async fn refunds_reverse_in_proportion_and_a_full_refund_nets_to_zero() {
    let app = TestApp::start().await;
    let t = shop(&app, "loy_d").await;
    program(&app, &t, true, "1.5", "0.01", &[]).await;
    let ada = customer(&app, &t, "ada@example.com").await;
    let (id, _) = order(&app, &t, Some(&ada), 2).await;
    capture(&app, &t, &id, "25.98").await;
    assert_eq!(account(&app, &t, &ada).await["balance"], 38);

    // 20.98 kept: 31.47 → 31, so 7 of the 38 go back.
    assert_eq!(refund_ok(&app, &t, &id, "5.00").await["order"]["status"], "PARTIALLY_REFUNDED");
    let acc = account(&app, &t, &ada).await;
    assert_eq!((acc["balance"].as_i64(), acc["lifetimePoints"].as_i64()), (Some(31), Some(31)), "{acc}");
    assert_eq!(ledger(&acc)[0], entry("REVERSAL", -7, 0));
    assert_eq!(acc["transactions"]["edges"][0]["node"]["reason"], "order refunded");

    // 0.01 kept: 0.015 → 0, so the other 31 go back.
    refund_ok(&app, &t, &id, "20.97").await;
    assert_eq!(account(&app, &t, &ada).await["balance"], 0);
    // The last cent changes nothing more: the accrual is fully reversed already.
    assert_eq!(refund_ok(&app, &t, &id, "0.01").await["order"]["status"], "REFUNDED");
    let acc = account(&app, &t, &ada).await;
    assert_eq!((acc["balance"].as_i64(), acc["lifetimePoints"].as_i64()), (Some(0), Some(0)), "{acc}");
    assert_eq!(ledger(&acc), [entry("REVERSAL", -31, 0), entry("REVERSAL", -7, 0), entry("ACCRUAL", 38, 0)]);
    assert_eq!(broken_accounts(&app, "loy_d").await, 0);
}

#[tokio::test]
async fn cancelling_a_paid_order_reverses_its_accrual_once() {
    let app = TestApp::start().await;
    let t = shop(&app, "loy_e").await;
    program(&app, &t, true, "1.5", "0.01", &[]).await;
    let ada = customer(&app, &t, "ada@example.com").await;
    adjust(&app, &t, &ada, 10, "welcome").await;
    let (id, _) = order(&app, &t, Some(&ada), 1).await;
    capture(&app, &t, &id, "12.99").await;
    assert_eq!(account(&app, &t, &ada).await["balance"], 29);
    cancel(&app, &t, &id).await;
    let acc = account(&app, &t, &ada).await;
    assert_eq!((acc["balance"].as_i64(), acc["lifetimePoints"].as_i64()), (Some(10), Some(0)), "{acc}");
    assert_eq!(ledger(&acc)[0], entry("REVERSAL", -19, 0));
    assert_eq!(acc["transactions"]["edges"][0]["node"]["reason"], "order cancelled");
    // Refunding the cancelled order's money moves no points again.
    refund_ok(&app, &t, &id, "12.99").await;
    assert_eq!(account(&app, &t, &ada).await["balance"], 10);
    assert_eq!(app.sql_count("SELECT count(*) AS n FROM t_loy_e.loyalty_transactions").await, 3);
}

#[tokio::test]
async fn a_reversal_the_balance_cannot_cover_takes_what_is_there_and_records_the_rest() {
    let app = TestApp::start().await;
    let t = shop(&app, "loy_f").await;
    program(&app, &t, true, "1.5", "0.01", &[]).await;
    let ada = customer(&app, &t, "ada@example.com").await;
    let (id, _) = order(&app, &t, Some(&ada), 2).await;
    capture(&app, &t, &id, "25.98").await;
    // She spends 30 of her 38 points.
    adjust(&app, &t, &ada, -30, "spent in the shop").await;
    refund_ok(&app, &t, &id, "25.98").await;
    let acc = account(&app, &t, &ada).await;
    assert_eq!((acc["balance"].as_i64(), acc["lifetimePoints"].as_i64()), (Some(0), Some(0)), "{acc}");
    assert_eq!(ledger(&acc)[0], entry("REVERSAL", -8, 30));
    assert_eq!(broken_accounts(&app, "loy_f").await, 0);

    // With nothing left at all, the reversal takes 0 and records it all.
    let (id, _) = order(&app, &t, Some(&ada), 1).await;
    capture(&app, &t, &id, "12.99").await;
    adjust(&app, &t, &ada, -19, "spent again").await;
    cancel(&app, &t, &id).await;
    let acc = account(&app, &t, &ada).await;
    assert_eq!(acc["balance"], 0);
    assert_eq!(ledger(&acc)[0], entry("REVERSAL", 0, 19));
    assert_eq!(broken_accounts(&app, "loy_f").await, 0);
}

#[tokio::test]
async fn adjustments_need_a_staff_member_and_a_reason_and_never_go_below_zero() {
    let app = TestApp::start().await;
    let t = shop(&app, "loy_g").await;
    let ada = customer(&app, &t, "ada@example.com").await;
    let input =
        |points: i64, reason: &str| json!({ "input": { "customerId": ada, "points": points, "reason": reason } });

    let body = app.gql(&t.admin, ADJUST, input(10, "goodwill")).await;
    assert_eq!(codes(&body["data"]["loyaltyAdjust"]), pairs(&[("staffId", "STAFF_REQUIRED")]), "{body}");
    let body = app.gql(&t.storefront, ADJUST, input(10, "goodwill")).await;
    assert_eq!(error_code(&body), "FORBIDDEN");
    let body = as_staff(&app, &t, "alice", ADJUST, input(0, "  ")).await;
    assert_eq!(codes(&body["data"]["loyaltyAdjust"]), pairs(&[("points", "INVALID"), ("reason", "REQUIRED")]));
    let body = as_staff(&app, &t, "alice", ADJUST, input(-5, "oops")).await;
    assert_eq!(codes(&body["data"]["loyaltyAdjust"]), pairs(&[("points", "INSUFFICIENT_POINTS")]));
    assert_eq!(
        app.sql_count("SELECT count(*) AS n FROM t_loy_g.loyalty_accounts").await,
        0,
        "a refusal writes nothing"
    );
    let unknown = json!({ "input": { "customerId": uuid::Uuid::new_v4(), "points": 5, "reason": "x" } });
    let body = as_staff(&app, &t, "alice", ADJUST, unknown).await;
    assert_eq!(codes(&body["data"]["loyaltyAdjust"]), pairs(&[("customerId", "NOT_FOUND")]));
    let store = json!({ "input": { "customerId": ada, "storeId": uuid::Uuid::new_v4(), "points": 5, "reason": "x" } });
    let body = as_staff(&app, &t, "alice", ADJUST, store).await;
    assert_eq!(codes(&body["data"]["loyaltyAdjust"]), pairs(&[("storeId", "INVALID")]), "accounts are not per store");

    let payload = adjust(&app, &t, &ada, 10, " goodwill ").await;
    assert_eq!(
        payload["transaction"],
        json!({ "kind": "ADJUSTMENT", "points": 10, "reason": "goodwill", "actor": "staff:alice" })
    );
    let payload = adjust(&app, &t, &ada, -11, "too much").await;
    assert_eq!(codes(&payload), pairs(&[("points", "INSUFFICIENT_POINTS")]));
    let payload = adjust(&app, &t, &ada, -10, "all of it").await;
    assert_eq!(payload["account"], json!({ "balance": 0, "lifetimePoints": 0 }));
    assert_eq!(ledger(&account(&app, &t, &ada).await), [entry("ADJUSTMENT", -10, 0), entry("ADJUSTMENT", 10, 0)]);
    assert_eq!(broken_accounts(&app, "loy_g").await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_concurrent_burst_keeps_the_balance_equal_to_the_ledger() {
    let app = TestApp::start().await;
    let t = shop(&app, "loy_h").await;
    // 12.99 × 0.5 = 6.495 → 6 points per paid order.
    program(&app, &t, true, "0.5", "0.01", &[]).await;
    let ada = customer(&app, &t, "ada@example.com").await;
    adjust(&app, &t, &ada, 100, "opening balance").await;
    let mut orders = Vec::new();
    for _ in 0..5 {
        orders.push(order(&app, &t, Some(&ada), 1).await.0);
    }

    // 25 debits of 50, 15 credits of 1 and 5 payments accruing 6 each, all at once. The
    // balance is 100 before and at most 100 + 15 + 30 = 145 at any time, so exactly two
    // debits fit however the requests interleave.
    let debits = (0..25).map(|_| adjust(&app, &t, &ada, -50, "burst debit"));
    let credits = (0..15).map(|_| adjust(&app, &t, &ada, 1, "burst credit"));
    let (debits, credits, paid) = tokio::join!(
        join_all(debits),
        join_all(credits),
        join_all(orders.iter().map(|id| capture(&app, &t, id, "12.99")))
    );
    let accepted = debits.iter().filter(|p| p["userErrors"] == json!([])).count();
    let refused: Vec<_> = debits.iter().filter(|p| p["userErrors"] != json!([])).collect();
    assert_eq!(accepted, 2, "{debits:?}");
    assert_eq!(refused.len(), 23);
    assert!(refused.iter().all(|p| codes(p) == pairs(&[("points", "INSUFFICIENT_POINTS")])), "{refused:?}");
    assert!(credits.iter().all(|p| p["userErrors"] == json!([])), "{credits:?}");
    assert!(paid.iter().all(|p| p["order"]["status"] == "PAID"), "{paid:?}");

    let acc = account(&app, &t, &ada).await;
    assert_eq!(acc["balance"], 45, "100 − 2 × 50 + 15 × 1 + 5 × 6: {acc}");
    assert_eq!(acc["lifetimePoints"], 30);
    let rows = ledger(&acc);
    assert_eq!(rows.len(), 1 + 2 + 15 + 5, "refused debits leave no ledger row");
    assert_eq!(rows.iter().map(|r| r.1).sum::<i64>(), acc["balance"].as_i64().unwrap());
    assert_eq!(broken_accounts(&app, "loy_h").await, 0);
    assert_eq!(
        app.sql_count("SELECT COALESCE(sum(points), 0)::bigint AS n FROM t_loy_h.loyalty_transactions").await,
        45
    );
}

/// Quotes and books a redemption of `points` for `order` in one transaction, as
/// `orderCreate` will.
async fn redeem_on(
    app: &TestApp,
    slug: &str,
    customer: &str,
    order: &str,
    points: i64,
) -> Result<RedemptionQuote, MutationError> {
    let schema = TenantSchema::for_slug(&Slug::parse(slug).unwrap());
    let mut conn = tenant_connection(&app.db.pool, &schema).await.unwrap();
    let customer = uuid::Uuid::parse_str(customer).unwrap();
    let order = uuid::Uuid::parse_str(order).unwrap();
    conn.transaction::<_, MutationError, _>(async |conn| {
        let quote = quote_redemption(conn, customer, None, points, "EUR").await?;
        redeem(conn, &quote, order, "storefront").await?;
        Ok(quote)
    })
    .await
}

fn refusal(result: Result<RedemptionQuote, MutationError>) -> (String, String) {
    match result {
        Err(MutationError::User(errors)) => {
            let e = &errors[0];
            (e.field.join("."), format!("{:?}", e.code))
        }
        other => panic!("expected a userError, got {other:?}"),
    }
}

#[tokio::test]
async fn redemptions_are_checked_booked_and_given_back_on_cancel_or_full_refund() {
    let app = TestApp::start().await;
    let t = shop(&app, "loy_i").await;
    let ada = customer(&app, &t, "ada@example.com").await;
    let (first, _) = order(&app, &t, Some(&ada), 1).await;

    assert_eq!(refusal(redeem_on(&app, "loy_i", &ada, &first, 10).await).1, "LoyaltyDisabled");
    program(&app, &t, true, "1", "0.0125", &[]).await;
    assert_eq!(
        refusal(redeem_on(&app, "loy_i", &ada, &first, 0).await),
        ("input.loyaltyPoints".into(), "Invalid".into())
    );
    assert_eq!(refusal(redeem_on(&app, "loy_i", &ada, &first, 10).await).1, "InsufficientPoints", "no account: 0");
    adjust(&app, &t, &ada, 100, "opening balance").await;
    assert_eq!(refusal(redeem_on(&app, "loy_i", &ada, &first, 101).await).1, "InsufficientPoints");

    // 30 × 0.0125 = 0.375 → 0.38 EUR.
    let quote = redeem_on(&app, "loy_i", &ada, &first, 30).await.unwrap();
    assert_eq!((quote.points, quote.value.to_string()), (30, "0.38".to_owned()));
    assert_eq!(account(&app, &t, &ada).await["balance"], 70);
    // A cancelled order gives its points back.
    cancel(&app, &t, &first).await;
    let acc = account(&app, &t, &ada).await;
    assert_eq!(acc["balance"], 100);
    assert_eq!(ledger(&acc)[..2], [entry("REVERSAL", 30, 0), entry("REDEMPTION", -30, 0)]);

    // Paid (12.99 → 12 points), partly refunded (redeemed points stay spent; 7.99 kept → 7),
    // then refunded in full (the 40 come back, the rest of the accrual goes).
    let (second, _) = order(&app, &t, Some(&ada), 1).await;
    redeem_on(&app, "loy_i", &ada, &second, 40).await.unwrap();
    capture(&app, &t, &second, "12.99").await;
    assert_eq!(account(&app, &t, &ada).await["balance"], 100 - 40 + 12);
    refund_ok(&app, &t, &second, "5.00").await;
    assert_eq!(account(&app, &t, &ada).await["balance"], 72 - 5);
    refund_ok(&app, &t, &second, "7.99").await;
    let acc = account(&app, &t, &ada).await;
    assert_eq!((acc["balance"].as_i64(), acc["lifetimePoints"].as_i64()), (Some(100), Some(0)), "{acc}");
    assert_eq!(ledger(&acc)[..2], [entry("REVERSAL", -7, 0), entry("REVERSAL", 40, 0)]);

    // Five orders race for 30 points each out of 100: three get them.
    let mut racing = Vec::new();
    for _ in 0..5 {
        racing.push(order(&app, &t, Some(&ada), 1).await.0);
    }
    let results = join_all(racing.iter().map(|o| redeem_on(&app, "loy_i", &ada, o, 30))).await;
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 3);
    for result in results.into_iter().filter(Result::is_err) {
        assert_eq!(refusal(result).1, "InsufficientPoints");
    }
    assert_eq!(account(&app, &t, &ada).await["balance"], 10);
    assert_eq!(broken_accounts(&app, "loy_i").await, 0);
}

/// A customer token for `customer`, made by an admin.
async fn token_for(app: &TestApp, t: &TestTenant, customer: &str) -> String {
    let body = app.gql(&t.admin, TOKEN_CREATE, json!({ "input": { "customerId": customer } })).await;
    let payload = &body["data"]["customerTokenCreate"];
    assert_eq!(payload["userErrors"], json!([]), "{body}");
    payload["token"].as_str().unwrap().to_owned()
}

/// `query` sent with the tenant's storefront key and, when given, `X-Customer-Token`.
async fn as_shopper(app: &TestApp, t: &TestTenant, token: Option<&str>, query: &str) -> Value {
    let storefront = format!("Bearer {}", t.storefront);
    let mut headers = vec![("authorization", storefront.as_str())];
    headers.extend(token.map(|token| ("x-customer-token", token)));
    app.post(&headers, query, json!({})).await.1
}

/// A tenant with a program of one tier and Ada, who holds 10 points.
async fn member(app: &TestApp, slug: &str) -> (TestTenant, String) {
    let t = shop(app, slug).await;
    program(app, &t, true, "1", "0.01", &[("Member", 0)]).await;
    let ada = customer(app, &t, "ada@example.com").await;
    adjust(app, &t, &ada, 10, "welcome").await;
    (t, ada)
}

#[tokio::test]
async fn customer_tokens_are_kept_only_as_hashes() {
    let app = TestApp::start().await;
    let (t, ada) = member(&app, "loy_j").await;
    let token = token_for(&app, &t, &ada).await;
    assert!(token.starts_with("sgc_") && token.len() >= 40);
    let stored =
        format!("SELECT count(*) AS n FROM t_loy_j.customer_tokens WHERE token_hash = sha256('{token}'::bytea)");
    assert_eq!(app.sql_count(&stored).await, 1, "only the hash is kept");
    let plain =
        format!("SELECT count(*) AS n FROM t_loy_j.customer_tokens WHERE position('{token}'::bytea in token_hash) > 0");
    assert_eq!(app.sql_count(&plain).await, 0);
}

#[tokio::test]
async fn a_storefront_reads_only_the_signed_in_customers_account() {
    let app = TestApp::start().await;
    let (t, ada) = member(&app, "loy_l").await;
    let bob = customer(&app, &t, "bob@example.com").await;
    adjust(&app, &t, &bob, 20, "welcome").await;
    let token = token_for(&app, &t, &ada).await;
    let body = as_shopper(&app, &t, Some(&token), MY_ACCOUNT).await;
    assert_eq!(
        body["data"]["myLoyaltyAccount"],
        json!({ "balance": 10, "tier": { "name": "Member" },
                "transactions": { "edges": [{ "node": { "kind": "ADJUSTMENT", "points": 10 } }] } }),
        "{body}"
    );
    // Who she is and who adjusted her points stay admin-only.
    let body = as_shopper(&app, &t, Some(&token), "{ myLoyaltyAccount { customer { email } } }").await;
    assert_eq!(error_code(&body), "FORBIDDEN");
    let actor = "{ myLoyaltyAccount { transactions { edges { node { actor } } } } }";
    assert_eq!(error_code(&as_shopper(&app, &t, Some(&token), actor).await), "FORBIDDEN");
    // Nor can a storefront name another customer.
    let other = format!("{{ loyaltyAccount(customerId: \"{bob}\") {{ balance }} }}");
    assert_eq!(error_code(&as_shopper(&app, &t, Some(&token), &other).await), "FORBIDDEN");
}

#[tokio::test]
async fn a_signed_in_customer_without_an_account_reads_null() {
    let app = TestApp::start().await;
    let (t, _) = member(&app, "loy_m").await;
    let dan = customer(&app, &t, "dan@example.com").await;
    let token = token_for(&app, &t, &dan).await;
    let body = as_shopper(&app, &t, Some(&token), MY_ACCOUNT).await;
    assert!(body["errors"].is_null() && body["data"]["myLoyaltyAccount"].is_null(), "{body}");
}

#[tokio::test]
async fn missing_unknown_foreign_and_api_key_tokens_are_unauthenticated() {
    let app = TestApp::start().await;
    let (t, _) = member(&app, "loy_n").await;
    for token in [None, Some("sgc_nope"), Some("not a token at all"), Some(t.storefront.as_str())] {
        assert_eq!(error_code(&as_shopper(&app, &t, token, MY_ACCOUNT).await), "UNAUTHENTICATED", "{token:?}");
    }
    // A token of another tenant's customer means nothing here.
    let other = shop(&app, "loy_k").await;
    let carol = customer(&app, &other, "carol@example.com").await;
    let foreign = token_for(&app, &other, &carol).await;
    assert_eq!(error_code(&as_shopper(&app, &t, Some(&foreign), MY_ACCOUNT).await), "UNAUTHENTICATED");
}

#[tokio::test]
async fn an_admin_token_refuses_the_customer_header_and_reads_any_account() {
    let app = TestApp::start().await;
    let (t, ada) = member(&app, "loy_o").await;
    let token = token_for(&app, &t, &ada).await;
    let auth = format!("Bearer {}", t.admin);
    let (_, body) = app.post(&[("authorization", &auth), ("x-customer-token", &token)], MY_ACCOUNT, json!({})).await;
    assert_eq!(error_code(&body), "FORBIDDEN");
    assert_eq!(account(&app, &t, &ada).await["balance"], 10);
    let body = app
        .gql(&t.admin, "query($id: ID!) { customer(id: $id) { loyaltyAccounts { balance } } }", json!({ "id": ada }))
        .await;
    assert_eq!(body["data"]["customer"]["loyaltyAccounts"], json!([{ "balance": 10 }]), "{body}");
}

#[tokio::test]
async fn expired_and_revoked_tokens_are_refused() {
    let app = TestApp::start().await;
    let (t, ada) = member(&app, "loy_p").await;
    let token = token_for(&app, &t, &ada).await;
    let expire = format!(
        "WITH e AS (UPDATE t_loy_p.customer_tokens SET expires_at = now() - interval '1 second' \
         WHERE token_hash = sha256('{token}'::bytea) RETURNING 1) SELECT count(*) AS n FROM e"
    );
    assert_eq!(app.sql_count(&expire).await, 1);
    assert_eq!(error_code(&as_shopper(&app, &t, Some(&token), MY_ACCOUNT).await), "UNAUTHENTICATED", "expired");
    let body = app.gql(&t.admin, TOKEN_CREATE, json!({ "input": { "customerId": ada, "expiresInMinutes": 5 } })).await;
    let fresh = body["data"]["customerTokenCreate"]["token"].as_str().unwrap().to_owned();
    assert_eq!(as_shopper(&app, &t, Some(&fresh), MY_ACCOUNT).await["data"]["myLoyaltyAccount"]["balance"], 10);
    let revoke = "mutation($input: CustomerTokenRevokeInput!) { customerTokenRevoke(input: $input) { revokedAt userErrors { field code } } }";
    let body = app.gql(&t.admin, revoke, json!({ "input": { "token": fresh } })).await;
    assert!(body["data"]["customerTokenRevoke"]["revokedAt"].is_string(), "{body}");
    assert_eq!(error_code(&as_shopper(&app, &t, Some(&fresh), MY_ACCOUNT).await), "UNAUTHENTICATED", "revoked");
    let body = app.gql(&t.admin, revoke, json!({ "input": { "token": "sgc_unknown" } })).await;
    assert_eq!(
        body["data"]["customerTokenRevoke"]["userErrors"],
        json!([{ "field": ["input", "token"], "code": "NOT_FOUND" }])
    );
}

#[tokio::test]
async fn anonymizing_a_customer_revokes_their_tokens_and_refuses_new_ones() {
    let app = TestApp::start().await;
    let (t, ada) = member(&app, "loy_q").await;
    let live = token_for(&app, &t, &ada).await;
    let anonymize =
        "mutation($input: CustomerAnonymizeInput!) { customerAnonymize(input: $input) { userErrors { code } } }";
    let body = app.gql(&t.admin, anonymize, json!({ "input": { "id": ada, "reason": "erasure request" } })).await;
    assert_eq!(body["data"]["customerAnonymize"]["userErrors"], json!([]), "{body}");
    assert_eq!(error_code(&as_shopper(&app, &t, Some(&live), MY_ACCOUNT).await), "UNAUTHENTICATED", "anonymized");
    let body = app.gql(&t.admin, TOKEN_CREATE, json!({ "input": { "customerId": ada } })).await;
    assert_eq!(codes(&body["data"]["customerTokenCreate"]), pairs(&[("customerId", "CUSTOMER_ANONYMIZED")]));
}

#[tokio::test]
async fn token_lifetimes_are_checked_and_only_admins_make_tokens() {
    let app = TestApp::start().await;
    let (t, ada) = member(&app, "loy_r").await;
    for minutes in [0, 43201] {
        let input = json!({ "input": { "customerId": ada, "expiresInMinutes": minutes } });
        let body = app.gql(&t.admin, TOKEN_CREATE, input).await;
        assert_eq!(codes(&body["data"]["customerTokenCreate"]), pairs(&[("expiresInMinutes", "INVALID")]), "{minutes}");
    }
    let body = app.gql(&t.storefront, TOKEN_CREATE, json!({ "input": { "customerId": ada } })).await;
    assert_eq!(error_code(&body), "FORBIDDEN");
}

#[tokio::test]
async fn accounts_per_store_keep_one_account_per_customer_and_store() {
    let app = TestApp::start().await;
    let t = shop(&app, "loy_l").await;
    let outlet = app.store(&t.admin, "outlet", None).await;
    let body = app
        .gql(
            &t.admin,
            PROGRAM_SET,
            json!({ "input": { "active": true, "pointsPerUnit": "1", "pointValue": "0.01", "accountsPerStore": true } }),
        )
        .await;
    assert_eq!(body["data"]["loyaltyProgramSet"]["program"]["accountsPerStore"], true, "{body}");
    let ada = customer(&app, &t, "ada@example.com").await;
    let (web_order, _) = order(&app, &t, Some(&ada), 1).await;
    capture(&app, &t, &web_order, "12.99").await;
    let input =
        json!({ "input": { "items": [{ "sku": "MUG", "quantity": 2 }], "store": "outlet", "customerId": ada } });
    let body = app.gql(&t.admin, ORDER_CREATE, input).await;
    let outlet_order =
        body["data"]["orderCreate"]["order"]["id"].as_str().unwrap_or_else(|| panic!("{body}")).to_owned();
    capture(&app, &t, &outlet_order, "25.98").await;

    let body = app
        .gql(
            &t.admin,
            "query($id: ID!) { customer(id: $id) { loyaltyAccounts { balance store { code } } } }",
            json!({ "id": ada }),
        )
        .await;
    assert_eq!(
        body["data"]["customer"]["loyaltyAccounts"],
        json!([{ "balance": 12, "store": { "code": "web" } }, { "balance": 25, "store": { "code": "outlet" } }]),
        "{body}"
    );
    let body = app.gql(&t.admin, ACCOUNT, json!({ "c": ada, "s": outlet["id"] })).await;
    assert_eq!(body["data"]["loyaltyAccount"]["balance"], 25, "{body}");
    assert!(account(&app, &t, &ada).await.is_null(), "no account without a store");

    let input = json!({ "input": { "customerId": ada, "points": 5, "reason": "x" } });
    let body = as_staff(&app, &t, "alice", ADJUST, input).await;
    assert_eq!(codes(&body["data"]["loyaltyAdjust"]), pairs(&[("storeId", "REQUIRED")]));
    let input = json!({ "input": { "customerId": ada, "storeId": outlet["id"], "points": 5, "reason": "x" } });
    let body = as_staff(&app, &t, "alice", ADJUST, input).await;
    assert_eq!(body["data"]["loyaltyAdjust"]["account"]["balance"], 30, "{body}");

    let token =
        app.gql(&t.admin, TOKEN_CREATE, json!({ "input": { "customerId": ada } })).await["data"]["customerTokenCreate"]
            ["token"]
            .as_str()
            .unwrap()
            .to_owned();
    let storefront = format!("Bearer {}", t.storefront);
    let headers = [("authorization", storefront.as_str()), ("x-customer-token", token.as_str())];
    let (_, body) = app.post(&headers, MY_ACCOUNT, json!({ "store": "outlet" })).await;
    assert_eq!(body["data"]["myLoyaltyAccount"]["balance"], 30, "{body}");
    let (_, body) = app.post(&headers, MY_ACCOUNT, json!({})).await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT", "which store's account?");
    let with_store = [headers[0], headers[1], ("x-store", "web")];
    let (_, body) = app.post(&with_store, MY_ACCOUNT, json!({})).await;
    assert_eq!(body["data"]["myLoyaltyAccount"]["balance"], 12, "{body}");
    let (_, body) = app.post(&headers, MY_ACCOUNT, json!({ "store": "nowhere" })).await;
    assert_eq!(error_code(&body), "STORE_NOT_FOUND");
}

#[tokio::test]
async fn the_program_is_validated_and_a_refused_one_writes_nothing() {
    let app = TestApp::start().await;
    let t = app.tenant("loy_m").await;
    let set = |input: Value| app.gql(&t.admin, PROGRAM_SET, json!({ "input": input }));
    let body = set(json!({ "active": true, "pointsPerUnit": "-1", "pointValue": "0", "tiers": [
        { "name": "Gold", "minLifetimePoints": 100 }, { "name": " gold ", "minLifetimePoints": 100 },
        { "name": "", "minLifetimePoints": -1 } ] }))
    .await;
    let payload = &body["data"]["loyaltyProgramSet"];
    let fields: Vec<(String, String)> = payload["userErrors"]
        .as_array()
        .unwrap_or_else(|| panic!("{body}"))
        .iter()
        .map(|e| {
            let path: Vec<&str> = e["field"].as_array().unwrap().iter().map(|p| p.as_str().unwrap()).collect();
            (path.join("."), e["code"].as_str().unwrap().to_owned())
        })
        .collect();
    let expected = [
        ("input.pointsPerUnit", "INVALID"),
        ("input.pointValue", "INVALID"),
        ("input.tiers.1.name", "DUPLICATE"),
        ("input.tiers.1.minLifetimePoints", "DUPLICATE"),
        ("input.tiers.2.name", "REQUIRED"),
        ("input.tiers.2.minLifetimePoints", "INVALID"),
    ];
    assert_eq!(fields, expected.iter().map(|(f, c)| ((*f).to_owned(), (*c).to_owned())).collect::<Vec<_>>());
    assert!(payload["program"].is_null());
    let body = set(json!({ "active": true, "pointsPerUnit": "1.00001", "pointValue": "0.00001" })).await;
    assert_eq!(
        codes(&body["data"]["loyaltyProgramSet"]),
        pairs(&[("pointsPerUnit", "INVALID"), ("pointValue", "INVALID")])
    );
    let body = set(json!({ "active": true, "pointsPerUnit": "1001", "pointValue": "1" })).await;
    assert_eq!(codes(&body["data"]["loyaltyProgramSet"]), pairs(&[("pointsPerUnit", "INVALID")]));
    let body = app.gql(&t.admin, "{ loyaltyProgram { active } }", json!({})).await;
    assert!(body["data"]["loyaltyProgram"].is_null(), "{body}");
    let body = app
        .gql(
            &t.storefront,
            PROGRAM_SET,
            json!({ "input": { "active": true, "pointsPerUnit": "1", "pointValue": "1" } }),
        )
        .await;
    assert_eq!(error_code(&body), "FORBIDDEN");

    let body = set(json!({ "active": true, "pointsPerUnit": "2.50", "pointValue": "0.0100", "tiers": [
        { "name": "Gold", "minLifetimePoints": 1000 }, { "name": "Bronze", "minLifetimePoints": 0 } ] }))
    .await;
    assert_eq!(
        body["data"]["loyaltyProgramSet"]["program"],
        json!({ "active": true, "pointsPerUnit": "2.5", "pointValue": "0.01", "accountsPerStore": false,
                "tiers": [{ "name": "Bronze", "minLifetimePoints": 0 }, { "name": "Gold", "minLifetimePoints": 1000 }] }),
        "{body}"
    );
    let body = set(json!({ "active": false, "pointsPerUnit": "1", "pointValue": "0.02" })).await;
    assert_eq!(body["data"]["loyaltyProgramSet"]["program"]["tiers"], json!([]), "tiers are replaced");
    let body = app.gql(&t.admin, "{ loyaltyProgram { active pointValue tiers { name } } }", json!({})).await;
    assert_eq!(body["data"]["loyaltyProgram"], json!({ "active": false, "pointValue": "0.02", "tiers": [] }));
    assert_eq!(app.sql_count("SELECT count(*) AS n FROM t_loy_m.loyalty_programs").await, 1, "one program");
}

#[tokio::test]
async fn a_page_of_accounts_costs_the_same_statements_at_3_and_12() {
    let app = TestApp::one_connection().await;
    let t = shop(&app, "loy_n").await;
    program(&app, &t, true, "1", "0.01", &[("Bronze", 0), ("Silver", 20)]).await;
    for i in 0..12 {
        let c = customer(&app, &t, &format!("c{i}@example.com")).await;
        let (id, _) = order(&app, &t, Some(&c), 1 + i % 2).await;
        capture(&app, &t, &id, if i % 2 == 0 { "12.99" } else { "25.98" }).await;
        adjust(&app, &t, &c, 3, "welcome").await;
    }
    let page = "query($n: Int) { loyaltyAccounts(first: $n) { edges { node { balance tier { name } nextTier { name }
        store { code } customer { email } transactions(first: 5) { edges { node { kind points order { number } } } } } } } }";
    let mut costs = Vec::new();
    for n in [3, 12] {
        app.gql(&t.admin, page, json!({ "n": 1 })).await;
        let before = app.db.statements();
        let body = app.gql(&t.admin, page, json!({ "n": n })).await;
        let edges = body["data"]["loyaltyAccounts"]["edges"].as_array().unwrap_or_else(|| panic!("{body}"));
        assert_eq!(edges.len(), n as usize);
        assert_eq!(edges[0]["node"]["transactions"]["edges"][1]["node"]["order"]["number"], "1001", "{body}");
        costs.push(app.db.statements() - before);
    }
    assert_eq!(costs[0], costs[1], "the page size does not change the statement count");
    // Page, tiers, customers, ledger pages, orders (accounts without a store load no
    // stores; the token lookup is remembered).
    assert_eq!(costs[1], 5);
}

const REDEEM_ORDER: &str = "mutation($input: OrderCreateInput!) { orderCreate(input: $input) {
    order { id status customer { id } subtotal { amount } discountTotal { amount } total { amount }
            items { discountTotal { amount } } loyaltyPoints { earned redeemed } }
    userErrors { field code message } } }";

/// An admin `orderCreate` of `quantity` mugs for `customer`, paying with `points`.
async fn order_with_points(app: &TestApp, t: &TestTenant, customer: Option<&str>, quantity: i32, points: i64) -> Value {
    let mut input =
        json!({ "items": [{ "sku": "MUG", "quantity": quantity }], "store": "web", "loyaltyPoints": points });
    match customer {
        Some(id) => input["customerId"] = json!(id),
        None => input["email"] = json!("guest@example.com"),
    }
    app.gql(&t.admin, REDEEM_ORDER, json!({ "input": input })).await["data"]["orderCreate"].clone()
}

#[tokio::test]
async fn order_create_pays_with_points_and_cancelling_gives_them_back() {
    let app = TestApp::start().await;
    let t = shop(&app, "loy_oc").await;
    program(&app, &t, true, "1", "0.05", &[]).await;
    let ada = customer(&app, &t, "ada@example.com").await;
    adjust(&app, &t, &ada, 100, "welcome gift").await;

    // 2 × 12.99 = 25.98; 40 points at 0.05 = 2.00 off.
    let placed = order_with_points(&app, &t, Some(&ada), 2, 40).await;
    assert_eq!(placed["userErrors"], json!([]), "{placed}");
    let o = &placed["order"];
    assert_eq!((o["discountTotal"]["amount"].as_str(), o["total"]["amount"].as_str()), (Some("2.00"), Some("23.98")));
    assert_eq!(o["loyaltyPoints"], json!({ "earned": 0, "redeemed": 40 }));
    assert_eq!(account(&app, &t, &ada).await["balance"], 60);

    // Paid: floor(23.98 × 1) = 23 points accrue on what was paid, not on the points.
    let id = o["id"].as_str().unwrap().to_owned();
    assert_eq!(capture(&app, &t, &id, "23.98").await["order"]["status"], "PAID");
    assert_eq!(account(&app, &t, &ada).await["balance"], 83);
    // Cancelled: the 40 redeemed points come back and the 23 earned go.
    cancel(&app, &t, &id).await;
    let after = account(&app, &t, &ada).await;
    assert_eq!(after["balance"], 100, "{after}");
    assert_eq!(broken_accounts(&app, "loy_oc").await, 0);
}

#[tokio::test]
async fn points_need_a_customer_enough_points_and_something_left_to_pay() {
    let app = TestApp::start().await;
    let t = shop(&app, "loy_oe").await;
    program(&app, &t, true, "1", "0.05", &[]).await;
    let ada = customer(&app, &t, "ada@example.com").await;
    adjust(&app, &t, &ada, 2000, "gift").await;
    let refused = |payload: Value| {
        assert!(payload["order"].is_null(), "{payload}");
        codes(&payload)
    };
    assert_eq!(
        refused(order_with_points(&app, &t, None, 1, 10).await),
        pairs(&[("loyaltyPoints", "CUSTOMER_REQUIRED")])
    );
    assert_eq!(
        refused(order_with_points(&app, &t, Some(&ada), 1, 5000).await),
        pairs(&[("loyaltyPoints", "INSUFFICIENT_POINTS")])
    );
    // 300 points are worth 15.00, more than the 12.99 to pay.
    assert_eq!(
        refused(order_with_points(&app, &t, Some(&ada), 1, 300).await),
        pairs(&[("loyaltyPoints", "POINTS_EXCEED_TOTAL")])
    );
    assert_eq!(refused(order_with_points(&app, &t, Some(&ada), 1, 0).await), pairs(&[("loyaltyPoints", "INVALID")]));
    assert_eq!(app.sql_count("SELECT count(*) AS n FROM t_loy_oe.orders").await, 0, "refusals write nothing");
    assert_eq!(account(&app, &t, &ada).await["balance"], 2000);

    // Exactly the total in points: nothing left to pay, so the order is paid at once and
    // earns nothing.
    let placed = order_with_points(&app, &t, Some(&ada), 1, 259).await;
    assert_eq!(placed["userErrors"], json!([]), "{placed}");
    assert_eq!(placed["order"]["total"]["amount"], "0.04", "259 × 0.05 = 12.95 of 12.99");
    let placed = order_with_points(&app, &t, Some(&ada), 5, 1299).await;
    assert_eq!(placed["order"]["total"]["amount"], "0.00", "{placed}");
    assert_eq!(placed["order"]["status"], "PAID");
    assert_eq!(placed["order"]["loyaltyPoints"], json!({ "earned": 0, "redeemed": 1299 }));
    assert_eq!(account(&app, &t, &ada).await["balance"], 2000 - 259 - 1299, "{placed}");
}

#[tokio::test]
async fn a_coupon_and_points_together_discount_the_order_exactly() {
    let app = TestApp::start().await;
    let t = shop(&app, "loy_cp").await;
    program(&app, &t, true, "1", "0.05", &[]).await;
    let ada = customer(&app, &t, "ada@example.com").await;
    adjust(&app, &t, &ada, 100, "gift").await;
    let body = app
        .gql(
            &t.admin,
            "mutation($input: CouponCreateInput!) { couponCreate(input: $input) { userErrors { code } } }",
            json!({ "input": { "code": "TEN", "kind": "PERCENTAGE", "value": "10" } }),
        )
        .await;
    assert_eq!(body["data"]["couponCreate"]["userErrors"], json!([]), "{body}");
    // 25.98 − 10% (2.598 → 2.60) − 40 points (2.00) = 21.38.
    let input = json!({ "items": [{ "sku": "MUG", "quantity": 2 }], "store": "web", "customerId": ada,
                        "couponCode": "ten", "loyaltyPoints": 40 });
    let body = app.gql(&t.admin, REDEEM_ORDER, json!({ "input": input })).await;
    let o = &body["data"]["orderCreate"]["order"];
    assert_eq!(
        (o["discountTotal"]["amount"].as_str(), o["total"]["amount"].as_str()),
        (Some("4.60"), Some("21.38")),
        "{body}"
    );
    assert_eq!(o["items"][0]["discountTotal"]["amount"], "4.60");
}

#[tokio::test]
async fn racing_orders_never_spend_more_points_than_the_balance() {
    let app = TestApp::start().await;
    let t = shop(&app, "loy_or").await;
    program(&app, &t, true, "1", "0.01", &[]).await;
    let ada = customer(&app, &t, "ada@example.com").await;
    adjust(&app, &t, &ada, 100, "gift").await;
    // 20 racing orders of 10 points each against 100 points: exactly 10 are placed.
    let attempts = (0..20).map(|_| order_with_points(&app, &t, Some(&ada), 1, 10));
    let results = join_all(attempts).await;
    let placed = results.iter().filter(|p| p["order"].is_object()).count();
    let short = results.iter().filter(|p| codes(p) == pairs(&[("loyaltyPoints", "INSUFFICIENT_POINTS")])).count();
    assert_eq!(
        (placed, short),
        (10, 10),
        "{:?}",
        results.iter().find(|p| !p["order"].is_object() && codes(p).is_empty())
    );
    let acct = account(&app, &t, &ada).await;
    assert_eq!(acct["balance"], 0, "{acct}");
    let sum: i64 = ledger(&acct).iter().map(|(_, p, _)| p).sum();
    assert_eq!(sum, 0, "the balance is the sum of the ledger");
    assert_eq!(broken_accounts(&app, "loy_or").await, 0);
    assert_eq!(app.sql_count("SELECT count(*) AS n FROM t_loy_or.orders").await, 10, "refused orders left nothing");
}

#[tokio::test]
async fn a_signed_in_storefront_customer_orders_as_themselves() {
    let app = TestApp::start().await;
    let t = shop(&app, "loy_sf").await;
    program(&app, &t, true, "1", "0.05", &[]).await;
    let ada = customer(&app, &t, "ada@example.com").await;
    adjust(&app, &t, &ada, 100, "gift").await;
    let body = app.gql(&t.admin, TOKEN_CREATE, json!({ "input": { "customerId": ada } })).await;
    let token = body["data"]["customerTokenCreate"]["token"].as_str().unwrap_or_else(|| panic!("{body}")).to_owned();
    let auth = format!("Bearer {}", t.storefront);
    let input = json!({ "input": { "items": [{ "sku": "MUG", "quantity": 1 }], "store": "web", "loyaltyPoints": 20 } });
    // Without the customer token there is nobody to take points from, even when the
    // guest email is the customer's: an email proves nothing.
    let mut guest = input.clone();
    guest["input"]["email"] = json!("ada@example.com");
    let (_, body) = app.post(&[("authorization", &auth)], REDEEM_ORDER, guest).await;
    assert_eq!(codes(&body["data"]["orderCreate"]), pairs(&[("loyaltyPoints", "CUSTOMER_REQUIRED")]), "{body}");
    // With it, no email is needed: the order is the customer's and spends their points.
    let storefront_read = REDEEM_ORDER.replace("customer { id } ", "");
    let (_, body) = app.post(&[("authorization", &auth), ("x-customer-token", &token)], &storefront_read, input).await;
    let o = &body["data"]["orderCreate"]["order"];
    assert_eq!(o["total"]["amount"], "11.99", "{body}");
    let id = o["id"].as_str().unwrap();
    let body =
        app.gql(&t.admin, "query($id: ID!) { order(id: $id) { customer { id } email } }", json!({ "id": id })).await;
    assert_eq!(body["data"]["order"]["customer"]["id"], ada.as_str(), "{body}");
    assert_eq!(account(&app, &t, &ada).await["balance"], 80);
}
