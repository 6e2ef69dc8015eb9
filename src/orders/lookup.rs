//! Small questions other domains ask about orders.

use std::collections::HashMap;

use async_graphql::Context;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::model::OrderRow;
use super::objects::Order;
use crate::db::schema::orders;
use crate::graphql::{ById, GqlResultExt, Keyed, loader};

/// Whether the order exists, and if so the customer it belongs to: `None` for no such
/// order, `Some(None)` for a guest order.
pub async fn customer_of_order(conn: &mut AsyncPgConnection, order_id: Uuid) -> QueryResult<Option<Option<Uuid>>> {
    orders::table.find(order_id).select(orders::customer_id).first(conn).await.optional()
}

impl Keyed for Order {
    async fn load(conn: &mut AsyncPgConnection, ids: &[Uuid]) -> QueryResult<HashMap<Uuid, Self>> {
        let rows: Vec<OrderRow> =
            orders::table.filter(orders::id.eq_any(ids)).select(OrderRow::as_select()).load(conn).await?;
        Ok(rows.into_iter().map(|row| (row.id, Order::new(row))).collect())
    }
}

/// The order with this id, through the request's dataloader, for other domains that
/// show an order next to their own rows (a loyalty transaction's order): a page of them
/// costs one statement. Callers decide who may see it.
pub async fn order_by_id(ctx: &Context<'_>, id: Uuid) -> async_graphql::Result<Option<Order>> {
    loader(ctx, ById::<Order>::new)?.load_one(id).await.gql()
}

/// Loads the orders with these ids into the request's loader at once (the orders of a
/// page of another domain's rows; see `graphql::prime`).
pub async fn prime_orders(ctx: &Context<'_>, ids: &[Uuid]) -> async_graphql::Result<()> {
    crate::graphql::prime(ctx, ById::<Order>::new, ids).await.map(drop)
}
