//! How the generic loaders read the orders domain's rows: everything that hangs off an
//! order (items, addresses, history, payments, refunds, mapping) by order, so a page of
//! orders costs one statement per kind of child, and registers by id.

use diesel::QueryResult;
use diesel_async::AsyncPgConnection;
use std::collections::HashMap;
use std::future::Future;
use uuid::Uuid;

use super::model::{AddressRow, HistoryRow, ItemRow, MappingRow, OrderRow, PaymentRow, RefundRow, RegisterRow};
use super::{data, import_data, payment_data, register_data};
use crate::graphql::{ChildOf, Keyed};

/// Implements `ChildOf<OrderRow>` for each row type by the data function that loads it.
macro_rules! children_of_order {
    ($($row:ty => $load:path),+ $(,)?) => {$(
        impl ChildOf<OrderRow> for $row {
            fn load(
                conn: &mut AsyncPgConnection,
                ids: &[Uuid],
            ) -> impl Future<Output = QueryResult<HashMap<Uuid, Vec<Self>>>> + Send {
                $load(conn, ids)
            }
        }
    )+};
}

children_of_order!(
    ItemRow => data::items_of,
    AddressRow => data::addresses_of,
    HistoryRow => data::history_of,
    PaymentRow => payment_data::payments_of,
    RefundRow => payment_data::refunds_of,
    MappingRow => import_data::mappings_of,
);

impl Keyed for RegisterRow {
    fn load(
        conn: &mut AsyncPgConnection,
        ids: &[Uuid],
    ) -> impl Future<Output = QueryResult<HashMap<Uuid, Self>>> + Send {
        register_data::by_ids(conn, ids)
    }
}
