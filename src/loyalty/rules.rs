//! The arithmetic of the loyalty rules, as pure functions (see the module doc of
//! [`crate::loyalty`] for the rules themselves).

use bigdecimal::{BigDecimal, RoundingMode, ToPrimitive, Zero};

use super::model::{LoyaltyTransaction, TierRow, TransactionKind};
use crate::money::round_to_currency;

/// The points an amount earns: `floor(amount × points_per_unit)`, 0 for nothing or less
/// (and saturated at [`super::ledger::MAX_BALANCE`], far beyond any real order, so that
/// balances adding accruals stay far from `bigint`'s limit).
pub fn points_for(amount: &BigDecimal, points_per_unit: &BigDecimal) -> i64 {
    if amount <= &BigDecimal::zero() {
        return 0;
    }
    (amount * points_per_unit)
        .with_scale_round(0, RoundingMode::Floor)
        .to_i64()
        .map_or(super::ledger::MAX_BALANCE, |points| points.min(super::ledger::MAX_BALANCE))
}

/// What an order's accrual should come to after refunds: the points its unrefunded
/// money earns at the rate it accrued at, never more than it accrued.
pub fn net_accrual(accrued: i64, total: &BigDecimal, refunded: &BigDecimal, rate: &BigDecimal) -> i64 {
    points_for(&(total - refunded), rate).clamp(0, accrued)
}

/// How much of `due` points a balance can give back: `(taken, unrecovered)`.
pub fn clamp_to_balance(due: i64, balance: i64) -> (i64, i64) {
    let taken = due.min(balance.max(0)).max(0);
    (taken, due - taken)
}

/// The money value of `points`: `points × point_value` rounded half up to the
/// currency's minor unit.
pub fn redemption_value(points: i64, point_value: &BigDecimal, currency: &str) -> BigDecimal {
    round_to_currency(&(BigDecimal::from(points) * point_value), currency)
}

/// The tier of `lifetime` points: the highest tier whose threshold it reached.
pub fn tier_of(tiers: &[TierRow], lifetime: i64) -> Option<&TierRow> {
    tiers.iter().filter(|t| t.min_lifetime_points <= lifetime).max_by_key(|t| t.min_lifetime_points)
}

/// The tier after the one `lifetime` points are in: the lowest threshold above it.
pub fn next_tier(tiers: &[TierRow], lifetime: i64) -> Option<&TierRow> {
    tiers.iter().filter(|t| t.min_lifetime_points > lifetime).min_by_key(|t| t.min_lifetime_points)
}

/// The lifetime-point range `[from, until)` of the tier named `name` (compared
/// case-insensitively), if there is one.
pub fn tier_range(tiers: &[TierRow], name: &str) -> Option<(i64, Option<i64>)> {
    let tier = tiers.iter().find(|t| t.name.eq_ignore_ascii_case(name.trim()))?;
    let until = next_tier(tiers, tier.min_lifetime_points).map(|t| t.min_lifetime_points);
    Some((tier.min_lifetime_points, until))
}

