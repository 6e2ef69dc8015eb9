//! storegraph's benchmark suite, in one run:
//!
//! 1. a fresh PostgreSQL cluster of its own (with `pg_stat_statements`), migrated;
//! 2. provisioning: `--provision` tenants created one after the other (median, p90);
//! 3. data: one shop of `--products` products (3 variants, 2 images, 5 attribute values of
//!    8 attributes each, stock for every variant, one store) and `--scale-tenants` smaller
//!    shops of `--scale-products` products, bulk-loaded by `datagen`;
//! 4. the server (`--server-bin`, started as a process of its own, so its CPU and memory
//!    are its own);
//! 5. statements per storefront page, from pg_stat_statements over 100 requests;
//! 6. the storefront page at each `--concurrency` on the big shop, with the raw-SQL
//!    ceiling (the same statements straight to PostgreSQL) right after each;
//! 7. tenant scale: the same load spread over 1, 100 and 1,000 of the small shops, with the
//!    PostgreSQL backends and their memory after each;
//! 8. `storegraph migrate` over all tenants, with nothing pending and with one pending.
//!
//! The results are printed as a Markdown table and written to `target/bench-report.md`.
//!
//! ```text
//! bash bench/run            # builds in release and runs everything with the defaults
//! ```

mod attacks;
mod ceiling;
mod datagen;
mod load;
mod pg;
mod tenancy;

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use clap::Parser;
use storegraph::db::embedded::{self, ClusterOptions, EmbeddedPostgres};
use storegraph::db::migrate;

use crate::datagen::{BenchTenant, CatalogSpec};

/// What to run and how big.
#[derive(Parser, Debug)]
struct Args {
    /// The storegraph binary to benchmark (build it with `cargo build --release`).
    #[arg(long, default_value = "target/release/storegraph")]
    server_bin: PathBuf,
    /// Folder of the benchmark's PostgreSQL cluster (wiped at the start and the end).
    #[arg(long, default_value = "target/bench-postgres")]
    data_dir: PathBuf,
    /// Products of the big shop.
    #[arg(long, default_value_t = 10_000)]
    products: u32,
    /// Concurrency levels of the storefront load.
    #[arg(long, value_delimiter = ',', default_value = "1,16,64")]
    concurrency: Vec<usize>,
    /// Small shops for the tenant-scale runs (the runs use 1, 100 and this many).
    #[arg(long, default_value_t = 1000)]
    scale_tenants: usize,
    /// Products of each small shop.
    #[arg(long, default_value_t = 100)]
    scale_products: u32,
    /// Concurrency of the tenant-scale runs.
    #[arg(long, default_value_t = 16)]
    scale_concurrency: usize,
    /// Tenants provisioned one by one to time provisioning.
    #[arg(long, default_value_t = 100)]
    provision: usize,
    /// Unmeasured seconds before each run.
    #[arg(long, default_value_t = 3)]
    warmup: u64,
    /// Measured seconds of each run.
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// Connections of the server's pool.
    #[arg(long, default_value_t = 16)]
    pool_size: u32,
    /// Keep the cluster's folder afterwards.
    #[arg(long)]
    keep: bool,
    /// Run only the hostile requests (a shop of 100 products, the server, each attack 20
    /// times) and report how each is refused.
    #[arg(long)]
    attacks: bool,
}

/// The server under test, a child process stopped when dropped.
struct Server {
    child: Child,
    url: String,
}

impl Server {
    async fn start(args: &Args, database_url: &str) -> anyhow::Result<Self> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let log = std::fs::File::create("target/bench-server.log")?;
        let child = Command::new(&args.server_bin)
            .args(["serve", "--listen", &format!("127.0.0.1:{port}"), "--pool-size", &args.pool_size.to_string()])
            .env("DATABASE_URL", database_url)
            .env("RUST_LOG", "warn")
            // The load is one storefront key of one tenant at full speed: lift its cost
            // budgets so the benchmark measures serving, not throttling.
            .env("STOREGRAPH_TENANT_BUDGET", "1000000000")
            .env("STOREGRAPH_TENANT_RESTORE_RATE", "1000000000")
            .env("STOREGRAPH_KEY_BUDGET", "1000000000")
            .env("STOREGRAPH_KEY_RESTORE_RATE", "1000000000")
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()
            .with_context(|| {
                format!("cannot start {} (build it with `cargo build --release`)", args.server_bin.display())
            })?;
        let server = Self { child, url: format!("http://127.0.0.1:{port}/graphql") };
        let ready = format!("http://127.0.0.1:{port}/readyz");
        let deadline = Instant::now() + Duration::from_secs(60);
        while !reqwest::get(&ready).await.map(|r| r.status().is_success()).unwrap_or(false) {
            if Instant::now() > deadline {
                bail!("the server did not become ready; see target/bench-server.log");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Ok(server)
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = nix::sys::signal::kill(nix::unistd::Pid::from_raw(self.child.id() as i32), nix::sys::signal::SIGTERM);
        let _ = self.child.wait();
    }
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1e3)
}

