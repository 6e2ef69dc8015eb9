use std::ops::{Deref, DerefMut};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::time::Duration;

use bb8::ManageConnection as _;
use diesel::connection::{CacheSize, Instrumentation, InstrumentationEvent};
use diesel_async::pooled_connection::{AsyncDieselConnectionManager, PoolError, PoolableConnection};
use diesel_async::{AsyncConnection, AsyncPgConnection, SimpleAsyncConnection};
use futures_util::future::BoxFuture;

use super::pooler::PoolerMode;
use super::shares::TenantShares;
use super::{DbError, TenantSchema};

/// A pooled PostgreSQL connection, and the tenant schema its session `search_path` was
/// last set to by [`super::tenant_connection`] (nothing else in the program sets it).
/// Knowing it lets a checkout by the same tenant skip the path statement: one round trip
/// saved, and PostgreSQL keeps its cached plans (they are re-planned when the path changes).
/// Behind a transaction pooler no path is remembered (see [`PoolerMode`]).
pub struct PgConn {
    conn: AsyncPgConnection,
    pub(super) search_path: Option<TenantSchema>,
    /// Tenant switches left before the connection is retired (see
    /// [`PoolConfig::switches_per_connection`]).
    pub(super) switches_left: u32,
    pub(super) watch: Arc<WatchState>,
    pub(super) settings: Arc<ConnectionSettings>,
}

impl PgConn {
    /// Counts a tenant switch; once the connection has made its share it is retired
    /// when it goes back to the pool, and a fresh backend takes its place.
    pub(super) fn count_switch(&mut self) {
        self.switches_left = self.switches_left.saturating_sub(1);
        if self.switches_left == 0 {
            self.poison();
        }
    }

    /// Marks the connection as not to be reused: it is closed when it goes back to the pool.
    pub(super) fn poison(&self) {
        self.watch.poisoned.store(true, Ordering::Relaxed);
    }

    /// How many of the connection's statements have failed so far.
    pub(super) fn failures(&self) -> u64 {
        self.watch.failures.load(Ordering::Relaxed)
    }
}

/// If a statement was still running when the connection is closed (a request dropped
/// mid-query), PostgreSQL is asked to cancel it: closing the socket alone is only noticed
/// by the backend when it next reads or writes.
impl Drop for PgConn {
    fn drop(&mut self) {
        if self.watch.in_flight.load(Ordering::Relaxed) == 0 {
            return;
        }
        let token = self.conn.cancel_token();
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                if let Err(error) = token.cancel_query(tokio_postgres::NoTls).await {
                    tracing::debug!(%error, "cannot cancel the statement of a dropped request");
                }
            });
        }
    }
}

/// Errors after which a connection must not be reused. PostgreSQL reports this one when a
/// cached statement meets a table whose columns changed type (a tenant mid-migration), and
/// keeps failing on that connection while the statement stays cached.
const POISONING_ERRORS: &[&str] = &["cached plan must not change result type"];

/// What [`StatementWatch`] knows about its connection.
#[derive(Default)]
pub(super) struct WatchState {
    /// The connection must not be reused.
    poisoned: AtomicBool,
    /// Statements started and not finished: above zero when the connection comes back to
    /// the pool, a request was dropped mid-statement.
    in_flight: AtomicU32,
    /// Statements that failed, ever.
    failures: AtomicU64,
}

/// Watches every statement a connection runs: counts it for the pool's statistics, keeps
/// track of statements in flight and of failures, and poisons the connection on an error
/// it cannot recover from.
struct StatementWatch {
    statements: Arc<AtomicU64>,
    state: Arc<WatchState>,
}

impl Instrumentation for StatementWatch {
    fn on_connection_event(&mut self, event: InstrumentationEvent<'_>) {
        match event {
            InstrumentationEvent::StartQuery { .. } => {
                self.state.in_flight.fetch_add(1, Ordering::Relaxed);
            }
            InstrumentationEvent::FinishQuery { error, .. } => {
                self.statements.fetch_add(1, Ordering::Relaxed);
                let _ = self.state.in_flight.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1));
                if let Some(error) = error {
                    self.state.failures.fetch_add(1, Ordering::Relaxed);
                    let message = error.to_string();
                    if POISONING_ERRORS.iter().any(|poison| message.contains(poison)) {
                        tracing::warn!(%message, "dropping a connection whose cached statements went stale");
                        self.state.poisoned.store(true, Ordering::Relaxed);
                    }
                }
            }
            _ => {}
        }
    }
}

