//! The `Customer` GraphQL object, and what other domains use to show customers: a
//! batched lookup by id and the notes of an order.

use async_graphql::connection::Connection;
use async_graphql::{Context, ID, Object};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::loaders::{ActivityPages, AddressesByCustomer, CustomerById, NotesByCustomer, NotesByOrder};
use super::model::Customer;
use super::objects::{CustomerActivity, CustomerAddress, ServiceNote};
use crate::graphql::{caller_scope, child_connection, internal_error, loader};
use crate::tenancy::Role;

/// The activity page size when `first` is left out.
pub(super) const DEFAULT_ACTIVITY_PAGE: i32 = 20;

#[Object]
impl Customer {
    /// Stable id (a UUID).
    async fn id(&self) -> ID {
        ID(self.id.to_string())
    }
    /// Email address, lower-cased; unique in the tenant. Null once anonymized.
    async fn email(&self) -> Option<&str> {
        self.email.as_deref()
    }
    /// Given name (may be empty).
    async fn first_name(&self) -> &str {
        &self.first_name
    }
    /// Family name (may be empty).
    async fn last_name(&self) -> &str {
        &self.last_name
    }
    /// Phone number.
    async fn phone(&self) -> Option<&str> {
        self.phone.as_deref()
    }
    /// The customer's subject in the external identity provider (OIDC `sub`).
    async fn auth_subject(&self) -> Option<&str> {
        self.auth_subject.as_deref()
    }
    /// Preferred BCP 47 locale.
    async fn locale(&self) -> Option<&str> {
        self.locale.as_deref()
    }
    /// Whether the customer agreed to marketing messages.
    async fn marketing_consent(&self) -> bool {
        self.marketing_consent
    }
    /// When marketing consent was last given or withdrawn.
    async fn marketing_consent_at(&self) -> Option<DateTime<Utc>> {
        self.marketing_consent_at
    }
    /// Free-form preferences (a JSON object).
    async fn preferences(&self) -> &serde_json::Value {
        &self.preferences
    }
    /// Whether the customer's personal data has been removed.
    async fn anonymized(&self) -> bool {
        self.is_anonymized()
    }
    /// When the customer was anonymized.
    async fn anonymized_at(&self) -> Option<DateTime<Utc>> {
        self.anonymized_at
    }
    /// When the customer was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.created_at
    }
    /// When the customer last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.updated_at
    }

    /// Saved addresses, oldest first.
    async fn addresses(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<CustomerAddress>> {
        Ok(addresses_of(ctx, self.id).await?.into_iter().map(CustomerAddress).collect())
    }

    /// The default shipping address, if any.
    async fn default_shipping_address(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<CustomerAddress>> {
        Ok(addresses_of(ctx, self.id).await?.into_iter().find(|a| a.is_default_shipping).map(CustomerAddress))
    }

    /// The default billing address, if any.
    async fn default_billing_address(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<CustomerAddress>> {
        Ok(addresses_of(ctx, self.id).await?.into_iter().find(|a| a.is_default_billing).map(CustomerAddress))
    }

    /// What happened to the customer, newest first: a forward connection (`first` at most
    /// the page-size cap, default 20; `after`).
    #[graphql(complexity = "first.max(0) as usize * child_complexity + 1")]
    async fn activity(
        &self,
        ctx: &Context<'_>,
        #[graphql(default_with = "DEFAULT_ACTIVITY_PAGE")] first: i32,
        after: Option<String>,
    ) -> async_graphql::Result<Connection<String, CustomerActivity>> {
        caller_scope(ctx, Role::Admin)?;
        let key = |row: &super::model::Activity| (row.created_at, row.id);
        child_connection(ctx, ActivityPages, self.id, first, after.as_deref(), key, CustomerActivity).await
    }

    /// Customer-service notes about the customer, newest first.
    async fn notes(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<ServiceNote>> {
        caller_scope(ctx, Role::Admin)?;
        let loader = loader(ctx, NotesByCustomer)?;
        let notes = loader.load_one(self.id).await.map_err(|e| internal_error(&e))?.unwrap_or_default();
        Ok(notes.into_iter().map(ServiceNote).collect())
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

async fn addresses_of(ctx: &Context<'_>, customer: Uuid) -> async_graphql::Result<Vec<super::model::AddressRow>> {
    caller_scope(ctx, Role::Admin)?;
    let loader = loader(ctx, AddressesByCustomer)?;
    Ok(loader.load_one(customer).await.map_err(|e| internal_error(&e))?.unwrap_or_default())
}

/// Loads the customers with these ids, and the notes of these orders, into the request's
/// loaders at once, so the customers and notes of a page of orders cost one statement each
/// however busy the machine is (see `graphql::prime`).
pub async fn prime_for_orders(ctx: &Context<'_>, customers: &[Uuid], orders: &[Uuid]) -> async_graphql::Result<()> {
    caller_scope(ctx, Role::Admin)?;
    if !customers.is_empty() {
        crate::graphql::prime(ctx, CustomerById, customers).await?;
    }
    if !orders.is_empty() {
        crate::graphql::prime(ctx, NotesByOrder, orders).await?;
    }
    Ok(())
}

/// The customer with this id (admin only), through the request's dataloader: the
/// customers of a page of orders cost one statement.
pub async fn customer_by_id(ctx: &Context<'_>, id: Uuid) -> async_graphql::Result<Option<Customer>> {
    caller_scope(ctx, Role::Admin)?;
    let loader = loader(ctx, CustomerById)?;
    loader.load_one(id).await.map_err(|e| internal_error(&e))
}

/// The customer-service notes about an order, newest first (admin only), through the
/// request's dataloader: the notes of a page of orders cost one statement.
pub async fn notes_of_order(ctx: &Context<'_>, order_id: Uuid) -> async_graphql::Result<Vec<ServiceNote>> {
    caller_scope(ctx, Role::Admin)?;
    let loader = loader(ctx, NotesByOrder)?;
    let notes = loader.load_one(order_id).await.map_err(|e| internal_error(&e))?.unwrap_or_default();
    Ok(notes.into_iter().map(ServiceNote).collect())
}
