//! Small questions other domains ask about orders.

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::db::schema::orders;

/// Whether the order exists, and if so the customer it belongs to: `None` for no such
/// order, `Some(None)` for a guest order.
pub async fn customer_of_order(conn: &mut AsyncPgConnection, order_id: Uuid) -> QueryResult<Option<Option<Uuid>>> {
    orders::table.find(order_id).select(orders::customer_id).first(conn).await.optional()
}
