//! Demo promotions: a running "Winter Sale" campaign with a welcome coupon for every
//! store and a fixed-amount coupon per store in its currency; a few demo orders use them
//! (see `orders.rs`). Made once: a later run finds the campaign and adds nothing.

use anyhow::Context as _;
use serde_json::json;

use super::run;
use crate::graphql::AppSchema;
use crate::tenancy::Caller;

const CAMPAIGN: &str = "Winter Sale";

const CAMPAIGN_CREATE: &str = "mutation($input: PromotionCampaignCreateInput!) {
    promotionCampaignCreate(input: $input) { campaign { id } userErrors { field code message } } }";
const COUPON_CREATE: &str = "mutation($input: CouponCreateInput!) { couponCreate(input: $input) {
    coupon { id } userErrors { field code message } } }";

/// The welcome coupon: 10% off, once per customer.
pub const WELCOME: &str = "WELCOME10";

/// The fixed-amount coupon of a store: `SAVE-<STORE>`.
pub fn store_coupon(store: &str) -> String {
    format!("SAVE-{}", store.to_uppercase())
}

/// Creates the demo campaign and its coupons for `stores` (code, currency), unless a
/// previous run did.
pub async fn create(schema: &AppSchema, caller: &Caller, stores: &[(&str, &str)]) -> anyhow::Result<()> {
    let request = async_graphql::Request::new("{ promotionCampaigns(first: 100) { edges { node { name } } } }");
    let response = schema.execute(crate::graphql::request_with(request, caller.clone())).await;
    anyhow::ensure!(response.errors.is_empty(), "demo query refused: {:?}", response.errors);
    let data = response.data.into_json()?;
    let exists =
        data["promotionCampaigns"]["edges"].as_array().into_iter().flatten().any(|e| e["node"]["name"] == CAMPAIGN);
    if exists {
        return Ok(());
    }
    let now = chrono::Utc::now();
    let input = json!({ "name": CAMPAIGN, "description": "Seasonal discounts across every store", "status": "ACTIVE",
                        "startsAt": (now - chrono::Duration::days(7)).to_rfc3339(),
                        "endsAt": (now + chrono::Duration::days(60)).to_rfc3339() });
    let created = run(schema, caller, CAMPAIGN_CREATE, input).await?.context("the demo campaign was refused")?;
    let campaign = created["campaign"]["id"].clone();
    let welcome = json!({ "code": WELCOME, "kind": "PERCENTAGE", "value": "10", "perCustomerLimit": 1,
                          "usageLimit": 1000, "campaignId": campaign });
    run(schema, caller, COUPON_CREATE, welcome).await?;
    for (store, currency) in stores {
        // Five of the currency's main unit (500 for JPY, which has no minor unit).
        let value = if *currency == "JPY" { "500" } else { "5" };
        let input = json!({ "code": store_coupon(store), "kind": "FIXED", "value": value, "currency": currency,
                            "store": store, "usageLimit": 500, "campaignId": campaign });
        run(schema, caller, COUPON_CREATE, input).await?;
    }
    Ok(())
}
