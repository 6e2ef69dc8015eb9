//! The `storegraph` command line.

use std::net::SocketAddr;
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use clap::{Parser, Subcommand};
use uuid::Uuid;

use crate::config::DatabaseArgs;
use crate::db::{Database, PoolConfig, PoolerMode, migrate};
use crate::graphql::Limits;
use crate::server::{self, ServeOptions};
use crate::tenancy::{self, ControlPlane, Role, Slug, TenantStatus};

/// storegraph: a GraphQL backend for multi-tenant commerce.
#[derive(Debug, Parser)]
#[command(name = "storegraph", version, about)]
pub struct Cli {
    #[command(flatten)]
    database: DatabaseArgs,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the GraphQL server.
    Serve {
        /// Address to listen on.
        #[arg(long, env = "STOREGRAPH_LISTEN", default_value = "127.0.0.1:8080")]
        listen: SocketAddr,
        /// Create demo tenants with sample data and print their API tokens.
        #[arg(long)]
        demo: bool,
        /// Most database connections in the pool.
        #[arg(long, env = "STOREGRAPH_POOL_SIZE", default_value_t = 16)]
        pool_size: u32,
        /// Longest a single SQL statement may run, in milliseconds.
        #[arg(long, env = "STOREGRAPH_STATEMENT_TIMEOUT_MS", default_value_t = 30_000)]
        statement_timeout_ms: u64,
        /// Tenant switches a database connection makes before it is replaced, which bounds
        /// each PostgreSQL backend's memory however many tenants it serves.
        #[arg(long, env = "STOREGRAPH_SWITCHES_PER_CONNECTION", default_value_t = 100)]
        switches_per_connection: u32,
        /// Most database connections one tenant may hold at once (default: half the pool,
        /// at least one); a request over it waits briefly, then fails with BUSY.
        #[arg(long, env = "STOREGRAPH_TENANT_POOL_SHARE")]
        tenant_pool_share: Option<u32>,
        /// After SIGTERM or ctrl-c, how long requests in flight may take before the
        /// process stops anyway, in seconds.
        #[arg(long, env = "STOREGRAPH_SHUTDOWN_TIMEOUT_SECS", default_value_t = 30)]
        shutdown_timeout_secs: u64,
        #[command(flatten)]
        limits: Limits,
        /// Hours an `orderCreate` idempotency key answers with its order; after that the
        /// key can be used for a new order.
        #[arg(long, env = "STOREGRAPH_IDEMPOTENCY_TTL_HOURS", default_value_t = 24)]
        idempotency_ttl_hours: u64,
    },
    /// Bring the control plane and every tenant schema to the newest version.
    Migrate {
        /// Tenants migrated at once.
        #[arg(long, default_value_t = 4)]
        jobs: usize,
    },
    /// Manage tenants.
    Tenant {
        #[command(subcommand)]
        command: TenantCommand,
    },
    /// The GraphQL schema.
    Schema {
        #[command(subcommand)]
        command: SchemaCommand,
    },
}

#[derive(Debug, Subcommand)]
enum TenantCommand {
    /// Create a tenant (schema at the newest version).
    Create {
        /// 2 to 40 of a-z, 0-9 and _, starting with a letter.
        slug: String,
        /// Display name (default: the slug).
        #[arg(long)]
        name: Option<String>,
    },
    /// List tenants.
    List,
    /// Drop a tenant and all its data.
    Drop {
        slug: String,
        /// Confirm: the tenant's data is deleted for good.
        #[arg(long)]
        yes: bool,
    },
    /// Set a tenant's query-cost budget (see README, "Limits and costs"); without values,
    /// the tenant goes back to the server's defaults.
    Budget {
        slug: String,
        /// Cost points the tenant's bucket holds when full.
        #[arg(long)]
        max: Option<u32>,
        /// Cost points the bucket regains per second.
        #[arg(long)]
        restore_rate: Option<u32>,
    },
    /// Refuse a tenant's requests (TENANT_SUSPENDED), keeping its data.
    Suspend { slug: String },
    /// Serve a suspended tenant again.
    Resume { slug: String },
    /// Manage a tenant's API keys.
    Key {
        #[command(subcommand)]
        command: KeyCommand,
    },
}

#[derive(Debug, Subcommand)]
enum KeyCommand {
    /// Mint an API key; its token is printed once and never stored.
    Create {
        slug: String,
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// A label to recognise the key by.
        #[arg(long, default_value = "")]
        label: String,
        /// The staff member an admin key belongs to (recorded as the author of what is
        /// done with it).
        #[arg(long)]
        staff: Option<String>,
    },
    /// List a tenant's keys (prefixes only).
    List { slug: String },
    /// Revoke a key by its id.
    Revoke { slug: String, id: Uuid },
}

