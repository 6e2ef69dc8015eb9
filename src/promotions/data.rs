//! The promotion tables: every diesel call on campaigns, coupons and redemptions lives
//! here. Listings are newest first.

use std::collections::HashMap;

use bigdecimal::BigDecimal;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Numeric, Text, Untyped, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::model::{
    CampaignFields, CampaignStatus, Coupon, CouponFields, PromotionCampaign, RedemptionRow, RedemptionStatus,
};
use crate::db::schema::{coupon_redemptions, coupons, promotion_campaigns};
use crate::db::{Bind, Fragment};

/// The unique index a duplicate coupon code runs into.
pub const COUPON_CODE_CONSTRAINT: &str = "coupons_code_key";

/// Which coupons to list.
#[derive(Debug, Clone, Default)]
pub struct CouponFilter {
    /// Of this campaign.
    pub campaign_id: Option<Uuid>,
    /// Active or not.
    pub active: Option<bool>,
    /// Part of the code.
    pub search: Option<String>,
}

/// Adds a campaign.
pub async fn insert_campaign(conn: &mut AsyncPgConnection, fields: &CampaignFields) -> QueryResult<PromotionCampaign> {
    diesel::insert_into(promotion_campaigns::table)
        .values(fields)
        .returning(PromotionCampaign::as_returning())
        .get_result(conn)
        .await
}

/// Rewrites a campaign; `None` when there is no such campaign.
pub async fn update_campaign(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    fields: &CampaignFields,
) -> QueryResult<Option<PromotionCampaign>> {
    diesel::update(promotion_campaigns::table.find(id))
        .set((fields, promotion_campaigns::updated_at.eq(diesel::dsl::now)))
        .returning(PromotionCampaign::as_returning())
        .get_result(conn)
        .await
        .optional()
}

/// The campaigns with these ids, by id.
pub async fn campaigns_by_ids(
    conn: &mut AsyncPgConnection,
    ids: &[Uuid],
) -> QueryResult<HashMap<Uuid, PromotionCampaign>> {
    let rows: Vec<PromotionCampaign> = promotion_campaigns::table
        .filter(promotion_campaigns::id.eq_any(ids))
        .select(PromotionCampaign::as_select())
        .load(conn)
        .await?;
    Ok(rows.into_iter().map(|r| (r.id, r)).collect())
}

/// The campaigns listing: newest first, optionally of one status.
#[derive(Debug, Clone, Copy)]
pub struct CampaignListing(pub Option<CampaignStatus>);

impl CampaignListing {
    fn filtered(&self) -> promotion_campaigns::BoxedQuery<'static, diesel::pg::Pg> {
        let mut query = promotion_campaigns::table.into_boxed();
        if let Some(status) = self.0 {
            query = query.filter(promotion_campaigns::status.eq(status));
        }
        query
    }
}

crate::created_listing!(CampaignListing, promotion_campaigns, PromotionCampaign, newest);

/// Adds a coupon (its code already normalized to upper case).
pub async fn insert_coupon(conn: &mut AsyncPgConnection, code: &str, fields: &CouponFields) -> QueryResult<Coupon> {
    diesel::insert_into(coupons::table)
        .values((coupons::code.eq(code), fields))
        .returning(Coupon::as_returning())
        .get_result(conn)
        .await
}

/// Rewrites a coupon's terms (not its code or use count); `None` when there is no such
/// coupon. The table's CHECK refuses a usage limit below the uses already made.
pub async fn update_coupon(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    fields: &CouponFields,
) -> QueryResult<Option<Coupon>> {
    diesel::update(coupons::table.find(id))
        .set((fields, coupons::updated_at.eq(diesel::dsl::now)))
        .returning(Coupon::as_returning())
        .get_result(conn)
        .await
        .optional()
}

/// The coupon with this id, or with this code (any case).
pub async fn find_coupon(
    conn: &mut AsyncPgConnection,
    id: Option<Uuid>,
    code: Option<&str>,
) -> QueryResult<Option<Coupon>> {
    let mut query = coupons::table.select(Coupon::as_select()).into_boxed();
    match (id, code) {
        (Some(id), _) => query = query.filter(coupons::id.eq(id)),
        (None, Some(code)) => query = query.filter(coupons::code.eq(code.trim().to_uppercase())),
        (None, None) => return Ok(None),
    }
    query.first(conn).await.optional()
}

