//! The rows of the royalty tables and the closed sets they use.

use bigdecimal::BigDecimal;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use crate::db::schema::{royalty_allocations, royalty_rules};

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

/// A row of `royalty_rules`.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = royalty_rules)]
#[diesel(check_for_backend(diesel::pg::Pg))]
pub struct RuleRow {
    /// Stable id.
    pub id: Uuid,
    /// Display name, unique in the tenant (case-insensitively).
    pub name: String,
    /// Who earns the royalty.
    pub beneficiary: String,
    /// What it covers.
    pub scope: RoyaltyScope,
    /// The product (PRODUCT scope).
    pub product_id: Option<Uuid>,
    /// The category at the top of the subtree (CATEGORY scope).
    pub category_id: Option<Uuid>,
    /// The attribute (ATTRIBUTE_VALUE scope).
    pub attribute_id: Option<Uuid>,
    /// The option value or exact text of the attribute (ATTRIBUTE_VALUE scope).
    pub attribute_value: Option<String>,
    /// How the amount is computed.
    pub rate_kind: RoyaltyRateKind,
    /// Percent, or amount per unit.
    pub rate: BigDecimal,
    /// The currency of a fixed rate.
    pub currency: Option<String>,
    /// Whether it allocates on orders paid from now on.
    pub active: bool,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

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

/// A row of `royalty_allocations`.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = royalty_allocations)]
#[diesel(check_for_backend(diesel::pg::Pg))]
pub struct AllocationRow {
    /// Stable id.
    pub id: Uuid,
    /// The rule it was computed by.
    pub rule_id: Uuid,
    /// The order.
    pub order_id: Uuid,
    /// The order's line.
    pub order_item_id: Uuid,
    /// For a reversal, the sale it takes back from.
    pub sale_id: Option<Uuid>,
    /// Who earns it (the rule's beneficiary when the sale was allocated).
    pub beneficiary: String,
    /// Sale or reversal.
    pub kind: AllocationKind,
    /// What was paid for the line: its total less its discounts.
    pub base_amount: BigDecimal,
    /// Units on the line.
    pub quantity: i32,
    /// The rule's rate kind when the sale was allocated.
    pub rate_kind: RoyaltyRateKind,
    /// The rule's rate when the sale was allocated.
    pub rate: BigDecimal,
    /// Signed amount: positive for a sale, negative for a reversal.
    pub amount: BigDecimal,
    /// The order's currency.
    pub currency: String,
    /// When it was recorded.
    pub created_at: DateTime<Utc>,
}

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

/// The sums of one beneficiary's allocations in one currency.
#[derive(Debug, Clone, Queryable)]
pub struct TotalRow {
    /// Who.
    pub beneficiary: String,
    /// In which currency.
    pub currency: String,
    /// Sum of the sales.
    pub sales: BigDecimal,
    /// Sum of the reversals (zero or negative).
    pub reversals: BigDecimal,
    /// How many allocations (sales and reversals).
    pub count: i64,
}
