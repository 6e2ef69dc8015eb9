//! Relay connections over keyset pagination: a cursor is the sort key of its row, so pages
//! stay stable while rows are inserted, and a page costs one indexed range scan.

use std::sync::Arc;

use async_graphql::connection::{Connection, Edge};
use async_graphql::{Object, OutputType};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use futures_util::future::BoxFuture;
use serde::Serialize;

use super::errors::{GqlResultExt, coded_error};
use super::limits::Limits;
use crate::db::{CursorKey, DbError, MAX_CURSOR_LEN, Page};

/// The Relay arguments of a connection field, as the client sent them.
#[derive(Debug, Default, Clone)]
pub struct PageArgs {
    /// Forward page size.
    pub first: Option<i32>,
    /// Forward start (exclusive).
    pub after: Option<String>,
    /// Backward page size.
    pub last: Option<i32>,
    /// Backward end (exclusive).
    pub before: Option<String>,
}

/// Encodes a row's sort key as an opaque cursor.
pub fn encode_cursor<K: Serialize>(key: &K) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(key).expect("cursor keys serialize"))
}

/// Decodes a cursor made by [`encode_cursor`], refusing one too long, malformed, or whose
/// key fails [`CursorKey::is_valid`] (the error never repeats the cursor).
pub fn decode_cursor<K: CursorKey>(cursor: &str) -> async_graphql::Result<K> {
    Some(cursor)
        .filter(|c| c.len() <= MAX_CURSOR_LEN)
        .and_then(|c| URL_SAFE_NO_PAD.decode(c).ok())
        .and_then(|bytes| serde_json::from_slice::<K>(&bytes).ok())
        .filter(CursorKey::is_valid)
        .ok_or_else(|| coded_error("BAD_USER_INPUT", "invalid cursor"))
}

impl PageArgs {
    /// Validates the arguments against the page-size cap and decodes the cursors.
    pub fn page<K: CursorKey>(&self, limits: &Limits) -> async_graphql::Result<Page<K>> {
        let size = |name: &str, value: i32| -> async_graphql::Result<usize> {
            usize::try_from(value).ok().filter(|n| *n <= limits.max_page_size).ok_or_else(|| {
                coded_error("BAD_USER_INPUT", format!("{name} must be between 0 and {}", limits.max_page_size))
            })
        };
        let (limit, backward) = match (self.first, self.last) {
            (Some(_), Some(_)) => return Err(coded_error("BAD_USER_INPUT", "pass first or last, not both")),
            (Some(first), None) => (size("first", first)?, false),
            (None, Some(last)) => (size("last", last)?, true),
            (None, None) => {
                (limits.default_page_size.min(limits.max_page_size), self.before.is_some() && self.after.is_none())
            }
        };
        Ok(Page {
            limit,
            after: self.after.as_deref().map(decode_cursor).transpose()?,
            before: self.before.as_deref().map(decode_cursor).transpose()?,
            backward,
        })
    }
}

/// The loader key of a newest-first page of one parent's rows: `first` rows (checked
/// against the page-size cap) after the cursor `after`, plus one to learn whether there
/// are more.
pub fn child_page_key(
    limits: &Limits,
    parent: uuid::Uuid,
    first: i32,
    after: Option<&str>,
) -> async_graphql::Result<crate::db::ChildPageKey> {
    if first < 0 || first as usize > limits.max_page_size {
        return Err(coded_error("BAD_USER_INPUT", format!("first must be between 0 and {}", limits.max_page_size)));
    }
    let after = after.map(decode_cursor::<(chrono::DateTime<chrono::Utc>, uuid::Uuid)>).transpose()?;
    Ok(crate::db::ChildPageKey { parent, limit: first + 1, after })
}

type CountFn = dyn Fn() -> BoxFuture<'static, Result<i64, DbError>> + Send + Sync;

/// The `totalCount` of a connection: counted only when the client asks for it.
pub struct ConnectionTotal(Arc<CountFn>);

impl ConnectionTotal {
    /// A total computed by `count` on demand.
    pub fn new(count: impl Fn() -> BoxFuture<'static, Result<i64, DbError>> + Send + Sync + 'static) -> Self {
        Self(Arc::new(count))
    }
}

#[Object]
impl ConnectionTotal {
    /// How many nodes match, across all pages.
    async fn total_count(&self) -> async_graphql::Result<super::BigInt> {
        (self.0)().await.gql().map(super::BigInt)
    }
}

/// Builds the Relay connection for rows fetched for `page` (at most `limit + 1` of them, in
/// fetch order). `has_previous_page` going forward (and `has_next_page` going backward) is
/// true exactly when a cursor bounds that side, as the Relay spec allows.
pub fn into_connection<K, N>(
    mut rows: Vec<N>,
    page: &Page<K>,
    key: impl Fn(&N) -> K,
    total: ConnectionTotal,
) -> Connection<String, N, ConnectionTotal>
where
    K: Serialize,
    N: OutputType,
{
    let has_more = rows.len() > page.limit;
    rows.truncate(page.limit);
    let (has_previous, has_next) = if page.backward {
        rows.reverse();
        (has_more, page.before.is_some())
    } else {
        (page.after.is_some(), has_more)
    };
    let mut connection = Connection::with_additional_fields(has_previous, has_next, total);
    connection.edges.extend(rows.into_iter().map(|node| Edge::new(encode_cursor(&key(&node)), node)));
    connection
}
