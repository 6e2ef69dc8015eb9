//! The pricing tables: every diesel call of this domain lives here.

use bigdecimal::BigDecimal;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::model::{NewPriceList, PriceList, PriceListChanges, PriceListEntry};
use crate::db::Page;
use crate::db::schema::{price_list_entries, price_lists};

/// The sort key of the price list listing: creation time, then id.
pub type ListKey = (DateTime<Utc>, Uuid);

/// One page of price lists by creation time.
pub async fn list(conn: &mut AsyncPgConnection, page: &Page<ListKey>) -> QueryResult<Vec<PriceList>> {
    let mut query = price_lists::table.select(PriceList::as_select()).into_boxed();
    if let Some((at, id)) = page.after {
        query =
            query.filter(price_lists::created_at.gt(at).or(price_lists::created_at.eq(at).and(price_lists::id.gt(id))));
    }
    if let Some((at, id)) = page.before {
        query =
            query.filter(price_lists::created_at.lt(at).or(price_lists::created_at.eq(at).and(price_lists::id.lt(id))));
    }
    query = if page.backward {
        query.order((price_lists::created_at.desc(), price_lists::id.desc()))
    } else {
        query.order((price_lists::created_at.asc(), price_lists::id.asc()))
    };
    query.limit(page.fetch_limit()).load(conn).await
}

/// How many price lists there are.
pub async fn count(conn: &mut AsyncPgConnection) -> QueryResult<i64> {
    price_lists::table.count().get_result(conn).await
}

/// The price list with this id or name.
pub async fn by_key(
    conn: &mut AsyncPgConnection,
    id: Option<Uuid>,
    name: Option<&str>,
) -> QueryResult<Option<PriceList>> {
    let mut query = price_lists::table.select(PriceList::as_select()).into_boxed();
    if let Some(id) = id {
        query = query.filter(price_lists::id.eq(id));
    }
    if let Some(name) = name {
        query = query.filter(price_lists::name.eq(name.to_owned()));
    }
    query.first(conn).await.optional()
}

/// Adds a price list.
pub async fn insert(conn: &mut AsyncPgConnection, new: &NewPriceList) -> QueryResult<PriceList> {
    diesel::insert_into(price_lists::table).values(new).returning(PriceList::as_returning()).get_result(conn).await
}

/// Changes a price list, locking it; `None` if there is no such list.
pub async fn update(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    changes: &PriceListChanges,
) -> QueryResult<Option<PriceList>> {
    let current =
        price_lists::table.find(id).select(PriceList::as_select()).for_update().first(conn).await.optional()?;
    match current {
        None => Ok(None),
        Some(current) if changes_nothing(changes) => Ok(Some(current)),
        Some(_) => diesel::update(price_lists::table.find(id))
            .set(changes)
            .returning(PriceList::as_returning())
            .get_result(conn)
            .await
            .map(Some),
    }
}

fn changes_nothing(c: &PriceListChanges) -> bool {
    c.name.is_none()
        && c.currency.is_none()
        && c.store_id.is_none()
        && c.channel.is_none()
        && c.starts_at.is_none()
        && c.ends_at.is_none()
        && c.priority.is_none()
        && c.active.is_none()
}

/// Sets these variants' prices in a list (adding or replacing entries).
pub async fn upsert_entries(
    conn: &mut AsyncPgConnection,
    list: Uuid,
    entries: &[(Uuid, BigDecimal)],
) -> QueryResult<()> {
    if entries.is_empty() {
        return Ok(());
    }
    let rows: Vec<_> = entries
        .iter()
        .map(|(variant, amount)| {
            (
                price_list_entries::price_list_id.eq(list),
                price_list_entries::variant_id.eq(*variant),
                price_list_entries::amount.eq(amount.clone()),
            )
        })
        .collect();
    diesel::insert_into(price_list_entries::table)
        .values(rows)
        .on_conflict((price_list_entries::price_list_id, price_list_entries::variant_id))
        .do_update()
        .set(price_list_entries::amount.eq(diesel::upsert::excluded(price_list_entries::amount)))
        .execute(conn)
        .await
        .map(drop)
}

/// Removes these variants from a list; returns how many entries went.
pub async fn delete_entries(conn: &mut AsyncPgConnection, list: Uuid, variants: &[Uuid]) -> QueryResult<usize> {
    diesel::delete(
        price_list_entries::table
            .filter(price_list_entries::price_list_id.eq(list))
            .filter(price_list_entries::variant_id.eq_any(variants)),
    )
    .execute(conn)
    .await
}

/// The entries of a list, by variant id.
pub async fn entries_of(conn: &mut AsyncPgConnection, list: Uuid) -> QueryResult<Vec<PriceListEntry>> {
    price_list_entries::table
        .filter(price_list_entries::price_list_id.eq(list))
        .order(price_list_entries::variant_id)
        .select(PriceListEntry::as_select())
        .load(conn)
        .await
}

/// The unique constraint a duplicate list name violates.
pub const NAME_TAKEN_CONSTRAINT: &str = "price_lists_name_key";
