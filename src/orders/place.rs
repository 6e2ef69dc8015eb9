//! Placing an order, shared by `orderCreate` and `orderImport`: price and snapshot every
//! line, compute the totals, write the order, and reserve its stock, all in the caller's
//! transaction, so a refused order leaves nothing behind.
//!
//! The header is written first: a second request with the same idempotency key (or the
//! same marketplace order) waits on the unique index until the first commits, then fails
//! and is answered with the first one's order. Stock is reserved last, so the inventory
//! rows it locks are held for as short a time as possible.

use bigdecimal::{BigDecimal, Zero};
use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use super::data;
use super::model::{AddressKind, AddressRow, ItemRow, NewOrder, OrderRow, OrderStatus};
use super::status::payment_status;
use crate::address::Address;
use crate::catalog::{ProductStatus, ProductType, SaleVariant};
use crate::events::OrderEventKind;
use crate::inventory::Demand;
use crate::money::round_to_currency;
use crate::outcome::refuse;
use crate::outcome::{MutationError, UserErrorCode, UserErrors};
use crate::pricing::{PriceContext, SalesChannel};
use crate::promotions::Basket;

/// One line as asked for.
#[derive(Debug, Clone)]
pub struct LineRequest {
    /// The variant by id…
    pub variant_id: Option<Uuid>,
    /// …or by SKU.
    pub sku: Option<String>,
    /// Units.
    pub quantity: i32,
    /// The unit price the marketplace charged (imports); `None`: the catalog's price.
    pub unit_price: Option<BigDecimal>,
}

/// The marketplace order an import comes from.
pub struct ImportRef<'a> {
    /// The marketplace.
    pub channel_name: &'a str,
    /// Its order id.
    pub external_id: &'a str,
    /// Its status there.
    pub external_status: Option<&'a str>,
    /// Digest of the imported lines.
    pub digest: &'a str,
}

/// Everything an order is placed with, validated.
pub struct Placement<'a> {
    /// Store (its id) and channel, whose prices apply.
    pub store_id: Option<Uuid>,
    /// Store code and channel for the catalog's price rules.
    pub price: PriceContext,
    /// The order's currency: every line must be priced in it.
    pub currency: String,
    /// The customer, if known.
    pub customer_id: Option<Uuid>,
    /// Contact email.
    pub email: Option<String>,
    /// POS register.
    pub register_id: Option<Uuid>,
    /// Take stock from this location only.
    pub location_id: Option<Uuid>,
    /// The client's idempotency key, bound to the caller and the input.
    pub idempotency: Option<super::idempotency::IdempotencyClaim>,
    /// Reference outside.
    pub source_reference: Option<String>,
    /// The customer's note.
    pub customer_note: Option<String>,
    /// Addresses.
    pub shipping: Option<Address>,
    /// Addresses.
    pub billing: Option<Address>,
    /// The lines.
    pub lines: Vec<LineRequest>,
    /// Sell only ACTIVE products the store shows (orders placed here); imports take any
    /// existing variant, since the marketplace already sold it.
    pub catalog_rules: bool,
    /// For imports: the mapping to write beside the header.
    pub import: Option<ImportRef<'a>>,
    /// When the order was placed, if not now (imports).
    pub placed_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Who places it.
    pub actor: String,
    /// A coupon code to apply.
    pub coupon_code: Option<String>,
    /// Loyalty points to redeem (needs a customer).
    pub loyalty_points: Option<i64>,
}

/// A line once its variant is known.
struct Priced<'v> {
    variant: &'v SaleVariant,
    quantity: i32,
    unit_price: BigDecimal,
    source: String,
}

