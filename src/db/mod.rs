//! Database access shared by every domain: the pool, the one function that hands out
//! tenant connections, the migration runner, the embedded PostgreSQL cluster and the
//! diesel table definitions.

use std::collections::HashMap;
use std::hash::Hash;

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

/// Groups rows by a key, keeping their order within each group: how a batch loader turns
/// one statement's rows into the per-parent lists it hands back.
pub fn group_by<K: Hash + Eq, T>(rows: impl IntoIterator<Item = T>, key: impl Fn(&T) -> K) -> HashMap<K, Vec<T>> {
    group_pairs(rows.into_iter().map(|row| (key(&row), row)))
}

/// [`group_by`] for rows that come as (key, value) pairs.
pub fn group_pairs<K: Hash + Eq, T>(pairs: impl IntoIterator<Item = (K, T)>) -> HashMap<K, Vec<T>> {
    let mut grouped: HashMap<K, Vec<T>> = HashMap::new();
    for (key, value) in pairs {
        grouped.entry(key).or_default().push(value);
    }
    grouped
}

#[cfg(test)]
mod tests {
    #[test]
    fn contains_pattern_escapes_like_wildcards() {
        assert_eq!(super::contains_pattern("shirt"), "%shirt%");
        assert_eq!(super::contains_pattern("50%_off\\"), "%50\\%\\_off\\\\%");
    }
}
