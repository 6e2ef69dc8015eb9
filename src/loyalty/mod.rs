//! loyalty (skeleton: filled in by issue 5's work).

use diesel_async::AsyncPgConnection;

use crate::graphql::MutationError;
use crate::orders::OrderRow;

/// Called when an order becomes PAID.
pub async fn order_paid(_conn: &mut AsyncPgConnection, _order: &OrderRow, _actor: &str) -> Result<(), MutationError> {
    Ok(())
}

/// Called when an order is cancelled.
pub async fn order_cancelled(
    _conn: &mut AsyncPgConnection,
    _order: &OrderRow,
    _actor: &str,
) -> Result<(), MutationError> {
    Ok(())
}

/// Called after money is refunded on an order.
pub async fn order_refunded(
    _conn: &mut AsyncPgConnection,
    _order: &OrderRow,
    _actor: &str,
) -> Result<(), MutationError> {
    Ok(())
}
