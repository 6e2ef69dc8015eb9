//! Dataloaders of the royalty domain: the rules of a page of allocations, and the
//! allocations of a page of orders, one statement each.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::Loader;
use uuid::Uuid;

use super::data;
use super::model::{AllocationRow, RuleRow};
use crate::db::DbError;
use crate::tenancy::TenantScope;

/// Rules by id (a missing id has no entry).
pub struct RuleById(pub Arc<TenantScope>);

impl Loader<Uuid> for RuleById {
    type Value = RuleRow;
    type Error = Arc<DbError>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let mut conn = self.0.conn().await?;
        Ok(data::rules_by_ids(&mut conn, keys).await.map_err(DbError::from)?)
    }
}

/// Allocations by order id, oldest first (an empty list for an order without any).
pub struct AllocationsByOrder(pub Arc<TenantScope>);

impl Loader<Uuid> for AllocationsByOrder {
    type Value = Vec<AllocationRow>;
    type Error = Arc<DbError>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let mut conn = self.0.conn().await?;
        let mut found = data::allocations_of_orders(&mut conn, keys).await.map_err(DbError::from)?;
        Ok(keys.iter().map(|k| (*k, found.remove(k).unwrap_or_default())).collect())
    }
}
