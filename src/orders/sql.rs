//! What other domains read of orders inside their own statements, as SQL fragments: the
//! orders domain says how its tables answer, the caller embeds the answer in its query.

use diesel::sql_types::Untyped;
use uuid::Uuid;

use crate::db::{Bind, Fragment};

/// The sold lines of an order that still name their product, as a query with the columns
/// `id, line, product_id, variant_id, quantity, base`; `base` is what was really paid for
/// the line, its total less its share of the order's discounts. Royalties are earned on it.
pub fn sold_lines(order_id: Uuid) -> Fragment<Untyped> {
    Fragment::sql(
        "SELECT id, line, product_id, variant_id, quantity, line_total - discount_total AS base \
         FROM order_items WHERE order_id = ",
    )
    .bind(Bind::Uuid(order_id))
    .push(" AND product_id IS NOT NULL")
}

/// Every order's money kept, as a query with the columns `id, kept`: its total less what
/// was refunded. Promotions count it as the revenue a coupon brought in.
pub fn money_kept() -> Fragment<Untyped> {
    Fragment::sql("SELECT id, total - refunded_total AS kept FROM orders")
}
