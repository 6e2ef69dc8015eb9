//! The catalog tables: every diesel call of this domain lives here.

use std::collections::HashMap;

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::model::{
    ImageRow, NewImage, NewProduct, NewVariant, Product, ProductChanges, ProductStatus, Variant, VariantChanges,
    VariantRow,
};
use crate::db::schema::{product_images, product_variants, products};
use crate::pricing::PriceContext;

fn variant((row, status, price): VariantJoin) -> QueryResult<(Variant, ProductStatus)> {
    let price = crate::pricing::sql::parse_price(&price).ok_or_else(|| {
        diesel::result::Error::DeserializationError(format!("unreadable price of variant {}: {price:?}", row.id).into())
    })?;
    Ok((Variant { row, price: price.into() }, status))
}

type VariantJoin = (VariantRow, ProductStatus, Vec<String>);

/// The variants, their product's status and their effective price in `price`'s store and
/// channel (computed in the same statement, see `pricing::sql`).
fn variants_query(price: &PriceContext) -> VariantsQuery {
    product_variants::table
        .inner_join(products::table)
        .select((
            VariantRow::as_select(),
            products::status,
            crate::pricing::sql::variant_price(price, "product_variants"),
        ))
        .into_boxed()
}

type VariantsQuery = diesel::dsl::IntoBoxed<
    'static,
    diesel::dsl::Select<
        diesel::dsl::InnerJoin<product_variants::table, products::table>,
        (
            diesel::dsl::AsSelect<VariantRow, diesel::pg::Pg>,
            products::status,
            crate::db::Fragment<diesel::sql_types::Array<diesel::sql_types::Text>>,
        ),
    >,
    diesel::pg::Pg,
>;

/// The variants of these products with their prices, in position order, by product.
pub async fn variants_of(
    conn: &mut AsyncPgConnection,
    product_ids: &[Uuid],
    price: &PriceContext,
) -> QueryResult<HashMap<Uuid, Vec<Variant>>> {
    let rows = variants_query(price)
        .filter(product_variants::product_id.eq_any(product_ids))
        .order((product_variants::product_id, product_variants::position, product_variants::id))
        .load::<VariantJoin>(conn)
        .await?;
    let mut grouped: HashMap<Uuid, Vec<Variant>> = HashMap::new();
    for row in rows {
        let (variant, _) = variant(row)?;
        grouped.entry(variant.row.product_id).or_default().push(variant);
    }
    Ok(grouped)
}

/// The variants with these ids, with their prices.
pub async fn variants_by_ids(
    conn: &mut AsyncPgConnection,
    ids: &[Uuid],
    price: &PriceContext,
) -> QueryResult<HashMap<Uuid, (Variant, ProductStatus)>> {
    let rows = variants_query(price).filter(product_variants::id.eq_any(ids)).load::<VariantJoin>(conn).await?;
    rows.into_iter().map(|row| variant(row).map(|(v, status)| (v.row.id, (v, status)))).collect()
}

/// The variant with this SKU, its price and its product's status.
pub async fn variant_by_sku(
    conn: &mut AsyncPgConnection,
    sku: &str,
    price: &PriceContext,
) -> QueryResult<Option<(Variant, ProductStatus)>> {
    let row = variants_query(price)
        .filter(product_variants::sku.eq(sku.to_owned()))
        .first::<VariantJoin>(conn)
        .await
        .optional()?;
    row.map(variant).transpose()
}

/// The product with this id, as stored.
pub async fn product_by_id(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Option<Product>> {
    products::table.find(id).select(Product::as_select()).first(conn).await.optional()
}

/// The product a variant belongs to, and its kind.
pub async fn owner_of(conn: &mut AsyncPgConnection, variant: Uuid) -> QueryResult<(Uuid, super::model::ProductType)> {
    product_variants::table
        .inner_join(products::table)
        .filter(product_variants::id.eq(variant))
        .select((products::id, products::product_type))
        .first(conn)
        .await
}

/// The product a variant belongs to, if the variant exists (attribute values name both).
pub async fn product_of_variant(conn: &mut AsyncPgConnection, variant: Uuid) -> QueryResult<Option<Uuid>> {
    product_variants::table.find(variant).select(product_variants::product_id).first(conn).await.optional()
}

/// The attribute set of a product (`Some(None)`: it has none; `None`: no such product),
/// for the attribute domain writing its values. The product row is locked against other
/// attribute writes until the transaction ends (`FOR NO KEY UPDATE`: rows that only
/// reference it are not blocked).
pub async fn lock_attribute_set(conn: &mut AsyncPgConnection, product: Uuid) -> QueryResult<Option<Option<Uuid>>> {
    products::table.find(product).select(products::attribute_set_id).for_no_key_update().first(conn).await.optional()
}

/// Whether a product with this id exists (other domains attach settings to products).
pub async fn product_exists(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(products::table.find(id))).get_result(conn).await
}

/// The images of these products, in position order, grouped by product.
pub async fn images_of(
    conn: &mut AsyncPgConnection,
    product_ids: &[Uuid],
) -> QueryResult<HashMap<Uuid, Vec<ImageRow>>> {
    let rows = product_images::table
        .filter(product_images::product_id.eq_any(product_ids))
        .order((product_images::product_id, product_images::position, product_images::id))
        .select(ImageRow::as_select())
        .load(conn)
        .await?;
    Ok(crate::db::group_by(rows, |r| r.product_id))
}

