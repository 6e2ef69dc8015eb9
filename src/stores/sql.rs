//! What the catalog asks of a store inside its own statements, as SQL fragments on the
//! row `products`: whether the product is shown in the store, and its text there. The
//! store is named by code, as requests name it, and resolved by a subquery that
//! PostgreSQL runs once per statement.

use diesel::sql_types::{Array, Bool, Nullable, Text, Uuid};

use crate::db::{Bind, Fragment};

fn store_id(code: &str) -> Fragment<Uuid> {
    Fragment::sql("(SELECT s.id FROM stores s WHERE s.code = ").bind(Bind::Text(code.to_owned())).push(")")
}

/// The id of the store with this code, or NULL: selected beside a page so that an
/// unknown store code is noticed without a statement of its own. Unless
/// `include_inactive` (an admin's view), an inactive store counts as unknown.
pub fn store_id_of(code: &str, include_inactive: bool) -> Fragment<Nullable<Uuid>> {
    let active = if include_inactive { ")" } else { " AND s.active)" };
    Fragment::sql("(SELECT s.id FROM stores s WHERE s.code = ").bind(Bind::Text(code.to_owned())).push(active)
}

/// True unless the store hides the product.
pub fn visible_in(code: &str) -> Fragment<Bool> {
    Fragment::sql("NOT EXISTS (SELECT 1 FROM store_products sp WHERE sp.product_id = products.id AND NOT sp.visible AND sp.store_id = ")
        .append(store_id(code))
        .push(")")
}

/// `{name, description}` of the product in the store (elements NULL where the store
/// keeps the product's own), or NULL when the store has no settings for it.
pub fn localized_text(code: &str) -> Fragment<Nullable<Array<Nullable<Text>>>> {
    Fragment::sql("(SELECT ARRAY[sp.name, sp.description] FROM store_products sp WHERE sp.product_id = products.id AND sp.store_id = ")
        .append(store_id(code))
        .push(")")
}
