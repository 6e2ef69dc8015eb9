//! The storefront load: `concurrency` clients sending the storefront page query over HTTP
//! as fast as answers come back, spread evenly over the benchmark tenants, with a warm-up
//! that is not measured. Also what the load cost the server process (CPU and memory, from
//! `/proc`).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use serde_json::json;

use super::datagen::BenchTenant;

/// The storefront page of the issue: the first 50 products by creation time, each with
/// its name, slug and price, its variants (sku, price, available quantity), images and
/// attribute values.
pub const PAGE: &str = "query Page { products(first: 50, sortBy: {field: CREATED_AT, direction: ASC}) { edges { node {
  name slug price { amount currency }
  variants { sku price { amount currency } inventory { available } }
  images { url alt }
  attributes { attribute { code } values } } } } }";

/// The measured part of a closed-loop run (the storefront load and the ceiling alike):
/// what is sent after the warm-up and answered before the end.
#[derive(Debug, Clone, Copy)]
pub struct Window {
    measure_from: Instant,
    stop_at: Instant,
}

impl Window {
    /// A window opening after `warmup` from now and lasting `duration`.
    pub fn start(warmup: Duration, duration: Duration) -> Self {
        let measure_from = Instant::now() + warmup;
        Self { measure_from, stop_at: measure_from + duration }
    }

    /// Whether a client should stop sending.
    pub fn is_over(&self, now: Instant) -> bool {
        now >= self.stop_at
    }

    /// Whether a request sent and answered at these times is measured.
    pub fn counts(&self, sent: Instant, done: Instant) -> bool {
        sent >= self.measure_from && done <= self.stop_at
    }

    /// Throughput and percentiles of the measured latencies.
    pub fn summarize(&self, mut latencies: Vec<Duration>) -> anyhow::Result<Summary> {
        if latencies.is_empty() {
            bail!("nothing completed within the measured time");
        }
        latencies.sort();
        let at = |p: f64| latencies[((latencies.len() as f64 * p) as usize).min(latencies.len() - 1)];
        let seconds = (self.stop_at - self.measure_from).as_secs_f64();
        Ok(Summary { throughput: latencies.len() as f64 / seconds, p50: at(0.50), p99: at(0.99) })
    }
}

/// Throughput and latency of one measured run.
#[derive(Debug, Clone)]
pub struct Summary {
    /// Completed per second.
    pub throughput: f64,
    /// Median latency.
    pub p50: Duration,
    /// 99th percentile latency.
    pub p99: Duration,
}

/// Latencies and volumes of one storefront run.
#[derive(Debug, Clone)]
pub struct Run {
    /// Requests answered without errors.
    pub latency: Summary,
    /// Mean response body size in bytes.
    pub bytes: usize,
}

/// A request ready to send to one tenant.
struct Target {
    token: String,
    store: String,
}

/// Sends one page request and returns the body's size; fails on any HTTP or GraphQL error,
/// or a page that does not hold 50 products.
async fn page(client: &reqwest::Client, url: &str, target: &Target) -> anyhow::Result<usize> {
    let response = client
        .post(url)
        .bearer_auth(&target.token)
        .header("x-store", &target.store)
        .json(&json!({ "query": PAGE }))
        .send()
        .await?;
    let status = response.status();
    let body = response.bytes().await?;
    if !status.is_success() {
        bail!("HTTP {status}: {}", String::from_utf8_lossy(&body));
    }
    // A cheap check that the answer is a full page, not an error.
    if body.starts_with(br#"{"errors""#) || memchr_count(&body, br#""slug""#) != 50 {
        bail!("not a page of 50 products: {}", String::from_utf8_lossy(&body[..body.len().min(300)]));
    }
    Ok(body.len())
}

fn memchr_count(haystack: &[u8], needle: &[u8]) -> usize {
    haystack.windows(needle.len()).filter(|w| *w == needle).count()
}

/// The HTTP client every run uses: one keep-alive connection per concurrent client.
pub fn client(concurrency: usize) -> anyhow::Result<reqwest::Client> {
    Ok(reqwest::Client::builder().pool_max_idle_per_host(concurrency).build()?)
}

/// Sends exactly `count` page requests, one at a time, cycling over `tenants`.
pub async fn sequential(
    client: &reqwest::Client,
    url: &str,
    tenants: &[BenchTenant],
    count: usize,
) -> anyhow::Result<()> {
    let targets = targets(tenants);
    for i in 0..count {
        page(client, url, &targets[i % targets.len()]).await?;
    }
    Ok(())
}

fn targets(tenants: &[BenchTenant]) -> Vec<Target> {
    tenants.iter().map(|t| Target { token: t.storefront_token.clone(), store: t.store_code.clone() }).collect()
}

