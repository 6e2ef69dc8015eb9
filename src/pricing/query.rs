use async_graphql::connection::Connection;
use async_graphql::{Context, ID, Object, SimpleObject};

use super::data;
use super::model::PriceList;
use crate::graphql::{ConnectionTotal, GqlResultExt, Money, PageArgs, caller_scope, listing_connection};
use crate::graphql::{RecordKey, id_or_key};
use crate::tenancy::Role;

#[async_graphql::ComplexObject]
impl PriceList {
    /// Its prices, by variant.
    async fn entries(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<PriceListEntryNode>> {
        let scope = caller_scope(ctx, Role::Admin)?;
        let entries = data::entries_of(&mut *scope.conn().await.gql()?, self.id).await.gql()?;
        Ok(entries
            .into_iter()
            .map(|entry| PriceListEntryNode {
                price_list_id: entry.price_list_id.into(),
                variant_id: entry.variant_id.into(),
                price: Money::new(&entry.amount, &self.currency),
            })
            .collect())
    }
}

/// One variant's price in a list.
#[derive(SimpleObject)]
#[graphql(name = "PriceListEntry")]
pub struct PriceListEntryNode {
    /// The list.
    price_list_id: ID,
    /// The variant priced.
    variant_id: ID,
    /// Its price in the list.
    price: Money,
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
