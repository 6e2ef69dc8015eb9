//! Validation of customer inputs: every problem becomes a userError, and a mutation with
//! any problem writes nothing.

use std::sync::LazyLock;

use regex::Regex;

pub use crate::graphql::validate::{email, optional_text};
use crate::graphql::{UserErrorCode, UserErrors};

static LOCALE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[a-z]{2,3}(-[A-Z][a-z]{3})?(-([A-Z]{2}|[0-9]{3}))?$").expect("valid regex"));

/// The most bytes the preferences object may take as JSON.
const MAX_PREFERENCES_BYTES: usize = 16 * 1024;

/// A person's given or family name: trimmed, at most 100 characters, may be empty.
pub fn person_name(errors: &mut UserErrors, field: &str, value: &str) -> String {
    let value = value.trim();
    if value.chars().count() > 100 {
        errors.add(field, UserErrorCode::TooLong, format!("{field} must be at most 100 characters"));
    }
    value.to_owned()
}

/// A phone number: trimmed, at most 40 characters, `None` when blank.
pub fn phone(errors: &mut UserErrors, value: Option<&str>) -> Option<String> {
    optional_text(errors, &["phone"], value, 40)
}

/// The subject in the identity provider: trimmed, at most 200 characters, `None` when blank.
pub fn auth_subject(errors: &mut UserErrors, value: Option<&str>) -> Option<String> {
    optional_text(errors, &["authSubject"], value, 200)
}

/// A BCP 47 locale tag such as `en`, `en-US` or `es-419`, `None` when blank.
pub fn locale(errors: &mut UserErrors, value: Option<&str>) -> Option<String> {
    let value = value.map(str::trim).filter(|v| !v.is_empty())?;
    if !LOCALE.is_match(value) {
        errors.add(
            "locale",
            UserErrorCode::InvalidLocale,
            format!("'{}' is not a locale tag such as en-US", value.escape_debug()),
        );
    }
    Some(value.to_owned())
}

/// Preferences: a JSON object of at most 16 KiB.
pub fn preferences(errors: &mut UserErrors, value: serde_json::Value) -> serde_json::Value {
    if !value.is_object() {
        errors.add("preferences", UserErrorCode::Invalid, "preferences must be a JSON object");
    } else if value.to_string().len() > MAX_PREFERENCES_BYTES {
        errors.add("preferences", UserErrorCode::TooLong, "preferences must be at most 16 KiB of JSON");
    }
    value
}
