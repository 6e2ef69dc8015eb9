//! What an order needs to know about the variants it sells, in one statement: what they
//! are (for the order's snapshot), whether they may be sold in the store, their
//! effective price in the store and channel (the same rule the storefront shows, from
//! `pricing::sql`), and for bundles the component variants that hold the stock.

use bigdecimal::BigDecimal;
use diesel::prelude::*;
use diesel::sql_types::{Array, Bool, Int4, Nullable, Text};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::model::{ProductStatus, ProductType};
use crate::db::Fragment;
use crate::db::schema::{product_variants, products};
use crate::pricing::{PriceContext, PriceSource};

/// A variant as an order sells it.
#[derive(Debug, Clone)]
pub struct SaleVariant {
    /// The variant.
    pub variant_id: Uuid,
    /// Its SKU.
    pub sku: String,
    /// Its name.
    pub variant_name: String,
    /// Its product.
    pub product_id: Uuid,
    /// The product's name, as the store shows it.
    pub product_name: String,
    /// The product's slug.
    pub product_slug: String,
    /// The product's kind (bundles take stock from their components, virtual products
    /// take none).
    pub product_type: ProductType,
    /// The product's status: only ACTIVE products are sold.
    pub status: ProductStatus,
    /// False when the store hides the product.
    pub visible: bool,
    /// The effective unit price in the store and channel.
    pub price: BigDecimal,
    /// The price's currency.
    pub currency: String,
    /// The rule that decided the price.
    pub price_source: PriceSource,
    /// For a bundle: each component variant and how many of it one bundle holds.
    pub components: Vec<(Uuid, i32)>,
}

type SaleRow = (
    Uuid,
    String,
    String,
    Uuid,
    String,
    String,
    ProductType,
    ProductStatus,
    bool,
    Option<String>,
    Vec<String>,
    Option<Vec<Uuid>>,
    Option<Vec<i32>>,
);

/// The variants with these ids or SKUs, as sold in `ctx`'s store (which must be given)
/// and channel. Unknown ids and SKUs are simply absent.
pub async fn sale_variants(
    conn: &mut AsyncPgConnection,
    ids: &[Uuid],
    skus: &[String],
    ctx: &PriceContext,
) -> QueryResult<Vec<SaleVariant>> {
    let store = ctx.store_code.clone().unwrap_or_default();
    let visible = crate::stores::sql::visible_in(&store);
    let local_name =
        Fragment::<Nullable<Text>>::sql("(").append(crate::stores::sql::localized_text(&store)).push(")[1]");
    let component_ids = Fragment::<Nullable<Array<diesel::sql_types::Uuid>>>::sql(
        "(SELECT array_agg(bc.variant_id ORDER BY bc.position) FROM bundle_components bc WHERE bc.bundle_id = products.id)",
    );
    let component_quantities = Fragment::<Nullable<Array<Int4>>>::sql(
        "(SELECT array_agg(bc.quantity ORDER BY bc.position) FROM bundle_components bc WHERE bc.bundle_id = products.id)",
    );
    let rows: Vec<SaleRow> = product_variants::table
        .inner_join(products::table)
        .filter(product_variants::id.eq_any(ids).or(product_variants::sku.eq_any(skus)))
        .select((
            product_variants::id,
            product_variants::sku,
            product_variants::name,
            products::id,
            products::name,
            products::slug,
            products::product_type,
            products::status,
            visible.retype::<Bool>(),
            local_name,
            crate::pricing::sql::variant_price(ctx, "product_variants"),
            component_ids,
            component_quantities,
        ))
        .load(conn)
        .await?;
    rows.into_iter().map(sale_variant).collect()
}

fn sale_variant(row: SaleRow) -> QueryResult<SaleVariant> {
    let (variant_id, sku, variant_name, product_id, name, slug, product_type, status, visible, local, price, ids, qty) =
        row;
    let (price, currency, price_source) = crate::pricing::sql::parse_price(&price).ok_or_else(|| {
        diesel::result::Error::DeserializationError(
            format!("unreadable price of variant {variant_id}: {price:?}").into(),
        )
    })?;
    Ok(SaleVariant {
        variant_id,
        sku,
        variant_name,
        product_id,
        product_name: local.unwrap_or(name),
        product_slug: slug,
        product_type,
        status,
        visible,
        price,
        currency,
        price_source,
        components: ids.unwrap_or_default().into_iter().zip(qty.unwrap_or_default()).collect(),
    })
}
