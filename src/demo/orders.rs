//! Demo orders: a history per tenant made through the API, in every state an admin UI
//! shows (pending, paid, fulfilled, completed, cancelled, partially refunded), some by
//! demo customers and some by guests, plus one marketplace import. The history is made
//! once: a tenant that has orders gets none added (idempotency keys belong to the API
//! key that sent them, and each demo run mints new keys, so they cannot tell).

use anyhow::Context as _;
use serde_json::{Value, json};

use super::{Session, Step};
use crate::tenancy::Caller;

/// SKUs a store sells in its own currency with stock to spare, and the store's currency.
async fn sellable(session: &Session<'_>, caller: &Caller, store: &str) -> anyhow::Result<(String, Vec<String>)> {
    let data = session.read(caller, "sellable", json!({ "store": store })).await?;
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

/// The code of the coupon `promotions` make for `store`, or for every store when `None`.
fn coupon<'a>(promotions: &'a [Step], store: Option<&str>) -> Option<&'a str> {
    promotions
        .iter()
        .filter(|step| step.operation == "couponCreate")
        .find(|step| step.input["store"].as_str() == store)
        .and_then(|step| step.input["code"].as_str())
}

/// Places the demo orders of tenant `slug` in `stores` and walks them through their
/// lives, some with the coupons of `promotions`; `staff` acts for the admin steps so the
/// history shows a person.
pub async fn create(
    session: &mut Session<'_>,
    staff: &Caller,
    slug: &str,
    stores: &[&str],
    promotions: &[Step],
) -> anyhow::Result<()> {
    let existing = session.read(staff, "orderCount", json!({})).await?;
    if existing["orders"]["totalCount"].as_i64().unwrap_or(0) > 0 {
        return Ok(());
    }
    let customers = session.read(staff, "customerIds", json!({})).await?;
    let customer_ids: Vec<Value> =
        customers["customers"]["edges"].as_array().into_iter().flatten().map(|e| e["node"]["id"].clone()).collect();
    let mut n = 0usize;
    for store in stores {
        let (currency, skus) = sellable(session, staff, store).await?;
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
            // completed order uses the coupon for every store.
            if *fate == "paid" {
                input["couponCode"] = json!(coupon(promotions, Some(store)));
            } else if *fate == "completed" && store == &stores[0] {
                input["couponCode"] = json!(coupon(promotions, None));
            }
            match customer_ids.get((n * 3) % (customer_ids.len() + 2)) {
                Some(id) => input["customerId"] = id.clone(),
                None => input["email"] = json!(format!("guest{n}@example.com")),
            }
            let Some(placed) = session.step(staff, "orderCreate", input).await? else { continue };
            if placed["replayed"] == true {
                continue;
            }
            let id = placed["order"]["id"].clone();
            let total = placed["order"]["total"]["amount"].clone();
            if *fate == "cancelled" {
                let cancel = json!({ "id": id, "note": "customer changed their mind" });
                session.step(staff, "orderCancel", cancel).await?;
                continue;
            }
            if *fate == "pending" {
                continue;
            }
            let payment = json!({ "orderId": id, "provider": "stripe", "providerTransactionId": format!("pi_demo_{slug}_{n}"),
                                  "amount": total, "captured": true });
            session.step(staff, "paymentCreate", payment).await?;
            match *fate {
                "refunded-part" => {
                    let refund = json!({ "orderId": id, "amount": "1", "reason": "late delivery goodwill" });
                    session.step(staff, "refundCreate", refund).await?;
                }
                "fulfilled" | "completed" => {
                    session.step(staff, "orderFulfill", json!({ "id": id, "note": "shipped with DHL" })).await?;
                    if *fate == "completed" {
                        session.step(staff, "orderComplete", json!({ "id": id })).await?;
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
        session.step(staff, "orderImport", import).await?;
    }
    Ok(())
}