/// What an order's ledger rows say it did: `(earned, redeemed)`. Earned is its accrual
/// less what reversals took back or wrote off; redeemed is what it spent less what was
/// given back.
pub fn order_points(rows: &[LoyaltyTransaction]) -> (i64, i64) {
    let (mut earned, mut redeemed) = (0, 0);
    for row in rows {
        let reverses = row.reverses_id.and_then(|id| rows.iter().find(|r| r.id == id)).map(|r| r.kind);
        match (row.kind, reverses) {
            (TransactionKind::Accrual, _) => earned += row.points,
            (TransactionKind::Reversal, Some(TransactionKind::Accrual)) => {
                earned += row.points - row.unrecovered_points
            }
            (TransactionKind::Redemption, _) | (TransactionKind::Reversal, Some(TransactionKind::Redemption)) => {
                redeemed -= row.points
            }
            _ => {}
        }
    }
    (earned, redeemed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> BigDecimal {
        s.parse().unwrap()
    }

    fn tiers() -> Vec<TierRow> {
        [("Gold", 2000), ("Bronze", 0), ("Silver", 500)]
            .iter()
            .map(|(n, m)| TierRow { name: (*n).to_owned(), min_lifetime_points: *m })
            .collect()
    }

    #[test]
    fn accrual_is_the_floor_of_total_times_rate() {
        assert_eq!(points_for(&d("19.99"), &d("1")), 19);
        assert_eq!(points_for(&d("12.99"), &d("1.5")), 19, "19.485");
        assert_eq!(points_for(&d("10.00"), &d("1.5")), 15);
        assert_eq!(points_for(&d("0.99"), &d("1")), 0);
        assert_eq!(points_for(&d("1500"), &d("0.01")), 15, "JPY: a point per 100 yen");
        assert_eq!(points_for(&d("99.9999"), &d("0.1")), 9);
        assert_eq!(points_for(&d("0"), &d("3")), 0);
        assert_eq!(points_for(&d("-5"), &d("3")), 0);
        assert_eq!(points_for(&d("10"), &d("0")), 0);
    }

    #[test]
    fn refunds_leave_the_floor_of_what_was_kept() {
        // 25.98 × 1.5 = 38.97 → 38 accrued.
        assert_eq!(net_accrual(38, &d("25.98"), &d("0"), &d("1.5")), 38);
        // 12.99 kept → 19.485 → 19: 19 of the 38 are reversed.
        assert_eq!(net_accrual(38, &d("25.98"), &d("12.99"), &d("1.5")), 19);
        // 0.01 kept → 0.015 → 0.
        assert_eq!(net_accrual(38, &d("25.98"), &d("25.97"), &d("1.5")), 0);
        assert_eq!(net_accrual(38, &d("25.98"), &d("25.98"), &d("1.5")), 0);
        // Never more than accrued, never below zero.
        assert_eq!(net_accrual(10, &d("100"), &d("0"), &d("1")), 10);
        assert_eq!(net_accrual(10, &d("100"), &d("150"), &d("1")), 0);
    }

    #[test]
    fn a_reversal_takes_what_the_balance_has() {
        assert_eq!(clamp_to_balance(30, 100), (30, 0));
        assert_eq!(clamp_to_balance(30, 12), (12, 18));
        assert_eq!(clamp_to_balance(30, 0), (0, 30));
        assert_eq!(clamp_to_balance(0, 5), (0, 0));
    }

    #[test]
    fn points_are_worth_their_value_rounded_half_up() {
        assert_eq!(redemption_value(150, &d("0.01"), "EUR"), d("1.50"));
        assert_eq!(redemption_value(3, &d("0.0050"), "EUR"), d("0.02"), "0.015 rounds up");
        assert_eq!(redemption_value(1, &d("0.0049"), "EUR"), d("0.00"));
        assert_eq!(redemption_value(7, &d("0.5"), "JPY"), d("4"), "3.5 yen rounds up");
        assert_eq!(redemption_value(1, &d("0.0005"), "KWD"), d("0.001"));
    }

    fn row(
        id: u128,
        kind: TransactionKind,
        points: i64,
        reverses: Option<u128>,
        unrecovered: i64,
    ) -> LoyaltyTransaction {
        LoyaltyTransaction {
            id: uuid::Uuid::from_u128(id),
            account_id: uuid::Uuid::nil(),
            kind,
            points,
            order_id: None,
            reverses_id: reverses.map(uuid::Uuid::from_u128),
            points_per_unit: None,
            reason: None,
            actor: "test".into(),
            unrecovered_points: unrecovered,
            created_at: chrono::Utc::now(),
        }
    }

    #[test]
    fn an_orders_points_net_out_its_reversals() {
        use TransactionKind::*;
        assert_eq!(order_points(&[]), (0, 0));
        let rows = [
            row(1, Redemption, -40, None, 0),
            row(2, Accrual, 38, None, 0),
            row(3, Reversal, -7, Some(2), 0),
            row(4, Reversal, -8, Some(2), 23),
        ];
        assert_eq!(order_points(&rows), (0, 40), "38 − 7 − (8 + 23 unrecovered)");
        let rows = [row(1, Redemption, -40, None, 0), row(2, Reversal, 40, Some(1), 0), row(3, Accrual, 12, None, 0)];
        assert_eq!(order_points(&rows), (12, 0));
    }

    #[test]
    fn tiers_follow_lifetime_points() {
        let tiers = tiers();
        assert_eq!(tier_of(&tiers, 0).unwrap().name, "Bronze");
        assert_eq!(tier_of(&tiers, 499).unwrap().name, "Bronze");
        assert_eq!(tier_of(&tiers, 500).unwrap().name, "Silver");
        assert_eq!(tier_of(&tiers, 5000).unwrap().name, "Gold");
        assert_eq!(next_tier(&tiers, 499).unwrap().name, "Silver");
        assert_eq!(next_tier(&tiers, 500).unwrap().name, "Gold");
        assert!(next_tier(&tiers, 2000).is_none());
        let without_base = &tiers[..1];
        assert!(tier_of(without_base, 1999).is_none(), "below the lowest threshold: no tier");
        assert_eq!(tier_range(&tiers, "silver"), Some((500, Some(2000))));
        assert_eq!(tier_range(&tiers, "Gold"), Some((2000, None)));
        assert_eq!(tier_range(&tiers, "Platinum"), None);
    }
}
