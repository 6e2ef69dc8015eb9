//! Stores by id, batched per request: orders, coupons and other domains name their store
//! by id.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::Loader;
use uuid::Uuid;

use super::model::Store;
use crate::db::DbError;
use crate::tenancy::TenantScope;

/// Stores by id.
pub struct StoreById(pub Arc<TenantScope>);

impl Loader<Uuid> for StoreById {
    type Value = Store;
    type Error = Arc<DbError>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let mut conn = self.0.conn().await?;
        Ok(super::data::by_ids(&mut conn, keys).await.map_err(DbError::from)?)
    }
}
