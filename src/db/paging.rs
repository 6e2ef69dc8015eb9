//! Keyset paging, the one way every listing pages. A listing sorts by a few key
//! expressions and the row's id (the tie-breaker); a cursor is the sort's tag and the row's
//! key values as text, so pages stay stable while rows are inserted, and a page is one
//! indexed range scan: a row comparison `(k1, k2, id) > (v1, v2, id)` and a `LIMIT`.
//!
//! Cursors come from clients, so a decoded cursor is checked against the listing's
//! [`Keyset`] before it reaches SQL: the tag must be the listing's sort, and every value
//! one PostgreSQL casts to its key's type (a forged cursor is refused, never a failed
//! statement).

use std::future::Future;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use diesel::QueryResult;
use diesel::query_dsl::methods::{FilterDsl, LimitDsl, OrderDsl};
use diesel::sql_types::{Bool, Text};
use diesel_async::AsyncPgConnection;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::fragment::{Bind, Fragment};
use super::sql_value::{SortType, parse_timestamp};

/// The longest cursor accepted (the longest real ones — a customer's two 200-character
/// names, a 300-character product name, of 4-byte characters — encode to under 2,300
/// bytes): a longer one is refused before it is decoded.
pub const MAX_CURSOR_LEN: usize = 4096;

/// The tag of the creation-time sort most listings use.
pub const CREATED: &str = "CREATED_AT";
/// The tag of the sort by a unique code.
pub const BY_CODE: &str = "CODE";

/// A row's place in a sorted listing: the sort it belongs to, its key values as
/// PostgreSQL reads them back, and its id. Clients see it only encoded ([`Cursor::encode`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursor {
    /// The sort's tag.
    pub s: String,
    /// The key values, as text.
    pub v: Vec<String>,
    /// The row's id.
    pub id: Uuid,
}

/// Why a client's cursor was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CursorError {
    /// Not a cursor this server made, or one whose values do not fit the listing.
    Invalid,
    /// A cursor of the same listing under another sort order.
    OtherSort,
}

impl Cursor {
    /// The cursor of a row created at `created_at`, in a listing in creation order.
    pub fn created(created_at: DateTime<Utc>, id: Uuid) -> Self {
        Self { s: CREATED.to_owned(), v: vec![key_text(&created_at)], id }
    }

    /// The opaque form clients carry.
    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(self).expect("cursors serialize"))
    }

    /// Reads a cursor made by [`Cursor::encode`] (any listing's; see [`Keyset::check`]).
    pub fn decode(text: &str) -> Result<Self, CursorError> {
        Some(text)
            .filter(|c| c.len() <= MAX_CURSOR_LEN)
            .and_then(|c| URL_SAFE_NO_PAD.decode(c).ok())
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .ok_or(CursorError::Invalid)
    }

    /// A cursor of the sort tagged `tag`.
    pub fn new(tag: &str, values: Vec<String>, id: Uuid) -> Self {
        Self { s: tag.to_owned(), v: values, id }
    }

    /// The `(created_at, id)` key of a checked creation-order cursor.
    pub fn created_key(&self) -> Option<(DateTime<Utc>, Uuid)> {
        Some((parse_timestamp(self.v.first()?)?, self.id))
    }
}

