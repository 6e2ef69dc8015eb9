//! Checks of attribute inputs: codes, names, options, and values against their
//! definition's type. Every problem becomes a userError; the parsers of values are also
//! what filters use, so a value is read the same way when stored and when searched for.

use std::collections::HashSet;
use std::str::FromStr;
use std::sync::LazyLock;

use bigdecimal::BigDecimal;
use chrono::NaiveDate;
use regex::Regex;

use super::model::{AttributeDefinition, AttributeOption, AttributeType, NewOption, TypedValue};
use crate::graphql::{UserErrorCode, UserErrors};

static CODE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^[a-z][a-z0-9_]{0,39}$").expect("valid regex"));
static DATE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^\d{4}-\d{2}-\d{2}$").expect("valid regex"));

/// Longest TEXT value of a definition without a `maxLength`.
pub const TEXT_LIMIT: usize = 1000;
/// Most options a definition may be created with or given at once.
pub const MAX_OPTIONS: usize = 500;

/// A definition or set code: a lowercase letter, then up to 39 of `a-z 0-9 _`.
pub fn code(errors: &mut UserErrors, path: &[&str], value: &str) -> String {
    let value = value.trim();
    if value.is_empty() {
        errors.add_at(path, UserErrorCode::Required, "code is required");
    } else if !CODE.is_match(value) {
        errors.add_at(
            path,
            UserErrorCode::Invalid,
            "a code is a lowercase letter followed by up to 39 lowercase letters, digits or '_'",
        );
    }
    value.to_owned()
}

/// Text that must be there, at most `max` characters.
pub fn required_text(errors: &mut UserErrors, path: &[&str], value: &str, max: usize) -> String {
    let value = value.trim();
    let field = path.last().copied().unwrap_or("value");
    if value.is_empty() {
        errors.add_at(path, UserErrorCode::Required, format!("{field} is required"));
    } else if value.chars().count() > max {
        errors.add_at(path, UserErrorCode::TooLong, format!("{field} must be at most {max} characters"));
    }
    value.to_owned()
}

/// New options given at `path` (e.g. `["options"]`): values of 1 to 100 characters, labels
/// of 1 to 200 (the value when blank), no value twice.
pub fn options(errors: &mut UserErrors, path: &[&str], input: &[(String, Option<String>)]) -> Vec<NewOption> {
    if input.len() > MAX_OPTIONS {
        errors.add_at(path, UserErrorCode::Invalid, format!("at most {MAX_OPTIONS} options at once"));
        return Vec::new();
    }
    let mut seen = HashSet::new();
    input
        .iter()
        .enumerate()
        .map(|(i, (value, label))| {
            let i = i.to_string();
            let at = |field: &'static str| path.iter().copied().chain([i.as_str(), field]).collect::<Vec<_>>();
            let value = required_text(errors, &at("value"), value, 100);
            let label = match label.as_deref().map(str::trim).filter(|l| !l.is_empty()) {
                Some(label) => required_text(errors, &at("label"), label, 200),
                None => value.clone(),
            };
            if !value.is_empty() && !seen.insert(value.clone()) {
                errors.add_at(&at("value"), UserErrorCode::Duplicate, format!("option '{value}' is given twice"));
            }
            NewOption { value, label }
        })
        .collect()
}

/// A plain decimal number (no exponent, at most 40 characters), as filters and values
/// write them.
pub fn parse_number(value: &str) -> Option<BigDecimal> {
    let value = value.trim();
    if value.is_empty() || value.len() > 40 || value.contains(['e', 'E']) {
        return None;
    }
    BigDecimal::from_str(value).ok().map(|n| n.normalized())
}

/// `true` or `false`, exactly.
pub fn parse_boolean(value: &str) -> Option<bool> {
    match value.trim() {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    }
}

/// A calendar date written `YYYY-MM-DD`.
pub fn parse_date(value: &str) -> Option<NaiveDate> {
    let value = value.trim();
    if !DATE.is_match(value) {
        return None;
    }
    NaiveDate::parse_from_str(value, "%Y-%m-%d").ok()
}

