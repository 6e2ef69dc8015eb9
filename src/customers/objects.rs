//! The `Customer` GraphQL object, and what other domains use to show customers: a
//! batched lookup by id and the notes of an order.

use async_graphql::connection::Connection;
use async_graphql::{ComplexObject, Context};
use uuid::Uuid;

use super::loaders::ActivityPages;
use super::model::{Activity, AddressRow, Customer, NoteRow};
use crate::events::OrderFacts;
use crate::graphql::{ById, Children, GqlResultExt, caller_scope, child_connection, children_of, loader};
use crate::tenancy::Role;

/// The activity page size when `first` is left out.
pub(super) const DEFAULT_ACTIVITY_PAGE: i32 = 20;

#[ComplexObject]
impl Customer {
    /// Whether the customer's personal data has been removed.
    async fn anonymized(&self) -> bool {
        self.is_anonymized()
    }

    /// Saved addresses, oldest first.
    async fn addresses(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<AddressRow>> {
        addresses_of(ctx, self.id).await
    }

    /// The default shipping address, if any.
    async fn default_shipping_address(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<AddressRow>> {
        Ok(addresses_of(ctx, self.id).await?.into_iter().find(|a| a.is_default_shipping))
    }

    /// The default billing address, if any.
    async fn default_billing_address(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<AddressRow>> {
        Ok(addresses_of(ctx, self.id).await?.into_iter().find(|a| a.is_default_billing))
    }

    /// What happened to the customer, newest first: a forward connection (`first` at most
    /// the page-size cap, default 20; `after`).
    #[graphql(complexity = "first.max(0) as usize * child_complexity + 1")]
    async fn activity(
        &self,
        ctx: &Context<'_>,
        #[graphql(default_with = "DEFAULT_ACTIVITY_PAGE")] first: i32,
        after: Option<String>,
    ) -> async_graphql::Result<Connection<String, Activity>> {
        caller_scope(ctx, Role::Admin)?;
        let key = |row: &Activity| (row.created_at, row.id);
        child_connection(ctx, ActivityPages, self.id, first, after.as_deref(), key, std::convert::identity).await
    }

    /// Customer-service notes about the customer, newest first.
    async fn notes(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<NoteRow>> {
        caller_scope(ctx, Role::Admin)?;
        children_of::<Customer, NoteRow>(ctx, self.id).await
    }

    /// The customer's loyalty accounts (one, or one per store when the program keeps
    /// accounts per store), oldest first.
    async fn loyalty_accounts(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<crate::loyalty::LoyaltyAccount>> {
        crate::loyalty::accounts_of_customer(ctx, self.id).await
    }

    /// The customer's orders, newest first unless sorted otherwise (anonymized customers
    /// keep theirs). Each customer's orders are one statement: ask for them on one
    /// customer, or a small page.
    #[graphql(complexity = "first.or(last).unwrap_or(20).max(0) as usize * child_complexity + 1")]
    #[allow(clippy::too_many_arguments)]
    async fn orders(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        sort_by: Option<crate::orders::OrderSortInput>,
    ) -> async_graphql::Result<Connection<String, crate::orders::Order, crate::graphql::ConnectionTotal>> {
        let filter = crate::orders::OrderFilter { customer_id: Some(self.id), ..Default::default() };
        let args = crate::graphql::PageArgs { first, after, last, before };
        crate::orders::order_connection(ctx, filter, sort_by.unwrap_or_default(), args).await
    }
}

/// The saved addresses of a customer (admin only), through the request's loader.
async fn addresses_of(ctx: &Context<'_>, customer: Uuid) -> async_graphql::Result<Vec<AddressRow>> {
    caller_scope(ctx, Role::Admin)?;
    children_of::<Customer, AddressRow>(ctx, customer).await
}

/// Loads the customers with these ids, and the notes of these orders, into the request's
/// loaders at once, so the customers and notes of a page of orders cost one statement each
/// however busy the machine is (see `graphql::prime`).
pub async fn prime_for_orders(ctx: &Context<'_>, customers: &[Uuid], orders: &[Uuid]) -> async_graphql::Result<()> {
    caller_scope(ctx, Role::Admin)?;
    if !customers.is_empty() {
        crate::graphql::prime(ctx, ById::<Customer>::new, customers).await?;
    }
    if !orders.is_empty() {
        crate::graphql::prime(ctx, Children::<OrderFacts, NoteRow>::new, orders).await?;
    }
    Ok(())
}

/// The customer with this id (admin only), through the request's dataloader: the
/// customers of a page of orders cost one statement.
pub async fn customer_by_id(ctx: &Context<'_>, id: Uuid) -> async_graphql::Result<Option<Customer>> {
    caller_scope(ctx, Role::Admin)?;
    loader(ctx, ById::<Customer>::new)?.load_one(id).await.gql()
}

/// The customer-service notes about an order, newest first (admin only), through the
/// request's dataloader: the notes of a page of orders cost one statement.
pub async fn notes_of_order(ctx: &Context<'_>, order_id: Uuid) -> async_graphql::Result<Vec<NoteRow>> {
    caller_scope(ctx, Role::Admin)?;
    children_of::<OrderFacts, NoteRow>(ctx, order_id).await
}
