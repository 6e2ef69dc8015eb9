//! Loyalty mutations (admin only): setting the program with its tiers, and staff
//! adjustments of an account.

use std::collections::HashSet;

use async_graphql::{Context, ID, InputObject, Object};
use bigdecimal::{BigDecimal, Zero};
use diesel_async::AsyncConnection;

use super::data;
use super::ledger;
use super::model::TierRow;
use super::model::{LoyaltyAccount, LoyaltyTransaction};
use super::objects::LoyaltyProgram;
use crate::graphql::{Decimal, GqlResultExt, MutationError, UserErrorCode, UserErrors, caller_scope, validate};
use crate::outcome::refuse;
use crate::tenancy::Role;

/// The most points per unit a program may give.
const MAX_POINTS_PER_UNIT: i64 = 1000;
/// The most tiers a program may have.
const MAX_TIERS: usize = 50;
/// The longest reason of an adjustment.
const MAX_REASON: usize = 500;

/// A tier of the program.
#[derive(InputObject)]
pub struct LoyaltyTierInput {
    /// Its name: 1 to 100 characters, unique (case-insensitively).
    name: String,
    /// The lifetime points from which an account is in this tier: 0 or more, unique.
    min_lifetime_points: crate::graphql::BigInt,
}

/// The whole loyalty program; it replaces what was there, tiers included.
#[derive(InputObject)]
pub struct LoyaltyProgramSetInput {
    /// Whether paid orders accrue points and points can be redeemed.
    active: bool,
    /// Points per 1 unit of an order's currency: 0 to 1,000, at most 4 decimals.
    points_per_unit: Decimal,
    /// The money value of one point in the order's currency: more than 0, at most 4
    /// decimals.
    point_value: Decimal,
    /// One account per customer and store (else one per customer). Changing it later
    /// does not move balances: accounts of the other kind stay as they are.
    #[graphql(default)]
    accounts_per_store: bool,
    /// The tiers (any order); leave out for none.
    #[graphql(default)]
    tiers: Vec<LoyaltyTierInput>,
}

/// A staff adjustment of a customer's points.
#[derive(InputObject)]
pub struct LoyaltyAdjustInput {
    /// The customer.
    customer_id: ID,
    /// The store of the account, when the program keeps accounts per store (required
    /// then, refused otherwise).
    store_id: Option<ID>,
    /// Points to give (positive) or take (negative); not 0, a 32-bit Int. A debit beyond
    /// the balance is refused, and so is a credit past the largest balance
    /// (10^15 points).
    points: i32,
    /// Why, 1 to 500 characters (kept in the ledger with the staff member).
    reason: String,
}

crate::payload!(
    /// The result of `loyaltyProgramSet`.
    LoyaltyProgramPayload {
        /// The program as it is now; null when the mutation was refused.
        program: LoyaltyProgram,
    }
);

crate::payload!(
    /// The result of `loyaltyAdjust`.
    LoyaltyAdjustPayload {
        /// The account as it is now; null when the mutation was refused.
        account: LoyaltyAccount,
        /// The ledger row written; null when the mutation was refused.
        transaction: LoyaltyTransaction,
    }
);

/// At most 4 decimals.
fn four_decimals(value: &BigDecimal) -> bool {
    value.normalized().as_bigint_and_exponent().1 <= 4
}

/// Checks the program input; returns the tiers to store.
fn check_program(errors: &mut UserErrors, input: &LoyaltyProgramSetInput) -> Vec<TierRow> {
    let ppu = &input.points_per_unit.0;
    if ppu < &BigDecimal::zero() || ppu > &BigDecimal::from(MAX_POINTS_PER_UNIT) || !four_decimals(ppu) {
        errors.add(
            "pointsPerUnit",
            UserErrorCode::Invalid,
            format!("points per unit are 0 to {MAX_POINTS_PER_UNIT}, with at most 4 decimals"),
        );
    }
    let value = &input.point_value.0;
    if value <= &BigDecimal::zero() || !four_decimals(value) || value >= &BigDecimal::from(1_000_000_000_000_000i64) {
        errors.add("pointValue", UserErrorCode::Invalid, "a point is worth more than 0, with at most 4 decimals");
    }
    if input.tiers.len() > MAX_TIERS {
        errors.add("tiers", UserErrorCode::Invalid, format!("at most {MAX_TIERS} tiers"));
    }
    let mut names = HashSet::new();
    let mut thresholds = HashSet::new();
    let mut tiers = Vec::new();
    for (i, tier) in input.tiers.iter().enumerate() {
        let at = i.to_string();
        let name = validate::required_text(errors, &["tiers", &at, "name"], &tier.name, 100);
        if !name.is_empty() && !names.insert(name.to_lowercase()) {
            errors.add_at(&["tiers", &at, "name"], UserErrorCode::Duplicate, "another tier has this name");
        }
        if tier.min_lifetime_points.0 < 0 {
            errors.add_at(
                &["tiers", &at, "minLifetimePoints"],
                UserErrorCode::Invalid,
                "a threshold is 0 or more points",
            );
        } else if !thresholds.insert(tier.min_lifetime_points.0) {
            errors.add_at(
                &["tiers", &at, "minLifetimePoints"],
                UserErrorCode::Duplicate,
                "another tier has this threshold",
            );
        }
        tiers.push(TierRow { name, min_lifetime_points: tier.min_lifetime_points.0 });
    }
    tiers
}

