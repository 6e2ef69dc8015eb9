//! Promotions: campaigns grouping coupons, coupons (a code unique in the
//! tenant whatever its case, a percentage or a fixed amount off the subtotal, a minimum
//! subtotal, a total and a per-customer usage limit, a validity window, an optional store
//! and currency), and one redemption per order that used one.
//!
//! `orderCreate` uses [`quote`] before writing the order and [`redeem`] after reserving
//! its stock (see `redemption.rs` for why usage limits hold under concurrency);
//! cancelling an order releases its redemption ([`on_order_event`]). The discount
//! arithmetic and its rounding rule are in `discount.rs`.
//!
//! Owns the tables `promotion_campaigns`, `coupons`, `coupon_redemptions`; no other domain reads or
//! writes them. Exports coupon quotes and redemptions for placing an order, and its subscriber to
//! order events.

mod campaign_mutation;
mod coupon_mutation;
mod data;
mod discount;
mod loaders;
mod model;
mod objects;
mod query;
mod redemption;

use async_graphql::MergedObject;
use diesel_async::AsyncPgConnection;

pub use discount::allocate as allocate_discount;
pub use loaders::RedemptionByOrder;
pub use model::CouponRedemption;
pub use model::{CampaignStatus, Coupon, CouponKind, PromotionCampaign, RedemptionRow, RedemptionStatus};
pub use query::PromotionQuery;
pub use redemption::{Basket, CouponQuote, quote, redeem};

use crate::events::{OrderEvent, OrderEventKind};
use crate::outcome::MutationError;

/// Every promotion mutation (admin only).
#[derive(MergedObject, Default)]
pub struct PromotionMutation(campaign_mutation::CampaignMutation, coupon_mutation::CouponMutation);

/// Subscribes promotions to the order lifecycle (see [`crate::events`]): a cancelled
/// order's coupon redemption is released, so the use counts again towards the coupon's
/// limits.
pub async fn on_order_event(conn: &mut AsyncPgConnection, event: &OrderEvent<'_>) -> Result<(), MutationError> {
    if event.kind == OrderEventKind::Cancelled {
        data::release(conn, event.order.id).await?;
    }
    Ok(())
}
