//! Promotions (skeleton: filled in by issue 5's work).

use diesel_async::AsyncPgConnection;

use crate::graphql::MutationError;
use crate::orders::OrderRow;

/// Called when an order is cancelled: releases its coupon redemption.
pub async fn order_cancelled(_conn: &mut AsyncPgConnection, _order: &OrderRow) -> Result<(), MutationError> {
    Ok(())
}
