//! A PostgreSQL cluster of storegraph's own, started from the server binaries installed on
//! the machine (initdb, postgres), so that `storegraph serve` and the tests need no setup.
//!
//! The postmaster runs as a child of a supervisor thread that lives as long as the
//! process, with a parent-death signal: whatever way this process ends, even killed, the
//! cluster shuts down with it and no server is left behind. When storegraph runs as root,
//! PostgreSQL (which refuses to run as root) runs as an unprivileged user.

use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::{Context as _, anyhow, bail};
use nix::sys::signal::{Signal, kill};
use nix::unistd::{Pid, Uid, User};

/// The superuser initdb creates; the cluster trusts it on 127.0.0.1 only.
pub const SUPERUSER: &str = "storegraph";

/// Settings for a cluster.
#[derive(Debug, Clone)]
pub struct ClusterOptions {
    /// The folder that holds the cluster (`pgdata/`) and its log.
    pub data_dir: PathBuf,
    /// Extra `postgres -c name=value` settings.
    pub settings: Vec<(String, String)>,
    /// The TCP port to listen on; `None`: a free one.
    pub port: Option<u16>,
}

impl ClusterOptions {
    /// Settings for storegraph's own cluster (`serve` and the other commands without a
    /// database URL). Nothing replicates from it, so its WAL only has to be enough for crash
    /// recovery: `wal_level=minimal` (which needs `max_wal_senders=0`). That makes creating
    /// a tenant about 40% faster: at `replica`, PostgreSQL up to 16 flushes every new
    /// index to disk on its own, some 160 flushes per tenant schema. Commits stay durable
    /// (`fsync` is on); what is given up is streaming replication and base backups of this
    /// cluster (`pg_dump` works as ever).
    pub fn single_server(data_dir: PathBuf) -> Self {
        let settings = [("wal_level", "minimal"), ("max_wal_senders", "0")];
        Self { data_dir, settings: settings.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(), port: None }
    }

    /// Settings for a throwaway test cluster: no fsync, room for many connections.
    pub fn throwaway(data_dir: PathBuf) -> Self {
        let settings = [
            ("fsync", "off"),
            ("synchronous_commit", "off"),
            ("full_page_writes", "off"),
            ("max_connections", "400"),
            ("max_locks_per_transaction", "256"),
        ];
        Self { data_dir, settings: settings.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(), port: None }
    }
}

/// A running cluster. Dropping it (or calling [`EmbeddedPostgres::stop`]) shuts it down.
pub struct EmbeddedPostgres {
    port: u16,
    pid: Pid,
    exited: mpsc::Receiver<std::io::Result<ExitStatus>>,
    stopped: bool,
}

