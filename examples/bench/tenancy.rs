//! Tenant operations at scale: how long provisioning one tenant takes, and how long
//! `storegraph migrate` takes over every tenant with nothing pending and with one new
//! migration pending.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use storegraph::db::migrate;
use storegraph::db::migrate::{SqlMigration, TENANT_MIGRATIONS};
use storegraph::tenancy::{create_tenant, drop_tenant};

/// Provisions `count` empty tenants one after the other, timing each, then drops them.
pub async fn provisioning(url: &str, count: usize) -> anyhow::Result<Vec<Duration>> {
    let mut times = Vec::with_capacity(count);
    for i in 0..count {
        let slug = format!("prov{i:05}");
        let started = Instant::now();
        create_tenant(url, &slug, &slug).await?;
        times.push(started.elapsed());
    }
    for i in 0..count {
        drop_tenant(url, &format!("prov{i:05}")).await?;
    }
    times.sort();
    Ok(times)
}

/// Runs `storegraph migrate` (the binary, as an operator would) against `url`.
pub fn migrate_command(bin: &Path, url: &str) -> anyhow::Result<Duration> {
    let started = Instant::now();
    let output = std::process::Command::new(bin)
        .arg("migrate")
        .env("DATABASE_URL", url)
        .env("RUST_LOG", "warn")
        .output()
        .with_context(|| format!("cannot run {}", bin.display()))?;
    let elapsed = started.elapsed();
    if !output.status.success() {
        bail!("storegraph migrate failed: {}", String::from_utf8_lossy(&output.stderr));
    }
    Ok(elapsed)
}

/// Runs the migrations of every tenant with one more migration than the program has
/// (it adds a nullable column to `products`, as a real schema change might), and returns
/// how long that took and how many tenants it was applied to.
pub async fn migrate_one_pending(url: &str, jobs: usize) -> anyhow::Result<(Duration, usize)> {
    let extra = SqlMigration::new(
        "2099-12-31-000000_benchmark_column",
        "ALTER TABLE products ADD COLUMN benchmark_note text",
        Some("ALTER TABLE products DROP COLUMN benchmark_note"),
    )?;
    let version = extra.version().to_owned();
    let source = TENANT_MIGRATIONS.followed_by([extra])?;
    let started = Instant::now();
    let report = migrate::migrate_all_with(url, jobs, source).await?;
    let elapsed = started.elapsed();
    if let Some(failure) = report.failures().next() {
        bail!("tenant {} failed: {:?}", failure.slug, failure.outcome);
    }
    let applied =
        report.tenants.iter().filter(|t| t.outcome.as_ref().is_ok_and(|v| v == std::slice::from_ref(&version))).count();
    Ok((elapsed, applied))
}