/// Inserts a product with its variants and images (call inside a transaction).
pub async fn insert(
    conn: &mut AsyncPgConnection,
    product: &NewProduct,
    variants: &[NewVariant],
    images: &[NewImage],
) -> QueryResult<Product> {
    let created: Product = diesel::insert_into(products::table)
        .values(product)
        .returning(Product::as_returning())
        .get_result(conn)
        .await?;
    insert_variants(conn, created.id, variants).await?;
    insert_images(conn, created.id, images).await?;
    Ok(created)
}

/// Appends variants to a product, after the ones it has. Returns their ids.
pub async fn insert_variants(
    conn: &mut AsyncPgConnection,
    product: Uuid,
    variants: &[NewVariant],
) -> QueryResult<Vec<Uuid>> {
    if variants.is_empty() {
        return Ok(Vec::new());
    }
    let first: Option<i32> = product_variants::table
        .filter(product_variants::product_id.eq(product))
        .select(diesel::dsl::max(product_variants::position))
        .first(conn)
        .await?;
    let start = first.map_or(0, |p| p + 1);
    let rows: Vec<_> = variants
        .iter()
        .enumerate()
        .map(|(i, v)| {
            (
                product_variants::product_id.eq(product),
                product_variants::sku.eq(v.sku.clone()),
                product_variants::name.eq(v.name.clone()),
                product_variants::price.eq(v.price.clone()),
                product_variants::option_values.eq(v.option_values.clone()),
                product_variants::position.eq(start + i as i32),
            )
        })
        .collect();
    diesel::insert_into(product_variants::table).values(rows).returning(product_variants::id).get_results(conn).await
}

/// Appends images to a product, after the ones it has.
pub async fn insert_images(conn: &mut AsyncPgConnection, product: Uuid, images: &[NewImage]) -> QueryResult<()> {
    if images.is_empty() {
        return Ok(());
    }
    let last: Option<i32> = product_images::table
        .filter(product_images::product_id.eq(product))
        .select(diesel::dsl::max(product_images::position))
        .first(conn)
        .await?;
    let start = last.map_or(0, |p| p + 1);
    let rows: Vec<_> = images
        .iter()
        .enumerate()
        .map(|(i, image)| {
            (
                product_images::product_id.eq(product),
                product_images::url.eq(image.url.clone()),
                product_images::alt.eq(image.alt.clone()),
                product_images::position.eq(start + i as i32),
            )
        })
        .collect();
    diesel::insert_into(product_images::table).values(rows).execute(conn).await.map(drop)
}

/// Changes a variant; `None` if there is no such variant.
pub async fn update_variant(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    changes: &VariantChanges,
) -> QueryResult<Option<Uuid>> {
    diesel::update(product_variants::table.find(id))
        .set(changes)
        .returning(product_variants::id)
        .get_result(conn)
        .await
        .optional()
}

/// Removes an image; returns its product, or `None` if there is no such image.
pub async fn delete_image(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Option<Uuid>> {
    diesel::delete(product_images::table.find(id))
        .returning(product_images::product_id)
        .get_result(conn)
        .await
        .optional()
}

/// The ids of a product's images, in order.
pub async fn image_ids(conn: &mut AsyncPgConnection, product: Uuid) -> QueryResult<Vec<Uuid>> {
    product_images::table
        .filter(product_images::product_id.eq(product))
        .order((product_images::position, product_images::id))
        .select(product_images::id)
        .load(conn)
        .await
}

/// Puts a product's images in this order (`ids` must be exactly its images).
pub async fn reorder_images(conn: &mut AsyncPgConnection, ids: &[Uuid]) -> QueryResult<()> {
    for (position, id) in ids.iter().enumerate() {
        diesel::update(product_images::table.find(*id))
            .set(product_images::position.eq(position as i32))
            .execute(conn)
            .await?;
    }
    Ok(())
}

/// Applies `changes` to product `id` and stamps `updated_at`; `None` if there is no such product.
pub async fn update(conn: &mut AsyncPgConnection, id: Uuid, changes: &ProductChanges) -> QueryResult<Option<Product>> {
    diesel::update(products::table.find(id))
        .set((changes, products::updated_at.eq(diesel::dsl::now)))
        .returning(Product::as_returning())
        .get_result(conn)
        .await
        .optional()
}

/// The unique constraint a duplicate product slug violates.
pub const SLUG_TAKEN_CONSTRAINT: &str = "products_slug_key";
/// The foreign key an unknown attribute set violates.
pub const ATTRIBUTE_SET_CONSTRAINT: &str = "products_attribute_set_id_fkey";
/// The unique constraint a duplicate SKU violates.
pub const SKU_TAKEN_CONSTRAINT: &str = "product_variants_sku_key";

/// The id of the variant with this id or SKU, if it exists. Other domains (inventory,
/// orders) name variants either way.
pub async fn variant_id(
    conn: &mut AsyncPgConnection,
    id: Option<Uuid>,
    sku: Option<&str>,
) -> QueryResult<Option<Uuid>> {
    let mut query = product_variants::table.select(product_variants::id).into_boxed();
    if let Some(id) = id {
        query = query.filter(product_variants::id.eq(id));
    }
    if let Some(sku) = sku {
        query = query.filter(product_variants::sku.eq(sku.to_owned()));
    }
    query.first(conn).await.optional()
}