/// Loyalty mutations (admin only).
#[derive(Default)]
pub struct LoyaltyMutation;

#[Object]
impl LoyaltyMutation {
    /// Sets the tenant's loyalty program, replacing its tiers. Tiers are computed from
    /// lifetime points when read, so new thresholds re-tier every account at once.
    async fn loyalty_program_set(
        &self,
        ctx: &Context<'_>,
        input: LoyaltyProgramSetInput,
    ) -> async_graphql::Result<LoyaltyProgramPayload> {
        let scope = caller_scope(ctx, Role::Admin)?;
        let mut errors = UserErrors::default();
        let mut tiers = check_program(&mut errors, &input);
        if !errors.is_empty() {
            return LoyaltyProgramPayload::from_outcome(Err(errors.into()));
        }
        tiers.sort_by_key(|t| t.min_lifetime_points);
        let ppu = input.points_per_unit.0.normalized();
        let value = input.point_value.0.normalized();
        let mut conn = scope.conn().await.gql()?;
        let result = conn
            .transaction::<_, MutationError, _>(async |conn| {
                let row = data::set_program(conn, input.active, &ppu, &value, input.accounts_per_store).await?;
                data::replace_tiers(conn, &tiers).await?;
                Ok(LoyaltyProgram { row, tiers })
            })
            .await;
        LoyaltyProgramPayload::from_outcome(result)
    }

    /// Gives or takes a customer's points by hand, as the request's staff member
    /// (STAFF_REQUIRED without one), with a reason. The balance never goes below zero
    /// (INSUFFICIENT_POINTS). Works whether or not the program is active.
    async fn loyalty_adjust(
        &self,
        ctx: &Context<'_>,
        input: LoyaltyAdjustInput,
    ) -> async_graphql::Result<LoyaltyAdjustPayload> {
        let scope = caller_scope(ctx, Role::Admin)?;
        let mut errors = UserErrors::default();
        if scope.staff().is_none() {
            errors.add(
                "staffId",
                UserErrorCode::StaffRequired,
                "adjustments are made by a staff member: use an admin key that belongs to one, or send X-Staff-Id",
            );
        }
        let customer = errors.id_at(&["customerId"], &input.customer_id);
        let store = input.store_id.as_ref().and_then(|id| errors.id_at(&["storeId"], id));
        if input.points == 0 {
            errors.add("points", UserErrorCode::Invalid, "adjust by a number of points other than 0");
        }
        let reason = validate::required_text(&mut errors, &["reason"], &input.reason, MAX_REASON);
        let (Some(customer), true) = (customer, errors.is_empty()) else {
            return LoyaltyAdjustPayload::from_outcome(Err(errors.into()));
        };
        let actor = scope.actor();
        let mut conn = scope.conn().await.gql()?;
        let result = conn
            .transaction::<_, MutationError, _>(async |conn| {
                match crate::customers::contact_of(conn, customer).await? {
                    None => {
                        return refuse("customerId", UserErrorCode::NotFound, "no customer has this id");
                    }
                    Some(contact) if contact.anonymized => {
                        return refuse(
                            "customerId",
                            UserErrorCode::CustomerAnonymized,
                            "the customer has been anonymized",
                        );
                    }
                    Some(_) => {}
                }
                let per_store = data::program(conn).await?.is_some_and(|p| p.accounts_per_store);
                match (per_store, store) {
                    (true, None) => {
                        return refuse(
                            "storeId",
                            UserErrorCode::Required,
                            "loyalty accounts are per store: name the store",
                        );
                    }
                    (false, Some(_)) => {
                        return refuse(
                            "storeId",
                            UserErrorCode::Invalid,
                            "loyalty accounts are not per store: leave storeId out",
                        );
                    }
                    (true, Some(id)) if crate::stores::store_by_id(conn, id).await?.is_none() => {
                        return refuse("storeId", UserErrorCode::NotFound, "no store has this id");
                    }
                    _ => {}
                }
                ledger::adjust(conn, customer, store, i64::from(input.points), &reason, &actor).await
            })
            .await;
        LoyaltyAdjustPayload::from_outcome(result)
    }
}
