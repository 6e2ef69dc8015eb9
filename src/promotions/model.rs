//! Rows of the promotion tables and the closed sets they use.

use async_graphql::{ID, SimpleObject};
use bigdecimal::BigDecimal;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use crate::db::schema::{coupon_redemptions, coupons, promotion_campaigns};

crate::text_enum! {
    /// Where a campaign is. Only an ACTIVE campaign's coupons can be redeemed.
    #[derive(async_graphql::Enum, Default)]
    pub enum CampaignStatus {
        /// Being prepared; its coupons do not work yet.
        #[default]
        Draft = "draft",
        /// Running: its coupons work within their windows.
        Active = "active",
        /// Stopped for now.
        Paused = "paused",
        /// Over for good.
        Ended = "ended",
    }
}

crate::text_enum! {
    /// How a coupon takes money off.
    #[derive(async_graphql::Enum)]
    pub enum CouponKind {
        /// A percentage of the subtotal.
        Percentage = "percentage",
        /// A fixed amount (never more than the subtotal).
        Fixed = "fixed",
    }
}

crate::text_enum! {
    /// Whether a redemption still counts against the coupon's limits.
    #[derive(async_graphql::Enum)]
    pub enum RedemptionStatus {
        /// Counts: the order stands.
        Active = "active",
        /// Given back: the order was cancelled.
        Released = "released",
    }
}

// The row behind `PromotionCampaign`. (No doc comment: it would describe the GraphQL type.)
#[derive(Debug, Clone, Queryable, Selectable, SimpleObject)]
#[diesel(table_name = promotion_campaigns)]
#[diesel(check_for_backend(diesel::pg::Pg))]
#[graphql(name = "PromotionCampaign", complex)]
pub struct CampaignRow {
    /// Stable id.
    #[graphql(skip, derived(name = "id", into = "ID", owned))]
    pub id: Uuid,
    /// Display name.
    pub name: String,
    /// What it is about.
    pub description: Option<String>,
    /// Only an ACTIVE campaign's coupons can be redeemed.
    pub status: CampaignStatus,
    /// Its coupons work from then (and from their own start).
    pub starts_at: Option<DateTime<Utc>>,
    /// Its coupons stop working then.
    pub ends_at: Option<DateTime<Utc>>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    #[graphql(skip)]
    pub updated_at: DateTime<Utc>,
}

/// A promotion campaign: a named period grouping coupons, with its figures; a row of
/// `promotion_campaigns`.
pub type PromotionCampaign = CampaignRow;

// The row behind `Coupon`. (No doc comment: it would describe the GraphQL type.)
#[derive(Debug, Clone, Queryable, Selectable, SimpleObject)]
#[diesel(table_name = coupons)]
#[diesel(check_for_backend(diesel::pg::Pg))]
#[graphql(name = "Coupon", complex)]
pub struct CouponRow {
    /// Stable id.
    #[graphql(skip, derived(name = "id", into = "ID", owned))]
    pub id: Uuid,
    /// The code customers type, in upper case (matched in any case).
    pub code: String,
    /// Its campaign (shown by the `campaign` resolver).
    #[graphql(skip)]
    pub campaign_id: Option<Uuid>,
    /// Percentage or fixed amount.
    pub kind: CouponKind,
    /// The percentage or the amount (shown by the `value` resolver).
    #[graphql(skip)]
    pub value: BigDecimal,
    /// The coupon applies to orders in this currency only (always set for fixed coupons).
    pub currency: Option<String>,
    /// The smallest subtotal it applies to (shown with its currency by the
    /// `minimumSubtotal` resolver).
    #[graphql(skip)]
    pub minimum_subtotal: Option<BigDecimal>,
    /// Uses allowed in all (null: unlimited).
    pub usage_limit: Option<i32>,
    /// Uses allowed per customer (or per email for guests).
    pub per_customer_limit: Option<i32>,
    /// Uses so far (orders not cancelled).
    pub used_count: i32,
    /// Valid from.
    pub starts_at: Option<DateTime<Utc>>,
    /// Valid until (exclusive).
    pub ends_at: Option<DateTime<Utc>>,
    /// The only store it works in (shown by the `store` resolver).
    #[graphql(skip)]
    pub store_id: Option<Uuid>,
    /// Deactivated coupons are refused.
    pub active: bool,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    #[graphql(skip)]
    pub updated_at: DateTime<Utc>,
}

/// A coupon: a code that takes a percentage or a fixed amount off an order's subtotal; a
/// row of `coupons`.
pub type Coupon = CouponRow;

/// One use of a coupon, by one order.
#[derive(Debug, Clone, Queryable, Selectable, SimpleObject)]
#[diesel(table_name = coupon_redemptions)]
#[diesel(check_for_backend(diesel::pg::Pg))]
#[graphql(name = "CouponRedemption", complex)]
pub struct RedemptionRow {
    /// Stable id.
    #[graphql(skip, derived(name = "id", into = "ID", owned))]
    pub id: Uuid,
    /// The coupon used (shown by the `coupon` resolver).
    #[graphql(skip)]
    pub coupon_id: Uuid,
    /// The code used.
    pub code: String,
    /// The order it was used on (shown, to admins, by the `order` resolver).
    #[graphql(skip)]
    pub order_id: Uuid,
    /// The customer's id, when known.
    #[graphql(skip, derived(name = "customer_id", into = "Option<ID>", with = "crate::graphql::opt_id", owned))]
    pub customer_id: Option<Uuid>,
    /// The order's email (per-customer limits for guests).
    #[graphql(skip)]
    pub email: Option<String>,
    /// What it took off (shown with its currency by the `discount` resolver).
    #[graphql(skip)]
    pub discount_amount: BigDecimal,
    /// The order's currency.
    #[graphql(skip)]
    pub currency: String,
    /// ACTIVE, or RELEASED when the order was cancelled.
    pub status: RedemptionStatus,
    /// When it was used.
    pub created_at: DateTime<Utc>,
    /// When it was released.
    pub released_at: Option<DateTime<Utc>>,
}

/// One use of a coupon, by one order; a row of `coupon_redemptions`.
pub type CouponRedemption = RedemptionRow;

/// The fields a coupon is written with (create and update).
#[derive(Debug, Clone, AsChangeset, Insertable)]
#[diesel(table_name = coupons)]
#[diesel(treat_none_as_null = true)]
pub struct CouponFields {
    pub campaign_id: Option<Uuid>,
    pub kind: CouponKind,
    pub value: BigDecimal,
    pub currency: Option<String>,
    pub minimum_subtotal: Option<BigDecimal>,
    pub usage_limit: Option<i32>,
    pub per_customer_limit: Option<i32>,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    pub store_id: Option<Uuid>,
    pub active: bool,
}

/// The fields a campaign is written with (create and update).
#[derive(Debug, Clone, AsChangeset, Insertable)]
#[diesel(table_name = promotion_campaigns)]
#[diesel(treat_none_as_null = true)]
pub struct CampaignFields {
    pub name: String,
    pub description: Option<String>,
    pub status: CampaignStatus,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
}
