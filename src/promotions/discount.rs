//! The discount arithmetic, as pure functions over decimals (never floats), so the rules
//! are stated once and unit-tested:
//!
//! - A percentage coupon takes `subtotal × percent / 100`, rounded **half up** to the
//!   currency's minor unit (the house's one rounding rule, `money::round_to_currency`).
//! - A fixed coupon takes its amount, but never more than the subtotal.
//! - An order's discount is spread over its lines in proportion to their totals, in whole
//!   minor units, by largest remainder: the shares add up to the discount exactly and no
//!   line is discounted below zero, so per-line figures (royalties) work from what was
//!   really paid for each line.

use bigdecimal::num_bigint::BigInt;
use bigdecimal::{BigDecimal, RoundingMode, Zero};

use crate::money::{minor_units, round_to_currency};

/// What a percentage coupon takes off `subtotal`.
pub fn percentage_off(subtotal: &BigDecimal, percent: &BigDecimal, currency: &str) -> BigDecimal {
    round_to_currency(&(subtotal * percent / BigDecimal::from(100)), currency)
}

/// What a fixed coupon of `amount` takes off `subtotal`.
pub fn fixed_off(subtotal: &BigDecimal, amount: &BigDecimal) -> BigDecimal {
    if amount > subtotal { subtotal.clone() } else { amount.clone() }
}

/// `amount` in whole minor units of `currency` (it must fit them).
fn to_minor(amount: &BigDecimal, currency: &str) -> BigInt {
    let scaled = amount.with_scale_round(minor_units(currency), RoundingMode::HalfUp);
    scaled.as_bigint_and_exponent().0
}

fn from_minor(units: BigInt, currency: &str) -> BigDecimal {
    BigDecimal::new(units, minor_units(currency))
}

/// Spreads `discount` (at most the sum of `line_totals`) over the lines in proportion to
/// their totals, by largest remainder in minor units; ties go to the earlier line.
pub fn allocate(discount: &BigDecimal, line_totals: &[BigDecimal], currency: &str) -> Vec<BigDecimal> {
    let zero = || vec![BigDecimal::zero(); line_totals.len()];
    let total: BigInt = line_totals.iter().map(|t| to_minor(t, currency)).sum();
    let wanted = to_minor(discount, currency);
    if total.is_zero() || wanted.is_zero() {
        return zero();
    }
    let mut shares: Vec<(BigInt, BigInt, usize)> = line_totals
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let product = to_minor(t, currency) * &wanted;
            (&product / &total, &product % &total, i)
        })
        .collect();
    let given: BigInt = shares.iter().map(|s| s.0.clone()).sum();
    let mut left = wanted - given;
    let mut order: Vec<usize> = (0..shares.len()).collect();
    order.sort_by(|&a, &b| shares[b].1.cmp(&shares[a].1).then(a.cmp(&b)));
    for i in order {
        if left <= BigInt::zero() {
            break;
        }
        shares[i].0 += 1;
        left -= 1;
    }
    shares.into_iter().map(|(units, _, _)| from_minor(units, currency)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> BigDecimal {
        BigDecimal::from_str(s).unwrap()
    }

    #[test]
    fn percentages_round_half_up_to_the_minor_unit() {
        // 10% of 0.25 is 0.025 → 0.03; 15% of 33.30 is 4.995 → 5.00; 12.5% of 139.93 is 17.49125 → 17.49.
        assert_eq!(percentage_off(&d("0.25"), &d("10"), "USD"), d("0.03"));
        assert_eq!(percentage_off(&d("33.30"), &d("15"), "USD"), d("5.00"));
        assert_eq!(percentage_off(&d("139.93"), &d("12.5"), "USD"), d("17.49"));
        assert_eq!(percentage_off(&d("1005"), &d("10"), "JPY"), d("101"));
        assert_eq!(percentage_off(&d("80"), &d("100"), "EUR"), d("80"));
    }

    #[test]
    fn fixed_amounts_never_exceed_the_subtotal() {
        assert_eq!(fixed_off(&d("30"), &d("5")), d("5"));
        assert_eq!(fixed_off(&d("3.50"), &d("5")), d("3.50"));
    }

    #[test]
    fn allocation_adds_up_exactly_and_stays_within_each_line() {
        let lines = [d("10.00"), d("10.00"), d("10.00")];
        let shares = allocate(&d("1.00"), &lines, "USD");
        assert_eq!(shares, vec![d("0.34"), d("0.33"), d("0.33")]);
        let lines = [d("139.93"), d("0.30"), d("1.00")];
        let shares = allocate(&d("17.49"), &lines, "USD");
        assert_eq!(shares.iter().sum::<BigDecimal>(), d("17.49"));
        for (share, line) in shares.iter().zip(&lines) {
            assert!(share <= line && *share >= BigDecimal::zero());
        }
        assert_eq!(allocate(&d("141.23"), &lines, "USD"), lines.to_vec());
        assert_eq!(allocate(&d("0"), &lines, "USD"), vec![d("0"); 3]);
        assert_eq!(allocate(&d("7"), &[d("10"), d("0")], "JPY"), vec![d("7"), d("0")]);
    }
}