impl Deref for PgConn {
    type Target = AsyncPgConnection;
    fn deref(&self) -> &AsyncPgConnection {
        &self.conn
    }
}

impl DerefMut for PgConn {
    fn deref_mut(&mut self) -> &mut AsyncPgConnection {
        &mut self.conn
    }
}

diesel::define_sql_function! {
    /// PostgreSQL's `set_config(name, value, is_local)`: how session settings are made,
    /// with the value as a bound parameter.
    fn set_config(name: diesel::sql_types::Text, value: diesel::sql_types::Text, is_local: diesel::sql_types::Bool) -> diesel::sql_types::Text;
}

/// What every connection of a [`Database`] is set up with.
#[derive(Debug)]
pub struct ConnectionSettings {
    /// What sits between us and PostgreSQL.
    pub pooler: PoolerMode,
    /// `statement_timeout`, in milliseconds, as PostgreSQL takes it.
    pub statement_timeout_ms: String,
    switches_per_connection: u32,
    /// How long connecting is retried before a connection attempt fails.
    connect_patience: Duration,
}

/// Whether the database answered the last connection attempt, shared by both pools: a
/// checkout while it did not waits only briefly, and fails as unavailable rather than busy.
#[derive(Default)]
pub(super) struct Reachability {
    down: AtomicBool,
}

impl Reachability {
    pub(super) fn is_down(&self) -> bool {
        self.down.load(Ordering::Relaxed)
    }

    fn set_down(&self, down: bool) {
        if self.down.swap(down, Ordering::Relaxed) != down {
            if down {
                tracing::warn!("the database cannot be reached; retrying");
            } else {
                tracing::info!("the database is reachable again");
            }
        }
    }
}

/// How long one connection attempt may take (a host that drops packets never refuses).
const CONNECT_ATTEMPT: Duration = Duration::from_secs(5);
/// Pause between connection attempts while the database cannot be reached: short and
/// fixed (bb8's own retry doubles its pause up to half the checkout timeout, which left
/// the server idle for seconds after the database came back).
const RECONNECT_INTERVAL: Duration = Duration::from_millis(100);
/// How long a checkout waits while the database is known to be unreachable.
const WAIT_WHILE_DOWN: Duration = Duration::from_millis(500);
/// How often an idle backend checks that its client is still there, so a query of a
/// client that went away stops soon (PostgreSQL 14 and later; ignored by older servers).
const CLIENT_CHECK_INTERVAL: &str = "1s";

/// bb8's manager for [`PgConn`]: diesel-async's manager, plus the remembered path, the
/// statement watch, the statement timeout, and connection retries at a steady pace.
pub struct ConnectionManager {
    url: String,
    inner: AsyncDieselConnectionManager<AsyncPgConnection>,
    statements: Arc<AtomicU64>,
    settings: Arc<ConnectionSettings>,
    reachability: Arc<Reachability>,
}

impl ConnectionManager {
    /// Connects behind a transaction pooler. diesel-async prepares and runs its session
    /// setup statements (time zone, encoding) as it connects, each prepared and then run
    /// in two round trips that a transaction pooler may send to two backends: the setup
    /// runs inside a transaction here, so all of it stays on one backend.
    async fn connect_in_transaction(&self) -> Result<AsyncPgConnection, PoolError> {
        let failed = |error: tokio_postgres::Error| {
            PoolError::ConnectionError(diesel::ConnectionError::BadConnection(error.to_string()))
        };
        let (client, mut connection) =
            tokio_postgres::connect(&self.url, tokio_postgres::NoTls).await.map_err(failed)?;
        tokio::select! {
            begun = client.batch_execute("BEGIN") => begun.map_err(failed)?,
            ended = &mut connection => {
                let reason = ended.err().map_or_else(|| "connection closed".to_owned(), |e| e.to_string());
                return Err(PoolError::ConnectionError(diesel::ConnectionError::BadConnection(reason)));
            }
        }
        let mut conn = AsyncPgConnection::try_from_client_and_connection(client, connection)
            .await
            .map_err(PoolError::ConnectionError)?;
        conn.batch_execute("COMMIT").await.map_err(PoolError::QueryError)?;
        Ok(conn)
    }

