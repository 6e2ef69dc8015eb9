//! What an order's lifecycle does to the money rules around it: coupon redemptions,
//! loyalty points and royalty allocations. The order mutations call these in the same
//! transaction as the change, with the order row locked, so every ledger moves with its
//! order or not at all.

use diesel_async::AsyncPgConnection;

use super::model::OrderRow;
use crate::outcome::MutationError;

/// The order has just become PAID (its total is captured): points accrue and royalties
/// are allocated.
pub(super) async fn order_paid(
    conn: &mut AsyncPgConnection,
    order: &OrderRow,
    actor: &str,
) -> Result<(), MutationError> {
    crate::loyalty::order_paid(conn, order, actor).await?;
    crate::royalty::order_paid(conn, order).await?;
    Ok(())
}

/// The order has just been cancelled: its coupon use is released, its points are given
/// back or taken back, and its royalties are reversed.
pub(super) async fn order_cancelled(
    conn: &mut AsyncPgConnection,
    order: &OrderRow,
    actor: &str,
) -> Result<(), MutationError> {
    crate::promotions::order_cancelled(conn, order).await?;
    crate::loyalty::order_cancelled(conn, order, actor).await?;
    crate::royalty::order_cancelled(conn, order).await?;
    Ok(())
}

/// Money was refunded on the order (`order` carries the new refunded total): points and
/// royalties are reversed in proportion.
pub(super) async fn order_refunded(
    conn: &mut AsyncPgConnection,
    order: &OrderRow,
    actor: &str,
) -> Result<(), MutationError> {
    crate::loyalty::order_refunded(conn, order, actor).await?;
    crate::royalty::order_refunded(conn, order).await?;
    Ok(())
}