/// Where the PostgreSQL server binaries are: `$STOREGRAPH_PG_BIN`, the `PATH`, or the
/// newest `/usr/lib/postgresql/<version>/bin`.
pub fn find_bin_dir() -> anyhow::Result<PathBuf> {
    if let Some(dir) = std::env::var_os("STOREGRAPH_PG_BIN") {
        return Ok(PathBuf::from(dir));
    }
    let on_path =
        std::env::var_os("PATH").map(|paths| std::env::split_paths(&paths).collect::<Vec<_>>()).unwrap_or_default();
    for dir in on_path {
        if dir.join("initdb").is_file() && dir.join("postgres").is_file() {
            return Ok(dir);
        }
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse().ok()?;
            let bin = entry.path().join("bin");
            bin.join("initdb").is_file().then_some((version, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin).ok_or_else(|| {
        anyhow!(
            "no PostgreSQL server binaries (initdb, postgres) found on PATH or in \
             /usr/lib/postgresql/*/bin; install them (apt-get install postgresql) or set \
             DATABASE_URL"
        )
    })
}

/// The user PostgreSQL runs as: ourselves, or an unprivileged account when we are root.
fn run_as() -> anyhow::Result<Option<User>> {
    if !Uid::effective().is_root() {
        return Ok(None);
    }
    for name in ["postgres", "nobody"] {
        if let Some(user) = User::from_name(name)? {
            return Ok(Some(user));
        }
    }
    bail!("running as root, and there is no 'postgres' or 'nobody' user to run PostgreSQL as")
}

/// Whether `user` can reach `path`: every existing ancestor must be searchable by it
/// (owned by it, or searchable by everyone; group membership is not looked into).
fn reachable_by(user: &User, path: &Path) -> bool {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    path.ancestors()
        .filter_map(|dir| std::fs::metadata(dir).ok())
        .all(|meta| meta.uid() == user.uid.as_raw() || meta.permissions().mode() & 0o001 != 0)
}

/// Where the cluster of `data_dir` really lives. Normally `data_dir` itself; but when we are
/// root and PostgreSQL's unprivileged user cannot reach it (a checkout under `/root`, say),
/// in `/var/lib/storegraph/<hash of the path>`, which is the same for every run, so the data
/// still survives restarts.
pub fn cluster_dir(data_dir: &Path) -> anyhow::Result<PathBuf> {
    let Some(user) = run_as()? else { return Ok(data_dir.to_owned()) };
    if reachable_by(&user, data_dir) {
        return Ok(data_dir.to_owned());
    }
    use sha2::Digest as _;
    let absolute = std::path::absolute(data_dir)?;
    let digest = sha2::Sha256::digest(absolute.as_os_str().as_encoded_bytes());
    let name: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
    Ok(Path::new("/var/lib/storegraph").join(name))
}

fn command(bin: &Path, program: &str, user: &Option<User>, cwd: &Path) -> Command {
    let mut cmd = Command::new(bin.join(program));
    cmd.current_dir(cwd).env("LC_ALL", "C").env_remove("PGDATA");
    if let Some(user) = user {
        cmd.uid(user.uid.as_raw()).gid(user.gid.as_raw());
    }
    cmd
}

fn free_port() -> anyhow::Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0").context("cannot find a free TCP port")?;
    Ok(listener.local_addr()?.port())
}

impl EmbeddedPostgres {
    /// Starts the cluster in `options.data_dir`, creating it with initdb on first use, and
    /// waits until it accepts connections. Blocking; call it from `spawn_blocking` in async
    /// code.
    pub fn start(options: &ClusterOptions) -> anyhow::Result<Self> {
        let bin = find_bin_dir()?;
        let user = run_as()?;
        let dir = &cluster_dir(&options.data_dir)?;
        if dir != &options.data_dir {
            tracing::warn!(
                data_dir = %options.data_dir.display(),
                cluster = %dir.display(),
                "PostgreSQL's user cannot reach the data folder; the cluster lives elsewhere"
            );
        }
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        if let Some(user) = &user {
            std::os::unix::fs::chown(dir, Some(user.uid.as_raw()), Some(user.gid.as_raw()))
                .with_context(|| format!("cannot hand {} to user {}", dir.display(), user.name))?;
        }
        let pgdata = dir.join("pgdata");
        if !pgdata.join("PG_VERSION").is_file() {
            let output = command(&bin, "initdb", &user, dir)
                .arg("-D")
                .arg(&pgdata)
                .args(["-U", SUPERUSER, "--auth=trust", "--encoding=UTF8", "--locale=C", "--no-instructions"])
                .output()
                .context("cannot run initdb")?;
            if !output.status.success() {
                bail!(
                    "initdb failed in {} (the folder and its parents must be reachable by the \
                     user PostgreSQL runs as{}): {}",
                    pgdata.display(),
                    user.as_ref().map(|u| format!(", {}", u.name)).unwrap_or_default(),
                    String::from_utf8_lossy(&output.stderr).trim()
                );
            }
        }

        wait_for_previous_postmaster(&pgdata)?;
        let port = match options.port {
            Some(port) => port,
            None => free_port()?,
        };
        let log_path = dir.join("postgres.log");
        // A postmaster that is still going away (its backends exiting) can make the new one
        // refuse to start for a moment: try again a few times before giving up.
        let mut attempt = 0;
        loop {
            attempt += 1;
            match Self::spawn(&bin, &user, dir, &pgdata, &log_path, port, options) {
                Err(error) if attempt < 5 && is_transient_start_failure(&error) => {
                    tracing::info!(error = %error, "postgres did not start yet; trying again");
                    std::thread::sleep(Duration::from_millis(500));
                }
                result => return result,
            }
        }
    }

    fn spawn(
        bin: &Path,
        user: &Option<User>,
        dir: &Path,
        pgdata: &Path,
        log_path: &Path,
        port: u16,
        options: &ClusterOptions,
    ) -> anyhow::Result<Self> {
        let log = std::fs::OpenOptions::new().create(true).append(true).open(log_path)?;
        let log_start = log.metadata().map(|m| m.len()).unwrap_or(0);
        if let Some(user) = user {
            std::os::unix::fs::chown(log_path, Some(user.uid.as_raw()), Some(user.gid.as_raw()))?;
        }
        let mut cmd = command(bin, "postgres", user, dir);
        cmd.arg("-D")
            .arg(pgdata)
            .args(["-p", &port.to_string(), "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories="])
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log);
        for (name, value) in &options.settings {
            cmd.arg("-c").arg(format!("{name}={value}"));
        }
        // SAFETY: prctl is async-signal-safe; it runs in the child after fork (and after
        // the uid change, which would otherwise clear it) and before exec.
        unsafe {
            cmd.pre_exec(|| nix::sys::prctl::set_pdeathsig(Signal::SIGINT).map_err(std::io::Error::from));
        }

        // The supervisor thread spawns the postmaster and waits for it. The parent-death
        // signal fires when the thread that forked the child ends, so that thread must live
        // as long as the postmaster does.
        let (started_tx, started_rx) = mpsc::channel();
        let (exited_tx, exited) = mpsc::channel();
        std::thread::Builder::new().name("postgres-supervisor".into()).spawn(move || match cmd.spawn() {
            Ok(mut child) => {
                let _ = started_tx.send(Ok(child.id()));
                let _ = exited_tx.send(child.wait());
            }
            Err(e) => {
                let _ = started_tx.send(Err(e));
            }
        })?;
        let pid = started_rx.recv()?.context("cannot start postgres")?;
        let mut cluster = Self { port, pid: Pid::from_raw(pid as i32), exited, stopped: false };
        cluster.wait_ready(pgdata, log_path, log_start)?;
        Ok(cluster)
    }

    /// Waits until the postmaster says "ready" in its pid file (PostgreSQL 10 and later).
    /// If it exits instead, the error carries what it wrote to the log since it started.
    fn wait_ready(&mut self, pgdata: &Path, log_path: &Path, log_start: u64) -> anyhow::Result<()> {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok(status) = self.exited.try_recv() {
                self.stopped = true;
                bail!(
                    "postgres exited during startup ({}); it wrote to {}:\n{}",
                    status.map(|s| s.to_string()).unwrap_or_else(|e| e.to_string()),
                    log_path.display(),
                    log_since(log_path, log_start)
                );
            }
            let pid_file = std::fs::read_to_string(pgdata.join("postmaster.pid")).unwrap_or_default();
            let ours = pid_file.lines().next().is_some_and(|pid| pid.trim() == self.pid.as_raw().to_string());
            if ours && pid_file.lines().nth(7).is_some_and(|status| status.trim() == "ready") {
                return Ok(());
            }
            if Instant::now() > deadline {
                bail!(
                    "postgres did not become ready within 60 s; it wrote to {}:\n{}",
                    log_path.display(),
                    log_since(log_path, log_start)
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The TCP port the cluster listens on (127.0.0.1 only).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// A connection URL for `database` as the cluster's superuser.
    pub fn url(&self, database: &str) -> String {
        format!("postgres://{SUPERUSER}@127.0.0.1:{}/{database}", self.port)
    }

    /// Shuts the cluster down (fast shutdown: open sessions are ended) and waits for it.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        if self.stopped {
            return;
        }
        self.stopped = true;
        let _ = kill(self.pid, Signal::SIGINT);
        if self.exited.recv_timeout(Duration::from_secs(30)).is_err() {
            let _ = kill(self.pid, Signal::SIGQUIT);
            let _ = self.exited.recv_timeout(Duration::from_secs(10));
        }
    }
}

impl Drop for EmbeddedPostgres {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// The last lines written to the log at `path` after byte `start`.
fn log_since(path: &Path, start: u64) -> String {
    let log = std::fs::read(path).unwrap_or_default();
    let new = String::from_utf8_lossy(log.get(start as usize..).unwrap_or_default()).into_owned();
    let lines: Vec<&str> = new.lines().collect();
    let tail = &lines[lines.len().saturating_sub(15)..];
    if tail.is_empty() { "(nothing)".to_owned() } else { tail.join("\n") }
}

/// Whether starting failed because a previous postmaster had not quite gone yet.
fn is_transient_start_failure(error: &anyhow::Error) -> bool {
    let message = format!("{error:#}");
    ["lock file", "pre-existing shared memory block", "could not bind", "Address already in use"]
        .iter()
        .any(|sign| message.contains(sign))
}

/// Whether process `pid` exists.
fn alive(pid: Pid) -> bool {
    matches!(kill(pid, None), Ok(()) | Err(nix::errno::Errno::EPERM))
}

/// Deals with the `postmaster.pid` of a previous run (say, a `storegraph serve` killed
/// with SIGKILL, whose postmaster got the parent-death signal and is shutting down): waits
/// up to 30 s for a postmaster that is still running to exit, and removes the file of one
/// that is gone.
fn wait_for_previous_postmaster(pgdata: &Path) -> anyhow::Result<()> {
    let pid_path = pgdata.join("postmaster.pid");
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let Ok(pid_file) = std::fs::read_to_string(&pid_path) else {
            return Ok(());
        };
        let pid = pid_file.lines().next().and_then(|pid| pid.trim().parse::<i32>().ok()).map(Pid::from_raw);
        match pid {
            Some(pid) if alive(pid) => {
                if Instant::now() > deadline {
                    bail!(
                        "a PostgreSQL server (pid {pid}) still runs on {} after 30 s; stop it first",
                        pgdata.display()
                    );
                }
                std::thread::sleep(Duration::from_millis(100));
            }
            // Half-written or left by a process that is gone.
            _ if pid.is_none() && !pid_file.is_empty() || pid.is_some() => {
                tracing::info!(file = %pid_path.display(), "removing the pid file of a PostgreSQL that is gone");
                let _ = std::fs::remove_file(&pid_path);
                return Ok(());
            }
            // Being written right now by a starting postmaster.
            _ => std::thread::sleep(Duration::from_millis(100)),
        }
        if Instant::now() > deadline {
            return Ok(());
        }
    }
}

/// The port of a cluster already running in `data_dir` (say, a `storegraph serve` in
/// another terminal), so that CLI commands can use it instead of starting a second one.
pub fn running_port(data_dir: &Path) -> Option<u16> {
    let pid_file = std::fs::read_to_string(cluster_dir(data_dir).ok()?.join("pgdata").join("postmaster.pid")).ok()?;
    let lines: Vec<&str> = pid_file.lines().collect();
    let pid = Pid::from_raw(lines.first()?.trim().parse().ok()?);
    let ready = lines.get(7).is_some_and(|status| status.trim() == "ready");
    if alive(pid) && ready { lines.get(3)?.trim().parse().ok() } else { None }
}

/// The file where `serve` records the data folder of the embedded cluster it runs on, so
/// that a command run from any other directory finds that cluster instead of starting an
/// empty one of its own: `$XDG_STATE_HOME/storegraph/serving`, else
/// `~/.local/state/storegraph/serving`. It is the user's own, so no other user can point
/// their commands elsewhere.
fn serving_record() -> Option<PathBuf> {
    let state = std::env::var_os("XDG_STATE_HOME")
        .filter(|dir| !dir.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| Path::new(&home).join(".local/state")))?;
    Some(state.join("storegraph").join("serving"))
}

