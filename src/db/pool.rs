use std::ops::{Deref, DerefMut};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use diesel::connection::{Instrumentation, InstrumentationEvent};
use diesel_async::pooled_connection::{AsyncDieselConnectionManager, PoolError};
use diesel_async::{AsyncConnection, AsyncPgConnection};

use super::{DbError, TenantSchema};

/// A pooled PostgreSQL connection, and the tenant schema its session `search_path` was
/// last set to by [`super::tenant_connection`] (nothing else in the program sets it).
/// Knowing it lets a checkout by the same tenant skip the path statement: one round trip
/// saved, and PostgreSQL keeps its cached plans (they are re-planned when the path changes).
pub struct PgConn {
    conn: AsyncPgConnection,
    pub(super) search_path: Option<TenantSchema>,
    /// Tenant switches left before the connection is retired (see
    /// [`PoolConfig::switches_per_connection`]).
    pub(super) switches_left: u32,
    poisoned: Arc<AtomicBool>,
}

impl PgConn {
    /// Counts a tenant switch; once the connection has made its share it is retired
    /// when it goes back to the pool, and a fresh backend takes its place.
    pub(super) fn count_switch(&mut self) {
        self.switches_left = self.switches_left.saturating_sub(1);
        if self.switches_left == 0 {
            self.poisoned.store(true, Ordering::Relaxed);
        }
    }
}

/// Errors after which a connection must not be reused. PostgreSQL reports this one when a
/// cached statement meets a table whose columns changed type (a tenant mid-migration), and
/// keeps failing on that connection while the statement stays cached.
const POISONING_ERRORS: &[&str] = &["cached plan must not change result type"];

/// Watches every statement a connection runs: counts it for the pool's statistics, and
/// poisons the connection on an error it cannot recover from.
struct StatementWatch {
    statements: Arc<AtomicU64>,
    poisoned: Arc<AtomicBool>,
}

impl Instrumentation for StatementWatch {
    fn on_connection_event(&mut self, event: InstrumentationEvent<'_>) {
        if let InstrumentationEvent::FinishQuery { error, .. } = event {
            self.statements.fetch_add(1, Ordering::Relaxed);
            if let Some(error) = error {
                let message = error.to_string();
                if POISONING_ERRORS.iter().any(|poison| message.contains(poison)) {
                    tracing::warn!(%message, "dropping a connection whose cached statements went stale");
                    self.poisoned.store(true, Ordering::Relaxed);
                }
            }
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

/// bb8's manager for [`PgConn`]: diesel-async's manager, plus the remembered path, the
/// statement watch and the statement timeout.
pub struct ConnectionManager {
    inner: AsyncDieselConnectionManager<AsyncPgConnection>,
    statements: Arc<AtomicU64>,
    statement_timeout: Duration,
    switches_per_connection: u32,
}

impl bb8::ManageConnection for ConnectionManager {
    type Connection = PgConn;
    type Error = PoolError;

    async fn connect(&self) -> Result<PgConn, PoolError> {
        let mut conn = self.inner.connect().await?;
        let poisoned = Arc::new(AtomicBool::new(false));
        conn.set_instrumentation(StatementWatch {
            statements: Arc::clone(&self.statements),
            poisoned: Arc::clone(&poisoned),
        });
        // No statement of a request may hold a connection (and its locks) for ever.
        let timeout_ms = self.statement_timeout.as_millis().to_string();
        diesel_async::RunQueryDsl::execute(
            diesel::select(set_config("statement_timeout", timeout_ms, false)),
            &mut conn,
        )
        .await
        .map_err(PoolError::QueryError)?;
        Ok(PgConn { conn, search_path: None, switches_left: self.switches_per_connection.max(1), poisoned })
    }

    async fn is_valid(&self, conn: &mut PgConn) -> Result<(), PoolError> {
        self.inner.is_valid(&mut conn.conn).await
    }

    /// A connection returned inside a transaction (a request future dropped mid-way) is
    /// broken and discarded, so no session state of an unfinished request is reused; so is
    /// one whose cached statements went stale.
    fn has_broken(&self, conn: &mut PgConn) -> bool {
        conn.poisoned.load(Ordering::Relaxed) || self.inner.has_broken(&mut conn.conn)
    }
}

/// The shared bb8 pool of PostgreSQL connections. Connections belong to no tenant:
/// [`super::tenant_connection`] scopes one to a tenant on checkout.
pub type Pool = bb8::Pool<ConnectionManager>;

/// The pool for control-plane statements (who is asking: tokens, tenants, domains). It is
/// separate from the tenant pool because PostgreSQL re-plans every cached statement of a
/// session whose `search_path` changed, qualified names or not: on connections that never
/// switch tenants, the token lookup every request makes keeps its plan.
#[derive(Clone)]
pub struct ControlPool(Pool);

/// A pooled connection for control-plane statements, which name `control.*` tables
/// explicitly and so do not depend on the session's `search_path`.
pub struct ControlConn(bb8::PooledConnection<'static, ConnectionManager>);

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
    Ok(ControlConn(pool.0.get_owned().await?))
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
}

impl Default for PoolConfig {
    fn default() -> Self {
        Self {
            max_size: 16,
            connection_timeout: Duration::from_secs(10),
            statement_timeout: Duration::from_secs(30),
            switches_per_connection: 100,
        }
    }
}

/// A database the server talks to: its URL (migration workers open their own
/// connections from it) and the pool for everything else.
#[derive(Clone)]
pub struct Database {
    /// The connection URL, as given.
    pub url: String,
    /// The tenant pool: connections handed out by [`super::tenant_connection`].
    pub pool: Pool,
    /// The control-plane pool: a quarter of the tenant pool's size, at least two.
    pub control: ControlPool,
    statements: Arc<AtomicU64>,
}

impl Database {
    /// Opens a pool on `url`. bb8's `test_on_check_out` is off: a tenant checkout either
    /// runs the path statement (which proves the connection alive) or reuses a connection
    /// that just served the same tenant, and a `SELECT 1` per checkout would cost a round
    /// trip for nothing.
    pub async fn connect(url: &str, config: &PoolConfig) -> Result<Self, DbError> {
        let statements = Arc::new(AtomicU64::new(0));
        let build = |max_size: u32| {
            let manager = ConnectionManager {
                inner: AsyncDieselConnectionManager::<AsyncPgConnection>::new(url),
                statements: Arc::clone(&statements),
                statement_timeout: config.statement_timeout,
                switches_per_connection: config.switches_per_connection,
            };
            bb8::Pool::builder()
                .max_size(max_size)
                .connection_timeout(config.connection_timeout)
                .test_on_check_out(false)
                .build_unchecked(manager)
        };
        let pool = build(config.max_size);
        let control = ControlPool(build((config.max_size / 4).max(2)));
        // Fail now, not at the first request, if the database cannot be reached.
        drop(control_connection(&control).await?);
        Ok(Self { url: url.to_owned(), pool, control, statements })
    }

    /// How many SQL statements the pool's connections have run so far. Tests and
    /// benchmarks read it before and after a request to see what the request cost.
    pub fn statements(&self) -> u64 {
        self.statements.load(Ordering::Relaxed)
    }
}
