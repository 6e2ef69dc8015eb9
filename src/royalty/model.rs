//! The rows of the royalty tables and the closed sets they use.

use async_graphql::{ID, SimpleObject};
use bigdecimal::BigDecimal;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use crate::db::schema::{royalty_allocations, royalty_rules};
use crate::graphql::opt_id;

crate::text_enum! {
    /// What a royalty rule covers.
    #[derive(async_graphql::Enum)]
    pub enum RoyaltyScope {
        /// One product (every variant of it).
        Product = "product",
        /// The products in a category or in any category below it.
        Category = "category",
        /// The products (or variants) with an attribute value, such as a brand.
        AttributeValue = "attribute_value",
    }
}

crate::text_enum! {
    /// How a royalty rule computes its amount.
    #[derive(async_graphql::Enum)]
    pub enum RoyaltyRateKind {
        /// A percentage of what was paid for the line (its total less its discounts).
        Percentage = "percentage",
        /// A fixed amount per unit sold, in the rule's currency.
        FixedPerUnit = "fixed_per_unit",
    }
}

crate::text_enum! {
    /// What an allocation records.
    #[derive(async_graphql::Enum)]
    #[graphql(name = "RoyaltyAllocationKind")]
    pub enum AllocationKind {
        /// Earned when the order was paid (positive).
        Sale = "sale",
        /// Taken back from a sale when the order was refunded or cancelled (negative).
        Reversal = "reversal",
    }
}

