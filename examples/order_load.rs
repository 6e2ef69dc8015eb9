//! Load generator for `orderCreate`: places orders at several concurrencies against a
//! running server and reports orders per second and latency percentiles. It measures the
//! write path under contention: every order locks the inventory rows of its variants, so
//! `--hot` (every order for the same SKU) shows the serialized worst case and the default
//! (orders spread over the store's SKUs) the common one. `--coupon` sends every order
//! with one unlimited 5 % coupon (`LOADTEST`, created if missing): every order then also
//! takes a use of that coupon, on its row.
//!
//! ```text
//! cargo run --release -- serve --demo            # prints the demo tokens
//! cargo run --release --example order_load -- --admin-token sg_… --token sg_… --store us \
//!     [--url http://127.0.0.1:8080/graphql] [--concurrency 1,16,64] [--seconds 10] [--hot] [--coupon]
//! ```
//! Stock of the SKUs used is topped up first (through `inventorySet`, with the admin
//! token), so runs measure placement, not refusals.

use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use serde_json::{Value, json};

const ORDER: &str = "mutation($input: OrderCreateInput!) { orderCreate(input: $input) {
    order { number total { amount } } userErrors { code } } }";

struct Args {
    url: String,
    admin: String,
    token: String,
    store: String,
    concurrency: Vec<usize>,
    seconds: u64,
    hot: bool,
    coupon: bool,
}

fn args() -> anyhow::Result<Args> {
    let mut args = Args {
        url: "http://127.0.0.1:8080/graphql".into(),
        admin: String::new(),
        token: String::new(),
        store: String::new(),
        concurrency: vec![1, 16, 64],
        seconds: 10,
        hot: false,
        coupon: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        if flag == "--hot" {
            args.hot = true;
            continue;
        }
        if flag == "--coupon" {
            args.coupon = true;
            continue;
        }
        let value = it.next().with_context(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--url" => args.url = value,
            "--admin-token" => args.admin = value,
            "--token" => args.token = value,
            "--store" => args.store = value,
            "--seconds" => args.seconds = value.parse()?,
            "--concurrency" => {
                args.concurrency = value.split(',').map(|c| c.trim().parse()).collect::<Result<_, _>>()?
            }
            other => bail!("unknown argument {other}"),
        }
    }
    if args.admin.is_empty() || args.token.is_empty() || args.store.is_empty() {
        bail!("pass --admin-token, --token (storefront) and --store; `serve --demo` prints the tokens");
    }
    Ok(args)
}

async fn gql(http: &reqwest::Client, url: &str, token: &str, query: &str, variables: Value) -> anyhow::Result<Value> {
    Ok(http
        .post(url)
        .bearer_auth(token)
        .json(&json!({ "query": query, "variables": variables }))
        .send()
        .await?
        .json()
        .await?)
}

/// The SKUs of the store's available products.
async fn skus(http: &reqwest::Client, args: &Args) -> anyhow::Result<Vec<String>> {
    let query = "query($store: String) { products(first: 100, store: $store) { edges { node { productType variants { sku } } } } }";
    let body = gql(http, &args.url, &args.token, query, json!({ "store": args.store })).await?;
    let edges = body["data"]["products"]["edges"].as_array().with_context(|| format!("no products: {body}"))?;
    Ok(edges
        .iter()
        .filter(|e| e["node"]["productType"] != "BUNDLE")
        .flat_map(|e| e["node"]["variants"].as_array().cloned().unwrap_or_default())
        .filter_map(|v| v["sku"].as_str().map(str::to_owned))
        .collect())
}

#[derive(Default)]
struct Tally {
    latencies: Vec<Duration>,
    placed: usize,
    refused: std::collections::BTreeMap<String, usize>,
    failed: usize,
}

/// What every worker sends its orders to, and with what.
#[derive(Clone)]
struct Target {
    url: String,
    token: String,
    store: String,
    skus: Vec<String>,
    coupon: Option<String>,
}

