//! What the catalog says inside other statements, as SQL fragments: the categories a
//! product sits in (royalties), the attribute set of a product (attributes), and the price
//! a product is shown from, which the catalog builds from the pricing rule for each of its
//! variants.

use diesel::sql_types::{Nullable, Numeric, Untyped, Uuid};

use crate::db::Fragment;
use crate::pricing::PriceContext;

/// The categories the products of `products` (a query yielding product ids) sit in,
/// directly or below, as a query with the columns `product_id, category_id`: each
/// product's categories and all their ancestors, walked up the tree.
pub fn categories_with_ancestors(products: Fragment<Untyped>) -> Fragment<Untyped> {
    Fragment::sql(
        "WITH RECURSIVE placed (product_id, category_id) AS ( \
         SELECT pc.product_id, pc.category_id FROM product_categories pc WHERE pc.product_id IN (",
    )
    .append(products)
    .push(
        ") UNION \
         SELECT placed.product_id, c.parent_id FROM placed JOIN categories c ON c.id = placed.category_id \
         WHERE c.parent_id IS NOT NULL) \
         SELECT product_id, category_id FROM placed",
    )
}

/// The attribute set of the product whose id `product` gives (a column in scope or a
/// bound id), or NULL.
pub fn attribute_set_of(product: Fragment<Uuid>) -> Fragment<Nullable<Uuid>> {
    Fragment::sql("(SELECT p.attribute_set_id FROM products p WHERE p.id = ").append(product).push(")")
}

/// The price the product `products` is shown "from" in `ctx`: the lowest effective price
/// of its variants, or its own price in the store when it has none, as `numeric`.
pub fn from_price(ctx: &PriceContext) -> Fragment<Numeric> {
    Fragment::sql("COALESCE((SELECT min((")
        .append(crate::pricing::sql::variant_price(ctx, "pv"))
        .push(")[1]::numeric) FROM product_variants pv WHERE pv.product_id = products.id), ")
        .append(crate::pricing::sql::product_own_price(ctx))
        .push(")")
}
