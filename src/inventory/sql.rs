//! Stock as other domains' statements need it, as SQL fragments.

use diesel::sql_types::BigInt;

use crate::db::Fragment;

/// Units of the variant in `variant_id` (a column in scope) that can still be sold, over
/// all locations: Σ(quantity − reserved), 0 when never stocked.
pub fn available_of(variant_id: &str) -> Fragment<BigInt> {
    Fragment::sql(&format!(
        "COALESCE((SELECT sum(i.quantity - i.reserved) FROM inventory i WHERE i.variant_id = {variant_id}), 0)"
    ))
}
