use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::Context;
use async_graphql::dataloader::Loader;
use uuid::Uuid;

use super::data;
use super::model::InventoryLevel;
use crate::db::DbError;
use crate::tenancy::TenantScope;

/// Stock by variant id; every key gets a level (zero for variants never stocked).
pub struct StockByVariant(pub Arc<TenantScope>);

impl Loader<Uuid> for StockByVariant {
    type Value = InventoryLevel;
    type Error = Arc<DbError>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let mut conn = self.0.conn().await?;
        let mut found = data::levels_of(&mut conn, keys).await.map_err(DbError::from)?;
        Ok(keys.iter().map(|key| (*key, found.remove(key).unwrap_or_else(|| InventoryLevel::empty(*key)))).collect())
    }
}

/// Loads the stock of all these variants in one statement, for the resolvers to find
/// cached (see `graphql::loaders`).
pub async fn prime(ctx: &Context<'_>, variant_ids: Vec<Uuid>) -> async_graphql::Result<()> {
    crate::graphql::prime(ctx, StockByVariant, &variant_ids).await.map(drop)
}