/// Prices the lines against the catalog, or says why it cannot.
fn price_lines<'v>(p: &Placement<'_>, found: &'v [SaleVariant], errors: &mut UserErrors) -> Vec<Option<Priced<'v>>> {
    p.lines
        .iter()
        .enumerate()
        .map(|(i, line)| {
            let index = i.to_string();
            let variant = found.iter().find(|v| match (&line.variant_id, &line.sku) {
                (Some(id), _) => v.variant_id == *id,
                (None, Some(sku)) => v.sku == *sku,
                _ => false,
            });
            let Some(variant) = variant else {
                let field = if line.variant_id.is_some() { "variantId" } else { "sku" };
                errors.add_at(&["items", &index, field], UserErrorCode::NotFound, "no such variant");
                return None;
            };
            let at = ["items", index.as_str()];
            if p.catalog_rules {
                if variant.status != ProductStatus::Active || !variant.visible {
                    errors.add_at(
                        &at,
                        UserErrorCode::ProductUnavailable,
                        format!("'{}' is not for sale in this store", variant.sku),
                    );
                    return None;
                }
                if variant.product_type == ProductType::Bundle && variant.components.is_empty() {
                    errors.add_at(&at, UserErrorCode::ProductUnavailable, "this bundle has no components yet");
                    return None;
                }
            }
            let (unit_price, source) = match &line.unit_price {
                Some(price) => (price.clone(), "IMPORTED".to_owned()),
                None => {
                    if variant.currency != p.currency {
                        errors.add_at(
                            &at,
                            UserErrorCode::CurrencyMismatch,
                            format!(
                                "'{}' is priced in {}, the order is in {}",
                                variant.sku, variant.currency, p.currency
                            ),
                        );
                        return None;
                    }
                    (variant.price.clone(), variant.price_source.tag().to_owned())
                }
            };
            Some(Priced { variant, quantity: line.quantity, unit_price, source })
        })
        .collect()
}

