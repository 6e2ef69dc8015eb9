use std::time::Duration;

use diesel_async::AsyncPgConnection;
use diesel_async::pooled_connection::AsyncDieselConnectionManager;

use super::DbError;

/// The shared bb8 pool of PostgreSQL connections. Connections carry no tenant of their
/// own: [`super::tenant_connection`] sets the tenant on every checkout.
pub type Pool = bb8::Pool<AsyncDieselConnectionManager<AsyncPgConnection>>;

/// Sizing of the pool, from the command line or the environment.
#[derive(Debug, Clone)]
pub struct PoolConfig {
    /// Most connections open at once.
    pub max_size: u32,
    /// How long a request waits for a free connection before it fails.
    pub connection_timeout: Duration,
}

impl Default for PoolConfig {
    fn default() -> Self {
        Self {
            max_size: 16,
            connection_timeout: Duration::from_secs(10),
        }
    }
}

/// A database the server talks to: its URL (migration workers open their own
/// connections from it) and the pool for everything else.
#[derive(Clone)]
pub struct Database {
    /// The connection URL, as given.
    pub url: String,
    /// The request pool.
    pub pool: Pool,
}

impl Database {
    /// Opens a pool on `url`. bb8's `test_on_check_out` is off: the statement that sets
    /// the tenant on checkout already proves the connection alive, and a `SELECT 1` per
    /// checkout would cost a round trip for nothing.
    pub async fn connect(url: &str, config: &PoolConfig) -> Result<Self, DbError> {
        let manager = AsyncDieselConnectionManager::<AsyncPgConnection>::new(url);
        let pool = bb8::Pool::builder()
            .max_size(config.max_size)
            .connection_timeout(config.connection_timeout)
            .test_on_check_out(false)
            .build(manager)
            .await
            .map_err(|e| DbError::Pool(e.to_string()))?;
        Ok(Self {
            url: url.to_owned(),
            pool,
        })
    }
}
