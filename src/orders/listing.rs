//! The order listing: filters, sorts and keyset pages. A cursor is the sort value (as
//! PostgreSQL prints it) and the id, so pages stay stable while orders arrive, and each
//! common filter has an index (by created time, by status and time, by customer, by store).

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::model::{OrderRow, OrderStatus};
use crate::catalog::SortDirection;
use crate::db::schema::orders;
use crate::db::{Cursor, Fragment, Keyset, Listing, Page, SortType, key_text};
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

/// A page of the order listing: which orders, sorted how.
#[derive(Debug, Clone, Default)]
pub struct OrderListing {
    /// Which orders.
    pub filter: OrderFilter,
    /// By what.
    pub field: OrderSortField,
    /// Which way.
    pub direction: SortDirection,
}

impl OrderSortField {
    /// The SQL of the sort value, its type, and the sort's tag in cursors.
    fn sql(self) -> (&'static str, SortType, &'static str) {
        match self {
            Self::CreatedAt => ("orders.created_at", SortType::Timestamptz, "CREATED_AT"),
            Self::Number => ("orders.number", SortType::BigInt, "NUMBER"),
            Self::Total => ("orders.total", SortType::Numeric, "TOTAL"),
        }
    }
}

impl Listing for OrderListing {
    type Row = OrderRow;

    fn keyset(&self) -> Keyset {
        let (value, kind, tag) = self.field.sql();
        Keyset::new(tag, "orders.id").key(Fragment::sql(value), kind).descending(self.direction == SortDirection::Desc)
    }

    async fn page(&self, conn: &mut AsyncPgConnection, page: &Page) -> QueryResult<Vec<OrderRow>> {
        self.keyset().seek(filtered(&self.filter).select(OrderRow::as_select()), page).load(conn).await
    }

    async fn count(&self, conn: &mut AsyncPgConnection) -> QueryResult<i64> {
        filtered(&self.filter).count().get_result(conn).await
    }

    /// Values printed so that PostgreSQL reads them back exactly: timestamps to the
    /// microsecond.
    fn cursor(&self, row: &OrderRow) -> Cursor {
        let value = match self.field {
            OrderSortField::CreatedAt => key_text(&row.created_at),
            OrderSortField::Number => row.number.to_string(),
            OrderSortField::Total => row.total.to_string(),
        };
        self.keyset().cursor(vec![value], row.id)
    }
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
