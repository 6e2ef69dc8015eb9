//! How the generic loaders read the orders domain's rows: everything that hangs off an
//! order (items, addresses, history, payments, refunds, mapping) by order, so a page of
//! orders costs one statement per kind of child, and registers by id.

use diesel::QueryResult;
use diesel_async::AsyncPgConnection;
use std::collections::HashMap;
use std::future::Future;
use uuid::Uuid;

use super::model::{AddressRow, HistoryRow, ItemRow, MappingRow, OrderRow, PaymentRow, RefundRow, RegisterRow};
use super::{data, payment_data, register_data};
use crate::graphql::{ChildOf, Keyed};

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

impl Keyed for RegisterRow {
    fn load(
        conn: &mut AsyncPgConnection,
        ids: &[Uuid],
    ) -> impl Future<Output = QueryResult<HashMap<Uuid, Self>>> + Send {
        register_data::by_ids(conn, ids)
    }
}
