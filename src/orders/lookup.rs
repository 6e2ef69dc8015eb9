//! Small questions other domains ask about orders.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::Context;
use async_graphql::dataloader::Loader;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::model::OrderRow;
use super::order_graphql::Order;
use crate::db::DbError;
use crate::db::schema::orders;
use crate::graphql::{internal_error, loader};
use crate::tenancy::TenantScope;

/// Whether the order exists, and if so the customer it belongs to: `None` for no such
/// order, `Some(None)` for a guest order.
pub async fn customer_of_order(conn: &mut AsyncPgConnection, order_id: Uuid) -> QueryResult<Option<Option<Uuid>>> {
    orders::table.find(order_id).select(orders::customer_id).first(conn).await.optional()
}

/// Orders by id (a missing id has no entry).
pub struct OrderById(pub Arc<TenantScope>);

impl Loader<Uuid> for OrderById {
    type Value = Order;
    type Error = Arc<DbError>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let mut conn = self.0.conn().await?;
        let rows: Vec<OrderRow> = orders::table
            .filter(orders::id.eq_any(keys))
            .select(OrderRow::as_select())
            .load(&mut *conn)
            .await
            .map_err(DbError::from)?;
        Ok(rows.into_iter().map(|row| (row.id, Order::new(row))).collect())
    }
}

/// The order with this id, through the request's dataloader, for other domains that
/// show an order next to their own rows (a loyalty transaction's order): a page of them
/// costs one statement. Callers decide who may see it.
pub async fn order_by_id(ctx: &Context<'_>, id: Uuid) -> async_graphql::Result<Option<Order>> {
    loader(ctx, OrderById)?.load_one(id).await.map_err(|e| internal_error(&e))
}

/// Loads the orders with these ids into the request's loader at once (the orders of a
/// page of another domain's rows; see `graphql::prime`).
pub async fn prime_orders(ctx: &Context<'_>, ids: &[Uuid]) -> async_graphql::Result<()> {
    crate::graphql::prime(ctx, OrderById, ids).await.map(drop)
}