/// The stock each line needs: a bundle's components, nothing for a virtual product, the
/// variant itself otherwise.
fn demands(lines: &[Priced<'_>]) -> Vec<Demand> {
    let mut out = Vec::new();
    for (line, priced) in lines.iter().enumerate() {
        match priced.variant.product_type {
            ProductType::Virtual => {}
            ProductType::Bundle if !priced.variant.components.is_empty() => {
                for &(variant_id, per_bundle) in &priced.variant.components {
                    out.push(Demand { line, variant_id, quantity: per_bundle.saturating_mul(priced.quantity) });
                }
            }
            _ => out.push(Demand { line, variant_id: priced.variant.variant_id, quantity: priced.quantity }),
        }
    }
    out
}

/// Places the order in the caller's transaction; returns it as written.
pub async fn place(conn: &mut AsyncPgConnection, p: &Placement<'_>) -> Result<OrderRow, MutationError> {
    let ids: Vec<Uuid> = p.lines.iter().filter_map(|l| l.variant_id).collect();
    let skus: Vec<String> = p.lines.iter().filter_map(|l| l.sku.clone()).collect();
    let found = crate::catalog::sale_variants(conn, &ids, &skus, &p.price).await?;
    let mut errors = UserErrors::default();
    let priced = price_lines(p, &found, &mut errors);
    if !errors.is_empty() {
        return Err(errors.into());
    }
    let lines: Vec<Priced<'_>> = priced.into_iter().flatten().collect();

    // Each line's total is rounded to the currency's minor unit (half up), so the order's
    // total is an amount that can be paid; the sum of rounded lines is exact.
    let line_totals: Vec<BigDecimal> =
        lines.iter().map(|l| round_to_currency(&(&l.unit_price * BigDecimal::from(l.quantity)), &p.currency)).collect();
    let subtotal: BigDecimal = line_totals.iter().sum();
    let basket = Basket {
        store_id: p.store_id,
        currency: &p.currency,
        subtotal: &subtotal,
        customer_id: p.customer_id,
        email: p.email.as_deref(),
    };
    let coupon = match &p.coupon_code {
        Some(code) => Some(crate::promotions::quote(conn, code, &basket).await?),
        None => None,
    };
    let coupon_discount = coupon.as_ref().map_or_else(BigDecimal::zero, |q| q.discount.clone());
    // Points pay for what the coupon left, never more.
    let points = match p.loyalty_points {
        Some(points) => {
            let Some(customer) = p.customer_id else {
                return refuse(
                    "loyaltyPoints",
                    UserErrorCode::CustomerRequired,
                    "redeeming points needs a known customer (customerId, or a customer token)",
                );
            };
            let quote = crate::loyalty::quote_redemption(conn, customer, p.store_id, points, &p.currency).await?;
            let left = &subtotal - &coupon_discount;
            if quote.value > left {
                return refuse(
                    "loyaltyPoints",
                    UserErrorCode::PointsExceedTotal,
                    format!(
                        "{} points are worth {} {}, more than the {} {} left to pay",
                        quote.points,
                        quote.value.normalized(),
                        p.currency,
                        left.normalized(),
                        p.currency
                    ),
                );
            }
            Some(quote)
        }
        None => None,
    };
    let discount = &coupon_discount + points.as_ref().map_or_else(BigDecimal::zero, |q| q.value.clone());
    let line_discounts = crate::promotions::allocate_discount(&discount, &line_totals, &p.currency);
    let header = NewOrder {
        status: OrderStatus::Pending,
        channel: p.price.channel,
        store_id: p.store_id,
        customer_id: p.customer_id,
        email: p.email.clone(),
        currency: p.currency.clone(),
        subtotal: subtotal.clone(),
        discount_total: discount.clone(),
        total: &subtotal - &discount,
        register_id: p.register_id,
        location_id: p.location_id,
        idempotency_key: p.idempotency.as_ref().map(|c| c.key.clone()),
        idempotency_scope: p.idempotency.as_ref().map(|c| c.scope.clone()),
        idempotency_fingerprint: p.idempotency.as_ref().map(|c| c.fingerprint.clone()),
        source_reference: p.source_reference.clone(),
        customer_note: p.customer_note.clone(),
        placed_by: p.actor.clone(),
        created_at: p.placed_at,
    };
    let mut order = data::insert_order(conn, &header).await?;
    if let Some(import) = &p.import {
        super::import_data::insert(
            conn,
            import.channel_name,
            import.external_id,
            order.id,
            import.external_status,
            import.digest,
        )
        .await?;
    }

    let items: Vec<ItemRow> = lines
        .iter()
        .enumerate()
        .map(|(i, l)| ItemRow {
            id: Uuid::new_v4(),
            order_id: order.id,
            line: i as i32 + 1,
            variant_id: Some(l.variant.variant_id),
            product_id: Some(l.variant.product_id),
            product_name: l.variant.product_name.clone(),
            product_slug: l.variant.product_slug.clone(),
            product_type: l.variant.product_type.as_str().to_owned(),
            variant_sku: l.variant.sku.clone(),
            variant_name: l.variant.variant_name.clone(),
            quantity: l.quantity,
            unit_price: l.unit_price.clone(),
            price_source: l.source.clone(),
            line_total: line_totals[i].clone(),
            discount_total: line_discounts[i].clone(),
        })
        .collect();
    data::insert_items(conn, &items).await?;
    let addresses: Vec<AddressRow> = [(AddressKind::Shipping, &p.shipping), (AddressKind::Billing, &p.billing)]
        .into_iter()
        .filter_map(|(kind, a)| a.clone().map(|a| AddressRow::new(order.id, kind, a)))
        .collect();
    data::insert_addresses(conn, &addresses).await?;
    data::record_transition(conn, order.id, None, OrderStatus::Pending, &p.actor, None).await?;
    let demands = demands(&lines);
    match crate::inventory::reserve(conn, &demands, p.location_id).await? {
        Ok(allocations) => {
            let item_ids: Vec<Uuid> = items.iter().map(|i| i.id).collect();
            data::insert_allocations(conn, &item_ids, &allocations).await?;
        }
        Err(shortages) => {
            let mut errors = UserErrors::default();
            for (line, priced) in lines.iter().enumerate() {
                let short = demands
                    .iter()
                    .filter(|d| d.line == line)
                    .filter_map(|d| shortages.iter().find(|s| s.variant_id == d.variant_id))
                    .next();
                if let Some(short) = short {
                    errors.add_at(
                        &["items", &line.to_string(), "quantity"],
                        UserErrorCode::InsufficientStock,
                        format!(
                            "'{}': {} available where the order takes stock from, {} needed",
                            priced.variant.sku, short.available, short.needed
                        ),
                    );
                }
            }
            return Err(errors.into());
        }
    }
    // Coupon uses and points are taken after the stock: cancelling takes its locks in the
    // same order (inventory, coupon, loyalty account), so the two cannot deadlock.
    if let Some(coupon) = &coupon {
        crate::promotions::redeem(conn, coupon, order.id, &basket).await?;
    }
    if let Some(points) = &points {
        crate::loyalty::redeem(conn, points, order.id, &p.actor).await?;
    }
    super::lifecycle::publish(conn, &order, OrderEventKind::Placed, &p.actor).await?;
    if order.total.is_zero() {
        let paid = payment_status(&order.total, &order.captured_total, &order.refunded_total);
        order = data::set_money(conn, order.id, &BigDecimal::zero(), &BigDecimal::zero(), paid).await?;
        order = super::lifecycle::transition(conn, &order, OrderStatus::Paid, "system", Some("nothing to pay")).await?;
    }
    Ok(order)
}

/// Whether a channel may be used by a storefront token.
pub fn storefront_may_sell_in(channel: SalesChannel) -> bool {
    channel == SalesChannel::Online
}