    async fn connect_once(&self) -> Result<PgConn, PoolError> {
        let connect = async {
            if self.settings.pooler.per_transaction() {
                self.connect_in_transaction().await
            } else {
                self.inner.connect().await
            }
        };
        let attempt = tokio::time::timeout(CONNECT_ATTEMPT, connect).await;
        let mut conn = attempt.map_err(|_| {
            PoolError::ConnectionError(diesel::ConnectionError::BadConnection("connecting timed out".into()))
        })??;
        let state = Arc::new(WatchState::default());
        conn.set_instrumentation(StatementWatch {
            statements: Arc::clone(&self.statements),
            state: Arc::clone(&state),
        });
        if self.settings.pooler.per_transaction() {
            // Another backend may run the next statement: nothing stays prepared, and the
            // statement timeout is set with each request's path (see `tenant_conn.rs`).
            conn.set_prepared_statement_cache_size(CacheSize::Disabled);
        } else {
            // No statement of a request may hold a connection (and its locks) for ever.
            diesel_async::RunQueryDsl::execute(
                diesel::select(set_config("statement_timeout", self.settings.statement_timeout_ms.clone(), false)),
                &mut conn,
            )
            .await
            .map_err(PoolError::QueryError)?;
            let check = format!("SET client_connection_check_interval = '{CLIENT_CHECK_INTERVAL}'");
            if let Err(error) = conn.batch_execute(&check).await {
                tracing::debug!(%error, "client_connection_check_interval not set");
            }
        }
        Ok(PgConn {
            conn,
            search_path: None,
            switches_left: self.settings.switches_per_connection.max(1),
            watch: state,
            settings: Arc::clone(&self.settings),
        })
    }
}

impl bb8::ManageConnection for ConnectionManager {
    type Connection = PgConn;
    type Error = PoolError;

    /// Connects, retrying every [`RECONNECT_INTERVAL`] while the database cannot be
    /// reached, for at most the checkout timeout.
    async fn connect(&self) -> Result<PgConn, PoolError> {
        let deadline = tokio::time::Instant::now() + self.settings.connect_patience;
        loop {
            match self.connect_once().await {
                Ok(conn) => {
                    self.reachability.set_down(false);
                    return Ok(conn);
                }
                Err(error) => {
                    self.reachability.set_down(true);
                    if tokio::time::Instant::now() + RECONNECT_INTERVAL >= deadline {
                        return Err(error);
                    }
                    tracing::debug!(%error, "connecting failed; retrying");
                    tokio::time::sleep(RECONNECT_INTERVAL).await;
                }
            }
        }
    }

    async fn is_valid(&self, conn: &mut PgConn) -> Result<(), PoolError> {
        conn.conn.batch_execute("SELECT 1").await.map_err(PoolError::QueryError)
    }

    /// A connection returned inside a transaction (a request future dropped mid-way, or
    /// a request whose transaction was not finished) is broken and discarded, so no
    /// session state of an unfinished request is reused; so is one returned with a
    /// statement in flight, and one whose cached statements went stale.
    fn has_broken(&self, conn: &mut PgConn) -> bool {
        conn.watch.poisoned.load(Ordering::Relaxed)
            || conn.watch.in_flight.load(Ordering::Relaxed) > 0
            || self.inner.has_broken(&mut conn.conn)
    }
}

/// The bb8 pool both pools are made of.
pub type RawPool = bb8::Pool<ConnectionManager>;

/// A connection checked out of a [`RawPool`].
pub(super) type Pooled = bb8::PooledConnection<'static, ConnectionManager>;

