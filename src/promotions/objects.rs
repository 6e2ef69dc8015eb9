//! The GraphQL types of promotions: campaigns with their figures, coupons and their
//! redemptions.

use async_graphql::connection::Connection;
use async_graphql::{ComplexObject, Context, SimpleObject};

use super::data::{self, CouponFilter};
use super::loaders::FiguresByCampaign;
use super::model::{Coupon, PromotionCampaign, RedemptionRow};
use crate::graphql::{
    ById, ConnectionTotal, Decimal, GqlResultExt, Money, PageArgs, caller_scope, listing_connection, loader,
};
use crate::orders::Order;
use crate::stores::StoreById;
use crate::tenancy::Role;

/// What a campaign's coupons did, in one currency.
#[derive(SimpleObject)]
pub struct CampaignCurrencyFigures {
    /// ISO 4217 code of the orders counted.
    pub currency: String,
    /// Orders that used one of the campaign's coupons and were not cancelled.
    pub redemptions: i64,
    /// Discount those coupons gave.
    pub discount_given: Money,
    /// What those orders brought in: their totals less refunds.
    pub revenue: Money,
}

/// A campaign's figures.
#[derive(SimpleObject)]
pub struct CampaignFiguresObject {
    /// Redemptions in every currency.
    pub redemptions: i64,
    /// Per currency (money is never added across currencies).
    pub by_currency: Vec<CampaignCurrencyFigures>,
}

/// A page of coupons as a connection.
pub(super) async fn coupon_connection(
    ctx: &Context<'_>,
    filter: CouponFilter,
    args: PageArgs,
) -> async_graphql::Result<Connection<String, Coupon, ConnectionTotal>> {
    listing_connection(ctx, Role::Admin, args, filter, std::convert::identity).await
}

#[ComplexObject]
impl PromotionCampaign {
    /// Its coupons, newest first.
    async fn coupons(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> async_graphql::Result<Connection<String, Coupon, ConnectionTotal>> {
        let filter = CouponFilter { campaign_id: Some(self.id), ..CouponFilter::default() };
        coupon_connection(ctx, filter, PageArgs { first, after, last, before }).await
    }

    /// Redemptions, discount given and revenue of the orders that used its coupons
    /// (cancelled orders do not count; refunds are taken off revenue).
    async fn figures(&self, ctx: &Context<'_>) -> async_graphql::Result<CampaignFiguresObject> {
        let rows = loader(ctx, FiguresByCampaign)?.load_one(self.id).await.gql()?.unwrap_or_default();
        Ok(CampaignFiguresObject {
            redemptions: rows.iter().map(|r| r.redemptions).sum(),
            by_currency: rows
                .into_iter()
                .map(|r| CampaignCurrencyFigures {
                    discount_given: Money::new(&r.discount, &r.currency),
                    revenue: Money::new(&r.revenue, &r.currency),
                    redemptions: r.redemptions,
                    currency: r.currency,
                })
                .collect(),
        })
    }
}

#[ComplexObject]
impl Coupon {
    /// The percentage (0–100) or the amount in `currency`.
    async fn value(&self) -> Decimal {
        Decimal(self.value.normalized())
    }

    /// The order's subtotal must be at least this.
    async fn minimum_subtotal(&self) -> Option<Money> {
        Some(Money::new(self.minimum_subtotal.as_ref()?, self.currency.as_deref()?))
    }

    /// Uses left (null: unlimited).
    async fn remaining_uses(&self) -> Option<i32> {
        self.usage_limit.map(|l| (l - self.used_count).max(0))
    }

    /// The only store it works in (null: every store).
    async fn store(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<crate::stores::Store>> {
        let Some(id) = self.store_id else { return Ok(None) };
        loader(ctx, StoreById)?.load_one(id).await.gql()
    }

    /// Its campaign.
    async fn campaign(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<PromotionCampaign>> {
        let Some(id) = self.campaign_id else { return Ok(None) };
        loader(ctx, ById::<PromotionCampaign>::new)?.load_one(id).await.gql()
    }

    /// Its redemptions (released ones too), newest first.
    async fn redemptions(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> async_graphql::Result<Connection<String, RedemptionRow, ConnectionTotal>> {
        let args = PageArgs { first, after, last, before };
        listing_connection(ctx, Role::Admin, args, data::CouponRedemptions(self.id), std::convert::identity).await
    }
}

#[ComplexObject]
impl RedemptionRow {
    /// The coupon used.
    async fn coupon(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Coupon>> {
        loader(ctx, ById::<Coupon>::new)?.load_one(self.coupon_id).await.gql()
    }

    /// The order it was used on.
    async fn order(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Order>> {
        caller_scope(ctx, Role::Admin)?;
        crate::orders::order_by_id(ctx, self.order_id).await
    }

    /// What it took off the order.
    async fn discount(&self) -> Money {
        Money::new(&self.discount_amount, &self.currency)
    }
}