/// The coupon with this code (any case) and its campaign, in one statement.
pub async fn coupon_with_campaign(
    conn: &mut AsyncPgConnection,
    code: &str,
) -> QueryResult<Option<(Coupon, Option<PromotionCampaign>)>> {
    coupons::table
        .left_join(promotion_campaigns::table)
        .filter(coupons::code.eq(code.trim().to_uppercase()))
        .select((Coupon::as_select(), Option::<PromotionCampaign>::as_select()))
        .first(conn)
        .await
        .optional()
}

/// The coupons with these ids, by id.
pub async fn coupons_by_ids(conn: &mut AsyncPgConnection, ids: &[Uuid]) -> QueryResult<HashMap<Uuid, Coupon>> {
    let rows: Vec<Coupon> =
        coupons::table.filter(coupons::id.eq_any(ids)).select(Coupon::as_select()).load(conn).await?;
    Ok(rows.into_iter().map(|r| (r.id, r)).collect())
}

impl CouponFilter {
    fn filtered(&self) -> coupons::BoxedQuery<'static, diesel::pg::Pg> {
        let filter = self;
        let mut query = coupons::table.into_boxed();
        if let Some(campaign) = filter.campaign_id {
            query = query.filter(coupons::campaign_id.eq(campaign));
        }
        if let Some(active) = filter.active {
            query = query.filter(coupons::active.eq(active));
        }
        if let Some(search) = filter.search.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            query = query.filter(coupons::code.like(crate::db::contains_pattern(&search.to_uppercase())));
        }
        query
    }
}

crate::created_listing!(CouponFilter, coupons, Coupon, newest);

/// Takes one use of the coupon, if its usage limit allows: one guarded UPDATE, which also
/// locks the coupon's row until the transaction ends, so racing orders take uses one at
/// a time and the limit is never exceeded. False when the limit is reached.
pub async fn take_use(conn: &mut AsyncPgConnection, coupon_id: Uuid) -> QueryResult<bool> {
    let taken = diesel::update(
        coupons::table
            .find(coupon_id)
            .filter(coupons::usage_limit.is_null().or(coupons::used_count.nullable().lt(coupons::usage_limit))),
    )
    .set(coupons::used_count.eq(coupons::used_count + 1))
    .execute(conn)
    .await?;
    Ok(taken == 1)
}

/// Active redemptions of the coupon by this customer (or, without one, this email).
pub async fn uses_by(
    conn: &mut AsyncPgConnection,
    coupon_id: Uuid,
    customer_id: Option<Uuid>,
    email: Option<&str>,
) -> QueryResult<i64> {
    let mut query = coupon_redemptions::table
        .filter(coupon_redemptions::coupon_id.eq(coupon_id))
        .filter(coupon_redemptions::status.eq(RedemptionStatus::Active))
        .into_boxed();
    query = match (customer_id, email) {
        (Some(customer), _) => query.filter(coupon_redemptions::customer_id.eq(customer)),
        (None, Some(email)) => query.filter(coupon_redemptions::email.eq(email.to_owned())),
        (None, None) => return Ok(0),
    };
    query.count().get_result(conn).await
}

/// A new redemption.
pub struct NewRedemption<'a> {
    /// The coupon.
    pub coupon_id: Uuid,
    /// Its code.
    pub code: &'a str,
    /// The order it was used on.
    pub order_id: Uuid,
    /// The customer, if known.
    pub customer_id: Option<Uuid>,
    /// The order's email, if any.
    pub email: Option<&'a str>,
    /// What it took off.
    pub discount: &'a BigDecimal,
    /// In this currency.
    pub currency: &'a str,
}

