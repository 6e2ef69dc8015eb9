//! Where the database is: `DATABASE_URL`, or storegraph's own cluster in a data folder.

use std::path::{Path, PathBuf};

use anyhow::Context as _;

use crate::db::PoolerMode;
use crate::db::embedded::{self, ClusterOptions, EmbeddedPostgres};

/// The data folder of the embedded cluster when none is given, relative to the current
/// directory.
const DEFAULT_DATA_DIR: &str = ".storegraph";

/// The database storegraph's own cluster keeps its data in.
const EMBEDDED_DATABASE: &str = "storegraph";

/// Command-line options that say which database to use.
#[derive(Debug, Clone, clap::Args)]
pub struct DatabaseArgs {
    /// PostgreSQL connection URL. Without it, storegraph runs its own PostgreSQL cluster in
    /// --data-dir (from the server binaries installed on the machine).
    #[arg(long, env = "DATABASE_URL", global = true)]
    pub database_url: Option<String>,
    /// Folder of the embedded cluster, used when no database URL is given. Default:
    /// `.storegraph` in the current directory; for commands other than `serve`, when no
    /// cluster runs there, the folder of the cluster a running `serve` uses.
    #[arg(long, env = "STOREGRAPH_DATA_DIR", global = true)]
    pub data_dir: Option<PathBuf>,
    /// TCP port of the embedded cluster (default: a free one), used when no database URL
    /// is given and no cluster runs in --data-dir yet.
    #[arg(long, env = "STOREGRAPH_PG_PORT", global = true)]
    pub pg_port: Option<u16>,
    /// What sits between storegraph and PostgreSQL: `none` (a direct connection),
    /// `session` or `transaction` (PgBouncer's pool_mode). With `transaction` each request
    /// runs in one transaction that sets its tenant's path, and no statement stays
    /// prepared. With `none` or `session`, `serve` refuses to start if the URL turns out to
    /// lead through a transaction pooler.
    #[arg(long, env = "STOREGRAPH_POOLER", value_enum, default_value_t = PoolerMode::None, global = true)]
    pub pooler: PoolerMode,
    /// A URL that reaches PostgreSQL directly when DATABASE_URL leads through a transaction
    /// pooler: used to LISTEN for control-plane changes, and for migrations and new
    /// tenants. Without it, behind a transaction pooler, remembered lookups expire after
    /// two seconds instead.
    #[arg(long, env = "STOREGRAPH_DIRECT_DATABASE_URL", global = true)]
    pub direct_database_url: Option<String>,
}

/// An open database: its URL, and the embedded cluster if this process started one.
pub struct DatabaseHandle {
    /// Connection URL.
    pub url: String,
    cluster: Option<EmbeddedPostgres>,
}

impl DatabaseArgs {
    /// The database to use: the URL if given; else the embedded cluster, reusing one that
    /// is already running or starting it, and saying on stderr which and where. `serving`:
    /// the command is `serve`, which records its cluster for the commands run later from
    /// other directories.
    pub async fn open(&self, serving: bool) -> anyhow::Result<DatabaseHandle> {
        // An empty DATABASE_URL (`export DATABASE_URL=`) means none, not an invalid URL.
        if let Some(url) = self.database_url.as_deref().filter(|url| !url.trim().is_empty()) {
            return Ok(DatabaseHandle { url: url.to_owned(), cluster: None });
        }
        let dir = match &self.data_dir {
            Some(dir) => dir.clone(),
            None if serving || embedded::running_port(Path::new(DEFAULT_DATA_DIR)).is_some() => DEFAULT_DATA_DIR.into(),
            None => embedded::serving_data_dir().unwrap_or_else(|| DEFAULT_DATA_DIR.into()),
        };
        std::fs::create_dir_all(&dir).with_context(|| format!("cannot create data folder {}", dir.display()))?;
        let dir = dir.canonicalize()?;
        let place = match embedded::cluster_dir(&dir)? {
            real if real != dir => format!("{} (kept in {})", dir.display(), real.display()),
            _ => dir.display().to_string(),
        };
        let (port, cluster) = match embedded::running_port(&dir) {
            Some(port) => {
                eprintln!("using the embedded PostgreSQL cluster running in {place} (port {port})");
                (port, None)
            }
            None => {
                let mut options = ClusterOptions::single_server(dir.clone());
                options.port = self.pg_port;
                let cluster = tokio::task::spawn_blocking(move || EmbeddedPostgres::start(&options)).await??;
                let lifetime =
                    if serving { "while serve runs" } else { "for this command only: no storegraph serve is running" };
                eprintln!("started the embedded PostgreSQL cluster in {place} (port {}) {lifetime}", cluster.port());
                (cluster.port(), Some(cluster))
            }
        };
        if serving && let Err(error) = embedded::record_serving(&dir) {
            tracing::warn!(error = %error, "commands run from other directories will not find this cluster");
        }
        let base = format!("postgres://{}@127.0.0.1:{port}", embedded::SUPERUSER);
        embedded::ensure_database(&format!("{base}/postgres"), EMBEDDED_DATABASE).await?;
        Ok(DatabaseHandle { url: format!("{base}/{EMBEDDED_DATABASE}"), cluster })
    }
}

impl DatabaseHandle {
    /// Stops the embedded cluster if this process started it.
    pub async fn close(self) {
        if let Some(cluster) = self.cluster {
            let _ = tokio::task::spawn_blocking(move || cluster.stop()).await;
        }
    }
}
