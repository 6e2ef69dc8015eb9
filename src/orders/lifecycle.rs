//! Moving an order to another status, with everything that goes with it: the check
//! against the state machine, the history entry, and what happens to its stock
//! (fulfilment ships it, cancellation and a full refund before fulfilment release it).
//! Callers hold the order's row lock ([`super::data::lock`]).

use diesel_async::AsyncPgConnection;

use super::data;
use super::model::{OrderRow, OrderStatus};
use super::status::{allowed, holds_stock};
use crate::graphql::{MutationError, UserErrorCode, enum_name};

/// Moves `order` to `to`, or refuses with ILLEGAL_TRANSITION. Returns the order as it is
/// now.
pub async fn transition(
    conn: &mut AsyncPgConnection,
    order: &OrderRow,
    to: OrderStatus,
    actor: &str,
    note: Option<&str>,
) -> Result<OrderRow, MutationError> {
    let fulfilled = order.fulfilled_at.is_some();
    if !allowed(order.status, to, fulfilled) {
        return Err(MutationError::user(
            "id",
            UserErrorCode::IllegalTransition,
            format!("an order that is {} cannot become {}", enum_name(&order.status), enum_name(&to)),
        ));
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
        match to {
            OrderStatus::Paid => super::effects::order_paid(conn, &changed, actor).await?,
            OrderStatus::Cancelled => super::effects::order_cancelled(conn, &changed, actor).await?,
            _ => {}
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
