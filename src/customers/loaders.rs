//! Dataloaders of the customers domain: one statement for the addresses (or notes, or
//! activity pages) of every customer a request touches, and one for the customers of a
//! page of orders.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::Loader;
use uuid::Uuid;

use super::model::{Activity, AddressRow, Customer, NoteRow};
use super::{data, data_addresses, data_trail};
use crate::db::ChildPageKey;
use crate::db::DbError;
use crate::tenancy::TenantScope;

/// Fills in an empty list for every key the database had nothing for, so a cached miss
/// never goes back to the database.
fn every_key<V: Default>(keys: &[Uuid], mut found: HashMap<Uuid, V>) -> HashMap<Uuid, V> {
    keys.iter().map(|key| (*key, found.remove(key).unwrap_or_default())).collect()
}

/// Customers by id (a missing id has no entry).
pub struct CustomerById(pub Arc<TenantScope>);

impl Loader<Uuid> for CustomerById {
    type Value = Customer;
    type Error = Arc<DbError>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let mut conn = self.0.conn().await?;
        Ok(data::by_ids(&mut conn, keys).await.map_err(DbError::from)?)
    }
}

/// Addresses by customer id, oldest first.
pub struct AddressesByCustomer(pub Arc<TenantScope>);

impl Loader<Uuid> for AddressesByCustomer {
    type Value = Vec<AddressRow>;
    type Error = Arc<DbError>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let mut conn = self.0.conn().await?;
        Ok(every_key(keys, data_addresses::of_customers(&mut conn, keys).await.map_err(DbError::from)?))
    }
}

/// Customer-service notes by customer id, newest first.
pub struct NotesByCustomer(pub Arc<TenantScope>);

impl Loader<Uuid> for NotesByCustomer {
    type Value = Vec<NoteRow>;
    type Error = Arc<DbError>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let mut conn = self.0.conn().await?;
        Ok(every_key(keys, data_trail::notes_of_customers(&mut conn, keys).await.map_err(DbError::from)?))
    }
}

/// Customer-service notes by order id, newest first.
pub struct NotesByOrder(pub Arc<TenantScope>);

impl Loader<Uuid> for NotesByOrder {
    type Value = Vec<NoteRow>;
    type Error = Arc<DbError>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let mut conn = self.0.conn().await?;
        Ok(every_key(keys, data_trail::notes_of_orders(&mut conn, keys).await.map_err(DbError::from)?))
    }
}

/// Pages of activity, newest first, by customer and page bounds.
pub struct ActivityPages(pub Arc<TenantScope>);

impl Loader<ChildPageKey> for ActivityPages {
    type Value = Vec<Activity>;
    type Error = Arc<DbError>;

    async fn load(&self, keys: &[ChildPageKey]) -> Result<HashMap<ChildPageKey, Self::Value>, Self::Error> {
        let mut conn = self.0.conn().await?;
        Ok(data_trail::activity_pages(&mut conn, keys).await.map_err(DbError::from)?)
    }
}