/// The shared pool of PostgreSQL connections for tenant statements. Connections belong to
/// no tenant: [`super::tenant_connection`] scopes one to a tenant on checkout, within the
/// tenant's fair share of the pool. It dereferences to the bb8 pool (for its statistics).
#[derive(Clone)]
pub struct Pool {
    raw: RawPool,
    pub(super) shares: Arc<TenantShares>,
    reachability: Arc<Reachability>,
    settings: Arc<ConnectionSettings>,
    checkout_wait: Duration,
}

impl Deref for Pool {
    type Target = RawPool;
    fn deref(&self) -> &RawPool {
        &self.raw
    }
}

impl Pool {
    /// What sits between the pool and PostgreSQL.
    pub fn pooler(&self) -> PoolerMode {
        self.settings.pooler
    }

    /// Whether the last attempt to connect to the database failed.
    pub fn database_down(&self) -> bool {
        self.reachability.is_down()
    }

    /// A connection of the pool that is open, waiting at most the checkout timeout (or
    /// briefly, while the database cannot be reached). Connections whose socket was closed
    /// (the database restarted, a pooler dropped them) are discarded on the way, so they
    /// cost no request.
    pub(super) async fn checkout(&self) -> Result<Pooled, DbError> {
        checkout(&self.raw, &self.reachability, self.checkout_wait).await
    }

    /// Whether a connection can be had within `wait` and answers: what readiness means.
    pub async fn answers_within(&self, wait: Duration) -> bool {
        let probe = async {
            let mut conn = self.checkout().await.ok()?;
            conn.conn.batch_execute("SELECT 1").await.ok()
        };
        matches!(tokio::time::timeout(wait, probe).await, Ok(Some(())))
    }
}

async fn checkout(raw: &RawPool, reachability: &Reachability, wait: Duration) -> Result<Pooled, DbError> {
    let wait = if reachability.is_down() { wait.min(WAIT_WHILE_DOWN) } else { wait };
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        let got = tokio::time::timeout_at(deadline, raw.get_owned()).await;
        let mut conn = match got {
            Ok(Ok(conn)) => conn,
            Ok(Err(bb8::RunError::User(error))) => return Err(DbError::Unavailable(error.to_string())),
            Ok(Err(bb8::RunError::TimedOut)) | Err(_) if reachability.is_down() => {
                return Err(DbError::Unavailable("cannot connect to the database".to_owned()));
            }
            Ok(Err(bb8::RunError::TimedOut)) | Err(_) => {
                return Err(DbError::Busy(format!("no database connection came free within {wait:?}")));
            }
        };
        if PoolableConnection::is_broken(&mut conn.conn) {
            conn.poison();
            continue;
        }
        return Ok(conn);
    }
}

/// The pool for control-plane statements (who is asking: tokens, tenants, domains). It is
/// separate from the tenant pool because PostgreSQL re-plans every cached statement of a
/// session whose `search_path` changed, qualified names or not: on connections that never
/// switch tenants, the token lookup every request makes keeps its plan.
#[derive(Clone)]
pub struct ControlPool {
    raw: RawPool,
    reachability: Arc<Reachability>,
    settings: Arc<ConnectionSettings>,
    checkout_wait: Duration,
}

/// A pooled connection for control-plane statements, which name `control.*` tables
/// explicitly and so do not depend on the session's `search_path`. Behind a transaction
/// pooler, statements must run in a transaction: use [`ControlPool::run`].
pub struct ControlConn(Pooled);

impl Deref for ControlConn {
    type Target = AsyncPgConnection;
    fn deref(&self) -> &AsyncPgConnection {
        &self.0
    }
}

impl DerefMut for ControlConn {
    fn deref_mut(&mut self) -> &mut AsyncPgConnection {
        &mut self.0
    }
}

/// A connection for control-plane (schema-qualified) statements only.
pub async fn control_connection(pool: &ControlPool) -> Result<ControlConn, DbError> {
    Ok(ControlConn(checkout(&pool.raw, &pool.reachability, pool.checkout_wait).await?))
}

