//! PgBouncer in front of the test server, for the tests of running behind a pooler: the
//! Debian build at `/usr/sbin/pgbouncer`, on a free port, in the pool mode a test asks
//! for. Where it is not installed those tests print a notice and pass without running.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::harness::server_base;

const BINARY: &str = "/usr/sbin/pgbouncer";

/// A running PgBouncer; dropping it stops it.
pub struct PgBouncer {
    child: Child,
    port: u16,
    dir: PathBuf,
}

impl PgBouncer {
    /// PgBouncer in `mode` (`transaction` or `session`) with `pool_size` server
    /// connections per database, or `None` (and a notice) when it is not installed.
    pub fn start(mode: &str, pool_size: u32) -> Option<Self> {
        if !std::path::Path::new(BINARY).exists() {
            eprintln!("notice: {BINARY} is not installed; skipping a test of running behind PgBouncer");
            return None;
        }
        let upstream = server_base().rsplit_once('@').map(|(_, host)| host).unwrap_or("127.0.0.1:5432");
        let (host, upstream_port) = upstream.rsplit_once(':').unwrap_or((upstream, "5432"));
        let user = server_base().trim_start_matches("postgres://").split('@').next().unwrap_or("postgres");
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let dir = std::env::temp_dir().join(format!("storegraph-pgbouncer-{}-{port}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let config = format!(
            "[databases]\n* = host={host} port={upstream_port}\n\n[pgbouncer]\nlisten_addr = 127.0.0.1\n\
             listen_port = {port}\nunix_socket_dir =\nauth_type = trust\nauth_file = {users}\n\
             pool_mode = {mode}\ndefault_pool_size = {pool_size}\nmax_client_conn = 2000\n\
             max_db_connections = {pool_size}\nignore_startup_parameters = extra_float_digits\n\
             logfile = {log}\npidfile = {pid}\nlog_connections = 0\nlog_disconnections = 0\n",
            users = dir.join("users.txt").display(),
            log = dir.join("pgbouncer.log").display(),
            pid = dir.join("pgbouncer.pid").display(),
        );
        std::fs::write(dir.join("pgbouncer.ini"), config).unwrap();
        std::fs::write(dir.join("users.txt"), format!("\"{user}\" \"\"\n")).unwrap();
        // PgBouncer refuses to run as root: it then switches to an unprivileged user, who
        // must be able to write its log and pid file here.
        let mut command = Command::new(BINARY);
        if nix::unistd::Uid::effective().is_root() {
            use std::os::unix::fs::PermissionsExt;
            for entry in [dir.clone(), dir.join("pgbouncer.ini"), dir.join("users.txt")] {
                let mode = if entry.is_dir() { 0o777 } else { 0o644 };
                std::fs::set_permissions(&entry, std::fs::Permissions::from_mode(mode)).unwrap();
            }
            let unprivileged = ["postgres", "nobody"]
                .into_iter()
                .find(|name| nix::unistd::User::from_name(name).ok().flatten().is_some())
                .expect("an unprivileged user to run pgbouncer as");
            command.args(["-u", unprivileged]);
        }
        let child = command
            .arg(dir.join("pgbouncer.ini"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start pgbouncer");
        let mut bouncer = Self { child, port, dir };
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Ok(Some(status)) = bouncer.child.try_wait() {
                panic!("pgbouncer exited ({status}): {}", bouncer.log());
            }
            assert!(Instant::now() < deadline, "pgbouncer did not listen: {}", bouncer.log());
            std::thread::sleep(Duration::from_millis(20));
        }
        Some(bouncer)
    }

    /// The URL of database `name` through this PgBouncer.
    pub fn url(&self, name: &str) -> String {
        let user = server_base().trim_start_matches("postgres://").split('@').next().unwrap_or("postgres");
        format!("postgres://{user}@127.0.0.1:{}/{name}", self.port)
    }

    /// The same database as `direct_url` (a test database URL), through this PgBouncer.
    pub fn route(&self, direct_url: &str) -> String {
        self.url(direct_url.rsplit_once('/').map(|(_, name)| name).unwrap_or(direct_url))
    }

    /// What PgBouncer logged.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("pgbouncer.log")).unwrap_or_default()
    }
}

impl Drop for PgBouncer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
