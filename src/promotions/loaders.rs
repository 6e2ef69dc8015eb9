//! Dataloaders of the promotions domain: campaigns and coupons by id (through the generic
//! `ById`), campaign figures, and the redemption of each order, so pages of coupons, campaigns or orders cost one
//! statement per kind.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::Loader;
use uuid::Uuid;

use super::data::{self, CampaignFigures};
use super::model::{Coupon, PromotionCampaign, RedemptionRow};
use crate::db::DbError;
use crate::tenancy::TenantScope;

crate::keyed!(PromotionCampaign => data::campaigns_by_ids);

crate::keyed!(Coupon => data::coupons_by_ids);

/// A campaign's figures per currency (an empty list when nothing was redeemed).
pub struct FiguresByCampaign(pub Arc<TenantScope>);

impl Loader<Uuid> for FiguresByCampaign {
    type Value = Vec<CampaignFigures>;
    type Error = Arc<DbError>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let mut conn = self.0.conn().await?;
        let rows = data::campaign_figures(&mut conn, keys).await.map_err(DbError::from)?;
        let mut out: HashMap<Uuid, Self::Value> = keys.iter().map(|k| (*k, Vec::new())).collect();
        out.extend(crate::db::group_by(rows, |row| row.campaign_id));
        Ok(out)
    }
}

/// The coupon redemption of each order (orders without one are absent).
pub struct RedemptionByOrder(pub Arc<TenantScope>);

impl Loader<Uuid> for RedemptionByOrder {
    type Value = RedemptionRow;
    type Error = Arc<DbError>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let mut conn = self.0.conn().await?;
        Ok(data::redemptions_of_orders(&mut conn, keys).await.map_err(DbError::from)?)
    }
}
