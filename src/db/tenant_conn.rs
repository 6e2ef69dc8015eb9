use std::ops::{Deref, DerefMut};

use diesel_async::{AsyncPgConnection, RunQueryDsl};

use super::pool::{ConnectionManager, set_config};
use super::{DbError, Pool};
use crate::tenancy::Slug;

/// The name of a tenant's PostgreSQL schema, `t_<slug>`. It can only be made from a
/// validated [`Slug`], so it never holds a quote, a comma or a space: `search_path`
/// parses its value as a list, and this name is always exactly one element of it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TenantSchema(String);

impl TenantSchema {
    /// The schema of the tenant with this slug.
    pub fn for_slug(slug: &Slug) -> Self {
        Self(format!("t_{}", slug.as_str()))
    }

    /// The schema name as PostgreSQL knows it.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for TenantSchema {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A pooled connection whose `search_path` is one tenant's schema and nothing else (not
/// `public`, not `control`). Only [`tenant_connection`] makes one, so holding a
/// `TenantConn` is proof the path was set for this checkout.
pub struct TenantConn {
    conn: bb8::PooledConnection<'static, ConnectionManager>,
}

impl Deref for TenantConn {
    type Target = AsyncPgConnection;
    fn deref(&self) -> &AsyncPgConnection {
        &self.conn
    }
}

impl DerefMut for TenantConn {
    fn deref_mut(&mut self) -> &mut AsyncPgConnection {
        &mut self.conn
    }
}

/// The one function that hands out connections for a tenant. It checks a connection out
/// of the pool and makes sure its session `search_path` is the tenant's schema alone, the
/// schema name travelling as a bound parameter. A session setting outlives the checkout,
/// so the previous user of this connection may have been another tenant: unless the
/// connection's remembered path is already this tenant's, the path is set (and only
/// remembered once PostgreSQL has accepted it). The statement is diesel DSL, so it is a
/// cached prepared statement: one round trip, no re-parse.
pub async fn tenant_connection(pool: &Pool, schema: &TenantSchema) -> Result<TenantConn, DbError> {
    let mut conn = pool.get_owned().await?;
    if conn.search_path.as_ref() != Some(schema) {
        conn.search_path = None;
        diesel::select(set_config("search_path", schema.as_str(), false)).execute(&mut **conn).await?;
        conn.search_path = Some(schema.clone());
        conn.count_switch();
    }
    Ok(TenantConn { conn })
}
