//! The precedence of prices, said once, in SQL: a store's override of the product, then
//! the highest-priority active price list matching the store, the channel and the moment
//! (the newest first on a tie), then the variant's own price, then the product's base
//! price. The catalog puts these fragments into its own statements, so a page of products
//! gets its prices in the statement that loads its variants, and sorting and filtering by
//! price use exactly the rule the page shows. The store's part (which store a code names,
//! its override of a product) is asked of `stores::sql`.

use diesel::sql_types::{Array, Numeric, Text};

use super::model::SalesChannel;
use crate::db::{Bind, Fragment};
use crate::stores::sql::{price_override, store_id};

/// Where a price is asked for: a store (by code, as requests name it) and a channel.
#[derive(Debug, Clone)]
pub struct PriceContext {
    /// The store of the request, if any; without one, only lists for every store match.
    pub store_code: Option<String>,
    /// The sales channel.
    pub channel: SalesChannel,
}

impl PriceContext {
    /// Online prices with no store: what an admin sees outside any store.
    pub fn tenant_wide() -> Self {
        Self { store_code: None, channel: SalesChannel::Online }
    }
}

/// The effective price of the variant in `variant` (a table name or alias in scope, with
/// its product as `products`), as `text[]`: `{amount, currency, source}`; read it with
/// [`parse_price`].
pub fn variant_price(ctx: &PriceContext, variant: &str) -> Fragment<Array<Text>> {
    Fragment::sql("COALESCE((SELECT ARRAY[o.amount::text, o.currency, 'STORE_OVERRIDE'] FROM (")
        .append(price_override(ctx.store_code.as_deref(), &format!("{variant}.product_id")))
        .push(") o), ")
        .append(list_price(ctx, variant))
        .push(&format!(
            ", ARRAY[COALESCE({variant}.price, products.base_price)::text, products.currency, \
             CASE WHEN {variant}.price IS NULL THEN 'BASE_PRICE' ELSE 'VARIANT_PRICE' END])"
        ))
}

/// The winning price list entry of the variant in `variant`, as `text[]` or NULL.
fn list_price(ctx: &PriceContext, variant: &str) -> Fragment<Array<Text>> {
    Fragment::sql(
        "(SELECT ARRAY[e.amount::text, l.currency, 'PRICE_LIST'] FROM price_list_entries e \
         JOIN price_lists l ON l.id = e.price_list_id WHERE e.variant_id = ",
    )
    .push(&format!("{variant}.id AND l.active AND (l.store_id IS NULL OR l.store_id = "))
    .append(store_id(ctx.store_code.as_deref()))
    .push(") AND (l.channel IS NULL OR l.channel = ")
    .bind(Bind::Text(ctx.channel.as_str().to_owned()))
    .push(
        ") AND (l.starts_at IS NULL OR l.starts_at <= now()) AND (l.ends_at IS NULL OR l.ends_at > now()) \
         ORDER BY l.priority DESC, l.created_at DESC, l.id LIMIT 1)",
    )
}

/// The price of the product `products` itself, as `numeric`: the store's override, else
/// its base price. The catalog shows a product without variants at it.
pub fn product_own_price(ctx: &PriceContext) -> Fragment<Numeric> {
    Fragment::sql("COALESCE((SELECT o.amount FROM (")
        .append(price_override(ctx.store_code.as_deref(), "products.id"))
        .push(") o), products.base_price)")
}

/// Reads the `text[]` of [`variant_price`]: amount, currency and the rule that decided.
pub fn parse_price(parts: &[String]) -> Option<(bigdecimal::BigDecimal, String, super::PriceSource)> {
    match parts {
        [amount, currency, source] => {
            Some((amount.parse().ok()?, currency.clone(), super::PriceSource::from_tag(source)?))
        }
        _ => None,
    }
}
