//! The computed fields of the royalty objects (admin only, like every field reaching
//! them); their plain fields are the rows' own (`model`).

use async_graphql::{ComplexObject, Context};

use super::model::{RoyaltyAllocation, RoyaltyRule, RoyaltyTotal};
use crate::graphql::{ById, Decimal, GqlResultExt, Money, caller_scope, loader};
use crate::tenancy::Role;

#[ComplexObject]
impl RoyaltyRule {
    /// Percent of the line's base (PERCENTAGE), or amount per unit in `currency`
    /// (FIXED_PER_UNIT).
    async fn rate(&self) -> Decimal {
        Decimal(self.rate.normalized())
    }
}

#[ComplexObject]
impl RoyaltyAllocation {
    /// The rule it was computed by, as the rule is now.
    async fn rule(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<RoyaltyRule>> {
        caller_scope(ctx, Role::Admin)?;
        loader(ctx, ById::<RoyaltyRule>::new)?.load_one(self.rule_id).await.gql()
    }

    /// The order.
    async fn order(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<crate::orders::Order>> {
        caller_scope(ctx, Role::Admin)?;
        crate::orders::order_by_id(ctx, self.order_id).await
    }

    /// What was paid for the line: its total less its discounts (a reversal repeats its
    /// sale's).
    async fn base(&self) -> Money {
        Money::new(&self.base_amount, &self.currency)
    }

    /// The rule's rate when the sale was allocated.
    async fn rate(&self) -> Decimal {
        Decimal(self.rate.normalized())
    }

    /// The amount, in the order's currency: positive for a sale, negative for a reversal.
    async fn amount(&self) -> Money {
        Money::new(&self.amount, &self.currency)
    }
}

#[ComplexObject]
impl RoyaltyTotal {
    /// Sum of the sales recorded in the period.
    async fn sales(&self) -> Money {
        Money::new(&self.sales, &self.currency)
    }

    /// Sum of the reversals recorded in the period (zero or negative).
    async fn reversals(&self) -> Money {
        Money::new(&self.reversals, &self.currency)
    }

    /// Sales plus reversals: what the beneficiary earned in the period.
    async fn net(&self) -> Money {
        Money::new(&(&self.sales + &self.reversals), &self.currency)
    }

    /// How many allocations (sales and reversals) the sums cover.
    async fn allocation_count(&self) -> crate::graphql::BigInt {
        crate::graphql::BigInt(self.count)
    }
}
