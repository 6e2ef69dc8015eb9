//! The GraphQL objects of the royalty domain (admin only, like every field reaching them).

use async_graphql::{Context, ID, Object};
use chrono::{DateTime, Utc};

use super::model::{AllocationKind, AllocationRow, RoyaltyRateKind, RoyaltyScope, RuleRow, TotalRow};
use crate::graphql::{ById, Decimal, GqlResultExt, Money, caller_scope, loader};
use crate::tenancy::Role;

/// Who earns a royalty on which sales, and how much.
pub struct RoyaltyRule(pub(super) RuleRow);

#[Object]
impl RoyaltyRule {
    /// Stable id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// Display name, unique in the tenant.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// Who earns the royalty.
    async fn beneficiary(&self) -> &str {
        &self.0.beneficiary
    }

    /// What it covers (fixed when the rule is created).
    async fn scope(&self) -> RoyaltyScope {
        self.0.scope
    }

    /// The product it covers (PRODUCT scope).
    async fn product_id(&self) -> Option<ID> {
        self.0.product_id.map(|id| ID(id.to_string()))
    }

    /// The category whose subtree it covers (CATEGORY scope).
    async fn category_id(&self) -> Option<ID> {
        self.0.category_id.map(|id| ID(id.to_string()))
    }

    /// The attribute whose value it covers (ATTRIBUTE_VALUE scope).
    async fn attribute_id(&self) -> Option<ID> {
        self.0.attribute_id.map(|id| ID(id.to_string()))
    }

    /// The option value, or exact text, of the attribute (ATTRIBUTE_VALUE scope).
    async fn attribute_value(&self) -> Option<&str> {
        self.0.attribute_value.as_deref()
    }

    /// How the amount is computed.
    async fn rate_kind(&self) -> RoyaltyRateKind {
        self.0.rate_kind
    }

    /// Percent of the line's base (PERCENTAGE), or amount per unit in `currency`
    /// (FIXED_PER_UNIT).
    async fn rate(&self) -> Decimal {
        Decimal(self.0.rate.normalized())
    }

    /// The currency of a fixed rate; such a rule applies to orders in this currency only.
    async fn currency(&self) -> Option<&str> {
        self.0.currency.as_deref()
    }

    /// Whether it allocates on orders paid from now on.
    async fn active(&self) -> bool {
        self.0.active
    }

    /// When it was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// When it last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

/// One entry of the royalty ledger: a sale a rule earned on an order line when the order
/// was paid, or a reversal taking part of it back when the order was refunded or
/// cancelled.
pub struct RoyaltyAllocation(pub(super) AllocationRow);

#[Object]
impl RoyaltyAllocation {
    /// Stable id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// Sale or reversal.
    async fn kind(&self) -> AllocationKind {
        self.0.kind
    }

    /// Who earns it (the rule's beneficiary when the sale was allocated).
    async fn beneficiary(&self) -> &str {
        &self.0.beneficiary
    }

    /// The rule it was computed by, as the rule is now.
    async fn rule(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<RoyaltyRule>> {
        caller_scope(ctx, Role::Admin)?;
        let rule = loader(ctx, ById::<RuleRow>::new)?.load_one(self.0.rule_id).await.gql()?;
        Ok(rule.map(RoyaltyRule))
    }

    /// The order.
    async fn order(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<crate::orders::Order>> {
        caller_scope(ctx, Role::Admin)?;
        crate::orders::order_by_id(ctx, self.0.order_id).await
    }

    /// The order's id.
    async fn order_id(&self) -> ID {
        ID(self.0.order_id.to_string())
    }

    /// The order line it was computed on (`Order.items`).
    async fn order_item_id(&self) -> ID {
        ID(self.0.order_item_id.to_string())
    }

    /// For a reversal: the sale it takes back from.
    async fn sale_id(&self) -> Option<ID> {
        self.0.sale_id.map(|id| ID(id.to_string()))
    }

    /// What was paid for the line: its total less its discounts (a reversal repeats its
    /// sale's).
    async fn base(&self) -> Money {
        Money::new(&self.0.base_amount, &self.0.currency)
    }

    /// Units on the line.
    async fn quantity(&self) -> i32 {
        self.0.quantity
    }

    /// The rule's rate kind when the sale was allocated.
    async fn rate_kind(&self) -> RoyaltyRateKind {
        self.0.rate_kind
    }

    /// The rule's rate when the sale was allocated.
    async fn rate(&self) -> Decimal {
        Decimal(self.0.rate.normalized())
    }

    /// The amount, in the order's currency: positive for a sale, negative for a reversal.
    async fn amount(&self) -> Money {
        Money::new(&self.0.amount, &self.0.currency)
    }

    /// When it was recorded (the payment, refund or cancellation).
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// A beneficiary's royalties in one currency over a period.
pub struct RoyaltyTotal(pub(super) TotalRow);

#[Object]
impl RoyaltyTotal {
    /// Who.
    async fn beneficiary(&self) -> &str {
        &self.0.beneficiary
    }

    /// The currency of every amount here.
    async fn currency(&self) -> &str {
        &self.0.currency
    }

    /// Sum of the sales recorded in the period.
    async fn sales(&self) -> Money {
        Money::new(&self.0.sales, &self.0.currency)
    }

    /// Sum of the reversals recorded in the period (zero or negative).
    async fn reversals(&self) -> Money {
        Money::new(&self.0.reversals, &self.0.currency)
    }

    /// Sales plus reversals: what the beneficiary earned in the period.
    async fn net(&self) -> Money {
        Money::new(&(&self.0.sales + &self.0.reversals), &self.0.currency)
    }

    /// How many allocations (sales and reversals) the sums cover.
    async fn allocation_count(&self) -> crate::graphql::BigInt {
        crate::graphql::BigInt(self.0.count)
    }
}
