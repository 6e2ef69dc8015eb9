//! Loyalty queries: the program, accounts (admin), and the signed-in customer's own
//! account (storefront, with `X-Customer-Token`). Also what other domains use to show
//! loyalty next to their own objects.

use async_graphql::connection::Connection;
use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use uuid::Uuid;

use super::data::{self, AccountFilter};
use super::loaders::TransactionPages;
use super::model::{LoyaltyAccount, LoyaltyTransaction};
use super::objects::{DEFAULT_TRANSACTION_PAGE, LoyaltyProgram, tiers};
use super::rules;
use crate::customers::Customer;
use crate::db::Listing;
use crate::events::OrderFacts;
use crate::graphql::{
    Children, ConnectionTotal, GqlResultExt, Limits, PageArgs, caller_scope, children_of, coded_error, finish_listing,
    node_selected, parse_id, prime, selected_child_pages,
};
use crate::stores::StoreById;
use crate::tenancy::Role;

/// Narrows the account listing.
#[derive(InputObject, Default)]
pub struct LoyaltyAccountFilter {
    /// Only accounts in the tier with this name (compared case-insensitively); an unknown
    /// tier matches nothing.
    tier: Option<String>,
    /// Only accounts holding at least this many points.
    min_balance: Option<crate::graphql::BigInt>,
}

/// Loads, for a page of accounts, the nested lists the selection asks for (under
/// `edges.node` or `nodes`), one statement per kind, before the per-account resolvers ask.
async fn prime_nested_lists(ctx: &Context<'_>, accounts: &[LoyaltyAccount]) -> async_graphql::Result<()> {
    if accounts.is_empty() {
        return Ok(());
    }
    let stores: Vec<Uuid> = accounts.iter().filter_map(|a| a.store_id).collect();
    if node_selected(ctx, &["store"]) && !stores.is_empty() {
        prime(ctx, StoreById, &stores).await?;
    }
    if node_selected(ctx, &["customer"]) {
        let customers: Vec<Uuid> = accounts.iter().map(|a| a.customer_id).collect();
        crate::customers::prime_for_orders(ctx, &customers, &[]).await?;
    }
    let ids: Vec<Uuid> = accounts.iter().map(|a| a.id).collect();
    for (field, keys) in selected_child_pages(ctx, "transactions", DEFAULT_TRANSACTION_PAGE, &ids)? {
        let pages = prime(ctx, TransactionPages, &keys).await?;
        let selects_order = field.selection_set().filter(|f| f.name() == "edges").any(|edges| {
            edges
                .selection_set()
                .filter(|f| f.name() == "node")
                .any(|node| node.selection_set().any(|f| f.name() == "order"))
        });
        let mut orders: Vec<Uuid> = pages.values().flatten().filter_map(|t| t.order_id).collect();
        orders.sort_unstable();
        orders.dedup();
        if selects_order && !orders.is_empty() {
            crate::orders::prime_orders(ctx, &orders).await?;
        }
    }
    Ok(())
}

/// The store id an account key names: `store` (a store id) when given.
fn store_arg(store_id: Option<&ID>) -> async_graphql::Result<Option<Uuid>> {
    store_id.map(parse_id).transpose()
}

/// Loyalty queries.
#[derive(Default)]
pub struct LoyaltyQuery;

