//! Money arithmetic: the minor units of a currency and the one rounding rule. Amounts are
//! `BigDecimal` from the database to the wire; nothing here knows how they are shown.

use bigdecimal::BigDecimal;

/// Digits after the decimal point of `currency`'s minor unit (2 for EUR, 0 for JPY; 2
/// for a code ISO 4217 does not know).
pub fn minor_units(currency: &str) -> i64 {
    iso_currency::Currency::from_code(currency).map_or(2, |c| c.exponent().unwrap_or(0) as i64)
}

/// Whether `amount` can be paid in `currency`: no more decimals than its minor unit has.
pub fn fits_currency(amount: &BigDecimal, currency: &str) -> bool {
    amount.normalized().as_bigint_and_exponent().1 <= minor_units(currency)
}

/// `amount` rounded to `currency`'s minor unit, half away from zero ("commercial"
/// rounding: 0.125 EUR is 0.13). Unit prices may carry 4 decimals; what a customer pays
/// (a line's total, and so the order's) is rounded by this rule, once per line.
pub fn round_to_currency(amount: &BigDecimal, currency: &str) -> BigDecimal {
    amount.with_scale_round(minor_units(currency), bigdecimal::RoundingMode::HalfUp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_totals_round_half_up_to_the_minor_unit() {
        let d = |s: &str| s.parse::<BigDecimal>().unwrap();
        assert_eq!(round_to_currency(&d("0.125"), "EUR").to_string(), "0.13");
        assert_eq!(round_to_currency(&d("0.1249"), "EUR").to_string(), "0.12");
        assert_eq!(round_to_currency(&d("0.9999"), "EUR").to_string(), "1.00");
        assert_eq!(round_to_currency(&d("1500.5"), "JPY").to_string(), "1501");
        assert_eq!(round_to_currency(&d("2.0005"), "KWD").to_string(), "2.001");
        assert!(
            fits_currency(&d("10.10"), "EUR") && !fits_currency(&d("0.005"), "EUR") && !fits_currency(&d("1.5"), "JPY")
        );
    }
}
