//! Moving an order to another status, with everything that goes with it: the check
//! against the state machine, the history entry, and what happens to its stock
//! (fulfilment ships it, cancellation and a full refund before fulfilment release it).
//! Callers hold the order's row lock ([`super::data::lock`]).

use diesel_async::AsyncPgConnection;

use super::data;
use super::model::{OrderRow, OrderStatus};
use super::status::{allowed, holds_stock};
use crate::events::{OrderEvent, OrderEventKind, OrderFacts};
use crate::graphql::enum_name;
use crate::outcome::{MutationError, UserErrorCode, refuse};

/// Moves `order` to `to`, or refuses with ILLEGAL_TRANSITION, and publishes what that
/// means (refunded statuses publish nothing: the refund publishes). Returns the order as
/// it is now.
pub async fn transition(
    conn: &mut AsyncPgConnection,
    order: &OrderRow,
    to: OrderStatus,
    actor: &str,
    note: Option<&str>,
) -> Result<OrderRow, MutationError> {
    let fulfilled = order.fulfilled_at.is_some();
    if !allowed(order.status, to, fulfilled) {
        return refuse(
            "id",
            UserErrorCode::IllegalTransition,
            format!("an order that is {} cannot become {}", enum_name(&order.status), enum_name(&to)),
        );
    }
    let fulfil_now = to == OrderStatus::Fulfilled;
    if holds_stock(order.status, fulfilled) {
        if fulfil_now {
            let allocations = data::allocations_of(conn, order.id).await?;
            crate::inventory::consume(conn, &allocations, &format!("order {} fulfilled", order.number)).await?;
        } else if !holds_stock(to, fulfilled) {
            let allocations = data::allocations_of(conn, order.id).await?;
            crate::inventory::release(conn, &allocations).await?;
        }
    }
    if order.status != to {
        data::record_transition(conn, order.id, Some(order.status), to, actor, note).await?;
        let changed = data::set_status(conn, order.id, to, fulfil_now).await?;
        let kind = match to {
            OrderStatus::Paid => Some(OrderEventKind::Paid),
            OrderStatus::Fulfilled => Some(OrderEventKind::Fulfilled),
            OrderStatus::Completed => Some(OrderEventKind::Completed),
            OrderStatus::Cancelled => Some(OrderEventKind::Cancelled),
            OrderStatus::Pending | OrderStatus::PartiallyRefunded | OrderStatus::Refunded => None,
        };
        if let Some(kind) = kind {
            publish(conn, &changed, kind, actor).await?;
        }
        Ok(changed)
    } else {
        Ok(order.clone())
    }
}

/// Locks the order with this id, or says (at input field `field`) that it does not exist.
pub async fn locked(conn: &mut AsyncPgConnection, id: uuid::Uuid, field: &str) -> Result<OrderRow, MutationError> {
    data::lock(conn, id).await?.ok_or_else(|| MutationError::user(field, UserErrorCode::NotFound, "no such order"))
}

/// Tells the order's subscribers (see [`crate::events`]) that `kind` happened to `order`,
/// as it is now, in the caller's transaction.
pub async fn publish(
    conn: &mut AsyncPgConnection,
    order: &OrderRow,
    kind: OrderEventKind,
    actor: &str,
) -> Result<(), MutationError> {
    let order = OrderFacts {
        id: order.id,
        customer_id: order.customer_id,
        store_id: order.store_id,
        currency: order.currency.clone(),
        total: order.total.clone(),
        refunded_total: order.refunded_total.clone(),
        cancelled: order.status == OrderStatus::Cancelled,
    };
    crate::events::publish(conn, &OrderEvent { kind, order, actor }).await
}
