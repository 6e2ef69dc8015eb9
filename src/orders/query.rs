//! Order queries: one order (admin by id or number; a storefront only by the order's
//! secret token), the admin listing, and POS registers.

use async_graphql::connection::Connection;
use async_graphql::{Context, ID, InputObject, Object};
use chrono::{DateTime, Utc};
use std::collections::HashSet;

use uuid::Uuid;

use super::data::{self, OrderKey};
use super::listing::{OrderFilter, OrderListing, OrderSortField};
use super::model::{
    AddressRow, HistoryRow, ItemRow, MappingRow, OrderRow, OrderStatus, PaymentRow, RefundRow, RegisterRow,
};
use super::objects::Order;
use super::register_data;
use crate::catalog::SortDirection;
use crate::db::Listing;
use crate::graphql::{ById, Children};
use crate::graphql::{
    ConnectionTotal, GqlResultExt, Limits, PageArgs, caller_scope, coded_error, finish_listing, node_selected,
    parse_id, prime,
};
use crate::pricing::SalesChannel;
use crate::stores::StoreById;
use crate::tenancy::Role;

/// Narrows an order listing.
#[derive(InputObject, Default)]
pub struct OrderFilterInput {
    /// Any of these statuses.
    pub status: Option<Vec<OrderStatus>>,
    /// Any of these channels.
    pub channel: Option<Vec<SalesChannel>>,
    /// In the store with this code.
    pub store: Option<String>,
    /// Of this customer.
    pub customer_id: Option<ID>,
    /// Placed at or after.
    pub created_after: Option<DateTime<Utc>>,
    /// Placed before.
    pub created_before: Option<DateTime<Utc>>,
    /// An order number (`1042` or `#1042`) or part of the contact email.
    pub search: Option<String>,
}

/// How to sort orders.
#[derive(InputObject)]
pub struct OrderSortInput {
    /// The field.
    #[graphql(default)]
    pub field: OrderSortField,
    /// The direction (default: newest, highest first).
    #[graphql(default_with = "SortDirection::Desc")]
    pub direction: SortDirection,
}

impl Default for OrderSortInput {
    fn default() -> Self {
        Self { field: OrderSortField::CreatedAt, direction: SortDirection::Desc }
    }
}

/// Loads, for a page of orders, every nested list the query selects, one statement per
/// kind, before the per-order resolvers ask.
async fn prime_nested_lists(ctx: &Context<'_>, orders: &[Order]) -> async_graphql::Result<()> {
    if orders.is_empty() {
        return Ok(());
    }
    let selected = |field: &str| node_selected(ctx, &[field]);
    let ids: Vec<Uuid> = orders.iter().map(|o| o.id).collect();
    if selected("items") {
        prime(ctx, Children::<OrderRow, ItemRow>::new, &ids).await?;
    }
    if selected("shippingAddress") || selected("billingAddress") {
        prime(ctx, Children::<OrderRow, AddressRow>::new, &ids).await?;
    }
    if selected("history") {
        prime(ctx, Children::<OrderRow, HistoryRow>::new, &ids).await?;
    }
    if selected("payments") {
        prime(ctx, Children::<OrderRow, PaymentRow>::new, &ids).await?;
    }
    if selected("refunds") {
        prime(ctx, Children::<OrderRow, RefundRow>::new, &ids).await?;
    }
    if selected("externalMapping") {
        prime(ctx, Children::<OrderRow, MappingRow>::new, &ids).await?;
    }
    if selected("couponCode") || selected("couponRedemption") {
        prime(ctx, crate::promotions::RedemptionByOrder, &ids).await?;
    }
    if selected("loyaltyPoints") {
        crate::loyalty::prime_points_of_orders(ctx, &ids).await?;
    }
    let distinct = |ids: Vec<Uuid>| -> Vec<Uuid> { ids.into_iter().collect::<HashSet<_>>().into_iter().collect() };
    if selected("store") {
        let stores = distinct(orders.iter().filter_map(|o| o.store_id).collect());
        if !stores.is_empty() {
            prime(ctx, StoreById, &stores).await?;
        }
    }
    if selected("register") {
        let registers = distinct(orders.iter().filter_map(|o| o.register_id).collect());
        if !registers.is_empty() {
            prime(ctx, ById::<RegisterRow>::new, &registers).await?;
        }
    }
    let customers =
        if selected("customer") { distinct(orders.iter().filter_map(|o| o.customer_id).collect()) } else { Vec::new() };
    if selected("royaltyAllocations") {
        crate::royalty::prime_for_orders(ctx, &ids).await?;
    }
    let notes = if selected("notes") { ids.clone() } else { Vec::new() };
    if !customers.is_empty() || !notes.is_empty() {
        crate::customers::prime_for_orders(ctx, &customers, &notes).await?;
    }
    Ok(())
}