/// The report, as Markdown, built up as the run goes.
#[derive(Default)]
struct Report(String);

impl Report {
    fn line(&mut self, text: impl AsRef<str>) {
        println!("{}", text.as_ref());
        self.0.push_str(text.as_ref());
        self.0.push('\n');
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let mut report = Report::default();
    let machine = machine();
    report.line(format!("Machine: {machine}"));

    // 1. A fresh cluster with pg_stat_statements.
    let cluster_dir = embedded::cluster_dir(&std::fs::canonicalize(".")?.join(&args.data_dir))?;
    let _ = std::fs::remove_dir_all(&cluster_dir);
    std::fs::create_dir_all(&args.data_dir)?;
    // The settings `serve` runs its own cluster with, and what the benchmark needs.
    let mut options = ClusterOptions::single_server(std::fs::canonicalize(&args.data_dir)?);
    options.settings.extend(
        [
            ("shared_preload_libraries", "pg_stat_statements"),
            ("pg_stat_statements.max", "10000"),
            ("max_connections", "300"),
            ("max_locks_per_transaction", "256"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string())),
    );
    let cluster = tokio::task::spawn_blocking(move || EmbeddedPostgres::start(&options)).await??;
    let result = run(&args, &cluster, &cluster_dir, &mut report).await;
    cluster.stop();
    if !args.keep {
        let _ = std::fs::remove_dir_all(&cluster_dir);
    }
    if let Err(error) = &result {
        // tokio-postgres keeps the server's message in the error's source.
        eprintln!("{error:?}");
    }
    result?;
    std::fs::write("target/bench-report.md", &report.0)?;
    println!("\n(written to target/bench-report.md)");
    Ok(())
}

async fn run(
    args: &Args,
    cluster: &EmbeddedPostgres,
    cluster_dir: &std::path::Path,
    report: &mut Report,
) -> anyhow::Result<()> {
    let url = cluster.url("bench");
    embedded::ensure_database(&cluster.url("postgres"), "bench").await?;
    let admin = pg::connect(&url).await?;
    admin.batch_execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements").await?;
    migrate::migrate_all(&url, 2).await?;
    let log = cluster_dir.join("postgres.log");

    if args.attacks {
        let spec = CatalogSpec { products: 100, ..CatalogSpec::default() };
        let shop = datagen::generate(&url, "shop", 1, spec, 1).await?;
        let server = Server::start(args, &url).await?;
        return attacks::run(&server.url, server.pid(), &shop[0].storefront_token, 20, report).await;
    }

    // 2. Provisioning, on an otherwise empty cluster.
    eprintln!("provisioning {} tenants one by one…", args.provision);
    let times = tenancy::provisioning(&url, args.provision).await?;
    let provision_median = times[times.len() / 2];
    let provision_p90 = times[times.len() * 9 / 10];

    // 3. Data.
    let started = Instant::now();
    let shop = datagen::generate(&url, "shop", 1, CatalogSpec { products: args.products, ..CatalogSpec::default() }, 1)
        .await?;
    let shop_fill = started.elapsed();
    eprintln!("big shop filled in {shop_fill:?}; generating {} small shops…", args.scale_tenants);
    let started = Instant::now();
    let small = CatalogSpec { products: args.scale_products, ..CatalogSpec::default() };
    let scale = datagen::generate(&url, "scale", args.scale_tenants, small, 2).await?;
    let scale_fill = started.elapsed();

    // 4. The server.
    let server = Server::start(args, &url).await?;
    let client = load::client(args.concurrency.iter().copied().max().unwrap_or(16).max(args.scale_concurrency))?;
    load::sequential(&client, &server.url, &shop, 50).await?;

    report.line("");
    report.line(format!(
        "Data: one shop of {} products ({} s to provision and bulk-load), {} shops of {} products ({} s); \
         each product with 3 variants (price, stock), 2 images, 5 attribute values of 8 attributes.",
        args.products,
        shop_fill.as_secs(),
        args.scale_tenants,
        args.scale_products,
        scale_fill.as_secs()
    ));

    // 5. Statements per page, single tenant (steady state) and spread over every shop.
    let (per_page_one, counted) = statements_per_request(&admin, &client, &server.url, &shop).await?;
    let captured = ceiling::capture(&admin, &log, load::sequential(&client, &server.url, &shop, 1)).await?;
    report.line("");
    report.line(format!(
        "Statements per storefront page on one tenant (pg_stat_statements over 100 requests): {per_page_one:.2}; \
         the raw-SQL ceiling replays the {} statements of one page, logged with their parameters:",
        captured.len()
    ));
    report.line("");
    for statement in &counted {
        let text: String = statement.query.split_whitespace().collect::<Vec<_>>().join(" ").chars().take(100).collect();
        report.line(format!(
            "- {} × `{text}…` ({:.2} ms, {:.0} rows)",
            statement.calls as f64 / 100.0,
            statement.mean_ms,
            statement.rows_per_call
        ));
    }

    // 6. Storefront load against the ceiling.
    let warmup = Duration::from_secs(args.warmup);
    let duration = Duration::from_secs(args.seconds);
    let schema = format!("t_{}", shop[0].slug);
    report.line("");
    report.line(format!(
        "Storefront page on the {}-product shop ({} s measured after {} s warm-up, pool of {}):",
        args.products, args.seconds, args.warmup, args.pool_size
    ));
    report.line("");
    report.line(
        "| concurrency | req/s | p50 | p99 | response | CPU (cores): server / PostgreSQL / load | server RSS \
         | ceiling pages/s | ceiling p99 | ceiling CPU: PostgreSQL / client | share of ceiling |",
    );
    report.line("|---|---|---|---|---|---|---|---|---|---|---|");
    for &c in &args.concurrency {
        let (run, cpu) =
            load::cpu_during(Some(server.pid()), load::run(&client, &server.url, &shop, c, warmup, duration)).await?;
        let rss = load::status_kib(server.pid(), "VmRSS")?;
        let (ceiling, raw_cpu) =
            load::cpu_during(None, ceiling::run(&url, &schema, &captured, c, warmup, duration)).await?;
        report.line(format!(
            "| {c} | {:.0} | {} | {} | {:.1} KB | {:.2} / {:.2} / {:.2} | {:.0} MB | {:.0} | {} | {:.2} / {:.2} | {:.0} % |",
            run.latency.throughput,
            ms(run.latency.p50),
            ms(run.latency.p99),
            run.bytes as f64 / 1024.0,
            cpu.server,
            cpu.rest,
            cpu.client,
            rss as f64 / 1024.0,
            ceiling.throughput,
            ms(ceiling.p99),
            raw_cpu.rest,
            raw_cpu.client,
            run.latency.throughput / ceiling.throughput * 100.0
        ));
    }

    // 7. Tenant scale.
    report.line("");
    report.line(format!(
        "Tenant scale: the same page at concurrency {}, each request to the next tenant in turn \
         ({}-product shops):",
        args.scale_concurrency, args.scale_products
    ));
    report.line("");
    report.line(
        "| tenants | statements/page | req/s | p50 | p99 | PostgreSQL backends | their private memory (RssAnon) |",
    );
    report.line("|---|---|---|---|---|---|---|");
    let mut counts = vec![1, 100, args.scale_tenants];
    counts.retain(|&n| n <= args.scale_tenants);
    counts.dedup();
    for n in counts {
        let tenants = &scale[..n];
        let (per_page, _) = statements_per_request(&admin, &client, &server.url, tenants).await?;
        let run = load::run(&client, &server.url, tenants, args.scale_concurrency, warmup, duration).await?;
        let (backends, memory) = pg::backends(&admin).await?;
        report.line(format!(
            "| {n} | {per_page:.2} | {:.0} | {} | {} | {backends} | {:.0} MB |",
            run.latency.throughput,
            ms(run.latency.p50),
            ms(run.latency.p99),
            memory as f64 / 1024.0
        ));
    }
    drop(server);

    // 8. Provisioning and migrations.
    let nothing = tenancy::migrate_command(&args.server_bin, &url)?;
    let (one, applied) = tenancy::migrate_one_pending(&url, 4).await?;
    let tenants = 1 + args.scale_tenants;
    report.line("");
    report.line("| tenant operation | time |");
    report.line("|---|---|");
    report.line(format!(
        "| provision one tenant (over {}: median / p90) | {} / {} |",
        args.provision,
        ms(provision_median),
        ms(provision_p90)
    ));
    report.line(format!("| `storegraph migrate`, {tenants} tenants, nothing pending | {} |", ms(nothing)));
    report.line(format!(
        "| migrate {tenants} tenants with one new migration pending (applied to {applied}) | {} |",
        ms(one)
    ));
    report.line("");
    report.line("Reproduce: `bash bench/run` (the defaults above; `--help` for the sizes and durations).");
    Ok(())
}

/// Statements PostgreSQL ran per request over 100 page requests spread over `tenants`,
/// once every tenant has been asked for a page (so the server knows their tokens).
async fn statements_per_request(
    admin: &tokio_postgres::Client,
    client: &reqwest::Client,
    url: &str,
    tenants: &[BenchTenant],
) -> anyhow::Result<(f64, Vec<pg::Counted>)> {
    load::sequential(client, url, tenants, tenants.len()).await?;
    pg::reset_statements(admin).await?;
    load::sequential(client, url, tenants, 100).await?;
    let counted = pg::statements(admin).await?;
    let total: i64 = counted.iter().map(|c| c.calls).sum();
    Ok((total as f64 / 100.0, counted))
}

/// The CPU model and core count, from `/proc/cpuinfo`, and the memory.
fn machine() -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name").and_then(|r| r.split_once(':')).map(|(_, m)| m.trim().to_owned()))
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0);
    let memory = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| m.lines().next().map(|l| l.split_whitespace().nth(1).unwrap_or("0").parse::<u64>().unwrap_or(0)))
        .unwrap_or(0);
    format!(
        "{model}, {cores} cores, {:.0} GiB; server, PostgreSQL and load generator on the same machine",
        memory as f64 / 1048576.0
    )
}