#[derive(Debug, Subcommand)]
enum SchemaCommand {
    /// Print the GraphQL schema (SDL), as schema.graphql holds it.
    Print,
}

fn parse_role(value: &str) -> Result<Role, String> {
    Role::parse(value).ok_or_else(|| format!("'{value}' is not a role: use storefront or admin"))
}

/// Parses the command line, runs the command, and turns failures into a message and a
/// non-zero exit.
pub async fn main() -> ExitCode {
    let cli = Cli::parse();
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "storegraph=info".into());
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    match run(cli).await {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    if let Command::Schema { command: SchemaCommand::Print } = cli.command {
        print!("{}", crate::graphql::sdl());
        return Ok(ExitCode::SUCCESS);
    }
    if let Command::Tenant { command: TenantCommand::Drop { yes: false, slug } } = &cli.command {
        bail!("dropping tenant '{slug}' deletes all its data: pass --yes to confirm");
    }
    let database = cli.database.open(matches!(cli.command, Command::Serve { .. })).await?;
    let connection = Connection {
        url: database.url.clone(),
        pooler: cli.database.pooler,
        direct_url: cli.database.direct_database_url.clone().filter(|url| !url.trim().is_empty()),
    };
    let result = run_with_database(cli.command, &connection).await;
    database.close().await;
    result
}

/// How the command reaches the database.
struct Connection {
    /// The URL everything goes through.
    url: String,
    /// What sits in front of the database at `url`.
    pooler: PoolerMode,
    /// A URL that bypasses a transaction pooler.
    direct_url: Option<String>,
}

impl Connection {
    /// Where migrations and provisioning run (they also work through a transaction pooler).
    fn admin_url(&self) -> &str {
        self.direct_url.as_deref().unwrap_or(&self.url)
    }
}

async fn run_with_database(command: Command, connection: &Connection) -> anyhow::Result<ExitCode> {
    match command {
        Command::Serve {
            listen,
            demo,
            pool_size,
            statement_timeout_ms,
            switches_per_connection,
            tenant_pool_share,
            shutdown_timeout_secs,
            limits,
            idempotency_ttl_hours,
        } => {
            let idempotency = crate::orders::IdempotencySettings {
                ttl: std::time::Duration::from_secs(idempotency_ttl_hours.saturating_mul(3600)),
            };
            let pool = PoolConfig {
                max_size: pool_size,
                statement_timeout: std::time::Duration::from_millis(statement_timeout_ms),
                switches_per_connection,
                pooler: connection.pooler,
                tenant_share: tenant_pool_share,
                ..PoolConfig::default()
            };
            let options = ServeOptions {
                listen,
                demo,
                pool,
                direct_url: connection.direct_url.clone(),
                shutdown_timeout: std::time::Duration::from_secs(shutdown_timeout_secs),
                limits,
                idempotency,
            };
            server::serve(&connection.url, options).await?;
        }
        Command::Migrate { jobs } => {
            let report = migrate::migrate_all(connection.admin_url(), jobs).await?;
            println!("control: {}", describe(&Ok(report.control.clone())));
            for tenant in &report.tenants {
                println!("{}: {}", tenant.slug, describe(&tenant.outcome));
            }
            let failed = report.failures().count();
            if failed > 0 {
                eprintln!(
                    "error: {failed} of {} tenants failed to migrate; fix the cause and run migrate again",
                    report.tenants.len()
                );
                return Ok(ExitCode::FAILURE);
            }
        }
        Command::Tenant { command } => tenant_command(command, connection).await?,
        Command::Schema { .. } => unreachable!("handled before opening the database"),
    }
    Ok(ExitCode::SUCCESS)
}

fn describe(outcome: &Result<Vec<String>, String>) -> String {
    match outcome {
        Ok(applied) if applied.is_empty() => "up to date".to_owned(),
        Ok(applied) => format!("applied {}", applied.join(", ")),
        Err(error) => format!("FAILED: {error}"),
    }
}

