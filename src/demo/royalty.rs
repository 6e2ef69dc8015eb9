//! Demo royalty rules, made before the demo orders are paid so those orders carry
//! allocations: a percentage on a category subtree, a percentage on an attribute value
//! and a fixed amount per unit on one product. Rule names are unique, so a second demo
//! run finds them there (DUPLICATE) and adds nothing.

use anyhow::Context as _;
use serde_json::{Value, json};

use super::orders::read;
use super::run;
use crate::graphql::AppSchema;
use crate::tenancy::Caller;

const RULE_CREATE: &str = "mutation($input: RoyaltyRuleCreateInput!) { royaltyRuleCreate(input: $input) {
    royaltyRule { id } userErrors { field code message } } }";

/// What a demo rule covers.
enum Target {
    Category(&'static str),
    Product(&'static str),
    Attribute(&'static str, &'static str),
}

/// A percentage rule's input, without its target.
fn percentage(name: &str, beneficiary: &str, rate: &str) -> Value {
    json!({ "name": name, "beneficiary": beneficiary, "rateKind": "PERCENTAGE", "rate": rate })
}

/// A fixed-per-unit rule's input, without its target.
fn per_unit(name: &str, beneficiary: &str, rate: &str, currency: &str) -> Value {
    json!({ "name": name, "beneficiary": beneficiary, "rateKind": "FIXED_PER_UNIT", "rate": rate, "currency": currency })
}

/// The demo rules of tenant `slug`: their inputs and what they cover.
fn rules(slug: &str) -> Vec<(Value, Target)> {
    match slug {
        "demo_apparel" => vec![
            (percentage("Tops design licence", "Northwind Design Studio", "7.5"), Target::Category("tops")),
            (
                percentage("Cotton sourcing fund", "Fair Cotton Cooperative", "2"),
                Target::Attribute("material", "cotton"),
            ),
            (per_unit("Linen shirt pattern fee", "Atelier Lin", "1.50", "USD"), Target::Product("linen-shirt")),
        ],
        _ => vec![
            (percentage("Computing licence", "Aurora Design Labs", "3"), Target::Category("computers")),
            (percentage("Audio licence", "Echo Acoustics Ltd", "6"), Target::Category("audio")),
            (per_unit("Charger patent fee", "Volt Patents Pool", "2.00", "GBP"), Target::Product("volt-charger-65w")),
        ],
    }
}

/// The id of the category `slug` in the tree `nodes` (roots with their descendants).
fn category_id(nodes: &Value, slug: &str) -> Option<Value> {
    nodes.as_array()?.iter().find_map(|node| {
        if node["slug"] == slug { Some(node["id"].clone()) } else { category_id(&node["children"], slug) }
    })
}

/// Creates the demo royalty rules of tenant `slug` that do not exist yet.
pub async fn create(schema: &AppSchema, caller: &Caller, slug: &str) -> anyhow::Result<()> {
    let tree = read(
        schema,
        caller,
        "{ categories { id slug children { id slug children { id slug children { id slug } } } } }",
        json!({}),
    )
    .await?;
    for (mut input, target) in rules(slug) {
        match target {
            Target::Category(category) => {
                input["categoryId"] = category_id(&tree["categories"], category)
                    .with_context(|| format!("demo category {category} missing"))?;
            }
            Target::Product(product) => {
                let found = read(
                    schema,
                    caller,
                    "query($slug: String) { product(slug: $slug) { id } }",
                    json!({ "slug": product }),
                )
                .await?;
                anyhow::ensure!(found["product"]["id"].is_string(), "demo product {product} missing");
                input["productId"] = found["product"]["id"].clone();
            }
            Target::Attribute(code, value) => input["attribute"] = json!({ "code": code, "value": value }),
        }
        run(schema, caller, RULE_CREATE, input).await?;
    }
    Ok(())
}
