//! The rows of the loyalty tables and the closed set of ledger kinds.

use bigdecimal::BigDecimal;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use crate::db::schema::{loyalty_accounts, loyalty_programs, loyalty_tiers, loyalty_transactions};

crate::text_enum! {
    /// What moved a loyalty account's balance.
    #[derive(async_graphql::Enum)]
    #[graphql(name = "LoyaltyTransactionKind")]
    pub enum TransactionKind {
        /// Points earned by an order that was paid.
        Accrual = "accrual",
        /// Points spent as a discount on an order.
        Redemption = "redemption",
        /// Points given or taken by staff, with a reason.
        Adjustment = "adjustment",
        /// An accrual taken back (refund, cancellation) or a redemption given back.
        Reversal = "reversal",
    }
}

/// The tenant's loyalty program (one row at most).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = loyalty_programs)]
#[diesel(check_for_backend(diesel::pg::Pg))]
pub struct ProgramRow {
    /// Whether orders accrue points and points can be redeemed.
    pub active: bool,
    /// Points per unit of the order's currency.
    pub points_per_unit: BigDecimal,
    /// The money value of one point.
    pub point_value: BigDecimal,
    /// One account per customer and store.
    pub accounts_per_store: bool,
    /// When it was first set.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

impl ProgramRow {
    /// The store part of an account's key under this program: the store when accounts are
    /// per store, else none.
    pub fn account_store(&self, store: Option<Uuid>) -> Option<Uuid> {
        if self.accounts_per_store { store } else { None }
    }
}

/// A tier of the program.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = loyalty_tiers)]
#[diesel(check_for_backend(diesel::pg::Pg))]
pub struct TierRow {
    /// Its name, unique in the tenant (case-insensitively).
    pub name: String,
    /// The lifetime points from which an account is in this tier.
    pub min_lifetime_points: i64,
}

/// A loyalty account.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = loyalty_accounts)]
#[diesel(check_for_backend(diesel::pg::Pg))]
pub struct AccountRow {
    /// Stable id.
    pub id: Uuid,
    /// Whose account.
    pub customer_id: Uuid,
    /// The store, when the program keeps accounts per store.
    pub store_id: Option<Uuid>,
    /// Points to spend: the sum of the account's ledger, never negative.
    pub balance: i64,
    /// Points accrued less accruals reversed.
    pub lifetime_points: i64,
    /// When it was opened (on first use).
    pub created_at: DateTime<Utc>,
    /// When its balance last moved.
    pub updated_at: DateTime<Utc>,
}

/// A row of the ledger.
#[derive(Debug, Clone, Queryable, Selectable, QueryableByName)]
#[diesel(table_name = loyalty_transactions)]
#[diesel(check_for_backend(diesel::pg::Pg))]
pub struct TransactionRow {
    /// Stable id.
    pub id: Uuid,
    /// The account it moved.
    pub account_id: Uuid,
    /// What kind of move.
    pub kind: TransactionKind,
    /// What the balance moved by (signed; zero for a reversal that recovered nothing).
    pub points: i64,
    /// The order it belongs to, if any.
    pub order_id: Option<Uuid>,
    /// For a reversal: the accrual or redemption it reverses.
    pub reverses_id: Option<Uuid>,
    /// For an accrual: the points per unit it was earned at.
    pub points_per_unit: Option<BigDecimal>,
    /// Why (adjustments; reversals say what caused them).
    pub reason: Option<String>,
    /// Who: `staff:<id>`, `admin`, `storefront`, `system`.
    pub actor: String,
    /// For a reversal the balance could not cover: the points not taken back.
    pub unrecovered_points: i64,
    /// When.
    pub created_at: DateTime<Utc>,
}

/// The columns of a new ledger row.
#[derive(Debug, Insertable)]
#[diesel(table_name = loyalty_transactions)]
pub struct NewTransaction<'a> {
    pub account_id: Uuid,
    pub kind: TransactionKind,
    pub points: i64,
    pub order_id: Option<Uuid>,
    pub reverses_id: Option<Uuid>,
    pub points_per_unit: Option<&'a BigDecimal>,
    pub reason: Option<&'a str>,
    pub actor: &'a str,
    pub unrecovered_points: i64,
}
