use std::ops::{Deref, DerefMut};

use diesel_async::{AnsiTransactionManager, AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection, TransactionManager};

use super::pool::{Pooled, set_config};
use super::shares::SharePermit;
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
/// `TenantConn` is proof the path was set for this checkout. Behind a transaction pooler
/// the connection is inside a transaction that set the path for itself alone: what it
/// wrote is kept only if [`TenantConn::finish`] commits it; dropped unfinished, the
/// connection is closed and the transaction rolled back.
pub struct TenantConn {
    // Declared before the share: the connection goes back to the pool first.
    conn: Pooled,
    _share: SharePermit,
    /// Failed statements of the connection when the transaction began.
    failures_at_begin: u64,
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

impl TenantConn {
    /// Ends the request's work on this connection. Behind a transaction pooler it commits
    /// the request's transaction: `Ok` means everything the request wrote is committed;
    /// an error means none of it is (the connection is discarded). Elsewhere each
    /// statement committed as it ran and this does nothing. Calling it again does nothing.
    pub async fn finish(&mut self) -> Result<(), DbError> {
        if !self.conn.settings.pooler.per_transaction() {
            return Ok(());
        }
        let conn: &mut AsyncPgConnection = &mut self.conn;
        let depth = AnsiTransactionManager::transaction_manager_status_mut(conn).transaction_depth();
        match depth {
            Ok(None) => return Ok(()),
            Ok(Some(depth)) if depth.get() == 1 => {}
            _ => {
                self.conn.poison();
                return Err(DbError::Query(diesel::result::Error::BrokenTransactionManager));
            }
        }
        // A statement that failed outside a savepoint aborts the whole transaction, and
        // PostgreSQL then answers COMMIT with a rollback, not an error: after a failure,
        // check that the transaction still stands before committing it.
        if self.conn.failures() != self.failures_at_begin
            && let Err(error) = self.conn.batch_execute("SELECT 1").await
        {
            self.conn.poison();
            return Err(error.into());
        }
        let conn: &mut AsyncPgConnection = &mut self.conn;
        if let Err(error) = AnsiTransactionManager::commit_transaction(conn).await {
            self.conn.poison();
            return Err(error.into());
        }
        Ok(())
    }
}

/// The one function that hands out connections for a tenant, within the tenant's share
/// of the pool (see `shares.rs`). It checks a connection out of the pool and makes sure
/// its `search_path` is the tenant's schema alone, the schema name travelling as a bound
/// parameter.
///
/// Directly or behind a session pooler, the path is a session setting: it outlives the
/// checkout, so the previous user of this connection may have been another tenant;
/// unless the connection's remembered path is already this tenant's, the path is set
/// (and only remembered once PostgreSQL has accepted it). The statement is diesel DSL, so
/// it is a cached prepared statement: one round trip, no re-parse.
///
/// Behind a transaction pooler, a transaction begins and the path (with the statement
/// timeout) is set for that transaction only; [`TenantConn::finish`] commits it.
///
/// A connection that fails its first statement because it was lost is replaced once.
pub async fn tenant_connection(pool: &Pool, schema: &TenantSchema) -> Result<TenantConn, DbError> {
    let share = pool.shares.acquire(schema).await?;
    let mut retried = false;
    loop {
        let mut conn = pool.checkout().await?;
        let failures_at_begin = conn.failures();
        match scope_to(&mut conn, schema).await {
            Ok(()) => return Ok(TenantConn { conn, _share: share, failures_at_begin }),
            Err(error) => {
                conn.poison();
                if retried || !error.is_connection_lost() {
                    return Err(error);
                }
                retried = true;
            }
        }
    }
}

/// Sets the connection's path to `schema` (see [`tenant_connection`]).
async fn scope_to(conn: &mut Pooled, schema: &TenantSchema) -> Result<(), DbError> {
    if conn.settings.pooler.per_transaction() {
        let timeout = conn.settings.statement_timeout_ms.clone();
        let raw: &mut AsyncPgConnection = conn;
        AnsiTransactionManager::begin_transaction(raw).await?;
        diesel::select((
            set_config("search_path", schema.as_str(), true),
            set_config("statement_timeout", timeout, true),
        ))
        .execute(raw)
        .await?;
        return Ok(());
    }
    if conn.search_path.as_ref() != Some(schema) {
        conn.search_path = None;
        diesel::select(set_config("search_path", schema.as_str(), false)).execute(&mut ***conn).await?;
        conn.search_path = Some(schema.clone());
        conn.count_switch();
    }
    Ok(())
}
