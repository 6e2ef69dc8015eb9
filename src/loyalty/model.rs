//! The rows of the loyalty tables and the closed set of ledger kinds.

use async_graphql::{ID, SimpleObject};
use bigdecimal::BigDecimal;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use crate::db::schema::{loyalty_accounts, loyalty_programs, loyalty_tiers, loyalty_transactions};
use crate::graphql::{RoleGuard, opt_id};
use crate::tenancy::Role;

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

/// A customer's loyalty account (in one store, when the program keeps accounts per
/// store). Its balance always equals the sum of its ledger and is never negative.
#[derive(Debug, Clone, Queryable, Selectable, SimpleObject)]
#[diesel(table_name = loyalty_accounts)]
#[diesel(check_for_backend(diesel::pg::Pg))]
#[graphql(complex)]
pub struct LoyaltyAccount {
    /// Stable id.
    #[graphql(skip, derived(name = "id", into = "ID", owned))]
    pub id: Uuid,
    /// Whose account (shown, to admins, by the `customer` resolver).
    #[graphql(skip)]
    pub customer_id: Uuid,
    /// The store, when the program keeps accounts per store (shown by the `store`
    /// resolver).
    #[graphql(skip)]
    pub store_id: Option<Uuid>,
    /// Points to spend: the sum of the account's ledger, never negative.
    #[graphql(skip)]
    pub balance: i64,
    /// Points accrued less accruals reversed.
    #[graphql(skip)]
    pub lifetime_points: i64,
    /// When the account was opened (on its first move).
    pub created_at: DateTime<Utc>,
    /// When its balance last moved.
    pub updated_at: DateTime<Utc>,
}

/// One move of a loyalty account: an accrual, a redemption, an adjustment or a reversal.
#[derive(Debug, Clone, Queryable, Selectable, QueryableByName, SimpleObject)]
#[diesel(table_name = loyalty_transactions)]
#[diesel(check_for_backend(diesel::pg::Pg))]
#[graphql(complex)]
pub struct LoyaltyTransaction {
    /// Stable id.
    #[graphql(skip, derived(name = "id", into = "ID", owned))]
    pub id: Uuid,
    /// The account it moved.
    #[graphql(skip)]
    pub account_id: Uuid,
    /// What kind of move.
    pub kind: TransactionKind,
    /// What the balance moved by (signed; zero for a reversal that recovered nothing).
    #[graphql(skip)]
    pub points: i64,
    /// The order it belongs to, if any (shown by the `order` resolver).
    #[graphql(skip)]
    pub order_id: Option<Uuid>,
    /// For a reversal: the accrual it takes back or the redemption it gives back.
    #[graphql(skip, derived(name = "reverses_id", into = "Option<ID>", owned, with = "opt_id"))]
    pub reverses_id: Option<Uuid>,
    /// For an accrual: the points per unit it was earned at.
    #[graphql(skip)]
    pub points_per_unit: Option<BigDecimal>,
    /// Why: the staff member's reason for an adjustment, what caused a reversal.
    pub reason: Option<String>,
    /// Who: `staff:<id>`, `admin`, `storefront` (admin only).
    #[graphql(guard = "RoleGuard(Role::Admin)")]
    pub actor: String,
    /// For a reversal the balance could not cover: the points not taken back.
    #[graphql(skip)]
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
