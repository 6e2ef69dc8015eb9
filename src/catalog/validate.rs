//! Validation of catalog inputs: every problem becomes a userError, and a mutation with
//! any problem writes nothing.

use std::collections::HashSet;
use std::sync::LazyLock;

use regex::Regex;

use crate::graphql::{UserErrorCode, UserErrors};

static SLUG: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^[a-z0-9]+(-[a-z0-9]+)*$").expect("valid regex"));

/// A product slug: lowercase words of letters and digits joined by `-`, at most 120.
pub fn slug(errors: &mut UserErrors, value: &str) -> String {
    let value = value.trim();
    if value.is_empty() {
        errors.add("slug", UserErrorCode::Required, "slug is required");
    } else if value.len() > 120 || !SLUG.is_match(value) {
        errors.add(
            "slug",
            UserErrorCode::Invalid,
            "slug must be lowercase letters and digits joined by '-', at most 120",
        );
    }
    value.to_owned()
}

/// Text that must be there and not longer than `max` characters.
pub fn required_text(errors: &mut UserErrors, path: &[&str], value: &str, max: usize) -> String {
    let value = value.trim();
    if value.is_empty() {
        errors.add_at(path, UserErrorCode::Required, format!("{} is required", path[path.len() - 1]));
    } else if value.chars().count() > max {
        errors.add_at(
            path,
            UserErrorCode::TooLong,
            format!("{} must be at most {max} characters", path[path.len() - 1]),
        );
    }
    value.to_owned()
}

/// Optional text not longer than `max` characters; blank means none.
pub fn optional_text(errors: &mut UserErrors, path: &[&str], value: Option<&str>, max: usize) -> Option<String> {
    let value = value.map(str::trim).filter(|v| !v.is_empty())?;
    if value.chars().count() > max {
        errors.add_at(
            path,
            UserErrorCode::TooLong,
            format!("{} must be at most {max} characters", path[path.len() - 1]),
        );
    }
    Some(value.to_owned())
}

/// A SKU: 1 to 64 characters, no white space, unique within `seen`.
pub fn sku(errors: &mut UserErrors, path: &[&str], value: &str, seen: &mut HashSet<String>) -> String {
    let value = value.trim();
    if value.is_empty() || value.chars().count() > 64 || value.chars().any(char::is_whitespace) {
        errors.add_at(path, UserErrorCode::Invalid, "a SKU is 1 to 64 characters without spaces");
    } else if !seen.insert(value.to_owned()) {
        errors.add_at(path, UserErrorCode::DuplicateSku, format!("SKU '{value}' appears twice in this input"));
    }
    value.to_owned()
}

/// An absolute http(s) URL of at most 2,048 characters.
pub fn url(errors: &mut UserErrors, path: &[&str], value: &str) -> String {
    let value = value.trim();
    let scheme_ok = value.starts_with("https://") || value.starts_with("http://");
    if !scheme_ok || value.len() > 2048 || value.chars().any(char::is_whitespace) || value.len() < 10 {
        errors.add_at(path, UserErrorCode::Invalid, "an image URL is an absolute http(s) URL");
    }
    value.to_owned()
}
