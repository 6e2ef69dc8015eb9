//! Dataloaders of the promotions domain: campaigns and coupons by id, campaign figures,
//! and the redemption of each order, so pages of coupons, campaigns or orders cost one
//! statement per kind.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::Loader;
use uuid::Uuid;

use super::data::{self, CampaignFigures};
use super::model::{CampaignRow, CouponRow, RedemptionRow};
use crate::db::DbError;
use crate::tenancy::TenantScope;

/// Campaigns by id.
pub struct CampaignById(pub Arc<TenantScope>);

impl Loader<Uuid> for CampaignById {
    type Value = CampaignRow;
    type Error = Arc<DbError>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let mut conn = self.0.conn().await?;
        Ok(data::campaigns_by_ids(&mut conn, keys).await.map_err(DbError::from)?)
    }
}

/// Coupons by id.
pub struct CouponById(pub Arc<TenantScope>);

impl Loader<Uuid> for CouponById {
    type Value = CouponRow;
    type Error = Arc<DbError>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let mut conn = self.0.conn().await?;
        Ok(data::coupons_by_ids(&mut conn, keys).await.map_err(DbError::from)?)
    }
}

/// A campaign's figures per currency (an empty list when nothing was redeemed).
pub struct FiguresByCampaign(pub Arc<TenantScope>);

impl Loader<Uuid> for FiguresByCampaign {
    type Value = Vec<CampaignFigures>;
    type Error = Arc<DbError>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let mut conn = self.0.conn().await?;
        let rows = data::campaign_figures(&mut conn, keys).await.map_err(DbError::from)?;
        let mut out: HashMap<Uuid, Self::Value> = keys.iter().map(|k| (*k, Vec::new())).collect();
        for row in rows {
            out.entry(row.campaign_id).or_default().push(row);
        }
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
