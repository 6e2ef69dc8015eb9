//! Filtering products by attribute values, as a SQL fragment the catalog adds to its
//! product listing, and the test other domains embed for one value. Every value travels
//! as a bound parameter.

use async_graphql::InputObject;
use bigdecimal::BigDecimal;

use super::validate::{parse_boolean, parse_date, parse_number};
use crate::db::{Bind, Fragment};
use crate::graphql::{Decimal, coded_error};

/// Most attribute filters one listing takes.
pub const MAX_FILTERS: usize = 20;
/// Most values one attribute filter takes.
pub const MAX_FILTER_VALUES: usize = 100;

/// Products with a value of one attribute: any of `values`, and for NUMBER attributes
/// within `gte`/`lte`. A product matches through its own values or any of its variants'.
#[derive(InputObject, Debug, Clone)]
pub struct AttributeFilterInput {
    /// The attribute's code.
    pub code: String,
    /// Any of these values, written as in `AttributeValue.values`: an option value, a
    /// decimal, `true`/`false`, a date `YYYY-MM-DD`, or the exact text.
    pub values: Option<Vec<String>>,
    /// At least this number (NUMBER attributes).
    pub gte: Option<Decimal>,
    /// At most this number (NUMBER attributes).
    pub lte: Option<Decimal>,
}

/// A boolean SQL fragment on `products.id`, true for the products that match EVERY filter
/// (an empty list matches every product). Each filter is an `EXISTS` over the product's
/// values, product-level and variant-level alike; each listed value is compared typed: as
/// an option value, as exact text, and, where it parses as one, as a number, a boolean
/// or a date.
pub fn products_matching(filters: &[AttributeFilterInput]) -> async_graphql::Result<Fragment> {
    if filters.len() > MAX_FILTERS {
        return Err(coded_error("BAD_USER_INPUT", format!("at most {MAX_FILTERS} attribute filters")));
    }
    let mut fragment = Fragment::sql("(TRUE");
    for filter in filters {
        fragment = fragment.push(" AND ").append(matching(filter)?);
    }
    Ok(fragment.push(")"))
}

fn matching(filter: &AttributeFilterInput) -> async_graphql::Result<Fragment> {
    let code = filter.code.trim();
    let bad = |message: String| coded_error("BAD_USER_INPUT", message);
    if code.is_empty() {
        return Err(bad("an attribute filter needs a code".to_owned()));
    }
    let values = filter.values.as_deref().unwrap_or_default();
    if values.is_empty() && filter.gte.is_none() && filter.lte.is_none() {
        return Err(bad(format!("the filter on '{code}' needs values or a range (gte, lte)")));
    }
    if values.len() > MAX_FILTER_VALUES {
        return Err(bad(format!("the filter on '{code}' takes at most {MAX_FILTER_VALUES} values")));
    }
    if filter.gte.as_ref().zip(filter.lte.as_ref()).is_some_and(|(gte, lte)| gte.0 > lte.0) {
        return Err(bad(format!("the filter on '{code}' has gte above lte")));
    }

    let mut fragment = Fragment::sql(
        "EXISTS (SELECT 1 FROM attribute_values av \
         JOIN attribute_definitions ad ON ad.id = av.attribute_id \
         LEFT JOIN attribute_options ao ON ao.id = av.option_id \
         WHERE av.product_id = products.id AND ad.code = ",
    )
    .bind(Bind::Text(code.to_owned()));
    if !values.is_empty() {
        let texts: Vec<String> = values.iter().map(|v| v.trim().to_owned()).collect();
        let numbers: Vec<BigDecimal> = values.iter().filter_map(|v| parse_number(v)).collect();
        let booleans: Vec<bool> = values.iter().filter_map(|v| parse_boolean(v)).collect();
        let dates: Vec<chrono::NaiveDate> = values.iter().filter_map(|v| parse_date(v)).collect();
        fragment = fragment
            .push(" AND (ao.value = ANY(")
            .bind(Bind::Texts(texts.clone()))
            .push(") OR av.text_value = ANY(")
            .bind(Bind::Texts(texts))
            .push(") OR av.number_value = ANY(")
            .bind(Bind::Numerics(numbers))
            .push(") OR av.boolean_value = ANY(")
            .bind(Bind::Bools(booleans))
            .push(") OR av.date_value = ANY(")
            .bind(Bind::Dates(dates))
            .push("))");
    }
    if let Some(gte) = &filter.gte {
        fragment = fragment.push(" AND av.number_value >= ").bind(Bind::Numeric(gte.0.clone()));
    }
    if let Some(lte) = &filter.lte {
        fragment = fragment.push(" AND av.number_value <= ").bind(Bind::Numeric(lte.0.clone()));
    }
    Ok(fragment.push(")"))
}

/// True when the product `product`, or its variant `variant`, has the value `value` of the
/// attribute `attribute` (all four columns in scope): an option's value or the exact text.
/// Royalty rules on an attribute value cover the order lines this holds for.
pub fn has_value(product: &str, variant: &str, attribute: &str, value: &str) -> Fragment {
    Fragment::sql(&format!(
        "EXISTS (SELECT 1 FROM attribute_values av LEFT JOIN attribute_options ao ON ao.id = av.option_id \
         WHERE av.product_id = {product} AND (av.variant_id IS NULL OR av.variant_id = {variant}) \
         AND av.attribute_id = {attribute} AND (ao.value = {value} OR av.text_value = {value}))"
    ))
}
