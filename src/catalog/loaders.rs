//! Dataloaders of the catalog: one statement for the variants (or images) of every product
//! a request touches, however many products that is.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::Loader;
use uuid::Uuid;

use super::categories::{self, Category};
use super::data;
use super::model::{ImageRow, Variant};
use super::product_graphql::StoreKey;
use crate::db::DbError;
use crate::pricing::{PriceContext, SalesChannel};
use crate::tenancy::TenantScope;

/// Variants with their prices, by product id and the store they are seen from. A request
/// normally sees one store, so a batch is one statement; keys of several stores cost one
/// statement per store.
pub struct VariantsByProduct(pub Arc<TenantScope>);

impl Loader<(Uuid, StoreKey)> for VariantsByProduct {
    type Value = Vec<Variant>;
    type Error = Arc<DbError>;

    async fn load(&self, keys: &[(Uuid, StoreKey)]) -> Result<HashMap<(Uuid, StoreKey), Self::Value>, Self::Error> {
        let mut conn = self.0.conn().await?;
        let mut out = HashMap::with_capacity(keys.len());
        for (store, ids) in by_store(keys) {
            let price = online(&store);
            let mut found = data::variants_of(&mut conn, &ids, &price).await.map_err(DbError::from)?;
            out.extend(ids.into_iter().map(|id| ((id, store.clone()), found.remove(&id).unwrap_or_default())));
        }
        Ok(out)
    }
}

/// Splits keys by store.
pub(super) fn by_store(keys: &[(Uuid, StoreKey)]) -> HashMap<StoreKey, Vec<Uuid>> {
    let mut groups: HashMap<StoreKey, Vec<Uuid>> = HashMap::new();
    for (id, store) in keys {
        groups.entry(store.clone()).or_default().push(*id);
    }
    groups
}

/// Catalog prices are those of the online channel, in the given store.
pub(super) fn online(store: &StoreKey) -> PriceContext {
    PriceContext { store_code: store.as_deref().map(str::to_owned), channel: SalesChannel::Online }
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