#[Object]
impl LoyaltyQuery {
    /// The tenant's loyalty program; null until `loyaltyProgramSet` made one (admin).
    async fn loyalty_program(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<LoyaltyProgram>> {
        let scope = caller_scope(ctx, Role::Admin)?;
        let mut conn = scope.conn().await.gql()?;
        let Some(row) = data::program(&mut conn).await.gql()? else { return Ok(None) };
        let tiers = data::tiers(&mut conn).await.gql()?;
        Ok(Some(LoyaltyProgram { row, tiers }))
    }

    /// A customer's account (admin): the one in `storeId` when the program keeps accounts
    /// per store, else the one without a store (leave `storeId` out). Null when the
    /// customer has none yet.
    async fn loyalty_account(
        &self,
        ctx: &Context<'_>,
        customer_id: ID,
        store_id: Option<ID>,
    ) -> async_graphql::Result<Option<LoyaltyAccount>> {
        let scope = caller_scope(ctx, Role::Admin)?;
        let customer = parse_id(&customer_id)?;
        let store = store_arg(store_id.as_ref())?;
        data::account(&mut *scope.conn().await.gql()?, customer, store).await.gql()
    }

    /// Every loyalty account (admin), oldest first, filtered by tier and balance.
    #[graphql(complexity = "first.or(last).unwrap_or(20).max(0) as usize * child_complexity + 1")]
    async fn loyalty_accounts(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<LoyaltyAccountFilter>,
    ) -> async_graphql::Result<Connection<String, LoyaltyAccount, ConnectionTotal>> {
        let scope = caller_scope(ctx, Role::Admin)?;
        let input = filter.unwrap_or_default();
        let mut filter = AccountFilter { min_balance: input.min_balance.map(|b| b.0), ..Default::default() };
        if let Some(name) = &input.tier {
            match rules::tier_range(&tiers(ctx).await?, name) {
                Some((from, until)) => {
                    filter.lifetime_from = Some(from);
                    filter.lifetime_until = until;
                }
                None => filter.nothing = true,
            }
        }
        let page = PageArgs { first, after, last, before }.page(ctx.data::<Limits>()?, &filter.keyset())?;
        let rows = filter.page(&mut *scope.conn().await.gql()?, &page).await.gql()?;
        prime_nested_lists(ctx, &rows).await?;
        Ok(finish_listing(&scope, rows, &page, filter, std::convert::identity))
    }

    /// The signed-in customer's own account (storefront, with `X-Customer-Token`): in the
    /// store named by `store` or the request (`X-Store`) when the program keeps accounts
    /// per store. Null when the customer has none yet. Without a customer token:
    /// UNAUTHENTICATED.
    async fn my_loyalty_account(
        &self,
        ctx: &Context<'_>,
        store: Option<String>,
    ) -> async_graphql::Result<Option<LoyaltyAccount>> {
        let scope = caller_scope(ctx, Role::Storefront)?;
        let Some(customer) = crate::customers::signed_in_customer(&scope).await? else {
            return Err(coded_error(
                "UNAUTHENTICATED",
                "myLoyaltyAccount needs the signed-in customer: send X-Customer-Token",
            ));
        };
        let mut conn = scope.conn().await.gql()?;
        let per_store = data::program(&mut conn).await.gql()?.is_some_and(|p| p.accounts_per_store);
        let store_id = if per_store {
            match crate::stores::resolve_store(&mut conn, &scope, store.as_deref()).await {
                Ok(Some(store)) => Some(store.id),
                Ok(None) => {
                    return Err(coded_error(
                        "BAD_USER_INPUT",
                        "loyalty accounts are per store: name the store (store: or X-Store)",
                    ));
                }
                Err(e) => return Err(e.into_error()),
            }
        } else {
            None
        };
        data::account(&mut conn, customer, store_id).await.gql()
    }
}

/// A customer's loyalty accounts (admin), oldest first, through the request's loader:
/// the accounts of a page of customers cost one statement.
pub async fn accounts_of_customer(ctx: &Context<'_>, customer: Uuid) -> async_graphql::Result<Vec<LoyaltyAccount>> {
    caller_scope(ctx, Role::Admin)?;
    children_of::<Customer, LoyaltyAccount>(ctx, customer).await
}

/// Loads the loyalty accounts of these customers into the request's loader at once (a
/// page of customers; see `graphql::prime`).
pub async fn prime_accounts_of_customers(ctx: &Context<'_>, customers: &[Uuid]) -> async_graphql::Result<()> {
    caller_scope(ctx, Role::Admin)?;
    prime(ctx, Children::<Customer, LoyaltyAccount>::new, customers).await.map(drop)
}

/// What an order did to loyalty points.
#[derive(SimpleObject, Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OrderPoints {
    /// Points the order earns now: its accrual less what refunds and cancellation took
    /// back (including points that could not be recovered).
    pub earned: crate::graphql::BigInt,
    /// Points the order redeemed and did not give back.
    pub redeemed: crate::graphql::BigInt,
}

/// The points an order earned and redeemed, through the request's loader (a page of
/// orders costs one statement). Callers decide who may see them.
pub async fn order_points(ctx: &Context<'_>, order: Uuid) -> async_graphql::Result<OrderPoints> {
    let rows = children_of::<OrderFacts, LoyaltyTransaction>(ctx, order).await?;
    let (earned, redeemed) = rules::order_points(&rows);
    Ok(OrderPoints { earned: crate::graphql::BigInt(earned), redeemed: crate::graphql::BigInt(redeemed) })
}

/// Loads the ledger rows of these orders into the request's loader at once, so
/// [`order_points`] on a page of orders costs one statement however busy the machine is.
pub async fn prime_points_of_orders(ctx: &Context<'_>, orders: &[Uuid]) -> async_graphql::Result<()> {
    prime(ctx, Children::<OrderFacts, LoyaltyTransaction>::new, orders).await.map(drop)
}