async fn tenant_command(command: TenantCommand, connection: &Connection) -> anyhow::Result<()> {
    let url = connection.admin_url();
    // Control-plane commands need the control plane at the newest version.
    tokio::task::spawn_blocking({
        let url = url.to_owned();
        move || migrate::migrate_control_blocking(&mut migrate::connect_blocking(&url)?)
    })
    .await??;
    match command {
        TenantCommand::Create { slug, name } => {
            let name = name.unwrap_or_else(|| slug.clone());
            let tenant = tenancy::create_tenant(url, &slug, &name).await?;
            println!("created tenant '{}' (schema {}, id {})", tenant.slug, tenant.schema_name, tenant.id);
        }
        TenantCommand::Drop { slug, .. } => {
            tenancy::drop_tenant(url, &slug).await?;
            println!("dropped tenant '{slug}'");
        }
        TenantCommand::List => {
            let control = control_plane(connection).await?;
            let tenants = control.list_tenants().await?;
            print_table(
                ["SLUG", "STATUS", "CREATED", "NAME"],
                tenants.into_iter().map(|t| {
                    let created = t.created_at.format("%Y-%m-%d %H:%M:%S UTC").to_string();
                    [t.slug, t.status.to_string(), created, t.name]
                }),
            );
        }
        TenantCommand::Budget { slug, max, restore_rate } => {
            let control = control_plane(connection).await?;
            let slug = Slug::parse(&slug)?;
            if !control.set_budget(&slug, max.map(i64::from), restore_rate.map(i64::from)).await? {
                bail!("no tenant '{slug}'");
            }
            let shown = |value: Option<u32>| value.map_or_else(|| "the server's default".to_owned(), |v| v.to_string());
            println!("tenant '{slug}': budget {}, restore rate {} a second", shown(max), shown(restore_rate));
        }
        TenantCommand::Suspend { slug } => set_status(connection, &slug, TenantStatus::Suspended).await?,
        TenantCommand::Resume { slug } => set_status(connection, &slug, TenantStatus::Active).await?,
        TenantCommand::Key { command } => key_command(command, connection).await?,
    }
    Ok(())
}

async fn control_plane(connection: &Connection) -> anyhow::Result<ControlPlane> {
    let config = PoolConfig { max_size: 2, pooler: connection.pooler, ..PoolConfig::default() };
    let db = Database::connect(&connection.url, &config).await?;
    Ok(ControlPlane::new(db.control))
}

async fn find_tenant(control: &ControlPlane, slug: &str) -> anyhow::Result<tenancy::Tenant> {
    let slug = Slug::parse(slug)?;
    control.tenant_by_slug(&slug).await?.with_context(|| format!("no tenant '{slug}'"))
}

async fn set_status(connection: &Connection, slug: &str, status: TenantStatus) -> anyhow::Result<()> {
    let control = control_plane(connection).await?;
    let slug = Slug::parse(slug)?;
    if !control.set_status(&slug, status).await? {
        bail!("no tenant '{slug}'");
    }
    println!("tenant '{slug}' is now {status}");
    Ok(())
}

async fn key_command(command: KeyCommand, connection: &Connection) -> anyhow::Result<()> {
    let control = control_plane(connection).await?;
    match command {
        KeyCommand::Create { slug, role, label, staff } => {
            if staff.is_some() && role != Role::Admin {
                bail!("--staff is for admin keys");
            }
            let tenant = find_tenant(&control, &slug).await?;
            let (key, token) = control.create_key(&tenant, role, &label, staff.as_deref()).await?;
            eprintln!("created {role} key {} for tenant '{}'; the token is shown only now:", key.id, tenant.slug);
            println!("{}", token.secret);
        }
        KeyCommand::List { slug } => {
            let tenant = find_tenant(&control, &slug).await?;
            print_table(
                ["ID", "ROLE", "PREFIX", "STATE", "LABEL"],
                control.list_keys(&tenant).await?.into_iter().map(|key| {
                    let state = if key.revoked_at.is_some() { "revoked" } else { "live" };
                    [key.id.to_string(), key.role.to_string(), key.token_prefix, state.to_owned(), key.label]
                }),
            );
        }
        KeyCommand::Revoke { slug, id } => {
            let tenant = find_tenant(&control, &slug).await?;
            if control.revoke_keys(&tenant, Some(id), None).await? == 0 {
                bail!("tenant '{slug}' has no live key {id}");
            }
            println!("revoked key {id}");
        }
    }
    Ok(())
}

/// Prints `rows` under `header`, each column as wide as its widest cell, so that the
/// columns line up whatever the lengths of slugs, names and labels.
fn print_table<const N: usize>(header: [&str; N], rows: impl Iterator<Item = [String; N]>) {
    let rows: Vec<[String; N]> = std::iter::once(header.map(str::to_owned)).chain(rows).collect();
    let widths =
        std::array::from_fn::<usize, N, _>(|i| rows.iter().map(|row| row[i].chars().count()).max().unwrap_or(0));
    for row in rows {
        let cells: Vec<String> = row.iter().zip(widths).map(|(cell, width)| format!("{cell:<width$}")).collect();
        println!("{}", cells.join("  ").trim_end());
    }
}