/// Lists orders for the admin listing and for a customer's orders.
pub async fn order_connection(
    ctx: &Context<'_>,
    filter: OrderFilter,
    sort: OrderSortInput,
    args: PageArgs,
) -> async_graphql::Result<Connection<String, Order, ConnectionTotal>> {
    let scope = caller_scope(ctx, Role::Admin)?;
    let listing = OrderListing { filter, field: sort.field, direction: sort.direction };
    let page = args.page(ctx.data::<Limits>()?, &listing.keyset())?;
    let rows = listing.page(&mut *scope.conn().await.gql()?, &page).await.gql()?;
    let shown: Vec<Order> = rows.iter().take(page.limit).cloned().map(Order::new).collect();
    prime_nested_lists(ctx, &shown).await?;
    Ok(finish_listing(&scope, rows, &page, listing, Order::new))
}

/// Order queries.
#[derive(Default)]
pub struct OrderQuery;

#[Object]
impl OrderQuery {
    /// One order. Admin tokens ask by `id` or `number`; a storefront asks by the order's
    /// `token` (given when it placed the order) and by nothing else.
    async fn order(
        &self,
        ctx: &Context<'_>,
        id: Option<ID>,
        number: Option<String>,
        token: Option<ID>,
    ) -> async_graphql::Result<Option<Order>> {
        let scope = caller_scope(ctx, Role::Storefront)?;
        let key = match (id, number, token) {
            (Some(id), None, None) => OrderKey::Id(parse_id(&id)?),
            (None, Some(number), None) => match number.trim().trim_start_matches('#').parse::<i64>() {
                Ok(n) => OrderKey::Number(n),
                Err(_) => return Err(coded_error("BAD_USER_INPUT", "an order number is digits, e.g. 1042")),
            },
            (None, None, Some(token)) => OrderKey::Token(parse_id(&token)?),
            _ => return Err(coded_error("BAD_USER_INPUT", "pass exactly one of id, number or token")),
        };
        if !matches!(key, OrderKey::Token(_)) {
            scope.require(Role::Admin).gql()?;
        }
        Ok(data::find(&mut *scope.conn().await.gql()?, &key).await.gql()?.map(Order::new))
    }

    /// The tenant's orders (admin), newest first unless sorted otherwise.
    #[graphql(complexity = "first.or(last).unwrap_or(20).max(0) as usize * child_complexity + 1")]
    #[allow(clippy::too_many_arguments)]
    async fn orders(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<OrderFilterInput>,
        sort_by: Option<OrderSortInput>,
    ) -> async_graphql::Result<Connection<String, Order, ConnectionTotal>> {
        let scope = caller_scope(ctx, Role::Admin)?;
        let input = filter.unwrap_or_default();
        let store_id = match input.store.as_deref() {
            Some(code) => {
                match crate::stores::store_by_code(&mut *scope.conn().await.gql()?, code.trim()).await.gql()? {
                    Some(store) => Some(store.id),
                    None => return Err(coded_error("STORE_NOT_FOUND", format!("no store '{}'", code.trim()))),
                }
            }
            None => None,
        };
        let filter = OrderFilter {
            statuses: input.status.unwrap_or_default(),
            channels: input.channel.unwrap_or_default(),
            store_id,
            customer_id: input.customer_id.as_ref().map(parse_id).transpose()?,
            created_after: crate::graphql::validate::timestamp_arg("createdAfter", input.created_after)?,
            created_before: crate::graphql::validate::timestamp_arg("createdBefore", input.created_before)?,
            search: crate::graphql::validate::search_arg(input.search)?,
        };
        order_connection(ctx, filter, sort_by.unwrap_or_default(), PageArgs { first, after, last, before }).await
    }

    /// The tenant's POS registers, by code (admin).
    async fn pos_registers(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<RegisterRow>> {
        let scope = caller_scope(ctx, Role::Admin)?;
        register_data::all(&mut *scope.conn().await.gql()?).await.gql()
    }
}
