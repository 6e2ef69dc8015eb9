use std::sync::LazyLock;

use regex::Regex;

static SLUG: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^[a-z][a-z0-9_]{1,39}$").expect("valid regex"));

/// Names a slug may not take even though they match the pattern: PostgreSQL's own schema
/// names and this program's. (A tenant's schema is `t_<slug>`, so none of these could
/// collide; refusing them keeps logs and URLs unambiguous.)
const RESERVED: &[&str] = &["public", "control", "information_schema", "storegraph", "admin", "template0", "template1"];

/// A tenant's slug, validated: `^[a-z][a-z0-9_]{1,39}$`, not reserved, not `pg_*`.
/// Every tenant name that comes from a request passes through [`Slug::parse`] before it
/// is used at all, so a hostile value never reaches SQL.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Slug(String);

/// Why a string is not a tenant slug.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{0}")]
pub struct SlugError(String);

impl Slug {
    /// Validates `value` as a slug.
    pub fn parse(value: &str) -> Result<Self, SlugError> {
        if value.is_empty() {
            return Err(SlugError("the tenant slug is empty".into()));
        }
        let shown: String = value.chars().take(48).collect::<String>().escape_debug().to_string();
        if !SLUG.is_match(value) {
            return Err(SlugError(format!(
                "\"{shown}\" is not a valid tenant slug: 2 to 40 characters, lowercase ASCII \
                 letters, digits and '_', starting with a letter"
            )));
        }
        if RESERVED.contains(&value) || value.starts_with("pg_") {
            return Err(SlugError(format!("\"{shown}\" is a reserved name and cannot be a tenant slug")));
        }
        Ok(Self(value.to_owned()))
    }

    /// The slug as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Slug {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_ordinary_slugs() {
        for ok in ["acme", "a1", "shop_2", "x_________________________________y"] {
            assert!(Slug::parse(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn refuses_hostile_and_reserved_slugs() {
        let long = "a".repeat(41);
        for bad in [
            "",
            "a",
            "Acme",
            "1shop",
            "_x",
            "a-b",
            "a;drop",
            "a'b",
            "a b",
            "a,b",
            "public",
            "control",
            "pg_catalog",
            "pg_x",
            "information_schema",
            "café",
            long.as_str(),
        ] {
            assert!(Slug::parse(bad).is_err(), "{bad:?} should be refused");
        }
    }
}
