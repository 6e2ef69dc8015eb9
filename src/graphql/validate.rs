//! Input checks more than one domain makes. Each records a userError and returns the
//! cleaned value.

use std::sync::LazyLock;

use bigdecimal::BigDecimal;
use chrono::{DateTime, Utc};
use regex::Regex;

use super::errors::{UserErrorCode, UserErrors};

static CODE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^[a-z0-9][a-z0-9_-]{0,39}$").expect("valid regex"));

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

/// A business code (of a store, a location, …): 1 to 40 lowercase letters, digits, `-` or `_`.
pub fn code(errors: &mut UserErrors, value: &str) -> String {
    let value = value.trim();
    if value.is_empty() {
        errors.add("code", UserErrorCode::Required, "code is required");
    } else if !CODE.is_match(value) {
        errors.add(
            "code",
            UserErrorCode::Invalid,
            "code must be 1 to 40 lowercase letters, digits, '-' or '_', starting with a letter or digit",
        );
    }
    value.to_owned()
}

/// A display name: 1 to 200 characters once trimmed.
pub fn name(errors: &mut UserErrors, value: &str) -> String {
    let value = value.trim();
    if value.is_empty() {
        errors.add("name", UserErrorCode::Required, "name is required");
    } else if value.chars().count() > 200 {
        errors.add("name", UserErrorCode::TooLong, "name must be at most 200 characters");
    }
    value.to_owned()
}

/// Whether `value` is a well-formed business code (see [`code`]).
pub fn is_code(value: &str) -> bool {
    CODE.is_match(value)
}

/// Whether `value` names an outside system (a payment provider, a marketplace): 1 to 40
/// lowercase letters, digits, `_`, `.` or `-`, starting with a letter or digit.
pub fn is_system_name(value: &str) -> bool {
    let bytes = value.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= 40
        && bytes[0].is_ascii_alphanumeric()
        && bytes.iter().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"_.-".contains(b))
}

/// An email address, trimmed and lower-cased (addresses are compared case-insensitively).
pub fn email(errors: &mut UserErrors, path: &[&str], value: &str) -> String {
    let value = value.trim().to_lowercase();
    if value.is_empty() {
        errors.add_at(path, UserErrorCode::Required, "an email address is required");
    } else if value.len() > 254 || !email_address::EmailAddress::is_valid(&value) {
        errors.add_at(path, UserErrorCode::InvalidEmail, format!("'{}' is not an email address", value.escape_debug()));
    }
    value
}

/// The most characters of a long description (of a product, a category, a product in a
/// store).
pub const DESCRIPTION_MAX: usize = 20_000;

/// Free text that may be empty (a description): trimmed, at most `max` characters.
pub fn text(errors: &mut UserErrors, path: &[&str], value: &str, max: usize) -> String {
    let value = value.trim();
    if value.chars().count() > max {
        errors.add_at(path, UserErrorCode::TooLong, format!("at most {max} characters"));
    }
    value.to_owned()
}

/// Optional free text: trimmed, `None` when blank, at most `max` characters.
pub fn optional_text(errors: &mut UserErrors, path: &[&str], value: Option<&str>, max: usize) -> Option<String> {
    let value = value.map(str::trim).filter(|v| !v.is_empty())?;
    if value.chars().count() > max {
        errors.add_at(path, UserErrorCode::TooLong, format!("at most {max} characters"));
    }
    Some(value.to_owned())
}

/// Required free text: trimmed, 1 to `max` characters.
pub fn required_text(errors: &mut UserErrors, path: &[&str], value: &str, max: usize) -> String {
    let value = value.trim();
    if value.is_empty() {
        errors.add_at(path, UserErrorCode::Required, "a value is required");
    } else if value.chars().count() > max {
        errors.add_at(path, UserErrorCode::TooLong, format!("at most {max} characters"));
    }
    value.to_owned()
}

/// The most characters of a listing's `search` text.
pub const SEARCH_MAX: usize = 200;

/// A listing's `search` argument: trimmed, `None` when blank, or BAD_USER_INPUT when
/// longer than [`SEARCH_MAX`] characters. Every listing's search goes through this.
pub fn search_arg(value: Option<String>) -> async_graphql::Result<Option<String>> {
    let value = value.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
    if value.as_ref().is_some_and(|s| s.chars().count() > SEARCH_MAX) {
        return Err(super::errors::coded_error("BAD_USER_INPUT", format!("search is at most {SEARCH_MAX} characters")));
    }
    Ok(value)
}

/// The message of a timestamp out of range, shared by userErrors and argument errors.
fn timestamp_message() -> String {
    use crate::db::sql_value::{MAX_YEAR, MIN_YEAR};
    format!("a date must be within the years {MIN_YEAR} to {MAX_YEAR}")
}

/// A timestamp input (every `DateTime` a client sends goes through this or
/// [`timestamp_arg`]): within the years 1 to 9999, which PostgreSQL stores and every
/// client prints.
pub fn timestamp(errors: &mut UserErrors, path: &[&str], value: Option<&DateTime<Utc>>) {
    if value.is_some_and(|v| !crate::db::sql_value::timestamp_in_range(v)) {
        errors.add_at(path, UserErrorCode::Invalid, timestamp_message());
    }
}

/// A timestamp argument of a query (see [`timestamp`]), or a BAD_USER_INPUT error naming it.
pub fn timestamp_arg(name: &str, value: Option<DateTime<Utc>>) -> async_graphql::Result<Option<DateTime<Utc>>> {
    match value {
        Some(v) if !crate::db::sql_value::timestamp_in_range(&v) => {
            Err(super::errors::coded_error("BAD_USER_INPUT", format!("{name}: {}", timestamp_message())))
        }
        _ => Ok(value),
    }
}

/// A validity window (`startsAt`, `endsAt`): each in range, and the end after the start.
pub fn window(errors: &mut UserErrors, starts: Option<DateTime<Utc>>, ends: Option<DateTime<Utc>>) {
    timestamp(errors, &["startsAt"], starts.as_ref());
    timestamp(errors, &["endsAt"], ends.as_ref());
    if let (Some(starts), Some(ends)) = (starts, ends)
        && starts >= ends
    {
        errors.add("endsAt", UserErrorCode::Invalid, "endsAt must be after startsAt");
    }
}
