//! Demo orders: a history per tenant made through the API, in every state an admin UI
//! shows (pending, paid, fulfilled, completed, cancelled, partially refunded), some by
//! demo customers and some by guests, plus one marketplace import. The history is made
//! once: a tenant that has orders gets none added (idempotency keys belong to the API
//! key that sent them, and each demo run mints new keys, so they cannot tell).

use anyhow::Context as _;
use serde_json::{Value, json};

use super::run;
use crate::graphql::AppSchema;
use crate::tenancy::Caller;

const ORDER_CREATE: &str = "mutation($input: OrderCreateInput!) { orderCreate(input: $input) {
    order { id total { amount } } replayed userErrors { field code message } } }";
const PAYMENT_CREATE: &str = "mutation($input: PaymentCreateInput!) { paymentCreate(input: $input) {
    payment { id } userErrors { field code message } } }";
const REFUND_CREATE: &str = "mutation($input: RefundCreateInput!) { refundCreate(input: $input) {
    order { id } userErrors { field code message } } }";
const ORDER_IMPORT: &str = "mutation($input: OrderImportInput!) { orderImport(input: $input) {
    order { id } userErrors { field code message } } }";

fn transition(mutation: &str) -> String {
    format!(
        "mutation($input: OrderTransitionInput!) {{ {mutation}(input: $input) {{ order {{ id }} userErrors {{ field code message }} }} }}"
    )
}

/// Runs a query through the schema as `caller`.
pub(super) async fn read(schema: &AppSchema, caller: &Caller, query: &str, variables: Value) -> anyhow::Result<Value> {
    let request = async_graphql::Request::new(query).variables(async_graphql::Variables::from_json(variables));
    let response = schema.execute(crate::graphql::request_with(request, caller.clone())).await;
    anyhow::ensure!(response.errors.is_empty(), "demo query refused: {:?}", response.errors);
    Ok(response.data.into_json()?)
}

/// SKUs a store sells in its own currency with stock to spare, and the store's currency.
async fn sellable(schema: &AppSchema, caller: &Caller, store: &str) -> anyhow::Result<(String, Vec<String>)> {
    let query = "query($store: String) { store(code: $store) { defaultCurrency }
        products(first: 50, store: $store) { edges { node { productType variants { sku price { currency } inventory { available } } } } } }";
    let data = read(schema, caller, query, json!({ "store": store })).await?;
    let currency = data["store"]["defaultCurrency"].as_str().context("demo store without currency")?.to_owned();
    let mut skus = Vec::new();
    for edge in data["products"]["edges"].as_array().into_iter().flatten() {
        if edge["node"]["productType"] == "BUNDLE" {
            continue;
        }
        for variant in edge["node"]["variants"].as_array().into_iter().flatten() {
            let stocked = variant["inventory"]["available"].as_i64().unwrap_or(0) >= 10;
            if stocked && variant["price"]["currency"] == currency.as_str() {
                skus.extend(variant["sku"].as_str().map(str::to_owned));
            }
        }
    }
    Ok((currency, skus))
}

/// Places the demo orders of tenant `slug` in `stores` and walks them through their
/// lives; `staff` acts for the admin steps so the history shows a person.
pub async fn create(schema: &AppSchema, staff: &Caller, slug: &str, stores: &[&str]) -> anyhow::Result<()> {
    let existing = read(schema, staff, "{ orders(first: 1) { totalCount } }", json!({})).await?;
    if existing["orders"]["totalCount"].as_i64().unwrap_or(0) > 0 {
        return Ok(());
    }
    let customers =
        read(schema, staff, "{ customers(first: 10, sortBy: { field: EMAIL }) { edges { node { id } } } }", json!({}))
            .await?;
    let customer_ids: Vec<Value> =
        customers["customers"]["edges"].as_array().into_iter().flatten().map(|e| e["node"]["id"].clone()).collect();
    let mut n = 0usize;
    for store in stores {
        let (currency, skus) = sellable(schema, staff, store).await?;
        if skus.is_empty() {
            continue;
        }
        // What happens to each order after it is placed.
        let fates = ["completed", "fulfilled", "paid", "pending", "cancelled", "refunded-part"];
        for (i, fate) in fates.iter().enumerate() {
            n += 1;
            let items: Vec<Value> = (0..1 + i % 3)
                .map(|j| json!({ "sku": skus[(i * 5 + j * 3) % skus.len()], "quantity": 1 + j % 2 }))
                .collect();
            let mut input = json!({ "items": items, "store": store, "idempotencyKey": format!("demo-{slug}-{n}"),
                                    "customerNote": if i == 2 { Some("Please leave at the door") } else { None } });
            // The paid order of each store uses the store's coupon; the first store's
            // completed order uses the welcome coupon.
            if *fate == "paid" {
                input["couponCode"] = json!(super::promotions::store_coupon(store));
            } else if *fate == "completed" && store == &stores[0] {
                input["couponCode"] = json!(super::promotions::WELCOME);
            }
            match customer_ids.get((n * 3) % (customer_ids.len() + 2)) {
                Some(id) => input["customerId"] = id.clone(),
                None => input["email"] = json!(format!("guest{n}@example.com")),
            }
            let Some(placed) = run(schema, staff, ORDER_CREATE, input).await? else { continue };
            if placed["replayed"] == true {
                continue;
            }
            let id = placed["order"]["id"].clone();
            let total = placed["order"]["total"]["amount"].clone();
            if *fate == "cancelled" {
                run(
                    schema,
                    staff,
                    &transition("orderCancel"),
                    json!({ "id": id, "note": "customer changed their mind" }),
                )
                .await?;
                continue;
            }
            if *fate == "pending" {
                continue;
            }
            let payment = json!({ "orderId": id, "provider": "stripe", "providerTransactionId": format!("pi_demo_{slug}_{n}"),
                                  "amount": total, "captured": true });
            run(schema, staff, PAYMENT_CREATE, payment).await?;
            match *fate {
                "refunded-part" => {
                    let refund = json!({ "orderId": id, "amount": "1", "reason": "late delivery goodwill" });
                    run(schema, staff, REFUND_CREATE, refund).await?;
                }
                "fulfilled" | "completed" => {
                    run(schema, staff, &transition("orderFulfill"), json!({ "id": id, "note": "shipped with DHL" }))
                        .await?;
                    if *fate == "completed" {
                        run(schema, staff, &transition("orderComplete"), json!({ "id": id })).await?;
                    }
                }
                _ => {}
            }
        }
        // One order sold on a marketplace, at its own price, already paid there.
        let import = json!({ "channelName": "amazon", "externalId": format!("demo-{slug}-{store}"), "externalStatus": "Unshipped",
                             "store": store, "currency": currency, "paid": true,
                             "email": "buyer@marketplace.example",
                             "items": [{ "sku": skus[0], "quantity": 1, "unitPrice": "19.99" }] });
        run(schema, staff, ORDER_IMPORT, import).await?;
    }
    Ok(())
}
