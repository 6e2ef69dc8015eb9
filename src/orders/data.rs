//! The order tables (orders, items, allocations, addresses, history): every diesel call
//! on them lives here.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::model::{AddressRow, HistoryRow, ItemRow, NewOrder, OrderRow, OrderStatus, PaymentStatus};
use crate::db::group_by;
use crate::db::schema::{order_addresses, order_allocations, order_items, order_status_history, orders};
use crate::inventory::Allocation;

/// The unique index an idempotency key replayed concurrently runs into.
pub const IDEMPOTENCY_CONSTRAINT: &str = "orders_idempotency_key";

/// Adds an order's header; the number comes from the tenant's sequence.
pub async fn insert_order(conn: &mut AsyncPgConnection, new: &NewOrder) -> QueryResult<OrderRow> {
    diesel::insert_into(orders::table).values(new).returning(OrderRow::as_returning()).get_result(conn).await
}

/// Adds an order's items.
pub async fn insert_items(conn: &mut AsyncPgConnection, items: &[ItemRow]) -> QueryResult<()> {
    diesel::insert_into(order_items::table).values(items).execute(conn).await.map(drop)
}

/// Adds an order's addresses.
pub async fn insert_addresses(conn: &mut AsyncPgConnection, rows: &[AddressRow]) -> QueryResult<()> {
    if rows.is_empty() {
        return Ok(());
    }
    diesel::insert_into(order_addresses::table).values(rows).execute(conn).await.map(drop)
}

/// Records where the stock of each item is held; `items[a.line]` is the item of an
/// allocation.
pub async fn insert_allocations(
    conn: &mut AsyncPgConnection,
    items: &[Uuid],
    allocations: &[Allocation],
) -> QueryResult<()> {
    if allocations.is_empty() {
        return Ok(());
    }
    let rows: Vec<_> = allocations
        .iter()
        .map(|a| {
            (
                order_allocations::order_item_id.eq(items[a.line]),
                order_allocations::variant_id.eq(a.variant_id),
                order_allocations::location_id.eq(a.location_id),
                order_allocations::quantity.eq(a.quantity),
            )
        })
        .collect();
    diesel::insert_into(order_allocations::table).values(rows).execute(conn).await.map(drop)
}

/// The stock an order holds (lines numbered from 0 in item order).
pub async fn allocations_of(conn: &mut AsyncPgConnection, order_id: Uuid) -> QueryResult<Vec<Allocation>> {
    let rows: Vec<(i32, Uuid, Uuid, i32)> = order_allocations::table
        .inner_join(order_items::table)
        .filter(order_items::order_id.eq(order_id))
        .select((
            order_items::line,
            order_allocations::variant_id,
            order_allocations::location_id,
            order_allocations::quantity,
        ))
        .load(conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(line, variant_id, location_id, quantity)| Allocation {
            line: usize::try_from(line - 1).unwrap_or_default(),
            variant_id,
            location_id,
            quantity,
        })
        .collect())
}

/// Records a status change (or, with no `from`, the status an order was placed in).
pub async fn record_transition(
    conn: &mut AsyncPgConnection,
    order_id: Uuid,
    from: Option<OrderStatus>,
    to: OrderStatus,
    actor: &str,
    note: Option<&str>,
) -> QueryResult<()> {
    diesel::insert_into(order_status_history::table)
        .values((
            order_status_history::order_id.eq(order_id),
            order_status_history::from_status.eq(from),
            order_status_history::to_status.eq(to),
            order_status_history::actor.eq(actor),
            order_status_history::note.eq(note),
        ))
        .execute(conn)
        .await
        .map(drop)
}

/// Moves an order to `to` (the caller checked the transition), marking when it was
/// fulfilled if `fulfilled_now`.
pub async fn set_status(
    conn: &mut AsyncPgConnection,
    order_id: Uuid,
    to: OrderStatus,
    fulfilled_now: bool,
) -> QueryResult<OrderRow> {
    // A `None` changeset leaves `fulfilled_at` as it is.
    let fulfilled = fulfilled_now.then(|| orders::fulfilled_at.eq(Some(Utc::now())));
    diesel::update(orders::table.find(order_id))
        .set((orders::status.eq(to), fulfilled, orders::updated_at.eq(diesel::dsl::now)))
        .returning(OrderRow::as_returning())
        .get_result(conn)
        .await
}

