//! Dataloaders of the orders domain: one generic loader for everything that hangs off an
//! order (items, addresses, history, payments, refunds, mapping), so a page of orders
//! costs one statement per kind of child, whatever the page size.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;

use async_graphql::dataloader::Loader;
use diesel::QueryResult;
use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use super::model::{AddressRow, HistoryRow, ItemRow, MappingRow, OrderRow, PaymentRow, RefundRow, RegisterRow};
use super::{data, payment_data, register_data};
use crate::db::DbError;
use crate::graphql::ChildOf;
use crate::tenancy::TenantScope;

impl ChildOf<OrderRow> for ItemRow {
    fn load(
        conn: &mut AsyncPgConnection,
        ids: &[Uuid],
    ) -> impl Future<Output = QueryResult<HashMap<Uuid, Vec<Self>>>> + Send {
        data::items_of(conn, ids)
    }
}

impl ChildOf<OrderRow> for AddressRow {
    fn load(
        conn: &mut AsyncPgConnection,
        ids: &[Uuid],
    ) -> impl Future<Output = QueryResult<HashMap<Uuid, Vec<Self>>>> + Send {
        data::addresses_of(conn, ids)
    }
}

impl ChildOf<OrderRow> for HistoryRow {
    fn load(
        conn: &mut AsyncPgConnection,
        ids: &[Uuid],
    ) -> impl Future<Output = QueryResult<HashMap<Uuid, Vec<Self>>>> + Send {
        data::history_of(conn, ids)
    }
}

impl ChildOf<OrderRow> for PaymentRow {
    fn load(
        conn: &mut AsyncPgConnection,
        ids: &[Uuid],
    ) -> impl Future<Output = QueryResult<HashMap<Uuid, Vec<Self>>>> + Send {
        payment_data::payments_of(conn, ids)
    }
}

impl ChildOf<OrderRow> for RefundRow {
    fn load(
        conn: &mut AsyncPgConnection,
        ids: &[Uuid],
    ) -> impl Future<Output = QueryResult<HashMap<Uuid, Vec<Self>>>> + Send {
        payment_data::refunds_of(conn, ids)
    }
}

impl ChildOf<OrderRow> for MappingRow {
    fn load(
        conn: &mut AsyncPgConnection,
        ids: &[Uuid],
    ) -> impl Future<Output = QueryResult<HashMap<Uuid, Vec<Self>>>> + Send {
        super::import_data::mappings_of(conn, ids)
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
