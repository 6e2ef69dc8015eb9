//! Dataloaders of the catalog: one statement for the variants (or images) of every product
//! a request touches, however many products that is.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::Loader;
use uuid::Uuid;

use super::data;
use super::model::{ImageRow, Variant};
use crate::db::DbError;
use crate::tenancy::TenantScope;

/// Variants by product id.
pub struct VariantsByProduct(pub Arc<TenantScope>);

impl Loader<Uuid> for VariantsByProduct {
    type Value = Vec<Variant>;
    type Error = Arc<DbError>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let mut conn = self.0.conn().await?;
        let mut found = data::variants_of(&mut conn, keys).await.map_err(DbError::from)?;
        Ok(keys.iter().map(|key| (*key, found.remove(key).unwrap_or_default())).collect())
    }
}

/// Images by product id.
pub struct ImagesByProduct(pub Arc<TenantScope>);

impl Loader<Uuid> for ImagesByProduct {
    type Value = Vec<ImageRow>;
    type Error = Arc<DbError>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let mut conn = self.0.conn().await?;
        let mut found = data::images_of(&mut conn, keys).await.map_err(DbError::from)?;
        Ok(keys.iter().map(|key| (*key, found.remove(key).unwrap_or_default())).collect())
    }
}
