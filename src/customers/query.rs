//! Customer queries (admin only): one customer by id or email, and the listing with its
//! filters, sorts and keyset pages.

use async_graphql::connection::Connection;
use async_graphql::{Context, ID, InputObject, Object};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::data;
use super::listing::{CustomerFilter, CustomerListing, CustomerSortField, Sort};
use super::loaders::ActivityPages;
use super::model::{AddressRow, Customer, NoteRow};
use super::objects::DEFAULT_ACTIVITY_PAGE;
use crate::catalog::SortDirection;
use crate::db::Listing;
use crate::graphql::{
    Children, ConnectionTotal, GqlResultExt, Limits, PageArgs, RecordKey, caller_scope, finish_listing, id_or_key,
    node_selected, prime, selected_child_pages,
};
use crate::tenancy::Role;

/// Narrows a customer listing.
#[derive(InputObject, Default)]
pub struct CustomerFilterInput {
    /// Case-insensitive text in the given name, family name, full name or email.
    search: Option<String>,
    /// Only the customer with this email (compared case-insensitively).
    email: Option<String>,
    /// Only customers who agreed (true) or did not agree (false) to marketing.
    marketing_consent: Option<bool>,
    /// Created at or after this moment.
    created_after: Option<DateTime<Utc>>,
    /// Created before this moment.
    created_before: Option<DateTime<Utc>>,
    /// Anonymized customers too (left out by default).
    #[graphql(default)]
    include_anonymized: bool,
}

/// How to sort a customer listing.
#[derive(InputObject, Default)]
pub struct CustomerSortInput {
    /// By what.
    field: CustomerSortField,
    /// Which way.
    #[graphql(default)]
    direction: SortDirection,
}

/// Loads the nested lists of a whole page of customers at once, if the selection asks
/// for them (under `edges.node` or `nodes`), so their resolvers find them cached.
async fn prime_nested_lists(ctx: &Context<'_>, customers: &[Customer]) -> async_graphql::Result<()> {
    if customers.is_empty() {
        return Ok(());
    }
    let ids: Vec<Uuid> = customers.iter().map(|c| c.id).collect();
    if ["addresses", "defaultShippingAddress", "defaultBillingAddress"].iter().any(|f| node_selected(ctx, &[f])) {
        prime(ctx, Children::<Customer, AddressRow>::new, &ids).await?;
    }
    if node_selected(ctx, &["notes"]) {
        prime(ctx, Children::<Customer, NoteRow>::new, &ids).await?;
    }
    if node_selected(ctx, &["loyaltyAccounts"]) {
        crate::loyalty::prime_accounts_of_customers(ctx, &ids).await?;
    }
    for (_, keys) in selected_child_pages(ctx, "activity", DEFAULT_ACTIVITY_PAGE, &ids)? {
        prime(ctx, ActivityPages, &keys).await?;
    }
    Ok(())
}

/// Customer queries (admin only).
#[derive(Default)]
pub struct CustomerQuery;

#[Object]
impl CustomerQuery {
    /// Customers, filtered and sorted (by creation time unless `sortBy` says otherwise).
    /// Anonymized customers are left out unless `filter.includeAnonymized`.
    #[graphql(complexity = "first.or(last).unwrap_or(20).max(0) as usize * child_complexity + 1")]
    #[allow(clippy::too_many_arguments)]
    async fn customers(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<CustomerFilterInput>,
        sort_by: Option<CustomerSortInput>,
    ) -> async_graphql::Result<Connection<String, Customer, ConnectionTotal>> {
        let scope = caller_scope(ctx, Role::Admin)?;
        let sort = sort_by.map_or_else(Sort::default, |s| Sort { field: s.field, direction: s.direction });
        let input = filter.unwrap_or_default();
        let search = crate::graphql::validate::search_arg(input.search)?;
        let filter = CustomerFilter {
            search,
            email: input.email.map(|e| e.trim().to_lowercase()),
            marketing_consent: input.marketing_consent,
            created_after: crate::graphql::validate::timestamp_arg("createdAfter", input.created_after)?,
            created_before: crate::graphql::validate::timestamp_arg("createdBefore", input.created_before)?,
            include_anonymized: input.include_anonymized,
        };
        let listing = CustomerListing { filter, sort };
        let page = PageArgs { first, after, last, before }.page(ctx.data::<Limits>()?, &listing.keyset())?;
        let rows = listing.page(&mut *scope.conn().await.gql()?, &page).await.gql()?;
        let shown: Vec<Customer> = rows.iter().map(|row| row.0.clone()).collect();
        prime_nested_lists(ctx, &shown).await?;
        Ok(finish_listing(&scope, rows, &page, listing, |row| row.0))
    }

    /// One customer, by `id` or `email` (compared case-insensitively). Anonymized
    /// customers are found by id only.
    async fn customer(
        &self,
        ctx: &Context<'_>,
        id: Option<ID>,
        email: Option<String>,
    ) -> async_graphql::Result<Option<Customer>> {
        let scope = caller_scope(ctx, Role::Admin)?;
        let mut conn = scope.conn().await.gql()?;
        match id_or_key(id.as_ref(), email.as_deref(), "email")? {
            RecordKey::Id(id) => data::by_id(&mut conn, id).await.gql(),
            RecordKey::Key(email) => data::by_email(&mut conn, &email.to_lowercase()).await.gql(),
        }
    }
}
