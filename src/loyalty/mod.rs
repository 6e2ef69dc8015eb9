//! Loyalty: one program per tenant, an account per customer (or per
//! customer and store), and a ledger of every move of a balance.
//!
//! # The rules
//!
//! - **Points are integers.** The program says how many points one unit of an order's
//!   currency earns (`pointsPerUnit`, up to 4 decimals) and what one point is worth when
//!   redeemed (`pointValue`, in the currency of the order it is redeemed on).
//! - **Accrual when an order becomes PAID** (its money is in; refunds and cancellation
//!   reverse it, so waiting for completion would only delay the points): the order earns
//!   `floor(total × pointsPerUnit)`, its total being after discounts (coupon and points),
//!   only when it has a customer and the program is active. Nothing is written for 0
//!   points. The account is the customer's, or the customer's in the order's store when
//!   the program keeps accounts per store; it is opened on first use. The rate is kept on
//!   the accrual, so later refunds reverse at the rate the points were earned at.
//! - **The balance moves only by a guarded update** (`balance = balance + d … WHERE
//!   balance + d >= 0`) in the same transaction as its ledger row, so the balance always
//!   equals the sum of the ledger and is never negative, under concurrency too (a CHECK
//!   holds it as well). Concurrent moves of one account queue on its row.
//! - **Refunds reverse in proportion, cumulatively**: after each refund the order's net
//!   accrual should be `floor((total − refundedTotal) × rate)`; what it accrued beyond that
//!   (less what earlier reversals already took or wrote off) is reversed. When the balance
//!   cannot cover a reversal (the customer spent the points), the reversal takes what the
//!   balance has and records the rest as `unrecoveredPoints`; those are written off, not
//!   chased later.
//! - **Cancellation** reverses the accrual in full (with the same clamp) and gives back the
//!   points the order redeemed. A **full refund** (`refundedTotal ≥ total`) also gives back
//!   the redeemed points; a partial refund does not. Redeemed points are given back first,
//!   so they cover the accrual's reversal where they can. Each redemption is given back
//!   once; the reversals are idempotent.
//! - **Lifetime points** are accruals less accrual reversals (unrecovered points
//!   included): what the customer's kept purchases earned. Adjustments and redemptions do
//!   not change them. The **tier** is the highest tier whose `minLifetimePoints` the
//!   lifetime points reach, computed from the tiers table when read, so changing the
//!   thresholds re-tiers everyone consistently.
//! - **Redemption** (in `orderCreate`, through [`quote_redemption`] and [`redeem`]): the
//!   points are worth `points × pointValue` rounded half up to the currency's minor unit;
//!   they come off the balance by the guarded update, so two orders racing for the same
//!   points cannot both have them.
//! - **Adjustments** are made by a staff member with a reason, work whether or not the
//!   program is active, and never take the balance below zero.
//! - Switching `accountsPerStore` later does not move balances: accounts of the other
//!   kind stay, and new moves go to accounts of the new kind. An order without a store
//!   uses the customer's account without a store.
//!
//! Owns the tables `loyalty_programs`, `loyalty_tiers`, `loyalty_accounts`, `loyalty_transactions`;
//! no other domain reads or writes them. Exports points quotes and redemptions for placing an
//! order, and its subscriber to order events.

mod data;
mod ledger;
mod loaders;
mod model;
mod mutation;
mod objects;
mod query;
mod rules;

use diesel_async::AsyncPgConnection;

pub use ledger::{RedemptionQuote, quote_redemption, redeem};
pub use model::TransactionKind;
pub use model::{LoyaltyAccount, LoyaltyTransaction};
pub use mutation::LoyaltyMutation;
pub use objects::{LoyaltyProgram, LoyaltyTier};
pub use query::{
    LoyaltyQuery, OrderPoints, accounts_of_customer, order_points, prime_accounts_of_customers, prime_points_of_orders,
};

use crate::events::{OrderEvent, OrderEventKind};
use crate::outcome::MutationError;

/// Subscribes loyalty to the order lifecycle (see [`crate::events`]): a paid order accrues
/// its points; after a cancellation or a refund its accrual is reversed in proportion to
/// the money kept (in full when cancelled), and a cancellation or a full refund gives back
/// its redeemed points.
pub async fn on_order_event(conn: &mut AsyncPgConnection, event: &OrderEvent<'_>) -> Result<(), MutationError> {
    match event.kind {
        OrderEventKind::Paid => ledger::accrue(conn, &event.order, event.actor).await,
        OrderEventKind::Cancelled | OrderEventKind::Refunded => ledger::settle(conn, &event.order, event.actor).await,
        OrderEventKind::Placed | OrderEventKind::Fulfilled | OrderEventKind::Completed => Ok(()),
    }
}
