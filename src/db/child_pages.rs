//! Newest-first pages of the rows that hang off many parents (a customer's activity, an
//! account's ledger), each parent its own page with its own cursor, in one statement:
//! a lateral join over the page keys, each side reading its `(created_at, id)` index.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use diesel::QueryResult;
use diesel::deserialize::QueryableByName;
use diesel::pg::Pg;
use diesel::sql_types::{Array, BigInt, Integer, Nullable, Timestamptz, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

/// One page of one parent's rows, newest first: at most `limit` rows older than `after`
/// (a `(created_at, id)` key).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ChildPageKey {
    /// The parent row.
    pub parent: Uuid,
    /// How many rows to fetch.
    pub limit: i32,
    /// Only rows before this key in newest-first order.
    pub after: Option<(DateTime<Utc>, Uuid)>,
}

#[derive(QueryableByName)]
struct PageRow<T: QueryableByName<Pg>> {
    #[diesel(sql_type = BigInt)]
    ord: i64,
    #[diesel(embed)]
    row: T,
}

/// The pages of `keys` from `table`, whose rows point at their parent by `parent_column`
/// and have `created_at` and `id`. Both names are the caller's constants, never input.
pub async fn newest_first_pages<T>(
    conn: &mut AsyncPgConnection,
    table: &'static str,
    parent_column: &'static str,
    keys: &[ChildPageKey],
) -> QueryResult<HashMap<ChildPageKey, Vec<T>>>
where
    T: QueryableByName<Pg> + Send + 'static,
{
    let parents: Vec<Uuid> = keys.iter().map(|k| k.parent).collect();
    let after_at: Vec<Option<DateTime<Utc>>> = keys.iter().map(|k| k.after.map(|a| a.0)).collect();
    let after_id: Vec<Option<Uuid>> = keys.iter().map(|k| k.after.map(|a| a.1)).collect();
    let limits: Vec<i32> = keys.iter().map(|k| k.limit).collect();
    let rows: Vec<PageRow<T>> = diesel::sql_query(format!(
        "SELECT k.ord, c.* \
         FROM unnest($1, $2, $3, $4) WITH ORDINALITY AS k (parent, after_at, after_id, lim, ord) \
         CROSS JOIN LATERAL (SELECT x.* FROM {table} x WHERE x.{parent_column} = k.parent \
           AND (k.after_at IS NULL OR (x.created_at, x.id) < (k.after_at, k.after_id)) \
           ORDER BY x.created_at DESC, x.id DESC LIMIT k.lim) c \
         ORDER BY k.ord, c.created_at DESC, c.id DESC"
    ))
    .bind::<Array<SqlUuid>, _>(parents)
    .bind::<Array<Nullable<Timestamptz>>, _>(after_at)
    .bind::<Array<Nullable<SqlUuid>>, _>(after_id)
    .bind::<Array<Integer>, _>(limits)
    .load(conn)
    .await?;
    let mut pages: HashMap<ChildPageKey, Vec<T>> = keys.iter().map(|k| (k.clone(), Vec::new())).collect();
    for row in rows {
        let key = usize::try_from(row.ord - 1).ok().and_then(|i| keys.get(i));
        if let Some(page) = key.and_then(|key| pages.get_mut(key)) {
            page.push(row.row);
        }
    }
    Ok(pages)
}
