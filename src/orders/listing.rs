//! The order listing: filters, sorts and keyset pages. A cursor is the sort value (as
//! PostgreSQL prints it) and the id, so pages stay stable while orders arrive, and each
//! common filter has an index (by created time, by status and time, by customer, by store).

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Bool, Text};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::model::{OrderRow, OrderStatus};
use crate::catalog::SortDirection;
use crate::db::Page;
use crate::db::schema::orders;
use crate::db::{Bind, Fragment, SortType};
use crate::pricing::SalesChannel;

/// What to sort orders by.
#[derive(async_graphql::Enum, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OrderSortField {
    /// When they were placed (the default).
    #[default]
    CreatedAt,
    /// Their number.
    Number,
    /// Their total.
    Total,
}

/// Which orders to list.
#[derive(Debug, Clone, Default)]
pub struct OrderFilter {
    /// Any of these statuses.
    pub statuses: Vec<OrderStatus>,
    /// Any of these channels.
    pub channels: Vec<SalesChannel>,
    /// In this store.
    pub store_id: Option<Uuid>,
    /// Of this customer.
    pub customer_id: Option<Uuid>,
    /// Placed at or after.
    pub created_after: Option<DateTime<Utc>>,
    /// Placed before.
    pub created_before: Option<DateTime<Utc>>,
    /// The number (when it is one) or part of the email.
    pub search: Option<String>,
}

/// A position in a sorted listing.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OrderCursor {
    /// The sort field the cursor belongs to.
    pub s: String,
    /// The sort value, as PostgreSQL prints it.
    pub v: String,
    /// The order's id.
    pub id: Uuid,
}

const FIELDS: [OrderSortField; 3] = [OrderSortField::CreatedAt, OrderSortField::Number, OrderSortField::Total];

fn sort_sql(field: OrderSortField) -> (&'static str, SortType, &'static str) {
    match field {
        OrderSortField::CreatedAt => ("orders.created_at", SortType::Timestamptz, "CREATED_AT"),
        OrderSortField::Number => ("orders.number", SortType::BigInt, "NUMBER"),
        OrderSortField::Total => ("orders.total", SortType::Numeric, "TOTAL"),
    }
}

impl crate::db::CursorKey for OrderCursor {
    fn is_valid(&self) -> bool {
        FIELDS.into_iter().map(sort_sql).any(|(_, kind, tag)| tag == self.s && kind.accepts(&self.v))
    }
}

/// The cursor of `row` in a listing sorted by `field` (values printed so that
/// PostgreSQL reads them back exactly: timestamps to the microsecond).
pub fn cursor_of(row: &OrderRow, field: OrderSortField) -> OrderCursor {
    let v = match field {
        OrderSortField::CreatedAt => row.created_at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        OrderSortField::Number => row.number.to_string(),
        OrderSortField::Total => row.total.to_string(),
    };
    OrderCursor { s: sort_tag(field).to_owned(), v, id: row.id }
}

/// The tag of a sort field in cursors.
pub fn sort_tag(field: OrderSortField) -> &'static str {
    sort_sql(field).2
}

fn filtered(filter: &OrderFilter) -> orders::BoxedQuery<'static, diesel::pg::Pg> {
    let mut query = orders::table.into_boxed();
    if !filter.statuses.is_empty() {
        query = query.filter(orders::status.eq_any(filter.statuses.clone()));
    }
    if !filter.channels.is_empty() {
        query = query.filter(orders::channel.eq_any(filter.channels.clone()));
    }
    if let Some(store) = filter.store_id {
        query = query.filter(orders::store_id.eq(store));
    }
    if let Some(customer) = filter.customer_id {
        query = query.filter(orders::customer_id.eq(customer));
    }
    if let Some(after) = filter.created_after {
        query = query.filter(orders::created_at.ge(after));
    }
    if let Some(before) = filter.created_before {
        query = query.filter(orders::created_at.lt(before));
    }
    if let Some(search) = filter.search.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        let by_email = orders::email.like(crate::db::contains_pattern(&search.to_lowercase()));
        query = match search.trim_start_matches('#').parse::<i64>() {
            Ok(number) => query.filter(orders::number.eq(number).or(by_email)),
            Err(_) => query.filter(by_email),
        };
    }
    query
}

/// One page of orders, per [`Page`], sorted by `field` in `direction`.
pub async fn list(
    conn: &mut AsyncPgConnection,
    filter: &OrderFilter,
    field: OrderSortField,
    direction: SortDirection,
    page: &Page<OrderCursor>,
) -> QueryResult<Vec<OrderRow>> {
    let (value, cast, _) = sort_sql(field);
    let cast = cast.sql();
    let mut query = filtered(filter).select(OrderRow::as_select());
    let descending = direction == SortDirection::Desc;
    let bound = |cursor: &OrderCursor, greater: bool| -> Fragment<Bool> {
        Fragment::sql(&format!("(({value}), orders.id) {} (CAST(", if greater { ">" } else { "<" }))
            .bind(Bind::Text(cursor.v.clone()))
            .push(&format!(" AS {cast}), "))
            .bind(Bind::Uuid(cursor.id))
            .push(")")
    };
    if let Some(after) = &page.after {
        query = query.filter(bound(after, !descending));
    }
    if let Some(before) = &page.before {
        query = query.filter(bound(before, descending));
    }
    let order = if descending != page.backward { "DESC" } else { "ASC" };
    query
        .order(Fragment::<Text>::sql(&format!("{value} {order}, orders.id {order}")))
        .limit(page.fetch_limit())
        .load(conn)
        .await
}

/// How many orders match.
pub async fn count(conn: &mut AsyncPgConnection, filter: &OrderFilter) -> QueryResult<i64> {
    filtered(filter).count().get_result(conn).await
}
