//! A small headless-storefront client: lists a store's products with prices and
//! availability, then places an order for the first item in stock and reads it back by
//! its token, as a storefront developer would, over storegraph's GraphQL API.
//!
//! ```text
//! cargo run --release -- serve --demo          # prints a storefront token
//! cargo run --example storefront -- --token sg_… --store us [--url http://127.0.0.1:8080/graphql] [--pages 2] [--no-order]
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

const ORDER: &str = "mutation($input: OrderCreateInput!) { orderCreate(input: $input) {
  order { number token } replayed userErrors { field code message } } }";

const READ_BACK: &str = "query($token: ID!) { order(token: $token) {
  number status paymentStatus createdAt total { amount currency }
  items { sku productName quantity unitPrice { amount } lineTotal { amount } }
  history { toStatus createdAt } } }";

struct Args {
    url: String,
    token: String,
    store: Option<String>,
    pages: usize,
    order: bool,
}

fn args() -> anyhow::Result<Args> {
    let mut args =
        Args { url: "http://127.0.0.1:8080/graphql".into(), token: String::new(), store: None, pages: 1, order: true };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        if flag == "--no-order" {
            args.order = false;
            continue;
        }
        let mut value = || it.next().with_context(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--url" => args.url = value()?,
            "--token" => args.token = value()?,
            "--store" => args.store = Some(value()?),
            "--pages" => args.pages = value()?.parse()?,
            other => bail!("unknown argument {other}; use --token, --url, --store, --pages, --no-order"),
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
    let mut in_stock: Option<String> = None;
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
                if available > 0 && in_stock.is_none() {
                    in_stock = variant["sku"].as_str().map(str::to_owned);
                }
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
    match (&args.store, in_stock, args.order) {
        (Some(store), Some(sku), true) => place_and_read_back(&http, &args, store, &sku).await,
        (None, _, true) => {
            println!("\n(pass --store to place an order: orders are placed in a store)");
            Ok(())
        }
        _ => Ok(()),
    }
}

/// Places an order for one unit of `sku` as a guest, then reads it back by its token,
/// the way a checkout's confirmation page would.
async fn place_and_read_back(http: &reqwest::Client, args: &Args, store: &str, sku: &str) -> anyhow::Result<()> {
    let post = |query: &'static str, variables: Value| {
        http.post(&args.url).bearer_auth(&args.token).json(&json!({ "query": query, "variables": variables })).send()
    };
    let key = format!(
        "storefront-example-{}",
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?.as_millis()
    );
    let input = json!({ "items": [{ "sku": sku, "quantity": 1 }], "store": store, "email": "shopper@example.com",
                        "idempotencyKey": key,
                        "shippingAddress": { "firstName": "Sam", "lastName": "Shopper", "line1": "1 Main Street",
                                             "city": "Springfield", "country": "US" } });
    let body: Value = post(ORDER, json!({ "input": input })).await?.json().await?;
    let payload = &body["data"]["orderCreate"];
    if let Some(error) = payload["userErrors"].as_array().and_then(|e| e.first()) {
        bail!("the order was refused: {} ({})", error["message"], error["code"]);
    }
    let token = payload["order"]["token"].clone();
    let body: Value = post(READ_BACK, json!({ "token": token })).await?.json().await?;
    let order = &body["data"]["order"];
    println!(
        "\nplaced order #{} ({}, payment {}) — total {} {}",
        order["number"].as_str().unwrap_or("?"),
        order["status"].as_str().unwrap_or("?"),
        order["paymentStatus"].as_str().unwrap_or("?"),
        order["total"]["amount"].as_str().unwrap_or("?"),
        order["total"]["currency"].as_str().unwrap_or("")
    );
    for item in order["items"].as_array().into_iter().flatten() {
        println!(
            "  {} × {} ({})  at {} = {}",
            item["quantity"],
            item["productName"].as_str().unwrap_or("?"),
            item["sku"].as_str().unwrap_or("?"),
            item["unitPrice"]["amount"].as_str().unwrap_or("?"),
            item["lineTotal"]["amount"].as_str().unwrap_or("?")
        );
    }
    Ok(())
}