/// Runs `concurrency` clients for `warmup` (not measured) and then `duration`, each
/// request going to the next tenant in turn.
pub async fn run(
    client: &reqwest::Client,
    url: &str,
    tenants: &[BenchTenant],
    concurrency: usize,
    warmup: Duration,
    duration: Duration,
) -> anyhow::Result<Run> {
    let targets = Arc::new(targets(tenants));
    let next = Arc::new(AtomicUsize::new(0));
    let window = Window::start(warmup, duration);
    let mut workers = Vec::with_capacity(concurrency);
    for _ in 0..concurrency {
        let (client, url, targets, next) = (client.clone(), url.to_owned(), Arc::clone(&targets), Arc::clone(&next));
        workers.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut bytes = 0usize;
            loop {
                let sent = Instant::now();
                if window.is_over(sent) {
                    break;
                }
                let target = &targets[next.fetch_add(1, Ordering::Relaxed) % targets.len()];
                let size = page(&client, &url, target).await?;
                let done = Instant::now();
                if window.counts(sent, done) {
                    latencies.push(done - sent);
                    bytes += size;
                }
            }
            anyhow::Ok((latencies, bytes))
        }));
    }
    let mut latencies = Vec::new();
    let mut bytes = 0;
    for worker in workers {
        let (l, b) = worker.await.context("a load client panicked")??;
        latencies.extend(l);
        bytes += b;
    }
    let bytes = bytes / latencies.len().max(1);
    Ok(Run { latency: window.summarize(latencies)?, bytes })
}

/// CPU time a process has used so far (user + system), from `/proc/<pid>/stat`.
pub fn cpu_time(pid: u32) -> anyhow::Result<Duration> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    // The command name (field 2) may hold spaces; the fields after it are plain numbers.
    let after = stat.rsplit_once(')').context("unreadable /proc stat")?.1;
    let fields: Vec<&str> = after.split_whitespace().collect();
    ticks(fields[11].parse::<u64>()? + fields[12].parse::<u64>()?)
}

/// CPU time the whole machine has used so far (every core, user + system + irq), from
/// `/proc/stat`: with the server's and the load generator's own, what is left is
/// PostgreSQL's.
pub fn machine_cpu_time() -> anyhow::Result<Duration> {
    let stat = std::fs::read_to_string("/proc/stat")?;
    let fields: Vec<u64> = stat
        .lines()
        .next()
        .context("empty /proc/stat")?
        .split_whitespace()
        .skip(1)
        .map(|f| f.parse().unwrap_or(0))
        .collect();
    // user nice system idle iowait irq softirq steal: all but idle and iowait.
    ticks(fields.iter().take(8).enumerate().filter(|(i, _)| *i != 3 && *i != 4).map(|(_, v)| v).sum())
}

/// CPU clock ticks (as `/proc` counts them) as time.
fn ticks(count: u64) -> anyhow::Result<Duration> {
    let per_second = nix::unistd::sysconf(nix::unistd::SysconfVar::CLK_TCK)?.unwrap_or(100) as u64;
    Ok(Duration::from_nanos(count * 1_000_000_000 / per_second))
}

/// CPU used while `work` ran, in cores: by process `pid`, by this process, and by the
/// rest of the machine.
pub struct CpuShare {
    /// The server process.
    pub server: f64,
    /// This process (the load generator).
    pub client: f64,
    /// Everything else: PostgreSQL, for all practical purposes.
    pub rest: f64,
}

/// Measures the CPU used while `work` runs.
pub async fn cpu_during<T>(
    pid: Option<u32>,
    work: impl std::future::Future<Output = anyhow::Result<T>>,
) -> anyhow::Result<(T, CpuShare)> {
    let me = std::process::id();
    let server_before = pid.map(cpu_time).transpose()?.unwrap_or_default();
    let (client_before, machine_before) = (cpu_time(me)?, machine_cpu_time()?);
    let wall = Instant::now();
    let value = work.await?;
    let wall = wall.elapsed().as_secs_f64();
    let server = (pid.map(cpu_time).transpose()?.unwrap_or_default() - server_before).as_secs_f64() / wall;
    let client = (cpu_time(me)? - client_before).as_secs_f64() / wall;
    let machine = (machine_cpu_time()? - machine_before).as_secs_f64() / wall;
    Ok((value, CpuShare { server, client, rest: (machine - server - client).max(0.0) }))
}

/// A field of `/proc/<pid>/status` in KiB (`VmRSS`, `VmHWM`, `RssAnon`, …).
pub fn status_kib(pid: u32, field: &str) -> anyhow::Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let line = status
        .lines()
        .find_map(|l| l.strip_prefix(field).and_then(|rest| rest.strip_prefix(':')))
        .with_context(|| format!("no {field} in /proc/{pid}/status"))?;
    Ok(line.trim().trim_end_matches("kB").trim().parse()?)
}
