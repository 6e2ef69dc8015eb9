//! What PostgreSQL accepts as a value of a type, checked in Rust before a value from outside
//! (a cursor, a date) is bound: a value PostgreSQL refuses fails the whole statement with
//! an error that names the value, which is neither the client's fault to see as an
//! internal error nor something to write into the log.

use std::sync::LazyLock;

use chrono::{DateTime, Datelike, NaiveDateTime, Utc};
use regex::Regex;

/// The earliest year a timestamp may have (PostgreSQL goes back to 4713 BC, but a year
/// below 1 is a mistake in commerce data, and ISO 8601 prints it oddly).
pub const MIN_YEAR: i32 = 1;
/// The latest year a timestamp may have (four digits, as every client prints them).
pub const MAX_YEAR: i32 = 9999;
/// The most bytes a text in a cursor may have: the longest sort text, a 300-character
/// product name, in UTF-8 (up to 4 bytes a character).
pub const MAX_KEY_TEXT: usize = 1200;

/// Whether a timestamp is within the years 1 to 9999.
pub fn timestamp_in_range(value: &DateTime<Utc>) -> bool {
    (MIN_YEAR..=MAX_YEAR).contains(&value.year())
}

/// Whether a text can be bound as `text`: PostgreSQL refuses NUL characters.
pub fn text_ok(value: &str) -> bool {
    !value.contains('\0')
}

/// The SQL type of a sort key that travels in a cursor as text and is cast back to its
/// type inside the statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortType {
    /// `timestamptz`
    Timestamptz,
    /// `text`
    Text,
    /// `numeric`
    Numeric,
    /// `integer`
    Integer,
    /// `bigint`
    BigInt,
}

static NUMERIC: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^-?[0-9]{1,40}(\.[0-9]{1,40})?$").expect("valid regex"));

impl SortType {
    /// The type's name in a `CAST(… AS <type>)`.
    pub fn sql(self) -> &'static str {
        match self {
            Self::Timestamptz => "timestamptz",
            Self::Text => "text",
            Self::Numeric => "numeric",
            Self::Integer => "integer",
            Self::BigInt => "bigint",
        }
    }

    /// Whether `text` casts to this type without an error: a timestamp as PostgreSQL
    /// or RFC 3339 prints it within years 1 to 9999, a plain decimal, an integer in
    /// range, a text without NUL, each at most [`MAX_KEY_TEXT`] bytes.
    pub fn accepts(self, text: &str) -> bool {
        if text.len() > MAX_KEY_TEXT {
            return false;
        }
        match self {
            Self::Timestamptz => parse_timestamp(text).is_some_and(|t| timestamp_in_range(&t)),
            Self::Text => text_ok(text),
            Self::Numeric => NUMERIC.is_match(text),
            Self::Integer => text.parse::<i32>().is_ok(),
            Self::BigInt => text.parse::<i64>().is_ok(),
        }
    }
}

/// A timestamp printed by PostgreSQL (`2026-11-27 14:05:01.123456+00`) or as RFC 3339.
pub fn parse_timestamp(text: &str) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Some(t.with_timezone(&Utc));
    }
    if let Ok(t) = DateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f%#z") {
        return Some(t.with_timezone(&Utc));
    }
    // Without an offset PostgreSQL reads the session's zone; any such text is a valid
    // timestamp, so only the form is checked.
    NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f").ok().map(|t| t.and_utc())
}

#[cfg(test)]
mod tests {
    use super::SortType;

    #[test]
    fn values_postgresql_would_refuse_are_refused() {
        assert!(SortType::Timestamptz.accepts("2026-11-27 14:05:01.123456+00"));
        assert!(SortType::Timestamptz.accepts("2026-11-27T14:05:01.123456Z"));
        assert!(!SortType::Timestamptz.accepts("abc"));
        assert!(!SortType::Timestamptz.accepts("0000-01-01 00:00:00+00"));
        assert!(SortType::Numeric.accepts("19.9900"));
        assert!(SortType::Numeric.accepts("-1"));
        assert!(!SortType::Numeric.accepts("abc"));
        assert!(!SortType::Numeric.accepts("1e999999"));
        assert!(!SortType::Numeric.accepts("NaN"));
        assert!(SortType::Integer.accepts("3"));
        assert!(!SortType::Integer.accepts("2147483648"));
        assert!(SortType::BigInt.accepts("2147483648"));
        assert!(SortType::Text.accepts("Blue shirt"));
        assert!(!SortType::Text.accepts("a\0b"));
        assert!(!SortType::Text.accepts(&"x".repeat(1201)));
    }
}