async fn worker(http: reqwest::Client, target: Target, id: usize, until: Instant) -> Tally {
    let Target { url, token, store, skus, coupon } = target;
    let mut tally = Tally::default();
    let mut k = 0usize;
    while Instant::now() < until {
        let lines = 1 + (id + k) % 3;
        let items: Vec<Value> = (0..lines)
            .map(|j| json!({ "sku": skus[(id * 7 + k * 13 + j * 5) % skus.len()], "quantity": 1 + j }))
            .collect();
        let started = Instant::now();
        let body = gql(
            &http,
            &url,
            &token,
            ORDER,
            json!({ "input": { "items": items, "store": store, "email": "load@example.com", "couponCode": coupon } }),
        )
        .await;
        tally.latencies.push(started.elapsed());
        match body {
            Ok(body) if body["data"]["orderCreate"]["order"].is_object() => tally.placed += 1,
            Ok(body) => match body["data"]["orderCreate"]["userErrors"][0]["code"].as_str() {
                Some(code) => *tally.refused.entry(code.to_owned()).or_default() += 1,
                None => tally.failed += 1,
            },
            Err(_) => tally.failed += 1,
        }
        k += 1;
    }
    tally
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = args()?;
    let http = reqwest::Client::builder().pool_max_idle_per_host(256).build()?;
    let mut skus = skus(&http, &args).await?;
    if skus.is_empty() {
        bail!("store '{}' has no products to order", args.store);
    }
    if args.hot {
        skus.truncate(1);
    }
    for sku in &skus {
        let set = "mutation($input: InventorySetInput!) { inventorySet(input: $input) { userErrors { code } } }";
        let body = gql(
            &http,
            &args.url,
            &args.admin,
            set,
            json!({ "input": { "sku": sku, "quantity": 10_000_000, "reason": "load test" } }),
        )
        .await?;
        if body["data"]["inventorySet"]["userErrors"] != json!([]) {
            bail!("could not stock {sku}: {body}");
        }
    }
    let coupon = if args.coupon {
        let create = "mutation($input: CouponCreateInput!) { couponCreate(input: $input) { userErrors { code } } }";
        let input = json!({ "input": { "code": "LOADTEST", "kind": "PERCENTAGE", "value": "5" } });
        let body = gql(&http, &args.url, &args.admin, create, input).await?;
        let codes = &body["data"]["couponCreate"]["userErrors"];
        if *codes != json!([]) && codes[0]["code"] != "DUPLICATE" {
            bail!("could not create the load-test coupon: {body}");
        }
        Some("LOADTEST".to_owned())
    } else {
        None
    };
    println!(
        "orderCreate load: store '{}', {} SKU(s){}{}, {} s per run after a 2 s warm-up",
        args.store,
        skus.len(),
        if args.hot { " (hot: one SKU)" } else { "" },
        if coupon.is_some() { " with coupon LOADTEST" } else { "" },
        args.seconds
    );
    println!(
        "{:>11} {:>9} {:>9} {:>9} {:>9} {:>9}  outcome",
        "concurrency", "orders/s", "p50 ms", "p90 ms", "p99 ms", "max ms"
    );
    let target = Target {
        url: args.url.clone(),
        token: args.token.clone(),
        store: args.store.clone(),
        skus: skus.clone(),
        coupon: coupon.clone(),
    };
    for &c in &args.concurrency {
        for (seconds, report) in [(2, false), (args.seconds, true)] {
            let until = Instant::now() + Duration::from_secs(seconds);
            let started = Instant::now();
            let handles: Vec<_> =
                (0..c).map(|id| tokio::spawn(worker(http.clone(), target.clone(), id, until))).collect();
            let mut all = Tally::default();
            for handle in handles {
                let t = handle.await?;
                all.latencies.extend(t.latencies);
                all.placed += t.placed;
                all.failed += t.failed;
                for (code, n) in t.refused {
                    *all.refused.entry(code).or_default() += n;
                }
            }
            if !report {
                continue;
            }
            let elapsed = started.elapsed().as_secs_f64();
            all.latencies.sort_unstable();
            println!(
                "{:>11} {:>9.1} {:>9.2} {:>9.2} {:>9.2} {:>9.2}  {} placed, {} refused {:?}, {} failed",
                c,
                all.placed as f64 / elapsed,
                percentile(&all.latencies, 0.50),
                percentile(&all.latencies, 0.90),
                percentile(&all.latencies, 0.99),
                percentile(&all.latencies, 1.0),
                all.placed,
                all.refused.values().sum::<usize>(),
                all.refused,
                all.failed
            );
        }
    }
    Ok(())
}