/// Sets an order's money totals and payment status.
pub async fn set_money(
    conn: &mut AsyncPgConnection,
    order_id: Uuid,
    captured: &bigdecimal::BigDecimal,
    refunded: &bigdecimal::BigDecimal,
    payment_status: PaymentStatus,
) -> QueryResult<OrderRow> {
    diesel::update(orders::table.find(order_id))
        .set((
            orders::captured_total.eq(captured),
            orders::refunded_total.eq(refunded),
            orders::payment_status.eq(payment_status),
            orders::updated_at.eq(diesel::dsl::now),
        ))
        .returning(OrderRow::as_returning())
        .get_result(conn)
        .await
}

/// The order with this id, locked until the transaction ends: every change of an order
/// starts here, so changes of one order are serialized.
pub async fn lock(conn: &mut AsyncPgConnection, order_id: Uuid) -> QueryResult<Option<OrderRow>> {
    orders::table.find(order_id).select(OrderRow::as_select()).for_update().first(conn).await.optional()
}

/// How an order is asked for.
#[derive(Debug, Clone)]
pub enum OrderKey {
    /// By id.
    Id(Uuid),
    /// By human number.
    Number(i64),
    /// By the storefront's secret token.
    Token(Uuid),
}

/// The order with this key.
pub async fn find(conn: &mut AsyncPgConnection, key: &OrderKey) -> QueryResult<Option<OrderRow>> {
    let query = orders::table.select(OrderRow::as_select()).into_boxed();
    let query = match key {
        OrderKey::Id(id) => query.filter(orders::id.eq(*id)),
        OrderKey::Number(n) => query.filter(orders::number.eq(*n)),
        OrderKey::Token(t) => query.filter(orders::token.eq(*t)),
    };
    query.first(conn).await.optional()
}

/// The order that holds idempotency key `key` in `scope`, with the fingerprint of the
/// input it was placed with.
pub async fn by_idempotency_key(
    conn: &mut AsyncPgConnection,
    scope: &str,
    key: &str,
) -> QueryResult<Option<(OrderRow, Option<String>)>> {
    orders::table
        .filter(orders::idempotency_scope.eq(scope))
        .filter(orders::idempotency_key.eq(key))
        .select((OrderRow::as_select(), orders::idempotency_fingerprint))
        .first(conn)
        .await
        .optional()
}

/// Frees idempotency key `key` in `scope` from an order placed before `before`, so a
/// new order can take it. The old order keeps the key's text for display.
pub async fn release_idempotency_key(
    conn: &mut AsyncPgConnection,
    scope: &str,
    key: &str,
    before: DateTime<Utc>,
) -> QueryResult<usize> {
    diesel::update(orders::table)
        .filter(orders::idempotency_scope.eq(scope))
        .filter(orders::idempotency_key.eq(key))
        .filter(orders::created_at.lt(before))
        .set(orders::idempotency_scope.eq(None::<String>))
        .execute(conn)
        .await
}

/// The items of these orders, in line order, by order.
pub async fn items_of(conn: &mut AsyncPgConnection, order_ids: &[Uuid]) -> QueryResult<HashMap<Uuid, Vec<ItemRow>>> {
    let rows: Vec<ItemRow> = order_items::table
        .filter(order_items::order_id.eq_any(order_ids))
        .order((order_items::order_id, order_items::line))
        .select(ItemRow::as_select())
        .load(conn)
        .await?;
    Ok(group_by(rows, |r| r.order_id))
}

/// The addresses of these orders, by order.
pub async fn addresses_of(
    conn: &mut AsyncPgConnection,
    order_ids: &[Uuid],
) -> QueryResult<HashMap<Uuid, Vec<AddressRow>>> {
    let rows: Vec<AddressRow> = order_addresses::table
        .filter(order_addresses::order_id.eq_any(order_ids))
        .select(AddressRow::as_select())
        .load(conn)
        .await?;
    Ok(group_by(rows, |r| r.order_id))
}

/// The status history of these orders, oldest first, by order.
pub async fn history_of(
    conn: &mut AsyncPgConnection,
    order_ids: &[Uuid],
) -> QueryResult<HashMap<Uuid, Vec<HistoryRow>>> {
    let rows: Vec<HistoryRow> = order_status_history::table
        .filter(order_status_history::order_id.eq_any(order_ids))
        .order((order_status_history::order_id, order_status_history::created_at, order_status_history::id))
        .select(HistoryRow::as_select())
        .load(conn)
        .await?;
    Ok(group_by(rows, |r| r.order_id))
}
