//! Input checks more than one domain makes. Each records a userError and returns the
//! cleaned value.

use bigdecimal::BigDecimal;

use super::errors::{UserErrorCode, UserErrors};

/// An ISO 4217 currency code, upper-cased.
pub fn currency(errors: &mut UserErrors, field: &str, value: &str) -> String {
    let value = value.trim().to_ascii_uppercase();
    if iso_currency::Currency::from_code(&value).is_none() {
        errors.add(
            field,
            UserErrorCode::InvalidCurrency,
            format!("'{value}' is not an ISO 4217 currency code such as EUR"),
        );
    }
    value
}

/// A price as the database stores it (`numeric(19,4)`): not negative, at most four decimal
/// places, below 10^15.
pub fn price(errors: &mut UserErrors, path: &[&str], value: &BigDecimal) -> BigDecimal {
    let value = value.normalized();
    if value.sign() == bigdecimal::num_bigint::Sign::Minus {
        errors.add_at(path, UserErrorCode::NegativePrice, "a price cannot be negative");
    } else if value.as_bigint_and_exponent().1 > 4 {
        errors.add_at(path, UserErrorCode::Invalid, "a price has at most 4 decimal places");
    } else if value >= 1_000_000_000_000_000i64 {
        errors.add_at(path, UserErrorCode::Invalid, "a price must be below 10^15");
    }
    value
}
