//! The GraphQL face of loyalty: the program and its tiers, accounts and their ledger.
//! A storefront sees the signed-in customer's own account (`myLoyaltyAccount`), without
//! the customer's profile or who made each move.

use std::sync::Arc;

use async_graphql::connection::Connection;
use async_graphql::{ComplexObject, Context, Object, SimpleObject};
use chrono::{DateTime, Utc};

use super::loaders::{Tiers, TransactionPages};
use super::model::{LoyaltyAccount, LoyaltyTransaction, ProgramRow, TierRow};
use super::rules;
use crate::graphql::{Decimal, GqlResultExt, RoleGuard, child_connection, loader};
use crate::stores::StoreById;
use crate::tenancy::Role;

/// The ledger page size when `first` is left out.
pub(super) const DEFAULT_TRANSACTION_PAGE: i32 = 20;

/// The program's tiers, lowest threshold first, through the request's loader.
pub(super) async fn tiers(ctx: &Context<'_>) -> async_graphql::Result<Arc<Vec<TierRow>>> {
    Ok(loader(ctx, Tiers)?.load_one(()).await.gql()?.unwrap_or_default())
}

/// A tier of the loyalty program: accounts whose lifetime points reach its threshold (and
/// not the next one) are in it.
#[derive(SimpleObject, Clone)]
pub struct LoyaltyTier {
    /// Its name, unique in the tenant.
    name: String,
    /// The lifetime points from which an account is in this tier.
    min_lifetime_points: crate::graphql::BigInt,
}

impl From<&TierRow> for LoyaltyTier {
    fn from(row: &TierRow) -> Self {
        Self { name: row.name.clone(), min_lifetime_points: crate::graphql::BigInt(row.min_lifetime_points) }
    }
}

/// The tenant's loyalty program.
pub struct LoyaltyProgram {
    pub(super) row: ProgramRow,
    pub(super) tiers: Vec<TierRow>,
}

/// The tenant's loyalty program: how orders earn points, what a point is worth, and the
/// tiers.
#[Object]
impl LoyaltyProgram {
    /// Whether paid orders accrue points and points can be redeemed.
    async fn active(&self) -> bool {
        self.row.active
    }
    /// Points earned per 1 unit of an order's currency: an order earns
    /// floor(total × pointsPerUnit), its total being after discounts.
    async fn points_per_unit(&self) -> Decimal {
        Decimal(self.row.points_per_unit.normalized())
    }
    /// The money value of one point, in the currency of the order it is redeemed on.
    async fn point_value(&self) -> Decimal {
        Decimal(self.row.point_value.normalized())
    }
    /// Whether each customer has one account per store (else one account in all stores).
    async fn accounts_per_store(&self) -> bool {
        self.row.accounts_per_store
    }
    /// The tiers, lowest threshold first.
    async fn tiers(&self) -> Vec<LoyaltyTier> {
        self.tiers.iter().map(LoyaltyTier::from).collect()
    }
    /// When the program was first set.
    async fn created_at(&self) -> DateTime<Utc> {
        self.row.created_at
    }
    /// When the program was last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.row.updated_at
    }
}

#[ComplexObject]
impl LoyaltyAccount {
    /// Whose account (admin only).
    #[graphql(guard = "RoleGuard(Role::Admin)")]
    async fn customer(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<crate::customers::Customer>> {
        crate::customers::customer_by_id(ctx, self.customer_id).await
    }

    /// The store, when the program keeps accounts per store.
    async fn store(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<crate::stores::Store>> {
        let Some(id) = self.store_id else { return Ok(None) };
        loader(ctx, StoreById)?.load_one(id).await.gql()
    }

    /// Points to spend.
    async fn balance(&self) -> crate::graphql::BigInt {
        crate::graphql::BigInt(self.balance)
    }

    /// Points accrued by orders, less accruals reversed by refunds and cancellations
    /// (adjustments and redemptions do not count). Decides the tier.
    async fn lifetime_points(&self) -> crate::graphql::BigInt {
        crate::graphql::BigInt(self.lifetime_points)
    }

    /// The highest tier whose threshold the lifetime points reach; null below the lowest.
    async fn tier(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<LoyaltyTier>> {
        Ok(rules::tier_of(&tiers(ctx).await?, self.lifetime_points).map(LoyaltyTier::from))
    }

    /// The tier above the current one; null at the top.
    async fn next_tier(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<LoyaltyTier>> {
        Ok(rules::next_tier(&tiers(ctx).await?, self.lifetime_points).map(LoyaltyTier::from))
    }

    /// The ledger, newest first: a forward connection (`first` at most the page-size cap,
    /// default 20; `after`).
    #[graphql(complexity = "first.max(0) as usize * child_complexity + 1")]
    async fn transactions(
        &self,
        ctx: &Context<'_>,
        #[graphql(default_with = "DEFAULT_TRANSACTION_PAGE")] first: i32,
        after: Option<String>,
    ) -> async_graphql::Result<Connection<String, LoyaltyTransaction>> {
        let key = |row: &LoyaltyTransaction| (row.created_at, row.id);
        child_connection(ctx, TransactionPages, self.id, first, after.as_deref(), key, std::convert::identity).await
    }
}

#[ComplexObject]
impl LoyaltyTransaction {
    /// What the balance moved by: positive for accruals, adjustments up and redemptions
    /// given back; negative for redemptions, adjustments down and accruals taken back
    /// (0 when the balance had nothing left to take back).
    async fn points(&self) -> crate::graphql::BigInt {
        crate::graphql::BigInt(self.points)
    }

    /// The order it belongs to, if any.
    async fn order(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<crate::orders::Order>> {
        match self.order_id {
            Some(id) => crate::orders::order_by_id(ctx, id).await,
            None => Ok(None),
        }
    }

    /// For a reversal the balance could not cover (the points were spent): the points
    /// that could not be taken back.
    async fn unrecovered_points(&self) -> crate::graphql::BigInt {
        crate::graphql::BigInt(self.unrecovered_points)
    }
}
