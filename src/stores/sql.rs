//! What the catalog and pricing ask of a store inside their own statements, as SQL
//! fragments on a product: whether the product is shown in the store, its text and its
//! price override there. The store is named by code, as requests name it, and resolved by
//! a subquery that PostgreSQL runs once per statement.

use diesel::sql_types::{Array, Bool, Nullable, Text, Untyped, Uuid};

use crate::db::{Bind, Fragment};

fn by_code(code: Option<&str>, tail: &str) -> Fragment<Nullable<Uuid>> {
    Fragment::sql("(SELECT s.id FROM stores s WHERE s.code = ").bind(Bind::OptText(code.map(str::to_owned))).push(tail)
}

/// The id of the store with this code, as a subquery: NULL without a code or for an
/// unknown one, which then matches nothing.
pub fn store_id(code: Option<&str>) -> Fragment<Nullable<Uuid>> {
    by_code(code, ")")
}

/// The id of the store with this code, or NULL: selected beside a page so that an
/// unknown store code is noticed without a statement of its own. Unless
/// `include_inactive` (an admin's view), an inactive store counts as unknown.
pub fn store_id_of(code: &str, include_inactive: bool) -> Fragment<Nullable<Uuid>> {
    by_code(Some(code), if include_inactive { ")" } else { " AND s.active)" })
}

/// The store's price override of the product whose id is `product` (a column in scope),
/// as a query with the columns `amount, currency` and at most one row (none without an
/// override, or without a store).
pub fn price_override(code: Option<&str>, product: &str) -> Fragment<Untyped> {
    Fragment::sql("SELECT sp.price_override AS amount, sp.override_currency AS currency FROM store_products sp WHERE sp.store_id = ")
        .append(store_id(code))
        .push(&format!(" AND sp.product_id = {product} AND sp.price_override IS NOT NULL"))
}

/// True unless the store hides the product.
pub fn visible_in(code: &str) -> Fragment<Bool> {
    Fragment::sql("NOT EXISTS (SELECT 1 FROM store_products sp WHERE sp.product_id = products.id AND NOT sp.visible AND sp.store_id = ")
        .append(store_id(Some(code)))
        .push(")")
}

/// `{name, description}` of the product in the store (elements NULL where the store
/// keeps the product's own), or NULL when the store has no settings for it.
pub fn localized_text(code: &str) -> Fragment<Nullable<Array<Nullable<Text>>>> {
    Fragment::sql("(SELECT ARRAY[sp.name, sp.description] FROM store_products sp WHERE sp.product_id = products.id AND sp.store_id = ")
        .append(store_id(Some(code)))
        .push(")")
}
