//! A small headless-storefront client: lists a store's products with prices and
//! availability, as a storefront developer would, over storegraph's GraphQL API.
//!
//! ```text
//! cargo run --release -- serve --demo          # prints a storefront token
//! cargo run --example storefront -- --token sg_… [--url http://127.0.0.1:8080/graphql] [--store us] [--pages 2]
//! ```

use anyhow::{Context as _, bail};
use serde_json::{Value, json};

const PAGE: &str = "query Page($after: String) {
  tenant { name storeCode }
  products(first: 10, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node {
      name slug price { amount currency } available availableQuantity
      variants { sku price { amount currency } priceSource optionValues { name value } inventory { available } }
    } }
  }
}";

struct Args {
    url: String,
    token: String,
    store: Option<String>,
    pages: usize,
}

fn args() -> anyhow::Result<Args> {
    let mut args = Args { url: "http://127.0.0.1:8080/graphql".into(), token: String::new(), store: None, pages: 1 };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().with_context(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--url" => args.url = value()?,
            "--token" => args.token = value()?,
            "--store" => args.store = Some(value()?),
            "--pages" => args.pages = value()?.parse()?,
            other => bail!("unknown argument {other}; use --token, --url, --store, --pages"),
        }
    }
    if args.token.is_empty() {
        bail!("pass --token with a storefront token (serve --demo prints one)");
    }
    Ok(args)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = args()?;
    let http = reqwest::Client::new();
    let mut after = Value::Null;
    for _ in 0..args.pages {
        let mut request = http.post(&args.url).bearer_auth(&args.token);
        if let Some(store) = &args.store {
            request = request.header("X-Store", store);
        }
        let body: Value =
            request.json(&json!({ "query": PAGE, "variables": { "after": after } })).send().await?.json().await?;
        if let Some(errors) = body["errors"].as_array() {
            bail!(
                "the API refused: {}",
                errors.iter().map(|e| e["message"].to_string()).collect::<Vec<_>>().join("; ")
            );
        }
        let data = &body["data"];
        if after.is_null() {
            println!(
                "{} — {} products{}",
                data["tenant"]["name"].as_str().unwrap_or("?"),
                data["products"]["totalCount"],
                data["tenant"]["storeCode"].as_str().map(|s| format!(" (store {s})")).unwrap_or_default()
            );
        }
        for edge in data["products"]["edges"].as_array().into_iter().flatten() {
            let product = &edge["node"];
            let availability = match (&product["available"], product["availableQuantity"].as_i64()) {
                (Value::Bool(false), _) => "sold out".to_owned(),
                (_, Some(units)) => format!("{units} available"),
                _ => "available".to_owned(),
            };
            println!(
                "\n{}  from {} {}  ({availability})",
                product["name"].as_str().unwrap_or("?"),
                product["price"]["amount"].as_str().unwrap_or("?"),
                product["price"]["currency"].as_str().unwrap_or("")
            );
            for variant in product["variants"].as_array().into_iter().flatten() {
                let options: Vec<String> = variant["optionValues"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|o| format!("{}={}", o["name"].as_str().unwrap_or(""), o["value"].as_str().unwrap_or("")))
                    .collect();
                let available = variant["inventory"]["available"].as_i64().unwrap_or(0);
                let source = match variant["priceSource"].as_str() {
                    Some("STORE_OVERRIDE") => " (store price)",
                    Some("PRICE_LIST") => " (sale)",
                    _ => "",
                };
                println!(
                    "  {:<32} {:>10} {}{source:<13}  {:<24} {}",
                    variant["sku"].as_str().unwrap_or("?"),
                    variant["price"]["amount"].as_str().unwrap_or("?"),
                    variant["price"]["currency"].as_str().unwrap_or(""),
                    options.join(" "),
                    if available > 0 { format!("{available} in stock") } else { "out of stock".into() }
                );
            }
        }
        let info = &data["products"]["pageInfo"];
        if info["hasNextPage"] != true {
            break;
        }
        after = info["endCursor"].clone();
    }
    Ok(())
}