/// A timestamp as cursor text: RFC 3339 to the microsecond, which PostgreSQL reads back
/// exactly.
pub fn key_text(at: &DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

/// A validated page request. Storage asks for `limit + 1` rows after `after` and before
/// `before`, nearest `before` first when `backward`.
#[derive(Debug, Clone)]
pub struct Page {
    /// Rows to return.
    pub limit: usize,
    /// Only rows beyond this cursor in the sort's order.
    pub after: Option<Cursor>,
    /// Only rows ahead of this cursor in the sort's order.
    pub before: Option<Cursor>,
    /// Paging with `last`: read in reverse order, nearest `before` first.
    pub backward: bool,
}

impl Page {
    /// The first `limit` rows.
    pub fn first(limit: usize) -> Self {
        Self { limit, after: None, before: None, backward: false }
    }

    /// How many rows to fetch: one more than the page, to learn whether there are more.
    pub fn fetch_limit(&self) -> i64 {
        self.limit as i64 + 1
    }
}

/// The sort of one listing: its tag, its key expressions with their SQL types, the id
/// column that breaks ties, and its direction.
#[derive(Debug, Clone)]
pub struct Keyset {
    tag: &'static str,
    keys: Vec<(Fragment<Text>, SortType)>,
    id: String,
    descending: bool,
}

impl Keyset {
    /// A sort tagged `tag` whose ties are broken by `id_column` (e.g. `"orders.id"`),
    /// ascending until told otherwise.
    pub fn new(tag: &'static str, id_column: &str) -> Self {
        Self { tag, keys: Vec::new(), id: id_column.to_owned(), descending: false }
    }

    /// Creation order on `table`'s `(created_at, id)`, newest first when `descending`:
    /// the order of most listings.
    pub fn created(table: &str, descending: bool) -> Self {
        Self::new(CREATED, &format!("{table}.id"))
            .key(Fragment::sql(&format!("{table}.created_at")), SortType::Timestamptz)
            .descending(descending)
    }

    /// Ascending on `table`'s unique `code`.
    pub fn by_code(table: &str) -> Self {
        Self::new(BY_CODE, &format!("{table}.id")).key(Fragment::sql(&format!("{table}.code")), SortType::Text)
    }

    /// Adds a key, after the ones already given.
    pub fn key(mut self, sql: Fragment<Text>, kind: SortType) -> Self {
        self.keys.push((sql, kind));
        self
    }

    /// Largest first when `yes`.
    pub fn descending(mut self, yes: bool) -> Self {
        self.descending = yes;
        self
    }

    /// The cursor of a row with these key values (as text PostgreSQL casts back).
    pub fn cursor(&self, values: Vec<String>, id: Uuid) -> Cursor {
        Cursor { s: self.tag.to_owned(), v: values, id }
    }

    /// Whether a client's cursor belongs to this sort and each value casts to its key's type.
    pub fn check(&self, cursor: &Cursor) -> Result<(), CursorError> {
        if cursor.v.len() != self.keys.len() || !cursor.v.iter().zip(&self.keys).all(|(v, (_, kind))| kind.accepts(v)) {
            return Err(CursorError::Invalid);
        }
        if cursor.s != self.tag {
            return Err(CursorError::OtherSort);
        }
        Ok(())
    }

    /// Rows strictly beyond `cursor` (`greater`: after it in ascending order).
    fn bound(&self, cursor: &Cursor, greater: bool) -> Fragment<Bool> {
        let mut fragment = Fragment::sql("((");
        for (sql, _) in &self.keys {
            fragment = fragment.append(sql.clone()).push("), (");
        }
        fragment = fragment.push(&format!("{})) {} (", self.id, if greater { ">" } else { "<" }));
        for (value, (_, kind)) in cursor.v.iter().zip(&self.keys) {
            fragment = fragment.push("CAST(").bind(Bind::Text(value.clone())).push(&format!(" AS {}), ", kind.sql()));
        }
        fragment.bind(Bind::Uuid(cursor.id)).push(")")
    }

    /// The `ORDER BY` of a page: the sort's order, reversed when paging backward.
    fn order(&self, page: &Page) -> Fragment<Text> {
        let order = if self.descending != page.backward { "DESC" } else { "ASC" };
        let mut fragment = Fragment::default();
        for (sql, _) in &self.keys {
            fragment = fragment.push("(").append(sql.clone()).push(&format!(") {order}, "));
        }
        fragment.push(&format!("{} {order}", self.id))
    }

    /// `query` narrowed to `page`: its cursor bounds, this sort's order and the page's
    /// fetch limit.
    pub fn seek<Q>(&self, mut query: Q, page: &Page) -> Q
    where
        Q: FilterDsl<Fragment<Bool>, Output = Q> + OrderDsl<Fragment<Text>, Output = Q> + LimitDsl<Output = Q>,
    {
        if let Some(after) = &page.after {
            query = query.filter(self.bound(after, !self.descending));
        }
        if let Some(before) = &page.before {
            query = query.filter(self.bound(before, self.descending));
        }
        query.order(self.order(page)).limit(page.fetch_limit())
    }
}

/// A keyset-paged listing as storage offers it: its sort, a page of its rows, how many
/// rows it has in all, and each row's cursor. The GraphQL layer turns any listing into a
/// Relay connection, so no domain writes paging by hand.
pub trait Listing: Send + Sync + 'static {
    /// What a page holds.
    type Row: Send;

    /// The listing's sort.
    fn keyset(&self) -> Keyset;

    /// The rows of `page`, in fetch order (at most `page.fetch_limit()` of them).
    fn page(
        &self,
        conn: &mut AsyncPgConnection,
        page: &Page,
    ) -> impl Future<Output = QueryResult<Vec<Self::Row>>> + Send;

    /// How many rows the listing has across all pages.
    fn count(&self, conn: &mut AsyncPgConnection) -> impl Future<Output = QueryResult<i64>> + Send;

    /// The cursor of `row`.
    fn cursor(&self, row: &Self::Row) -> Cursor;
}

