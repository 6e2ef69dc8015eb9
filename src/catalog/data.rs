//! The catalog tables: every diesel call of this domain lives here.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::model::{
    ImageRow, NewImage, NewProduct, NewVariant, Product, ProductChanges, ProductStatus, Variant, VariantChanges,
    VariantRow,
};
use crate::db::schema::{product_categories, product_images, product_variants, products};
use crate::graphql::Page;

/// The sort key of the product listing: creation time, then id.
pub type ProductKey = (DateTime<Utc>, Uuid);

/// Which products a listing covers.
#[derive(Debug, Clone, Default)]
pub struct ProductFilter {
    /// Only these statuses (all when empty).
    pub statuses: Vec<ProductStatus>,
    /// Case-insensitive text in the name or slug.
    pub search: Option<String>,
    /// Only products in this category (and, when true, anywhere below it).
    pub category: Option<(Uuid, bool)>,
    /// Only products matching these attribute filters (see `attributes::products_matching`).
    pub attributes: Option<crate::db::Fragment>,
}

fn filtered(filter: &ProductFilter) -> products::BoxedQuery<'static, diesel::pg::Pg> {
    let mut query = products::table.into_boxed();
    if !filter.statuses.is_empty() {
        query = query.filter(products::status.eq_any(filter.statuses.clone()));
    }
    if let Some((category, descendants)) = filter.category {
        query = if descendants {
            query.filter(
                diesel::dsl::sql::<diesel::sql_types::Bool>(
                    "products.id IN (SELECT pc.product_id FROM product_categories pc WHERE pc.category_id IN \
                     (WITH RECURSIVE tree (id) AS (SELECT ",
                )
                .bind::<diesel::sql_types::Uuid, _>(category)
                .sql(" UNION ALL SELECT c.id FROM categories c JOIN tree ON c.parent_id = tree.id) SELECT id FROM tree))"),
            )
        } else {
            query.filter(
                products::id.eq_any(
                    product_categories::table
                        .filter(product_categories::category_id.eq(category))
                        .select(product_categories::product_id),
                ),
            )
        };
    }
    if let Some(search) = &filter.search {
        let pattern = crate::db::contains_pattern(search);
        query = query.filter(products::name.ilike(pattern.clone()).or(products::slug.ilike(pattern)));
    }
    if let Some(fragment) = &filter.attributes {
        query = query.filter(fragment.clone());
    }
    query
}

/// One page of products by creation time, per [`Page`].
pub async fn list(
    conn: &mut AsyncPgConnection,
    filter: &ProductFilter,
    page: &Page<ProductKey>,
) -> QueryResult<Vec<Product>> {
    let mut query = filtered(filter).select(Product::as_select());
    if let Some((at, id)) = page.after {
        query = query.filter(products::created_at.gt(at).or(products::created_at.eq(at).and(products::id.gt(id))));
    }
    if let Some((at, id)) = page.before {
        query = query.filter(products::created_at.lt(at).or(products::created_at.eq(at).and(products::id.lt(id))));
    }
    query = if page.backward {
        query.order((products::created_at.desc(), products::id.desc()))
    } else {
        query.order((products::created_at.asc(), products::id.asc()))
    };
    query.limit(page.fetch_limit()).load(conn).await
}

/// How many products match `filter`.
pub async fn count(conn: &mut AsyncPgConnection, filter: &ProductFilter) -> QueryResult<i64> {
    filtered(filter).count().get_result(conn).await
}

/// The product with this id or slug.
pub async fn product(
    conn: &mut AsyncPgConnection,
    id: Option<Uuid>,
    slug: Option<&str>,
) -> QueryResult<Option<Product>> {
    let mut query = products::table.select(Product::as_select()).into_boxed();
    if let Some(id) = id {
        query = query.filter(products::id.eq(id));
    }
    if let Some(slug) = slug {
        query = query.filter(products::slug.eq(slug.to_owned()));
    }
    query.first(conn).await.optional()
}

fn variant(row: VariantJoin) -> (Variant, ProductStatus) {
    let (row, base_price, currency, status) = row;
    (Variant { row, base_price, currency }, status)
}

/// The variants of these products, in position order, grouped by product.
pub async fn variants_of(
    conn: &mut AsyncPgConnection,
    product_ids: &[Uuid],
) -> QueryResult<HashMap<Uuid, Vec<Variant>>> {
    let rows = product_variants::table
        .inner_join(products::table)
        .filter(product_variants::product_id.eq_any(product_ids))
        .order((product_variants::product_id, product_variants::position, product_variants::id))
        .select((VariantRow::as_select(), products::base_price, products::currency, products::status))
        .load::<VariantJoin>(conn)
        .await?;
    let mut grouped: HashMap<Uuid, Vec<Variant>> = HashMap::new();
    for row in rows {
        let (variant, _) = variant(row);
        grouped.entry(variant.row.product_id).or_default().push(variant);
    }
    Ok(grouped)
}

type VariantJoin = (VariantRow, bigdecimal::BigDecimal, String, ProductStatus);

/// The variant with this id, and its product's status.
pub async fn variant_by_id(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Option<(Variant, ProductStatus)>> {
    let row = product_variants::table
        .inner_join(products::table)
        .filter(product_variants::id.eq(id))
        .select((VariantRow::as_select(), products::base_price, products::currency, products::status))
        .first::<VariantJoin>(conn)
        .await
        .optional()?;
    Ok(row.map(variant))
}

/// The variant with this SKU, and its product's status.
pub async fn variant_by_sku(conn: &mut AsyncPgConnection, sku: &str) -> QueryResult<Option<(Variant, ProductStatus)>> {
    let row = product_variants::table
        .inner_join(products::table)
        .filter(product_variants::sku.eq(sku))
        .select((VariantRow::as_select(), products::base_price, products::currency, products::status))
        .first::<VariantJoin>(conn)
        .await
        .optional()?;
    Ok(row.map(variant))
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
    let mut grouped: HashMap<Uuid, Vec<ImageRow>> = HashMap::new();
    for row in rows {
        grouped.entry(row.product_id).or_default().push(row);
    }
    Ok(grouped)
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