impl ControlPool {
    /// Whether a control connection can be had within `wait` and answers.
    pub async fn answers_within(&self, wait: Duration) -> bool {
        let probe = async {
            let mut conn = control_connection(self).await.ok()?;
            conn.batch_execute("SELECT 1").await.ok()
        };
        matches!(tokio::time::timeout(wait, probe).await, Ok(Some(())))
    }

    /// Runs `work` on a control connection: in a transaction of its own behind a
    /// transaction pooler (so its statements stay on one backend), as it comes otherwise.
    /// If the connection turns out to be lost, `work` runs once more on another one.
    pub async fn run<T: Send>(&self, work: impl ControlWork<T>) -> Result<T, DbError> {
        let mut retried = false;
        loop {
            let mut conn = control_connection(self).await?;
            let result = if self.settings.pooler.per_transaction() {
                in_transaction(&mut conn, &work).await
            } else {
                work(&mut conn).await
            };
            match result.map_err(DbError::Query) {
                Err(error) if !retried && error.is_connection_lost() => {
                    conn.0.poison();
                    retried = true;
                }
                other => return other,
            }
        }
    }
}

/// Statements for [`ControlPool::run`]: a function that may be called twice (once more
/// after a lost connection), giving a boxed future so its `Send`-ness is plain.
pub trait ControlWork<T>:
    for<'c> Fn(&'c mut AsyncPgConnection) -> BoxFuture<'c, diesel::QueryResult<T>> + Send + Sync
{
}

impl<T, F> ControlWork<T> for F where
    F: for<'c> Fn(&'c mut AsyncPgConnection) -> BoxFuture<'c, diesel::QueryResult<T>> + Send + Sync
{
}

/// Runs `work` in a transaction of its own: committed if it succeeds, rolled back if not.
async fn in_transaction<T: Send>(conn: &mut AsyncPgConnection, work: &impl ControlWork<T>) -> diesel::QueryResult<T> {
    use diesel_async::{AnsiTransactionManager, TransactionManager};
    AnsiTransactionManager::begin_transaction(conn).await?;
    match work(conn).await {
        Ok(value) => {
            AnsiTransactionManager::commit_transaction(conn).await?;
            Ok(value)
        }
        Err(error) => {
            // A failed rollback leaves the connection broken: the pool discards it.
            let _ = AnsiTransactionManager::rollback_transaction(conn).await;
            Err(error)
        }
    }
}

/// Sizing of the pool, from the command line or the environment.
#[derive(Debug, Clone)]
pub struct PoolConfig {
    /// Most connections open at once.
    pub max_size: u32,
    /// How long a request waits for a free connection before it fails.
    pub connection_timeout: Duration,
    /// Longest a single statement may run before PostgreSQL cancels it.
    pub statement_timeout: Duration,
    /// Tenant switches a connection makes before it is replaced by a fresh one.
    /// PostgreSQL keeps, per backend and for the backend's life, cached catalog entries
    /// for every table it has touched: a connection that served a thousand tenants holds
    /// a thousand tenants' worth. Retiring it after this many switches bounds each
    /// backend's memory whatever the number of tenants, at the price of one new backend
    /// per this many switches; a connection serving one tenant never switches and lives on.
    pub switches_per_connection: u32,
    /// What sits between the server and PostgreSQL.
    pub pooler: PoolerMode,
    /// Most tenant connections one tenant may hold at once (`None`: half the pool, at
    /// least one), so one tenant's slow requests cannot take every connection.
    pub tenant_share: Option<u32>,
    /// How long a request waits for its tenant's share before it fails as busy: as long
    /// as for a free connection by default, so a busy server queues requests as before,
    /// while a tenant over its share never holds more than its share.
    pub share_wait: Duration,
}

impl Default for PoolConfig {
    fn default() -> Self {
        Self {
            max_size: 16,
            connection_timeout: Duration::from_secs(10),
            statement_timeout: Duration::from_secs(30),
            switches_per_connection: 100,
            pooler: PoolerMode::None,
            tenant_share: None,
            share_wait: Duration::from_secs(10),
        }
    }
}