/// Implements [`Listing`] for a filter type whose `filtered()` gives the boxed query of
/// its matching rows: `row`s read with `row::as_select()`, sorted by `keyset`, each row's
/// cursor made by `cursor`. Listings written with it need no paging code of their own.
#[macro_export]
macro_rules! keyset_listing {
    ($listing:ty, $row:ty, $keyset:expr, |$r:ident| $cursor:expr) => {
        impl $crate::db::Listing for $listing {
            type Row = $row;

            fn keyset(&self) -> $crate::db::Keyset {
                $keyset
            }

            async fn page(
                &self,
                conn: &mut diesel_async::AsyncPgConnection,
                page: &$crate::db::Page,
            ) -> diesel::QueryResult<Vec<$row>> {
                use diesel::{QueryDsl, SelectableHelper};
                use diesel_async::RunQueryDsl;
                self.keyset().seek(self.filtered().select(<$row>::as_select()), page).load(conn).await
            }

            async fn count(&self, conn: &mut diesel_async::AsyncPgConnection) -> diesel::QueryResult<i64> {
                use diesel::QueryDsl;
                use diesel_async::RunQueryDsl;
                self.filtered().count().get_result(conn).await
            }

            fn cursor(&self, $r: &$row) -> $crate::db::Cursor {
                $cursor
            }
        }
    };
}

/// A [`keyset_listing!`] in creation order on `table`'s `(created_at, id)`, `newest` first
/// or `oldest` first: the order of most admin listings.
#[macro_export]
macro_rules! created_listing {
    ($listing:ty, $table:ident, $row:ty, newest) => {
        $crate::created_listing!($listing, $table, $row, true);
    };
    ($listing:ty, $table:ident, $row:ty, oldest) => {
        $crate::created_listing!($listing, $table, $row, false);
    };
    ($listing:ty, $table:ident, $row:ty, $descending:expr) => {
        $crate::keyset_listing!($listing, $row, $crate::db::Keyset::created(stringify!($table), $descending), |row| {
            $crate::db::Cursor::created(row.created_at, row.id)
        });
    };
}

/// A [`keyset_listing!`] ordered by `table`'s unique `code`, for the small listings of
/// things named by a code (stores, attributes, attribute sets).
#[macro_export]
macro_rules! code_listing {
    ($listing:ty, $table:ident, $row:ty) => {
        $crate::keyset_listing!($listing, $row, $crate::db::Keyset::by_code(stringify!($table)), |row| {
            $crate::db::Cursor::new($crate::db::BY_CODE, vec![row.code.clone()], row.id)
        });
    };
}
