//! Database access shared by every domain: the pool, the one function that hands out
//! tenant connections, the migration runner, the embedded PostgreSQL cluster and the
//! diesel table definitions.

pub mod child_pages;
pub mod embedded;
mod error;
pub mod fragment;
pub mod migrate;
mod paging;
mod pool;
pub mod pooler;
pub mod schema;
mod shares;
pub mod sql_value;
mod tenant_conn;
mod tenant_migrations;
mod text_enum;

pub use child_pages::{ChildPageKey, newest_first_pages};
pub use error::{DbError, Failure};
pub use fragment::{Bind, Fragment};
pub use paging::{BY_CODE, CREATED, Cursor, CursorError, Keyset, Listing, MAX_CURSOR_LEN, Page, key_text};
pub use pool::{
    ConnectionManager, ConnectionSettings, ControlConn, ControlPool, ControlWork, Database, PgConn, Pool, PoolConfig,
    RawPool, control_connection,
};
pub use pooler::PoolerMode;
pub use shares::{SharePermit, TenantShares};
pub use sql_value::SortType;
pub use tenant_conn::{TenantConn, TenantSchema, tenant_connection};

/// An `ILIKE` pattern matching text that contains `search` literally: the pattern's own
/// wildcards (`%`, `_`) and escape (`\`) in the search are escaped.
pub fn contains_pattern(search: &str) -> String {
    let escaped = search.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    format!("%{escaped}%")
}

#[cfg(test)]
mod tests {
    #[test]
    fn contains_pattern_escapes_like_wildcards() {
        assert_eq!(super::contains_pattern("shirt"), "%shirt%");
        assert_eq!(super::contains_pattern("50%_off\\"), "%50\\%\\_off\\\\%");
    }
}