/// Checks the values given for one attribute at `path` (e.g. `["values", "0", "values"]`)
/// against its definition and options, and returns them typed. An empty list is valid
/// (it removes the attribute's values).
pub fn values(
    errors: &mut UserErrors,
    path: &[&str],
    definition: &AttributeDefinition,
    options: &[AttributeOption],
    input: &[String],
) -> Vec<TypedValue> {
    let kind = definition.attribute_type;
    if kind != AttributeType::Multiselect && input.len() > 1 {
        errors.add_at(
            path,
            UserErrorCode::InvalidAttributeValue,
            format!("attribute '{}' takes one value, not {}", definition.code, input.len()),
        );
        return Vec::new();
    }
    let mut chosen = HashSet::new();
    let mut typed = Vec::with_capacity(input.len());
    for (j, raw) in input.iter().enumerate() {
        let j = j.to_string();
        let at: Vec<&str> = path.iter().copied().chain([j.as_str()]).collect();
        match value(definition, options, raw) {
            Ok(TypedValue::Option(id)) if !chosen.insert(id) => errors.add_at(
                &at,
                UserErrorCode::InvalidAttributeValue,
                format!("option '{}' is given twice", raw.trim()),
            ),
            Ok(value) => typed.push(value),
            Err(message) => errors.add_at(&at, UserErrorCode::InvalidAttributeValue, message),
        }
    }
    typed
}

/// One value of an attribute, typed, or why it is not one.
fn value(definition: &AttributeDefinition, options: &[AttributeOption], raw: &str) -> Result<TypedValue, String> {
    let code = &definition.code;
    match definition.attribute_type {
        AttributeType::Text => {
            let text = raw.trim();
            let max = definition.max_length.and_then(|m| usize::try_from(m).ok()).unwrap_or(TEXT_LIMIT);
            if text.is_empty() {
                Err(format!("a value of '{code}' cannot be blank"))
            } else if text.chars().count() > max {
                Err(format!("a value of '{code}' is at most {max} characters"))
            } else {
                Ok(TypedValue::Text(text.to_owned()))
            }
        }
        AttributeType::Number => {
            let number = parse_number(raw).ok_or_else(|| format!("a value of '{code}' is a decimal number"))?;
            if let Some(min) = definition.min_number.as_ref().filter(|min| number < **min) {
                return Err(format!("a value of '{code}' is at least {}", min.normalized().to_plain_string()));
            }
            if let Some(max) = definition.max_number.as_ref().filter(|max| number > **max) {
                return Err(format!("a value of '{code}' is at most {}", max.normalized().to_plain_string()));
            }
            Ok(TypedValue::Number(number))
        }
        AttributeType::Boolean => {
            parse_boolean(raw).map(TypedValue::Boolean).ok_or_else(|| format!("a value of '{code}' is true or false"))
        }
        AttributeType::Date => {
            parse_date(raw).map(TypedValue::Date).ok_or_else(|| format!("a value of '{code}' is a date, YYYY-MM-DD"))
        }
        AttributeType::Select | AttributeType::Multiselect => {
            let wanted = raw.trim();
            options.iter().find(|o| o.value == wanted).map(|o| TypedValue::Option(o.id)).ok_or_else(|| {
                let allowed: Vec<&str> = options.iter().take(20).map(|o| o.value.as_str()).collect();
                format!("'{wanted}' is not an option of '{code}' (options: {})", allowed.join(", "))
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_dates_and_booleans_parse_strictly() {
        assert_eq!(parse_number(" 12.50 ").map(|n| n.to_plain_string()), Some("12.5".to_owned()));
        assert_eq!(parse_number("-3"), BigDecimal::from_str("-3").ok());
        for bad in ["", "1e3", "abc", "1.2.3", "NaN"] {
            assert_eq!(parse_number(bad), None, "{bad}");
        }
        assert_eq!(parse_date("2026-02-28"), NaiveDate::from_ymd_opt(2026, 2, 28));
        for bad in ["2026-02-30", "2026-2-3", "26-02-03", "2026-02-03T00:00"] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
        assert_eq!(parse_boolean("true"), Some(true));
        assert_eq!(parse_boolean("False"), None);
    }
}
