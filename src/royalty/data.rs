//! The royalty tables: rules, the allocation listing and the totals. Every diesel call of
//! this domain lives here and in `ledger`, which writes the allocations.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Numeric};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::model::{NewRule, RoyaltyAllocation, RoyaltyRule, RoyaltyTotal, RuleTerms};
use crate::db::schema::{royalty_allocations, royalty_rules};

/// The unique index a second rule with the same name violates.
pub const NAME_TAKEN: &str = "royalty_rules_name_key";
/// The foreign key an unknown product violates.
pub const UNKNOWN_PRODUCT: &str = "royalty_rules_product_id_fkey";
/// The foreign key an unknown category violates.
pub const UNKNOWN_CATEGORY: &str = "royalty_rules_category_id_fkey";

/// The rule with this id.
pub async fn rule(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Option<RoyaltyRule>> {
    royalty_rules::table.find(id).select(RoyaltyRule::as_select()).first(conn).await.optional()
}

/// The rule with this id, locked until the transaction ends.
pub async fn rule_for_update(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Option<RoyaltyRule>> {
    royalty_rules::table.find(id).select(RoyaltyRule::as_select()).for_update().first(conn).await.optional()
}

/// The rules with these ids, by id (a missing id has no entry).
pub async fn rules_by_ids(conn: &mut AsyncPgConnection, ids: &[Uuid]) -> QueryResult<HashMap<Uuid, RoyaltyRule>> {
    let rows: Vec<RoyaltyRule> =
        royalty_rules::table.filter(royalty_rules::id.eq_any(ids)).select(RoyaltyRule::as_select()).load(conn).await?;
    Ok(rows.into_iter().map(|r| (r.id, r)).collect())
}

/// Inserts a rule.
pub async fn insert_rule(conn: &mut AsyncPgConnection, new: &NewRule) -> QueryResult<RoyaltyRule> {
    diesel::insert_into(royalty_rules::table).values(new).returning(RoyaltyRule::as_returning()).get_result(conn).await
}

/// Writes the terms of rule `id` and stamps `updated_at`.
pub async fn update_rule(conn: &mut AsyncPgConnection, id: Uuid, terms: &RuleTerms) -> QueryResult<RoyaltyRule> {
    diesel::update(royalty_rules::table.find(id))
        .set((terms, royalty_rules::updated_at.eq(diesel::dsl::now)))
        .returning(RoyaltyRule::as_returning())
        .get_result(conn)
        .await
}

/// Which rules a listing covers.
#[derive(Debug, Clone, Default)]
pub struct RuleFilter {
    /// Only the rules of this beneficiary (exact text).
    pub beneficiary: Option<String>,
    /// Only active (true) or inactive (false) rules.
    pub active: Option<bool>,
}

impl RuleFilter {
    fn filtered(&self) -> royalty_rules::BoxedQuery<'static, diesel::pg::Pg> {
        let filter = self;
        let mut query = royalty_rules::table.into_boxed();
        if let Some(beneficiary) = &filter.beneficiary {
            query = query.filter(royalty_rules::beneficiary.eq(beneficiary.clone()));
        }
        if let Some(active) = filter.active {
            query = query.filter(royalty_rules::active.eq(active));
        }
        query
    }
}

crate::created_listing!(RuleFilter, royalty_rules, RoyaltyRule, oldest);

/// Which allocations a listing (or the totals) covers.
#[derive(Debug, Clone, Default)]
pub struct AllocationFilter {
    /// Only this beneficiary's (exact text).
    pub beneficiary: Option<String>,
    /// Only those of this rule.
    pub rule_id: Option<Uuid>,
    /// Only those of this order.
    pub order_id: Option<Uuid>,
    /// Recorded at or after this moment.
    pub from: Option<DateTime<Utc>>,
    /// Recorded before this moment.
    pub to: Option<DateTime<Utc>>,
}

type Predicate = Box<dyn BoxableExpression<royalty_allocations::table, diesel::pg::Pg, SqlType = Bool>>;

/// The allocations `filter` covers, as a WHERE clause.
fn matching(filter: &AllocationFilter) -> Predicate {
    use royalty_allocations::{beneficiary, created_at, order_id, rule_id};
    let mut predicate: Predicate = Box::new(sql::<Bool>("TRUE"));
    if let Some(who) = &filter.beneficiary {
        predicate = Box::new(predicate.and(beneficiary.eq(who.clone())));
    }
    if let Some(rule) = filter.rule_id {
        predicate = Box::new(predicate.and(rule_id.eq(rule)));
    }
    if let Some(order) = filter.order_id {
        predicate = Box::new(predicate.and(order_id.eq(order)));
    }
    if let Some(from) = filter.from {
        predicate = Box::new(predicate.and(created_at.ge(from)));
    }
    if let Some(to) = filter.to {
        predicate = Box::new(predicate.and(created_at.lt(to)));
    }
    predicate
}

impl AllocationFilter {
    fn filtered(&self) -> royalty_allocations::BoxedQuery<'static, diesel::pg::Pg> {
        royalty_allocations::table.filter(matching(self)).into_boxed()
    }
}

crate::created_listing!(AllocationFilter, royalty_allocations, RoyaltyAllocation, newest);

/// The allocations of these orders, oldest first, by order.
pub async fn allocations_of_orders(
    conn: &mut AsyncPgConnection,
    order_ids: &[Uuid],
) -> QueryResult<HashMap<Uuid, Vec<RoyaltyAllocation>>> {
    let rows: Vec<RoyaltyAllocation> = royalty_allocations::table
        .filter(royalty_allocations::order_id.eq_any(order_ids))
        .order((royalty_allocations::created_at, royalty_allocations::id))
        .select(RoyaltyAllocation::as_select())
        .load(conn)
        .await?;
    Ok(crate::db::group_by(rows, |r| r.order_id))
}

/// The sums of the matching allocations per beneficiary and currency, by beneficiary
/// then currency: one statement.
pub async fn totals(conn: &mut AsyncPgConnection, filter: &AllocationFilter) -> QueryResult<Vec<RoyaltyTotal>> {
    use royalty_allocations::{beneficiary, currency};
    royalty_allocations::table
        .filter(matching(filter))
        .group_by((beneficiary, currency))
        .select((
            beneficiary,
            currency,
            sql::<Numeric>("COALESCE(sum(amount) FILTER (WHERE kind = 'sale'), 0)"),
            sql::<Numeric>("COALESCE(sum(amount) FILTER (WHERE kind = 'reversal'), 0)"),
            sql::<BigInt>("count(*)"),
        ))
        .order((beneficiary, currency))
        .load(conn)
        .await
}
