//! Dataloaders of the orders domain: one generic loader for everything that hangs off an
//! order (items, addresses, history, payments, refunds, mapping), so a page of orders
//! costs one statement per kind of child, whatever the page size.

use std::collections::HashMap;
use std::future::Future;
use std::marker::PhantomData;
use std::sync::Arc;

use async_graphql::dataloader::Loader;
use diesel::QueryResult;
use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use super::model::{AddressRow, HistoryRow, ItemRow, MappingRow, PaymentRow, RefundRow, RegisterRow};
use super::{data, payment_data, register_data};
use crate::db::DbError;
use crate::tenancy::TenantScope;

/// Rows that belong to an order and are loaded for many orders at once.
pub trait OrderChild: Clone + Send + Sync + 'static {
    /// The rows of these orders, grouped by order id.
    fn load(
        conn: &mut AsyncPgConnection,
        order_ids: &[Uuid],
    ) -> impl Future<Output = QueryResult<HashMap<Uuid, Vec<Self>>>> + Send;
}

impl OrderChild for ItemRow {
    fn load(
        conn: &mut AsyncPgConnection,
        ids: &[Uuid],
    ) -> impl Future<Output = QueryResult<HashMap<Uuid, Vec<Self>>>> + Send {
        data::items_of(conn, ids)
    }
}

impl OrderChild for AddressRow {
    fn load(
        conn: &mut AsyncPgConnection,
        ids: &[Uuid],
    ) -> impl Future<Output = QueryResult<HashMap<Uuid, Vec<Self>>>> + Send {
        data::addresses_of(conn, ids)
    }
}

impl OrderChild for HistoryRow {
    fn load(
        conn: &mut AsyncPgConnection,
        ids: &[Uuid],
    ) -> impl Future<Output = QueryResult<HashMap<Uuid, Vec<Self>>>> + Send {
        data::history_of(conn, ids)
    }
}

impl OrderChild for PaymentRow {
    fn load(
        conn: &mut AsyncPgConnection,
        ids: &[Uuid],
    ) -> impl Future<Output = QueryResult<HashMap<Uuid, Vec<Self>>>> + Send {
        payment_data::payments_of(conn, ids)
    }
}

impl OrderChild for RefundRow {
    fn load(
        conn: &mut AsyncPgConnection,
        ids: &[Uuid],
    ) -> impl Future<Output = QueryResult<HashMap<Uuid, Vec<Self>>>> + Send {
        payment_data::refunds_of(conn, ids)
    }
}

impl OrderChild for MappingRow {
    fn load(
        conn: &mut AsyncPgConnection,
        ids: &[Uuid],
    ) -> impl Future<Output = QueryResult<HashMap<Uuid, Vec<Self>>>> + Send {
        super::import_data::mappings_of(conn, ids)
    }
}

/// The `T` rows of each order, by order id (an empty list for an order without any).
pub struct ByOrder<T>(pub Arc<TenantScope>, PhantomData<fn() -> T>);

impl<T> ByOrder<T> {
    /// A loader on the request's scope.
    pub fn new(scope: Arc<TenantScope>) -> Self {
        Self(scope, PhantomData)
    }
}

impl<T: OrderChild> Loader<Uuid> for ByOrder<T> {
    type Value = Vec<T>;
    type Error = Arc<DbError>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let mut conn = self.0.conn().await?;
        let mut found = T::load(&mut conn, keys).await.map_err(DbError::from)?;
        Ok(keys.iter().map(|k| (*k, found.remove(k).unwrap_or_default())).collect())
    }
}

/// POS registers by id.
pub struct RegisterById(pub Arc<TenantScope>);

impl Loader<Uuid> for RegisterById {
    type Value = RegisterRow;
    type Error = Arc<DbError>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let mut conn = self.0.conn().await?;
        Ok(register_data::by_ids(&mut conn, keys).await.map_err(DbError::from)?)
    }
}
