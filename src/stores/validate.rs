//! Validation of store inputs: every problem becomes a userError, and a mutation with any
//! problem writes nothing.

use std::sync::LazyLock;

use regex::Regex;

pub use crate::graphql::validate::{code, name};
use crate::graphql::{UserErrorCode, UserErrors};

static LOCALE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[a-z]{2,3}(-[A-Z][a-z]{3})?(-([A-Z]{2}|[0-9]{3}))?$").expect("valid regex"));
static DOMAIN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$").expect("valid regex")
});

/// A host name, lowercased; blank means none.
pub fn domain(errors: &mut UserErrors, value: &str) -> Option<String> {
    let value = value.trim().trim_end_matches('.').to_ascii_lowercase();
    if value.is_empty() {
        return None;
    }
    if value.len() > 253 || !DOMAIN.is_match(&value) || value.parse::<std::net::IpAddr>().is_ok() {
        errors.add(
            "domain",
            UserErrorCode::InvalidDomain,
            format!("'{value}' is not a DNS host name such as shop.example.com"),
        );
    }
    Some(value)
}

/// A BCP 47 locale tag such as `en`, `en-US`, `es-419` or `zh-Hant-TW`.
pub fn locale(errors: &mut UserErrors, value: &str) -> String {
    let value = value.trim();
    if !LOCALE.is_match(value) {
        errors.add("locale", UserErrorCode::InvalidLocale, format!("'{value}' is not a locale tag such as en-US"));
    }
    value.to_owned()
}

/// A theme name: at most 100 characters; blank means none.
pub fn theme(errors: &mut UserErrors, value: &str) -> Option<String> {
    let value = value.trim();
    if value.chars().count() > 100 {
        errors.add("theme", UserErrorCode::TooLong, "theme must be at most 100 characters");
    }
    (!value.is_empty()).then(|| value.to_owned())
}
