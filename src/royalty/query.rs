//! Royalty queries (admin only): rules, the allocation ledger by beneficiary, rule,
//! order and period, and totals per beneficiary and currency.

use std::collections::HashSet;

use async_graphql::connection::Connection;
use async_graphql::{Context, ID, InputObject, Object};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::data::{self, AllocationFilter, RuleFilter};
use super::model::{RoyaltyAllocation, RoyaltyRule, RoyaltyTotal};
use crate::db::Listing;
use crate::graphql::{
    ById, ConnectionTotal, GqlResultExt, Limits, PageArgs, caller_scope, coded_error, finish_listing,
    listing_connection, parse_id, prime,
};
use crate::tenancy::Role;

/// Narrows a rule listing.
#[derive(InputObject, Default)]
pub struct RoyaltyRuleFilterInput {
    /// Only this beneficiary's rules (exact text).
    beneficiary: Option<String>,
    /// Only active (true) or inactive (false) rules.
    active: Option<bool>,
}

/// Narrows the allocation ledger.
#[derive(InputObject, Default)]
pub struct RoyaltyAllocationFilterInput {
    /// Only this beneficiary's allocations (exact text).
    beneficiary: Option<String>,
    /// Only those computed by this rule.
    rule_id: Option<ID>,
    /// Only those of this order.
    order_id: Option<ID>,
    /// Recorded at or after this moment.
    from: Option<DateTime<Utc>>,
    /// Recorded before this moment.
    to: Option<DateTime<Utc>>,
}

/// Which allocations the totals sum.
#[derive(InputObject, Default)]
pub struct RoyaltyTotalsFilterInput {
    /// Only this beneficiary (exact text).
    beneficiary: Option<String>,
    /// Recorded at or after this moment.
    from: Option<DateTime<Utc>>,
    /// Recorded before this moment.
    to: Option<DateTime<Utc>>,
}

fn beneficiary(value: Option<String>) -> Option<String> {
    value.map(|b| b.trim().to_owned())
}

fn period(from: Option<DateTime<Utc>>, to: Option<DateTime<Utc>>) -> async_graphql::Result<()> {
    crate::graphql::validate::timestamp_arg("from", from)?;
    crate::graphql::validate::timestamp_arg("to", to)?;
    if from.zip(to).is_some_and(|(from, to)| from > to) {
        return Err(coded_error("BAD_USER_INPUT", "the period's `from` is after its `to`"));
    }
    Ok(())
}

/// Royalty queries (admin only).
#[derive(Default)]
pub struct RoyaltyQuery;

#[Object]
impl RoyaltyQuery {
    /// One royalty rule.
    async fn royalty_rule(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Option<RoyaltyRule>> {
        let scope = caller_scope(ctx, Role::Admin)?;
        let id = parse_id(&id)?;
        data::rule(&mut *scope.conn().await.gql()?, id).await.gql()
    }

    /// Royalty rules, oldest first.
    #[graphql(complexity = "first.or(last).unwrap_or(20).max(0) as usize * child_complexity + 1")]
    async fn royalty_rules(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<RoyaltyRuleFilterInput>,
    ) -> async_graphql::Result<Connection<String, RoyaltyRule, ConnectionTotal>> {
        let input = filter.unwrap_or_default();
        let filter = RuleFilter { beneficiary: beneficiary(input.beneficiary), active: input.active };
        listing_connection(ctx, Role::Admin, PageArgs { first, after, last, before }, filter, std::convert::identity)
            .await
    }

    /// The royalty ledger, newest first: every sale and reversal, by beneficiary, rule,
    /// order and period (`from` inclusive, `to` exclusive).
    #[graphql(complexity = "first.or(last).unwrap_or(20).max(0) as usize * child_complexity + 1")]
    async fn royalty_allocations(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<RoyaltyAllocationFilterInput>,
    ) -> async_graphql::Result<Connection<String, RoyaltyAllocation, ConnectionTotal>> {
        let scope = caller_scope(ctx, Role::Admin)?;
        let input = filter.unwrap_or_default();
        period(input.from, input.to)?;
        let filter = AllocationFilter {
            beneficiary: beneficiary(input.beneficiary),
            rule_id: input.rule_id.as_ref().map(parse_id).transpose()?,
            order_id: input.order_id.as_ref().map(parse_id).transpose()?,
            from: input.from,
            to: input.to,
        };
        let page = PageArgs { first, after, last, before }.page(ctx.data::<Limits>()?, &filter.keyset())?;
        let rows = filter.page(&mut *scope.conn().await.gql()?, &page).await.gql()?;
        // The rules and orders of the page, one statement each, if the selection asks.
        let selected = |field: &str| crate::graphql::node_selected(ctx, &[field]);
        let distinct = |ids: HashSet<Uuid>| -> Vec<Uuid> { ids.into_iter().collect() };
        let shown = &rows[..rows.len().min(page.limit)];
        if selected("rule") {
            prime(ctx, ById::<RoyaltyRule>::new, &distinct(shown.iter().map(|r| r.rule_id).collect())).await?;
        }
        if selected("order") {
            crate::orders::prime_orders(ctx, &distinct(shown.iter().map(|r| r.order_id).collect())).await?;
        }
        Ok(finish_listing(&scope, rows, &page, filter, std::convert::identity))
    }

    /// What each beneficiary earned, per currency: the sums of the sales and reversals
    /// recorded in the period (`from` inclusive, `to` exclusive; a refund in a later
    /// period counts in that period), by beneficiary then currency.
    async fn royalty_totals(
        &self,
        ctx: &Context<'_>,
        filter: Option<RoyaltyTotalsFilterInput>,
    ) -> async_graphql::Result<Vec<RoyaltyTotal>> {
        let scope = caller_scope(ctx, Role::Admin)?;
        let input = filter.unwrap_or_default();
        period(input.from, input.to)?;
        let filter = AllocationFilter {
            beneficiary: beneficiary(input.beneficiary),
            from: input.from,
            to: input.to,
            ..Default::default()
        };
        data::totals(&mut *scope.conn().await.gql()?, &filter).await.gql()
    }
}
