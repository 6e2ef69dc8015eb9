//! Promotion queries (admin): a coupon by id or code, coupon and campaign listings.

use async_graphql::connection::Connection;
use async_graphql::{Context, ID, InputObject, Object};

use super::data::{self, CouponFilter};
use super::model::CampaignStatus;
use super::model::{Coupon, PromotionCampaign};
use super::objects::coupon_connection;
use crate::graphql::{
    ConnectionTotal, GqlResultExt, PageArgs, caller_scope, coded_error, listing_connection, parse_id,
};
use crate::tenancy::Role;

/// Narrows a coupon listing.
#[derive(InputObject, Default)]
pub struct CouponFilterInput {
    /// Of this campaign.
    pub campaign_id: Option<ID>,
    /// Active or deactivated.
    pub active: Option<bool>,
    /// Part of the code (any case).
    pub search: Option<String>,
}

/// Promotion queries (admin only).
#[derive(Default)]
pub struct PromotionQuery;

#[Object]
impl PromotionQuery {
    /// One coupon, by id or by code (any case).
    async fn coupon(
        &self,
        ctx: &Context<'_>,
        id: Option<ID>,
        code: Option<String>,
    ) -> async_graphql::Result<Option<Coupon>> {
        let scope = caller_scope(ctx, Role::Admin)?;
        if id.is_some() == code.is_some() {
            return Err(coded_error("BAD_USER_INPUT", "pass exactly one of id or code"));
        }
        let id = id.as_ref().map(parse_id).transpose()?;
        let mut conn = scope.conn().await.gql()?;
        data::find_coupon(&mut conn, id, code.as_deref()).await.gql()
    }

    /// Coupons, newest first.
    async fn coupons(
        &self,
        ctx: &Context<'_>,
        filter: Option<CouponFilterInput>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> async_graphql::Result<Connection<String, Coupon, ConnectionTotal>> {
        caller_scope(ctx, Role::Admin)?;
        let input = filter.unwrap_or_default();
        let filter = CouponFilter {
            campaign_id: input.campaign_id.as_ref().map(parse_id).transpose()?,
            active: input.active,
            search: crate::graphql::validate::search_arg(input.search)?,
        };
        coupon_connection(ctx, filter, PageArgs { first, after, last, before }).await
    }

    /// One campaign.
    async fn promotion_campaign(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Option<PromotionCampaign>> {
        let scope = caller_scope(ctx, Role::Admin)?;
        let id = parse_id(&id)?;
        let mut conn = scope.conn().await.gql()?;
        Ok(data::campaigns_by_ids(&mut conn, &[id]).await.gql()?.remove(&id))
    }

    /// Campaigns, newest first, optionally of one status.
    async fn promotion_campaigns(
        &self,
        ctx: &Context<'_>,
        status: Option<CampaignStatus>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> async_graphql::Result<Connection<String, PromotionCampaign, ConnectionTotal>> {
        let args = PageArgs { first, after, last, before };
        listing_connection(ctx, Role::Admin, args, data::CampaignListing(status), std::convert::identity).await
    }
}