// The row behind `RoyaltyRule`. (No doc comment: it would describe the GraphQL type.)
#[derive(Debug, Clone, Queryable, Selectable, SimpleObject)]
#[diesel(table_name = royalty_rules)]
#[diesel(check_for_backend(diesel::pg::Pg))]
#[graphql(name = "RoyaltyRule", complex)]
pub struct RuleRow {
    /// Stable id.
    #[graphql(skip, derived(name = "id", into = "ID", owned))]
    pub id: Uuid,
    /// Display name, unique in the tenant.
    pub name: String,
    /// Who earns the royalty.
    pub beneficiary: String,
    /// What it covers (fixed when the rule is created).
    pub scope: RoyaltyScope,
    /// The product it covers (PRODUCT scope).
    #[graphql(skip, derived(name = "product_id", into = "Option<ID>", owned, with = "opt_id"))]
    pub product_id: Option<Uuid>,
    /// The category whose subtree it covers (CATEGORY scope).
    #[graphql(skip, derived(name = "category_id", into = "Option<ID>", owned, with = "opt_id"))]
    pub category_id: Option<Uuid>,
    /// The attribute whose value it covers (ATTRIBUTE_VALUE scope).
    #[graphql(skip, derived(name = "attribute_id", into = "Option<ID>", owned, with = "opt_id"))]
    pub attribute_id: Option<Uuid>,
    /// The option value, or exact text, of the attribute (ATTRIBUTE_VALUE scope).
    pub attribute_value: Option<String>,
    /// How the amount is computed.
    pub rate_kind: RoyaltyRateKind,
    /// Percent, or amount per unit (shown by the `rate` resolver).
    #[graphql(skip)]
    pub rate: BigDecimal,
    /// The currency of a fixed rate; such a rule applies to orders in this currency only.
    pub currency: Option<String>,
    /// Whether it allocates on orders paid from now on.
    pub active: bool,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

/// Who earns a royalty on which sales, and how much: a row of `royalty_rules`.
pub type RoyaltyRule = RuleRow;

/// The columns of a new rule.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = royalty_rules)]
pub struct NewRule {
    pub name: String,
    pub beneficiary: String,
    pub scope: RoyaltyScope,
    pub product_id: Option<Uuid>,
    pub category_id: Option<Uuid>,
    pub attribute_id: Option<Uuid>,
    pub attribute_value: Option<String>,
    pub rate_kind: RoyaltyRateKind,
    pub rate: BigDecimal,
    pub currency: Option<String>,
    pub active: bool,
}

/// The columns a rule update writes: the rule's terms as they are after the update
/// (the scope never changes).
#[derive(Debug, Clone, AsChangeset)]
#[diesel(table_name = royalty_rules)]
#[diesel(treat_none_as_null = true)]
pub struct RuleTerms {
    pub name: String,
    pub beneficiary: String,
    pub rate_kind: RoyaltyRateKind,
    pub rate: BigDecimal,
    pub currency: Option<String>,
    pub active: bool,
}

// The row behind `RoyaltyAllocation`. (No doc comment: it would describe the GraphQL type.)
#[derive(Debug, Clone, Queryable, Selectable, SimpleObject)]
#[diesel(table_name = royalty_allocations)]
#[diesel(check_for_backend(diesel::pg::Pg))]
#[graphql(name = "RoyaltyAllocation", complex)]
pub struct AllocationRow {
    /// Stable id.
    #[graphql(skip, derived(name = "id", into = "ID", owned))]
    pub id: Uuid,
    /// The rule it was computed by (shown by the `rule` resolver).
    #[graphql(skip)]
    pub rule_id: Uuid,
    /// The order's id.
    #[graphql(skip, derived(name = "order_id", into = "ID", owned))]
    pub order_id: Uuid,
    /// The order line it was computed on (`Order.items`).
    #[graphql(skip, derived(name = "order_item_id", into = "ID", owned))]
    pub order_item_id: Uuid,
    /// For a reversal: the sale it takes back from.
    #[graphql(skip, derived(name = "sale_id", into = "Option<ID>", owned, with = "opt_id"))]
    pub sale_id: Option<Uuid>,
    /// Who earns it (the rule's beneficiary when the sale was allocated).
    pub beneficiary: String,
    /// Sale or reversal.
    pub kind: AllocationKind,
    /// What was paid for the line: its total less its discounts (shown as `base`).
    #[graphql(skip)]
    pub base_amount: BigDecimal,
    /// Units on the line.
    pub quantity: i32,
    /// The rule's rate kind when the sale was allocated.
    pub rate_kind: RoyaltyRateKind,
    /// The rule's rate when the sale was allocated (shown by the `rate` resolver).
    #[graphql(skip)]
    pub rate: BigDecimal,
    /// Signed amount: positive for a sale, negative for a reversal (shown with its
    /// currency by the `amount` resolver).
    #[graphql(skip)]
    pub amount: BigDecimal,
    /// The order's currency.
    #[graphql(skip)]
    pub currency: String,
    /// When it was recorded (the payment, refund or cancellation).
    pub created_at: DateTime<Utc>,
}

/// One entry of the royalty ledger: a sale a rule earned on an order line when the order
/// was paid, or a reversal taking part of it back when the order was refunded or
/// cancelled; a row of `royalty_allocations`.
pub type RoyaltyAllocation = AllocationRow;

/// The columns of a new allocation.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = royalty_allocations)]
pub struct NewAllocation {
    pub rule_id: Uuid,
    pub order_id: Uuid,
    pub order_item_id: Uuid,
    pub sale_id: Option<Uuid>,
    pub beneficiary: String,
    pub kind: AllocationKind,
    pub base_amount: BigDecimal,
    pub quantity: i32,
    pub rate_kind: RoyaltyRateKind,
    pub rate: BigDecimal,
    pub amount: BigDecimal,
    pub currency: String,
}

// The row behind `RoyaltyTotal`. (No doc comment: it would describe the GraphQL type.)
#[derive(Debug, Clone, Queryable, SimpleObject)]
#[graphql(name = "RoyaltyTotal", complex)]
pub struct TotalRow {
    /// Who.
    pub beneficiary: String,
    /// The currency of every amount here.
    pub currency: String,
    /// Sum of the sales.
    #[graphql(skip)]
    pub sales: BigDecimal,
    /// Sum of the reversals (zero or negative).
    #[graphql(skip)]
    pub reversals: BigDecimal,
    /// How many allocations (sales and reversals).
    #[graphql(skip)]
    pub count: i64,
}

/// A beneficiary's royalties in one currency over a period: the sums of their
/// allocations.
pub type RoyaltyTotal = TotalRow;