impl PoolConfig {
    /// The connections one tenant may hold at once.
    pub fn tenant_share(&self) -> u32 {
        self.tenant_share.unwrap_or(self.max_size / 2).clamp(1, self.max_size.max(1))
    }
}

/// A database the server talks to: its URL (migration workers open their own
/// connections from it) and the pools for everything else.
#[derive(Clone)]
pub struct Database {
    /// The connection URL, as given.
    pub url: String,
    /// The tenant pool: connections handed out by [`super::tenant_connection`].
    pub pool: Pool,
    /// The control-plane pool: a quarter of the tenant pool's size, at least two.
    pub control: ControlPool,
    /// A URL that reaches PostgreSQL without a transaction pooler, when the pools go
    /// through one: for LISTEN, and for migrations and provisioning.
    pub direct_url: Option<String>,
    statements: Arc<AtomicU64>,
}

impl Database {
    /// Opens a pool on `url`. bb8's `test_on_check_out` is off: a tenant checkout either
    /// runs the path statement (which proves the connection alive) or reuses a connection
    /// that just served the same tenant and whose socket is open, and a `SELECT 1` per
    /// checkout would cost a round trip for nothing. bb8's own connection retry is off too:
    /// the manager retries at a steady pace (see [`RECONNECT_INTERVAL`]).
    pub async fn connect(url: &str, config: &PoolConfig) -> Result<Self, DbError> {
        let statements = Arc::new(AtomicU64::new(0));
        let reachability = Arc::new(Reachability::default());
        let settings = Arc::new(ConnectionSettings {
            pooler: config.pooler,
            statement_timeout_ms: config.statement_timeout.as_millis().to_string(),
            switches_per_connection: config.switches_per_connection,
            connect_patience: config.connection_timeout,
        });
        let build = |max_size: u32| {
            let manager = ConnectionManager {
                url: url.to_owned(),
                inner: AsyncDieselConnectionManager::<AsyncPgConnection>::new(url),
                statements: Arc::clone(&statements),
                settings: Arc::clone(&settings),
                reachability: Arc::clone(&reachability),
            };
            bb8::Pool::builder()
                .max_size(max_size)
                .connection_timeout(config.connection_timeout)
                .test_on_check_out(false)
                .retry_connection(false)
                .build_unchecked(manager)
        };
        let pool = Pool {
            raw: build(config.max_size),
            shares: Arc::new(TenantShares::new(config.tenant_share() as usize, config.share_wait)),
            reachability: Arc::clone(&reachability),
            settings: Arc::clone(&settings),
            checkout_wait: config.connection_timeout,
        };
        let control = ControlPool {
            raw: build((config.max_size / 4).max(2)),
            reachability,
            settings,
            checkout_wait: config.connection_timeout,
        };
        // Fail now, not at the first request, if the database cannot be reached.
        drop(control_connection(&control).await?);
        Ok(Self { url: url.to_owned(), pool, control, direct_url: None, statements })
    }

    /// The same database, with a direct URL for what needs a session of its own.
    pub fn with_direct_url(mut self, direct_url: Option<String>) -> Self {
        self.direct_url = direct_url.filter(|url| !url.trim().is_empty());
        self
    }

    /// Where to LISTEN for control-plane changes: the direct URL, else the pools' URL
    /// unless it leads through a transaction pooler (where LISTEN hears nothing).
    pub fn listen_url(&self) -> Option<&str> {
        self.direct_url.as_deref().or(self.pool.pooler().can_listen().then_some(self.url.as_str()))
    }

    /// Where to run migrations and create tenants: the direct URL if there is one (they
    /// also work through a transaction pooler).
    pub fn admin_url(&self) -> &str {
        self.direct_url.as_deref().unwrap_or(&self.url)
    }

    /// How many SQL statements the pool's connections have run so far. Tests and
    /// benchmarks read it before and after a request to see what the request cost.
    pub fn statements(&self) -> u64 {
        self.statements.load(Ordering::Relaxed)
    }
}
