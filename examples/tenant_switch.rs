//! What does switching the tenant on every checkout cost?
//!
//! Runs the same small storefront read (the first 20 stores by code, through diesel's
//! cached prepared statements) on a pool of one connection, four ways:
//!
//! - `baseline`: a plain checkout whose path was set before, then the query (1 statement);
//! - `same tenant`: `tenant_connection` on every checkout, always the same tenant; the
//!   connection remembers its path, so this is 1 statement too;
//! - `forced`: the path statement on every checkout, same tenant (2 statements): what a
//!   connection that did not remember its path would cost;
//! - `alternating`: `tenant_connection` on every checkout, two tenants in turn
//!   (2 statements), so PostgreSQL also re-plans the cached query each time.
//!
//! ```text
//! cargo run --release --example tenant_switch [-- ITERATIONS]
//! ```
//! Uses `DATABASE_URL`, or storegraph's embedded cluster in `target/bench-postgres`.

use std::time::{Duration, Instant};

use diesel::prelude::*;
use diesel_async::{RunQueryDsl, SimpleAsyncConnection};
use storegraph::config::DatabaseArgs;
use storegraph::db::schema::stores;
use storegraph::db::{Database, PoolConfig, TenantSchema, migrate, tenant_connection};
use storegraph::stores::Store;
use storegraph::tenancy::{ProvisionError, Slug, create_tenant};

diesel::define_sql_function!(fn set_config(name: diesel::sql_types::Text, value: diesel::sql_types::Text, is_local: diesel::sql_types::Bool) -> diesel::sql_types::Text);

const TENANTS: [&str; 2] = ["bench_switch_a", "bench_switch_b"];

async fn page(conn: &mut diesel_async::AsyncPgConnection) -> Vec<Store> {
    stores::table.select(Store::as_select()).order(stores::code).limit(20).load(conn).await.expect("query")
}

fn report(name: &str, mut samples: Vec<Duration>) -> f64 {
    samples.sort();
    let mean = samples.iter().sum::<Duration>().as_secs_f64() * 1e6 / samples.len() as f64;
    let pct = |p: f64| samples[((samples.len() as f64 * p) as usize).min(samples.len() - 1)].as_secs_f64() * 1e6;
    println!("{name:<12} mean {mean:7.1} µs   p50 {:7.1} µs   p99 {:7.1} µs", pct(0.5), pct(0.99));
    mean
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let iterations: usize = std::env::args().nth(1).map(|n| n.parse()).transpose()?.unwrap_or(5_000);
    let args = DatabaseArgs {
        database_url: std::env::var("DATABASE_URL").ok(),
        data_dir: Some(concat!(env!("CARGO_MANIFEST_DIR"), "/target/bench-postgres").into()),
        pg_port: None,
        pooler: Default::default(),
        direct_database_url: None,
    };
    let database = args.open(false).await?;
    let url = database.url.clone();
    migrate::migrate_all(&url, 2).await?;
    let db = Database::connect(&url, &PoolConfig { max_size: 1, ..PoolConfig::default() }).await?;
    let mut schemas = Vec::new();
    for slug in TENANTS {
        match create_tenant(&url, slug, slug).await {
            Ok(_) | Err(ProvisionError::Exists(_)) => {}
            Err(e) => return Err(e.into()),
        }
        let schema = TenantSchema::for_slug(&Slug::parse(slug)?);
        let mut conn = tenant_connection(&db.pool, &schema).await?;
        conn.batch_execute(
            "INSERT INTO stores (code, name, default_currency)
             SELECT 'store-' || i, 'Store ' || i, 'EUR' FROM generate_series(1, 40) i
             ON CONFLICT (code) DO NOTHING",
        )
        .await?;
        schemas.push(schema);
    }

    // Warm up every statement and plan once.
    for schema in &schemas {
        page(&mut *tenant_connection(&db.pool, schema).await?).await;
    }

    let mut baseline = Vec::with_capacity(iterations);
    drop(tenant_connection(&db.pool, &schemas[0]).await?);
    for _ in 0..iterations {
        let started = Instant::now();
        let mut conn = db.pool.get().await?;
        assert_eq!(page(&mut conn).await.len(), 20);
        baseline.push(started.elapsed());
    }
    let mut same = Vec::with_capacity(iterations);
    for _ in 0..iterations {
        let started = Instant::now();
        let mut conn = tenant_connection(&db.pool, &schemas[0]).await?;
        assert_eq!(page(&mut conn).await.len(), 20);
        same.push(started.elapsed());
    }
    let mut forced = Vec::with_capacity(iterations);
    for _ in 0..iterations {
        let started = Instant::now();
        let mut conn = db.pool.get().await?;
        diesel::select(set_config("search_path", schemas[0].as_str(), false)).execute(&mut **conn).await?;
        assert_eq!(page(&mut conn).await.len(), 20);
        forced.push(started.elapsed());
    }
    let mut alternating = Vec::with_capacity(iterations);
    for i in 0..iterations {
        let started = Instant::now();
        let mut conn = tenant_connection(&db.pool, &schemas[i % 2]).await?;
        assert_eq!(page(&mut conn).await.len(), 20);
        alternating.push(started.elapsed());
    }

    println!("{iterations} checkouts each, pool of one connection, 20-row page of stores:");
    let base = report("baseline", baseline);
    let same = report("same tenant", same);
    let forced = report("forced", forced);
    let alternating = report("alternating", alternating);
    println!(
        "per checkout, against the baseline: same tenant {:+.1} µs (no extra statement); \
         a path statement {:+.1} µs (+1 round trip); alternating tenants {:+.1} µs (+1 round trip and a re-plan)",
        same - base,
        forced - base,
        alternating - base
    );
    drop(db);
    database.close().await;
    Ok(())
}