/// Records `data_dir` (absolute) as the folder of the cluster a running `serve` uses.
pub fn record_serving(data_dir: &Path) -> anyhow::Result<()> {
    let record = serving_record().context("neither XDG_STATE_HOME nor HOME is set")?;
    std::fs::create_dir_all(record.parent().unwrap_or(Path::new(".")))?;
    std::fs::write(&record, data_dir.as_os_str().as_encoded_bytes())
        .with_context(|| format!("cannot write {}", record.display()))
}

/// The data folder [`record_serving`] recorded last, if its cluster still runs.
pub fn serving_data_dir() -> Option<PathBuf> {
    let recorded = std::fs::read_to_string(serving_record()?).ok()?;
    let dir = PathBuf::from(recorded.trim_end());
    running_port(&dir).is_some().then_some(dir)
}

/// Creates database `name` if the cluster at `admin_url` does not have it yet.
pub async fn ensure_database(admin_url: &str, name: &str) -> anyhow::Result<()> {
    use diesel::prelude::*;
    use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};

    diesel::table! { pg_database (datname) { datname -> Text } }
    if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        bail!("invalid database name {name:?}");
    }
    let mut conn = AsyncPgConnection::establish(admin_url).await?;
    let exists: i64 = pg_database::table.filter(pg_database::datname.eq(name)).count().get_result(&mut conn).await?;
    if exists == 0 {
        diesel::sql_query(format!("CREATE DATABASE \"{name}\"")).execute(&mut conn).await?;
    }
    Ok(())
}
