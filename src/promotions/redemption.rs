//! Using a coupon on an order, in two steps inside `orderCreate`'s transaction:
//! [`quote`] checks the coupon's terms against the order and computes the discount before
//! the order is written; [`redeem`] takes the use after the order's stock is reserved
//! (a guarded UPDATE on the coupon's row, which serializes racing orders on that coupon,
//! then the per-customer count, then the redemption row). Locks are always taken in the
//! same order, inventory then coupon, by placing and by cancelling, so they cannot
//! deadlock. A refused use rolls the whole order back.

use bigdecimal::BigDecimal;
use chrono::{DateTime, Utc};
use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use super::data::{self, NewRedemption};
use super::discount::{fixed_off, percentage_off};
use super::model::{CampaignStatus, Coupon, CouponKind, PromotionCampaign};
use crate::outcome::{MutationError, UserErrorCode, refuse};

/// The input field coupon problems are reported at.
const FIELD: &str = "couponCode";

/// An order being placed, as a coupon sees it.
pub struct Basket<'a> {
    /// Its store.
    pub store_id: Option<Uuid>,
    /// Its currency.
    pub currency: &'a str,
    /// Its subtotal (sum of line totals).
    pub subtotal: &'a BigDecimal,
    /// Its customer, if known.
    pub customer_id: Option<Uuid>,
    /// Its contact email, if any.
    pub email: Option<&'a str>,
}

/// A coupon that applies to an order, and what it takes off.
#[derive(Debug, Clone)]
pub struct CouponQuote {
    /// The coupon.
    pub coupon: Coupon,
    /// The discount, in the order's currency, at most its subtotal.
    pub discount: BigDecimal,
}

/// Checks the coupon's own terms (and its campaign's) against an order at `now`; returns
/// the discount or why it does not apply. Usage limits are checked by [`redeem`].
pub fn check_terms(
    coupon: &Coupon,
    campaign: Option<&PromotionCampaign>,
    order: &Basket<'_>,
    now: DateTime<Utc>,
) -> Result<BigDecimal, (UserErrorCode, String)> {
    let refuse = |code, message: &str| Err((code, message.to_owned()));
    if !coupon.active {
        return refuse(UserErrorCode::CouponInactive, "this coupon is deactivated");
    }
    if let Some(campaign) = campaign
        && campaign.status != CampaignStatus::Active
    {
        return refuse(UserErrorCode::CouponInactive, "this coupon's campaign is not running");
    }
    let starts = [coupon.starts_at, campaign.and_then(|c| c.starts_at)].into_iter().flatten().max();
    let ends = [coupon.ends_at, campaign.and_then(|c| c.ends_at)].into_iter().flatten().min();
    if starts.is_some_and(|s| now < s) {
        return refuse(UserErrorCode::CouponNotYetValid, "this coupon is not valid yet");
    }
    if ends.is_some_and(|e| now >= e) {
        return refuse(UserErrorCode::CouponExpired, "this coupon has expired");
    }
    if coupon.store_id.is_some_and(|s| Some(s) != order.store_id) {
        return refuse(UserErrorCode::CouponNotApplicable, "this coupon is for another store");
    }
    if coupon.currency.as_deref().is_some_and(|c| c != order.currency) {
        return Err((
            UserErrorCode::CouponNotApplicable,
            format!("this coupon is for orders in {}", coupon.currency.as_deref().unwrap_or_default()),
        ));
    }
    if let Some(minimum) = &coupon.minimum_subtotal
        && order.subtotal < minimum
    {
        return Err((
            UserErrorCode::MinimumNotMet,
            format!("this coupon needs a subtotal of at least {} {}", minimum.normalized(), order.currency),
        ));
    }
    if coupon.per_customer_limit.is_some() && order.customer_id.is_none() && order.email.is_none() {
        return refuse(
            UserErrorCode::CouponNotApplicable,
            "this coupon is limited per customer: give an email or sign the customer in",
        );
    }
    if coupon.usage_limit.is_some_and(|limit| coupon.used_count >= limit) {
        return refuse(UserErrorCode::CouponUsageLimit, "this coupon has been used up");
    }
    Ok(match coupon.kind {
        CouponKind::Percentage => percentage_off(order.subtotal, &coupon.value, order.currency),
        CouponKind::Fixed => fixed_off(order.subtotal, &coupon.value),
    })
}

/// Finds the coupon by code (any case) and checks it against the order.
pub async fn quote(conn: &mut AsyncPgConnection, code: &str, order: &Basket<'_>) -> Result<CouponQuote, MutationError> {
    let Some((coupon, campaign)) = data::coupon_with_campaign(conn, code).await? else {
        return refuse(FIELD, UserErrorCode::CouponNotFound, "no coupon has this code");
    };
    match check_terms(&coupon, campaign.as_ref(), order, Utc::now()) {
        Ok(discount) => Ok(CouponQuote { coupon, discount }),
        Err((code, message)) => Err(MutationError::user(FIELD, code, message)),
    }
}

/// Takes the coupon's use for the order (see the module doc); refused with
/// COUPON_USAGE_LIMIT or COUPON_CUSTOMER_LIMIT when another order got there first.
pub async fn redeem(
    conn: &mut AsyncPgConnection,
    quote: &CouponQuote,
    order_id: Uuid,
    order: &Basket<'_>,
) -> Result<(), MutationError> {
    if !data::take_use(conn, quote.coupon.id).await? {
        return refuse(FIELD, UserErrorCode::CouponUsageLimit, "this coupon has been used up");
    }
    if let Some(limit) = quote.coupon.per_customer_limit {
        // The coupon's row is locked now: no other order can add a use until we commit.
        let used = data::uses_by(conn, quote.coupon.id, order.customer_id, order.email).await?;
        if used >= i64::from(limit) {
            return refuse(
                FIELD,
                UserErrorCode::CouponCustomerLimit,
                format!("this customer has used this coupon {used} time(s), the most allowed"),
            );
        }
    }
    let new = NewRedemption {
        coupon_id: quote.coupon.id,
        code: &quote.coupon.code,
        order_id,
        customer_id: order.customer_id,
        email: order.email,
        discount: &quote.discount,
        currency: order.currency,
    };
    data::insert_redemption(conn, &new).await?;
    Ok(())
}
