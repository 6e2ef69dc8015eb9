//! Dataloaders of the catalog: one statement for the variants (or images) of every product
//! a request touches, however many products that is.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::Loader;
use uuid::Uuid;

use super::categories::{self, Category};
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
        Ok(every_key(keys, data::variants_of(&mut conn, keys).await.map_err(DbError::from)?))
    }
}

/// Images by product id.
pub struct ImagesByProduct(pub Arc<TenantScope>);

impl Loader<Uuid> for ImagesByProduct {
    type Value = Vec<ImageRow>;
    type Error = Arc<DbError>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let mut conn = self.0.conn().await?;
        Ok(every_key(keys, data::images_of(&mut conn, keys).await.map_err(DbError::from)?))
    }
}

/// Fills in an empty list for every key the database had nothing for, so a cached miss
/// never goes back to the database.
fn every_key<V: Default>(keys: &[Uuid], mut found: HashMap<Uuid, V>) -> HashMap<Uuid, V> {
    keys.iter().map(|key| (*key, found.remove(key).unwrap_or_default())).collect()
}

/// Child categories by parent id.
pub struct ChildrenByParent(pub Arc<TenantScope>);

impl Loader<Uuid> for ChildrenByParent {
    type Value = Vec<Category>;
    type Error = Arc<DbError>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let mut conn = self.0.conn().await?;
        Ok(every_key(keys, categories::children_of(&mut conn, keys).await.map_err(DbError::from)?))
    }
}

/// Ancestors (root first) by category id.
pub struct AncestorsOf(pub Arc<TenantScope>);

impl Loader<Uuid> for AncestorsOf {
    type Value = Vec<Category>;
    type Error = Arc<DbError>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let mut conn = self.0.conn().await?;
        Ok(every_key(keys, categories::ancestors_of(&mut conn, keys).await.map_err(DbError::from)?))
    }
}

/// Categories by id (a missing id has no entry).
pub struct CategoryById(pub Arc<TenantScope>);

impl Loader<Uuid> for CategoryById {
    type Value = Category;
    type Error = Arc<DbError>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let mut conn = self.0.conn().await?;
        Ok(categories::by_ids(&mut conn, keys).await.map_err(DbError::from)?)
    }
}

/// The categories of each product, by product id.
pub struct CategoriesByProduct(pub Arc<TenantScope>);

impl Loader<Uuid> for CategoriesByProduct {
    type Value = Vec<Category>;
    type Error = Arc<DbError>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let mut conn = self.0.conn().await?;
        Ok(every_key(keys, categories::of_products(&mut conn, keys).await.map_err(DbError::from)?))
    }
}