/// Records a redemption.
pub async fn insert_redemption(conn: &mut AsyncPgConnection, new: &NewRedemption<'_>) -> QueryResult<RedemptionRow> {
    diesel::insert_into(coupon_redemptions::table)
        .values((
            coupon_redemptions::coupon_id.eq(new.coupon_id),
            coupon_redemptions::code.eq(new.code),
            coupon_redemptions::order_id.eq(new.order_id),
            coupon_redemptions::customer_id.eq(new.customer_id),
            coupon_redemptions::email.eq(new.email),
            coupon_redemptions::discount_amount.eq(new.discount),
            coupon_redemptions::currency.eq(new.currency),
        ))
        .returning(RedemptionRow::as_returning())
        .get_result(conn)
        .await
}

/// Releases the order's active redemption and gives its use back to the coupon, in one
/// statement. Returns how many were released (0 or 1).
pub async fn release(conn: &mut AsyncPgConnection, order_id: Uuid) -> QueryResult<usize> {
    diesel::sql_query(
        "WITH released AS (
             UPDATE coupon_redemptions SET status = 'released', released_at = clock_timestamp()
             WHERE order_id = $1 AND status = 'active' RETURNING coupon_id)
         UPDATE coupons SET used_count = used_count - 1, updated_at = clock_timestamp()
         WHERE id IN (SELECT coupon_id FROM released)",
    )
    .bind::<SqlUuid, _>(order_id)
    .execute(conn)
    .await
}

/// The redemptions made on these orders (released ones too), by order.
pub async fn redemptions_of_orders(
    conn: &mut AsyncPgConnection,
    order_ids: &[Uuid],
) -> QueryResult<HashMap<Uuid, RedemptionRow>> {
    let rows: Vec<RedemptionRow> = coupon_redemptions::table
        .filter(coupon_redemptions::order_id.eq_any(order_ids))
        .select(RedemptionRow::as_select())
        .load(conn)
        .await?;
    Ok(rows.into_iter().map(|r| (r.order_id, r)).collect())
}

/// A coupon's redemptions (released ones too), newest first.
#[derive(Debug, Clone, Copy)]
pub struct CouponRedemptions(pub Uuid);

impl CouponRedemptions {
    fn filtered(&self) -> coupon_redemptions::BoxedQuery<'static, diesel::pg::Pg> {
        coupon_redemptions::table.filter(coupon_redemptions::coupon_id.eq(self.0)).into_boxed()
    }
}

crate::created_listing!(CouponRedemptions, coupon_redemptions, RedemptionRow, newest);

/// A campaign's figures in one currency.
#[derive(Debug, Clone, QueryableByName)]
pub struct CampaignFigures {
    /// The campaign.
    #[diesel(sql_type = SqlUuid)]
    pub campaign_id: Uuid,
    /// The currency of the orders counted.
    #[diesel(sql_type = Text)]
    pub currency: String,
    /// Active redemptions.
    #[diesel(sql_type = BigInt)]
    pub redemptions: i64,
    /// Discount given by them.
    #[diesel(sql_type = Numeric)]
    pub discount: BigDecimal,
    /// What the orders using them brought in: their totals less refunds.
    #[diesel(sql_type = Numeric)]
    pub revenue: BigDecimal,
}

/// The figures of these campaigns, per currency, in one statement. Released redemptions
/// (cancelled orders) do not count; the money the orders kept is read through orders'
/// [`crate::orders::money_kept`].
pub async fn campaign_figures(conn: &mut AsyncPgConnection, ids: &[Uuid]) -> QueryResult<Vec<CampaignFigures>> {
    Fragment::<Untyped>::sql(
        "SELECT c.campaign_id, r.currency, count(*) AS redemptions, sum(r.discount_amount) AS discount, \
                sum(o.kept) AS revenue \
         FROM coupon_redemptions r \
         JOIN coupons c ON c.id = r.coupon_id \
         JOIN (",
    )
    .append(crate::orders::money_kept())
    .push(") o ON o.id = r.order_id WHERE r.status = 'active' AND c.campaign_id = ANY(")
    .bind(Bind::Uuids(ids.to_vec()))
    .push(") GROUP BY c.campaign_id, r.currency ORDER BY r.currency")
    .load(conn)
    .await
}
