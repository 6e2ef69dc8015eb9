//! The allocation ledger: sales when an order is paid, reversals when it is refunded or
//! cancelled. Called on the order lifecycle's events inside its transaction, with the
//! order row locked, so two changes of one order never interleave here.

use std::collections::HashMap;

use bigdecimal::num_bigint::{BigInt, Sign};
use bigdecimal::{BigDecimal, Zero};
use diesel::prelude::*;
use diesel::sql_types::{Integer, Numeric, Text, Untyped, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::model::{AllocationKind, NewAllocation, RoyaltyAllocation, RoyaltyRateKind};
use crate::db::schema::royalty_allocations;
use crate::db::{Bind, Fragment};
use crate::events::OrderFacts;
use crate::money::{minor_units, round_to_currency};

/// An order line and an active rule that covers it.
#[derive(Debug, QueryableByName)]
struct Match {
    #[diesel(sql_type = SqlUuid)]
    item_id: Uuid,
    #[diesel(sql_type = Integer)]
    quantity: i32,
    #[diesel(sql_type = Numeric)]
    base: BigDecimal,
    #[diesel(sql_type = SqlUuid)]
    rule_id: Uuid,
    #[diesel(sql_type = Text)]
    beneficiary: String,
    #[diesel(sql_type = Text)]
    rate_kind: RoyaltyRateKind,
    #[diesel(sql_type = Numeric)]
    rate: BigDecimal,
}

/// Every (line, active rule) pair of an order, in line then rule order: one statement.
///
/// A line is covered by a PRODUCT rule of its product; by a CATEGORY rule when its product
/// is in that category or in any category below it (the product's categories and all
/// their ancestors, as the catalog walks up its tree); by an ATTRIBUTE_VALUE rule when its
/// product, or the line's variant, has that attribute value (an option's value, or the
/// exact text). Fixed rates cover orders in their own currency only. The catalog is read
/// as it is when the order is paid. The lines, the categories and the attribute values
/// are read through fragments their domains export.
fn matches(order: &OrderFacts) -> Fragment<Untyped> {
    Fragment::sql("WITH items AS (")
        .append(crate::orders::sold_lines(order.id))
        .push("), placed AS MATERIALIZED (")
        .append(crate::catalog::categories_with_ancestors(Fragment::sql("SELECT product_id FROM items")))
        .push(
            ") SELECT i.id AS item_id, i.quantity, i.base, r.id AS rule_id, r.beneficiary, r.rate_kind, r.rate \
             FROM items i JOIN royalty_rules r ON r.active AND CASE r.scope \
             WHEN 'product' THEN r.product_id = i.product_id \
             WHEN 'category' THEN EXISTS ( \
                 SELECT 1 FROM placed p WHERE p.product_id = i.product_id AND p.category_id = r.category_id) \
             ELSE ",
        )
        .append(crate::attributes::has_value("i.product_id", "i.variant_id", "r.attribute_id", "r.attribute_value"))
        .push(" END WHERE r.rate_kind = 'percentage' OR r.currency = ")
        .bind(Bind::Text(order.currency.clone()))
        .push(" ORDER BY i.line, r.created_at, r.id")
}

/// What a rule earns on a line: a percentage of the line's base, or the fixed rate per
/// unit; rounded half up to the currency's minor unit.
pub fn sale_amount(
    kind: RoyaltyRateKind,
    rate: &BigDecimal,
    base: &BigDecimal,
    quantity: i32,
    currency: &str,
) -> BigDecimal {
    let exact = match kind {
        // × 0.01 is exact, where ÷ 100 would go through division.
        RoyaltyRateKind::Percentage => base * rate * BigDecimal::new(BigInt::from(1), 2),
        RoyaltyRateKind::FixedPerUnit => rate * BigDecimal::from(quantity),
    };
    round_to_currency(&exact, currency)
}

/// `amount × part / whole` rounded half up to `currency`'s minor unit, in exact integer
/// arithmetic (no division at a limited precision). All three are non-negative and
/// `whole` is positive.
pub fn proportion(amount: &BigDecimal, part: &BigDecimal, whole: &BigDecimal, currency: &str) -> BigDecimal {
    debug_assert!(whole > &BigDecimal::zero() && amount.sign() != Sign::Minus && part.sign() != Sign::Minus);
    let numerator = amount * part;
    let (n, n_scale) = numerator.as_bigint_and_exponent();
    let (d, d_scale) = whole.as_bigint_and_exponent();
    let minor = minor_units(currency);
    // amount × part / whole = (n / 10^n_scale) / (d / 10^d_scale); in minor units that is
    // n × 10^(minor + d_scale) / (d × 10^n_scale). Exponents may be negative (`1E+2`).
    let mut top = n * 2;
    let mut bottom = d * 2;
    let shift = minor + d_scale - n_scale;
    if shift >= 0 {
        top *= BigInt::from(10).pow(shift as u32);
    } else {
        bottom *= BigInt::from(10).pow((-shift) as u32);
    }
    // Half up: floor((2t + b) / 2b) with t/b the exact quotient (t = top / 2, b = bottom / 2).
    let units = (top + &bottom / 2) / bottom;
    BigDecimal::new(units, minor)
}

/// Records a sale allocation for every line of the just-paid `order` and every active
/// rule covering it (amounts that round to zero are not recorded): one statement to
/// match, one to insert. A line already allocated to a rule is left as it is.
pub async fn allocate_sales(conn: &mut AsyncPgConnection, order: &OrderFacts) -> QueryResult<()> {
    let matches: Vec<Match> = matches(order).load(conn).await?;
    let rows: Vec<NewAllocation> = matches
        .into_iter()
        .filter_map(|m| {
            let amount = sale_amount(m.rate_kind, &m.rate, &m.base, m.quantity, &order.currency);
            (amount > BigDecimal::zero()).then(|| NewAllocation {
                rule_id: m.rule_id,
                order_id: order.id,
                order_item_id: m.item_id,
                sale_id: None,
                beneficiary: m.beneficiary,
                kind: AllocationKind::Sale,
                base_amount: m.base,
                quantity: m.quantity,
                rate_kind: m.rate_kind,
                rate: m.rate,
                amount,
                currency: order.currency.clone(),
            })
        })
        .collect();
    if rows.is_empty() {
        return Ok(());
    }
    diesel::insert_into(royalty_allocations::table).values(&rows).on_conflict_do_nothing().execute(conn).await?;
    Ok(())
}

/// Brings the net of every sale of the order (the sale plus its reversals) down to
/// `target(sale)`, by a reversal of the difference where the net is above it; a net at
/// or below its target is left alone, so the ledger only ever moves towards zero. One
/// statement to read, one to insert (if anything is reversed).
pub async fn reverse_to(
    conn: &mut AsyncPgConnection,
    order_id: Uuid,
    target: impl Fn(&RoyaltyAllocation) -> BigDecimal,
) -> QueryResult<()> {
    let rows: Vec<RoyaltyAllocation> = royalty_allocations::table
        .filter(royalty_allocations::order_id.eq(order_id))
        .order((royalty_allocations::created_at, royalty_allocations::id))
        .select(RoyaltyAllocation::as_select())
        .load(conn)
        .await?;
    let mut reversed: HashMap<Uuid, BigDecimal> = HashMap::new();
    for row in rows.iter().filter(|r| r.kind == AllocationKind::Reversal) {
        if let Some(sale) = row.sale_id {
            *reversed.entry(sale).or_insert_with(BigDecimal::zero) += &row.amount;
        }
    }
    let reversals: Vec<NewAllocation> = rows
        .iter()
        .filter(|r| r.kind == AllocationKind::Sale)
        .filter_map(|sale| {
            let net = &sale.amount + reversed.get(&sale.id).cloned().unwrap_or_else(BigDecimal::zero);
            let excess = net - target(sale);
            (excess > BigDecimal::zero()).then(|| NewAllocation {
                rule_id: sale.rule_id,
                order_id: sale.order_id,
                order_item_id: sale.order_item_id,
                sale_id: Some(sale.id),
                beneficiary: sale.beneficiary.clone(),
                kind: AllocationKind::Reversal,
                base_amount: sale.base_amount.clone(),
                quantity: sale.quantity,
                rate_kind: sale.rate_kind,
                rate: sale.rate.clone(),
                amount: -excess,
                currency: sale.currency.clone(),
            })
        })
        .collect();
    if reversals.is_empty() {
        return Ok(());
    }
    diesel::insert_into(royalty_allocations::table).values(&reversals).execute(conn).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> BigDecimal {
        s.parse().unwrap()
    }

    #[test]
    fn percentages_round_half_up_to_the_minor_unit() {
        let pct = |rate: &str, base: &str, currency: &str| {
            sale_amount(RoyaltyRateKind::Percentage, &d(rate), &d(base), 1, currency).to_string()
        };
        // 7 × 19.99 = 139.93; 12.5 % of it is 17.49125.
        assert_eq!(pct("12.5", "139.93", "EUR"), "17.49");
        // 10 % of 0.25 is 0.025: half up.
        assert_eq!(pct("10", "0.25", "EUR"), "0.03");
        assert_eq!(pct("10", "0.24", "EUR"), "0.02");
        assert_eq!(pct("3", "1050", "JPY"), "32");
        assert!(sale_amount(RoyaltyRateKind::Percentage, &d("0.0001"), &d("10"), 1, "EUR").is_zero());
        assert_eq!(pct("100", "12.34", "EUR"), "12.34");
    }

    #[test]
    fn fixed_rates_are_per_unit() {
        let fixed = sale_amount(RoyaltyRateKind::FixedPerUnit, &d("1.25"), &d("999"), 3, "USD");
        assert_eq!(fixed.to_string(), "3.75");
    }

    #[test]
    fn proportions_are_exact_and_round_half_up() {
        let p = |a: &str, part: &str, whole: &str, c: &str| proportion(&d(a), &d(part), &d(whole), c).to_string();
        assert_eq!(p("17.49", "100", "200", "EUR"), "8.75"); // 8.745
        assert_eq!(p("10.00", "1", "3", "EUR"), "3.33");
        assert_eq!(p("10.00", "2", "3", "EUR"), "6.67");
        assert_eq!(p("0.01", "1", "2", "EUR"), "0.01"); // 0.005
        assert!(proportion(&d("5"), &d("0"), &d("7.77"), "EUR").is_zero());
        assert_eq!(p("5", "7.77", "7.77", "EUR"), "5.00");
        assert_eq!(p("1E+2", "1", "8", "JPY"), "13"); // 12.5
        assert_eq!(p("100", "0.5", "1E+1", "KWD"), "5.000");
        // The cross-check: the same as rounding an exact decimal quotient.
        assert_eq!(p("17.49", "139.93", "159.92", "EUR"), "15.30"); // 15.30378…
    }
}
