//! Where the database is: `DATABASE_URL`, or storegraph's own cluster in a data folder.

use std::path::PathBuf;

use anyhow::Context as _;

use crate::db::PoolerMode;
use crate::db::embedded::{self, ClusterOptions, EmbeddedPostgres};

/// The database storegraph's own cluster keeps its data in.
const EMBEDDED_DATABASE: &str = "storegraph";

/// Command-line options that say which database to use.
#[derive(Debug, Clone, clap::Args)]
pub struct DatabaseArgs {
    /// PostgreSQL connection URL. Without it, storegraph runs its own PostgreSQL cluster in
    /// --data-dir (from the server binaries installed on the machine).
    #[arg(long, env = "DATABASE_URL", global = true)]
    pub database_url: Option<String>,
    /// Folder of the embedded cluster, used when no database URL is given.
    #[arg(long, env = "STOREGRAPH_DATA_DIR", default_value = ".storegraph", global = true)]
    pub data_dir: PathBuf,
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
    /// is already running in the data folder or starting it.
    pub async fn open(&self) -> anyhow::Result<DatabaseHandle> {
        // An empty DATABASE_URL (`export DATABASE_URL=`) means none, not an invalid URL.
        if let Some(url) = self.database_url.as_deref().filter(|url| !url.trim().is_empty()) {
            return Ok(DatabaseHandle { url: url.to_owned(), cluster: None });
        }
        std::fs::create_dir_all(&self.data_dir)
            .with_context(|| format!("cannot create data folder {}", self.data_dir.display()))?;
        let dir = self.data_dir.canonicalize()?;
        let (port, cluster) = match embedded::running_port(&dir) {
            Some(port) => (port, None),
            None => {
                tracing::info!(data_dir = %dir.display(), "starting the embedded PostgreSQL cluster");
                let mut options = ClusterOptions::single_server(dir);
                options.port = self.pg_port;
                let cluster = tokio::task::spawn_blocking(move || EmbeddedPostgres::start(&options)).await??;
                (cluster.port(), Some(cluster))
            }
        };
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
