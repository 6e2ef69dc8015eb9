//! What happens to orders, told to the domains that react to it. The order lifecycle
//! publishes an [`OrderEvent`] inside the transaction that made the change, with the order
//! row locked, and [`publish`] hands it to every subscriber on that same connection: what
//! a subscriber writes commits or rolls back with the change, and a subscriber's error
//! rolls the change back. Subscribers see the order as [`OrderFacts`], never as the orders
//! domain's rows, so they depend on this module and not on orders.

use bigdecimal::BigDecimal;
use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use crate::outcome::MutationError;

/// What happened to an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderEventKind {
    /// Placed: written with its lines, its stock reserved, its coupon and points taken.
    Placed,
    /// Became PAID: its total is captured (or there was nothing to pay).
    Paid,
    /// Fulfilled: its reserved stock has left.
    Fulfilled,
    /// Completed.
    Completed,
    /// Cancelled.
    Cancelled,
    /// Money was refunded on it, whether or not its status moved; the facts carry the new
    /// cumulative refund.
    Refunded,
}

/// An order as subscribers see it, after the change.
#[derive(Debug, Clone)]
pub struct OrderFacts {
    /// Its id.
    pub id: Uuid,
    /// Its customer, when known.
    pub customer_id: Option<Uuid>,
    /// The store it was placed in.
    pub store_id: Option<Uuid>,
    /// Its currency; every amount here is in it.
    pub currency: String,
    /// What is owed: subtotal less discounts.
    pub total: BigDecimal,
    /// Money given back so far.
    pub refunded_total: BigDecimal,
    /// Whether it is cancelled (money can still be refunded on a cancelled order).
    pub cancelled: bool,
}

/// One change in an order's life, published in the transaction that made it.
#[derive(Debug)]
pub struct OrderEvent<'a> {
    /// What happened.
    pub kind: OrderEventKind,
    /// The order as it is now.
    pub order: OrderFacts,
    /// Who made the change (`staff:…`, `admin`, `system`, …).
    pub actor: &'a str,
}

/// Hands `event` to every subscriber, in the order listed, on the connection of the
/// order's transaction; the first error stops it. To subscribe a domain, add its handler
/// here. The order is also the order locks are taken in: coupons (promotions) before
/// loyalty accounts, as placing an order takes them, so the two cannot deadlock.
pub async fn publish(conn: &mut AsyncPgConnection, event: &OrderEvent<'_>) -> Result<(), MutationError> {
    crate::promotions::on_order_event(conn, event).await?;
    crate::loyalty::on_order_event(conn, event).await?;
    crate::royalty::on_order_event(conn, event).await?;
    Ok(())
}
