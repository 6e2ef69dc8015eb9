//! Royalties: rules saying who earns what on which sales, and a
//! ledger of allocations computed per order line from the order lifecycle. Admin only:
//! storefront tokens are refused.
//!
//! **Rules.** A rule names a beneficiary (free text such as `Acme Brand Licensing`) and a
//! scope, fixed once created: a product; a category, covering the products in it or in
//! any category below it; or an attribute value such as a brand, covering the products
//! that have it and, for values set on a variant, the lines of that variant (a SELECT or
//! MULTISELECT option's value, or a TEXT attribute's exact text). Its rate is a
//! percentage (more than 0, at most 100) or a fixed amount per unit in one currency. Only
//! active rules allocate, and a rule's changes apply to orders paid afterwards.
//!
//! **Allocations** are never updated, only added to:
//! - When an order becomes PAID ([`on_order_event`]), each line gets one `sale` allocation
//!   per active rule covering it. The base of a line is what was really paid for it: its
//!   total less its share of the order's discounts. A percentage rule earns
//!   base × rate / 100, a fixed rule rate × quantity, the latter only on orders in the
//!   rule's currency. Amounts are rounded half up (away from zero) to the order
//!   currency's minor unit, once per allocation, as line totals are; an amount that
//!   rounds to zero is not recorded. A line covered by several rules earns under each;
//!   a (rule, line) pair is allocated once, whatever happens to the order afterwards.
//!   The catalog (categories, attribute values) is read as it is at payment.
//! - After each refund, every sale is brought down to its share of
//!   the money kept: target = sale × (total − refunded) / total, rounded half up. The
//!   difference from the sale's current net (sale plus its reversals) is recorded as a
//!   negative `reversal`. Targets are computed from the original sale and the cumulative
//!   refund every time, so rounding never drifts over several refunds, and a full refund
//!   brings every net to exactly zero. Orders with a zero total reverse nothing.
//! - When an order is cancelled, every sale is reversed to zero.
//!   Reversals only ever move a net down towards its target, so refunds of a cancelled
//!   order add nothing.
//!
//! These run inside the order mutation's transaction with the order row locked, so the
//! ledger moves with its order or not at all.
//!
//! **Reading.** `royaltyRules`, `royaltyAllocations` (newest first, by beneficiary, rule,
//! order and period) and `royaltyTotals` (sales, reversals and net per beneficiary and
//! currency, by the time allocations were recorded: a refund counts in the period it
//! happened); `Order.royaltyAllocations` loads for a whole page of orders at once.
//!
//! Owns the tables `royalty_rules`, `royalty_allocations`; no other domain reads or writes them.
//! Exports its allocations of an order, and its subscriber to order events.

mod data;
mod ledger;
mod loaders;
mod model;
mod mutation;
mod objects;
mod query;

use async_graphql::Context;
use bigdecimal::{BigDecimal, Zero};
use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use crate::events::{OrderEvent, OrderEventKind, OrderFacts};
use crate::graphql::{Children, caller_scope, children_of};
use crate::outcome::MutationError;
use crate::tenancy::Role;

pub use ledger::{proportion, sale_amount};
pub use model::{AllocationKind, RoyaltyAllocation, RoyaltyRateKind, RoyaltyRule, RoyaltyScope, RoyaltyTotal};
pub use mutation::RoyaltyMutation;
pub use query::RoyaltyQuery;

/// Subscribes royalties to the order lifecycle (see [`crate::events`]): a paid order's
/// lines are allocated to every active rule covering them (two statements; one when no
/// rule covers any line); a cancellation reverses every allocation to zero; a refund
/// brings each sale's net down to its share of the money kept.
pub async fn on_order_event(conn: &mut AsyncPgConnection, event: &OrderEvent<'_>) -> Result<(), MutationError> {
    let order = &event.order;
    match event.kind {
        OrderEventKind::Paid => ledger::allocate_sales(conn, order).await?,
        OrderEventKind::Cancelled => ledger::reverse_to(conn, order.id, |_| BigDecimal::zero()).await?,
        OrderEventKind::Refunded if order.total > BigDecimal::zero() => {
            let kept = (&order.total - &order.refunded_total).max(BigDecimal::zero());
            ledger::reverse_to(conn, order.id, |sale| proportion(&sale.amount, &kept, &order.total, &sale.currency))
                .await?
        }
        _ => {}
    }
    Ok(())
}

/// The royalty allocations of an order, oldest first (admin only), through the request's
/// dataloader: the allocations of a page of orders cost one statement.
pub async fn allocations_of_order(ctx: &Context<'_>, order_id: Uuid) -> async_graphql::Result<Vec<RoyaltyAllocation>> {
    caller_scope(ctx, Role::Admin)?;
    children_of::<OrderFacts, RoyaltyAllocation>(ctx, order_id).await
}

/// Loads the royalty allocations of these orders into the request's loader at once (see
/// `graphql::prime`), for a page of orders that selects them.
pub async fn prime_for_orders(ctx: &Context<'_>, order_ids: &[Uuid]) -> async_graphql::Result<()> {
    caller_scope(ctx, Role::Admin)?;
    crate::graphql::prime(ctx, Children::<OrderFacts, RoyaltyAllocation>::new, order_ids).await?;
    Ok(())
}
