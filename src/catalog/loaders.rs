//! Dataloaders of the catalog: one statement for the variants (or images, or categories)
//! of every product a request touches, however many products that is, and the category
//! tree's relatives.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::Loader;
use uuid::Uuid;

use super::categories::{self, Category};
use super::data;
use super::model::{ImageRow, Product, Variant};
use super::product_objects::StoreKey;
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

crate::child_of!(ImageRow: Product => data::images_of);

crate::child_of!(Category: Product => categories::of_products);

// The categories directly below a category, in order.
crate::child_of!(Category: Category => categories::children_of);

/// Names a category's ancestors (root first) as the children [`Children`] loads, where
/// `Category` itself already names its child categories.
///
/// [`Children`]: crate::graphql::Children
pub struct Ancestry;

crate::child_of!(Category: Ancestry => categories::ancestors_of);

crate::keyed!(Category => categories::by_ids);
