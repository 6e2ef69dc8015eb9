//! Database access shared by every domain: the pool, the one function that hands out
//! tenant connections, the migration runner, the embedded PostgreSQL cluster and the
//! diesel table definitions.

pub mod embedded;
mod error;
pub mod migrate;
mod pool;
pub mod schema;
mod tenant_conn;
mod text_enum;

pub use error::DbError;
pub use pool::{ConnectionManager, ControlConn, ControlPool, Database, PgConn, Pool, PoolConfig, control_connection};
pub use tenant_conn::{TenantConn, TenantSchema, tenant_connection};
