//! Relay connections over keyset pagination: a cursor is the sort key of its row, so pages
//! stay stable while rows are inserted, and a page costs one indexed range scan.

use std::sync::Arc;

use async_graphql::connection::{Connection, Edge};
use async_graphql::dataloader::Loader;
use async_graphql::{Context, Object, OutputType};
use futures_util::future::BoxFuture;

use super::context::caller_scope;
use super::errors::{GqlResultExt, coded_error};
use super::limits::Limits;
use super::loaders::loader;
use crate::db::{Cursor, CursorError, DbError, Keyset, Listing, Page};
use crate::tenancy::{Role, TenantScope};

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

impl PageArgs {
    /// Validates the arguments against the page-size cap and checks the cursors against
    /// the listing's sort (BAD_USER_INPUT, never repeating the cursor, when they do not fit).
    pub fn page(&self, limits: &Limits, keyset: &Keyset) -> async_graphql::Result<Page> {
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
        let cursor = |text: &Option<String>| text.as_deref().map(|text| checked_cursor(text, keyset)).transpose();
        Ok(Page { limit, after: cursor(&self.after)?, before: cursor(&self.before)?, backward })
    }
}

/// A client's cursor, decoded and checked against `keyset`.
pub fn checked_cursor(text: &str, keyset: &Keyset) -> async_graphql::Result<Cursor> {
    Cursor::decode(text).and_then(|cursor| keyset.check(&cursor).map(|()| cursor)).map_err(|e| match e {
        CursorError::Invalid => coded_error("BAD_USER_INPUT", "invalid cursor"),
        CursorError::OtherSort => coded_error("BAD_USER_INPUT", "the cursor belongs to another sort order"),
    })
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
    let keyset = Keyset::created("x", true);
    let after = after.map(|text| checked_cursor(text, &keyset)).transpose()?.and_then(|c| c.created_key());
    Ok(crate::db::ChildPageKey { parent, limit: first + 1, after })
}

/// The child pages a connection's nodes select under `field` (each selection of it: aliases
/// may ask for different pages), with the loader keys of those pages for `parents`: what a
/// listing primes so the per-node resolvers find their pages cached. A selection whose
/// arguments are bad is left out; its resolver reports them.
pub fn selected_child_pages<'a>(
    ctx: &'a Context<'_>,
    field: &str,
    default_first: i32,
    parents: &[uuid::Uuid],
) -> async_graphql::Result<Vec<(async_graphql::SelectionField<'a>, Vec<crate::db::ChildPageKey>)>> {
    let limits = ctx.data::<Limits>()?;
    let ahead = ctx.look_ahead();
    let mut fields = ahead.field("edges").field("node").field(field).selection_fields();
    fields.extend(ahead.field("nodes").field(field).selection_fields());
    let mut pages = Vec::new();
    for selection in fields {
        let (mut first, mut after) = (default_first, None);
        for (name, value) in selection.arguments()? {
            match (name.as_str(), value) {
                ("first", async_graphql::Value::Number(n)) => {
                    first = n.as_i64().and_then(|n| i32::try_from(n).ok()).unwrap_or(-1)
                }
                ("after", async_graphql::Value::String(s)) => after = Some(s),
                _ => {}
            }
        }
        let keys: Result<Vec<_>, _> =
            parents.iter().map(|id| child_page_key(limits, *id, first, after.as_deref())).collect();
        if let Ok(keys) = keys {
            pages.push((selection, keys));
        }
    }
    Ok(pages)
}

/// One parent's newest-first page of child rows (`first` of them after the cursor
/// `after`), read through the request's loader of type `L` so the pages of many parents
/// cost one statement, as a forward connection.
pub async fn child_connection<L, R, N>(
    ctx: &Context<'_>,
    make: impl FnOnce(Arc<TenantScope>) -> L,
    parent: uuid::Uuid,
    first: i32,
    after: Option<&str>,
    key: impl Fn(&R) -> (chrono::DateTime<chrono::Utc>, uuid::Uuid),
    node: impl Fn(R) -> N,
) -> async_graphql::Result<Connection<String, N>>
where
    L: Loader<crate::db::ChildPageKey, Value = Vec<R>, Error = Arc<DbError>>,
    R: Clone + Send + Sync + 'static,
    N: OutputType,
{
    let key_of_page = child_page_key(ctx.data::<Limits>()?, parent, first, after)?;
    let mut rows = loader(ctx, make)?.load_one(key_of_page.clone()).await.gql()?.unwrap_or_default();
    let has_next = rows.len() > first as usize;
    rows.truncate(first as usize);
    let mut connection = Connection::new(key_of_page.after.is_some(), has_next);
    connection.edges.extend(rows.into_iter().map(|row| {
        let (at, id) = key(&row);
        Edge::new(Cursor::created(at, id).encode(), node(row))
    }));
    Ok(connection)
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
pub fn into_connection<R, N: OutputType>(
    mut rows: Vec<R>,
    page: &Page,
    cursor: impl Fn(&R) -> Cursor,
    node: impl FnMut(R) -> N,
    total: ConnectionTotal,
) -> Connection<String, N, ConnectionTotal> {
    let has_more = rows.len() > page.limit;
    rows.truncate(page.limit);
    let (has_previous, has_next) = if page.backward {
        rows.reverse();
        (has_more, page.before.is_some())
    } else {
        (page.after.is_some(), has_more)
    };
    let mut connection = Connection::with_additional_fields(has_previous, has_next, total);
    let mut node = node;
    connection.edges.extend(rows.into_iter().map(|row| Edge::new(cursor(&row).encode(), node(row))));
    connection
}

/// One page of `listing` as a Relay connection, for a caller with at least `role`: the
/// arguments checked against its sort, the page read on the request's connection,
/// `totalCount` counted only when asked for, and each row made a node by `node`.
pub async fn listing_connection<L: Listing, N: OutputType>(
    ctx: &Context<'_>,
    role: Role,
    args: PageArgs,
    listing: L,
    node: impl FnMut(L::Row) -> N,
) -> async_graphql::Result<Connection<String, N, ConnectionTotal>> {
    let scope = caller_scope(ctx, role)?;
    let page = args.page(ctx.data::<Limits>()?, &listing.keyset())?;
    let rows = listing.page(&mut *scope.conn().await.gql()?, &page).await.gql()?;
    Ok(finish_listing(&scope, rows, &page, listing, node))
}

/// The connection of rows already read for `page` of `listing` (for callers that look at
/// the rows before making nodes of them).
pub fn finish_listing<L: Listing, N: OutputType>(
    scope: &Arc<TenantScope>,
    rows: Vec<L::Row>,
    page: &Page,
    listing: L,
    node: impl FnMut(L::Row) -> N,
) -> Connection<String, N, ConnectionTotal> {
    let listing = Arc::new(listing);
    let cursor = |row: &L::Row| listing.cursor(row);
    let counted = Arc::clone(&listing);
    let scope = Arc::clone(scope);
    let total = ConnectionTotal::new(move || {
        let (listing, scope) = (Arc::clone(&counted), Arc::clone(&scope));
        Box::pin(async move { Ok(listing.count(&mut *scope.conn().await?).await?) })
    });
    into_connection(rows, page, cursor, node, total)
}
