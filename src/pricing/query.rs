use async_graphql::connection::Connection;
use async_graphql::{Context, ID, Object};
use chrono::{DateTime, Utc};

use super::data;
use super::model::{PriceList, PriceListEntry, SalesChannel};
use crate::graphql::{ConnectionTotal, GqlResultExt, Money, PageArgs, caller_scope, listing_connection};
use crate::graphql::{RecordKey, id_or_key};
use crate::tenancy::Role;

#[Object]
impl PriceList {
    /// Stable id (a UUID).
    async fn id(&self) -> ID {
        ID(self.id.to_string())
    }
    /// Unique name in the tenant.
    async fn name(&self) -> &str {
        &self.name
    }
    /// ISO 4217 code of every price in the list.
    async fn currency(&self) -> &str {
        &self.currency
    }
    /// Only in this store (any store when null).
    async fn store_id(&self) -> Option<ID> {
        self.store_id.map(|id| ID(id.to_string()))
    }
    /// Only in this sales channel (any when null).
    async fn channel(&self) -> Option<SalesChannel> {
        self.channel
    }
    /// Applies from (always, when null).
    async fn starts_at(&self) -> Option<DateTime<Utc>> {
        self.starts_at
    }
    /// Applies until, exclusive (always, when null).
    async fn ends_at(&self) -> Option<DateTime<Utc>> {
        self.ends_at
    }
    /// Higher wins where several lists match.
    async fn priority(&self) -> i32 {
        self.priority
    }
    /// Switched on.
    async fn active(&self) -> bool {
        self.active
    }
    /// When it was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.created_at
    }
    /// Its prices, by variant.
    async fn entries(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<PriceListEntryNode>> {
        let scope = caller_scope(ctx, Role::Admin)?;
        let entries = data::entries_of(&mut *scope.conn().await.gql()?, self.id).await.gql()?;
        Ok(entries.into_iter().map(|entry| PriceListEntryNode { entry, currency: self.currency.clone() }).collect())
    }
}

/// One variant's price in a list.
pub struct PriceListEntryNode {
    entry: PriceListEntry,
    currency: String,
}

#[Object(name = "PriceListEntry")]
impl PriceListEntryNode {
    /// The list.
    async fn price_list_id(&self) -> ID {
        ID(self.entry.price_list_id.to_string())
    }
    /// The variant priced.
    async fn variant_id(&self) -> ID {
        ID(self.entry.variant_id.to_string())
    }
    /// Its price in the list.
    async fn price(&self) -> Money {
        Money::new(&self.entry.amount, &self.currency)
    }
}

/// Pricing queries (admin only).
#[derive(Default)]
pub struct PricingQuery;

#[Object]
impl PricingQuery {
    /// Price lists by creation time.
    async fn price_lists(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> async_graphql::Result<Connection<String, PriceList, ConnectionTotal>> {
        listing_connection(ctx, Role::Admin, PageArgs { first, after, last, before }, data::PriceLists, |l| l).await
    }

    /// One price list, by `id` or `name`.
    async fn price_list(
        &self,
        ctx: &Context<'_>,
        id: Option<ID>,
        name: Option<String>,
    ) -> async_graphql::Result<Option<PriceList>> {
        let scope = caller_scope(ctx, Role::Admin)?;
        let (id, name) = match id_or_key(id.as_ref(), name.as_deref(), "name")? {
            RecordKey::Id(id) => (Some(id), None),
            RecordKey::Key(name) => (None, Some(name)),
        };
        data::by_key(&mut *scope.conn().await.gql()?, id, name.as_deref()).await.gql()
    }
}
