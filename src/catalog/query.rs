use async_graphql::connection::Connection;
use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};

use super::categories::Category;
use super::data::{self, ProductFilter, ProductKey};
use super::loaders::{CategoriesByProduct, ImagesByProduct, VariantsByProduct};
use super::model::{ImageRow, Product, ProductStatus, ProductType, Variant};
use crate::graphql::{
    ConnectionTotal, GqlResultExt, Limits, Money, PageArgs, caller_scope, coded_error, internal_error, into_connection,
    loader, parse_id, prime,
};
use crate::tenancy::Role;

#[Object]
impl Product {
    /// Stable id (a UUID).
    async fn id(&self) -> ID {
        ID(self.id.to_string())
    }
    /// Business key, unique in the tenant (`product(slug:)`).
    async fn slug(&self) -> &str {
        &self.slug
    }
    /// Display name.
    async fn name(&self) -> &str {
        &self.name
    }
    /// Long description.
    async fn description(&self) -> &str {
        &self.description
    }
    /// Life-cycle status; storefronts only ever see ACTIVE.
    async fn status(&self) -> ProductStatus {
        self.status
    }
    /// Kind of product.
    async fn product_type(&self) -> ProductType {
        self.product_type
    }
    /// The price of variants that have none of their own.
    async fn base_price(&self) -> Money {
        Money::new(&self.base_price, &self.currency)
    }
    /// Search-engine title.
    async fn seo_title(&self) -> Option<&str> {
        self.seo_title.as_deref()
    }
    /// Search-engine description.
    async fn seo_description(&self) -> Option<&str> {
        self.seo_description.as_deref()
    }
    /// When it was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.created_at
    }
    /// When it last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.updated_at
    }
    /// The purchasable variants, in their order (batched across the page).
    async fn variants(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Variant>> {
        let loader = loader(ctx, VariantsByProduct)?;
        Ok(loader.load_one(self.id).await.map_err(|e| internal_error(&e))?.unwrap_or_default())
    }
    /// The categories it is in (batched across the page).
    async fn categories(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Category>> {
        let loader = loader(ctx, CategoriesByProduct)?;
        Ok(loader.load_one(self.id).await.map_err(|e| internal_error(&e))?.unwrap_or_default())
    }
    /// The images, in their order (batched across the page).
    async fn images(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<ImageRow>> {
        let loader = loader(ctx, ImagesByProduct)?;
        Ok(loader.load_one(self.id).await.map_err(|e| internal_error(&e))?.unwrap_or_default())
    }
    /// Its attribute values, one per attribute, in its attribute set's order (batched
    /// across the page, together with its variants' values).
    async fn attributes(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<crate::attributes::AttributeValue>> {
        crate::attributes::product_values(ctx, self.id).await
    }
}

/// One option of a variant, such as size M.
#[derive(SimpleObject)]
pub struct OptionValue {
    /// The option, e.g. `size`.
    name: String,
    /// Its value, e.g. `M`.
    value: String,
}

#[Object(name = "ProductVariant")]
impl Variant {
    /// Stable id (a UUID).
    async fn id(&self) -> ID {
        ID(self.row.id.to_string())
    }
    /// Stock-keeping unit, unique in the tenant (`variant(sku:)`).
    async fn sku(&self) -> &str {
        &self.row.sku
    }
    /// Display name of the variant.
    async fn name(&self) -> &str {
        &self.row.name
    }
    /// Order among the product's variants, from 0.
    async fn position(&self) -> i32 {
        self.row.position
    }
    /// Its stock (batched across the page).
    async fn inventory(&self, ctx: &Context<'_>) -> async_graphql::Result<crate::inventory::InventoryLevel> {
        let loader = loader(ctx, crate::inventory::StockByVariant)?;
        let level = loader.load_one(self.row.id).await.map_err(|e| internal_error(&e))?;
        Ok(level.unwrap_or_else(|| crate::inventory::InventoryLevel::empty(self.row.id)))
    }
    /// Its own attribute values, one per attribute (batched with its product's).
    async fn attributes(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<crate::attributes::AttributeValue>> {
        crate::attributes::variant_values(ctx, self.row.product_id, self.row.id).await
    }
    /// What it costs: its own price, or its product's base price.
    async fn price(&self) -> Money {
        Money::new(self.row.price.as_ref().unwrap_or(&self.base_price), &self.currency)
    }
    /// The options that tell it apart from its siblings, by option name.
    async fn option_values(&self) -> Vec<OptionValue> {
        let Some(map) = self.row.option_values.as_object() else { return Vec::new() };
        map.iter()
            .map(|(name, value)| OptionValue {
                name: name.clone(),
                value: value.as_str().map_or_else(|| value.to_string(), str::to_owned),
            })
            .collect()
    }
}

#[Object(name = "ProductImage")]
impl ImageRow {
    /// Stable id (a UUID).
    async fn id(&self) -> ID {
        ID(self.id.to_string())
    }
    /// Where the image is.
    async fn url(&self) -> &str {
        &self.url
    }
    /// Alternative text.
    async fn alt(&self) -> &str {
        &self.alt
    }
    /// Order among the product's images, from 0.
    async fn position(&self) -> i32 {
        self.position
    }
}

/// Narrows a product listing.
#[derive(InputObject, Default)]
pub struct ProductFilterInput {
    /// Only these statuses (admin only; storefronts see ACTIVE products).
    status: Option<Vec<ProductStatus>>,
    /// Case-insensitive text in the name or slug.
    search: Option<String>,
    /// Only products in this category…
    category_id: Option<ID>,
    /// …or anywhere below it (the default).
    #[graphql(default = true)]
    include_descendants: bool,
    /// Only products (or products with a variant) having, for every filter, one of its
    /// values (and for numbers a value within its range).
    attributes: Option<Vec<crate::attributes::AttributeFilterInput>>,
}

/// Loads the variants and images of a whole page of products at once, if the selection
/// asks for them (under `edges.node` or `nodes`), so their resolvers find them cached.
async fn prime_nested_lists(ctx: &Context<'_>, products: &[Product]) -> async_graphql::Result<()> {
    let ahead = ctx.look_ahead();
    let selected = |field: &str| {
        ahead.field("edges").field("node").field(field).exists() || ahead.field("nodes").field(field).exists()
    };
    let ids: Vec<uuid::Uuid> = products.iter().map(|p| p.id).collect();
    if ids.is_empty() {
        return Ok(());
    }
    if selected("variants") {
        let variants = prime(ctx, VariantsByProduct, &ids).await?;
        let stock = |node: async_graphql::Lookahead| node.field("variants").field("inventory").exists();
        if stock(ahead.field("edges").field("node")) || stock(ahead.field("nodes")) {
            crate::inventory::prime(ctx, variants.values().flatten().map(|v| v.row.id).collect()).await?;
        }
    }
    if selected("images") {
        prime(ctx, ImagesByProduct, &ids).await?;
    }
    if selected("categories") {
        prime(ctx, CategoriesByProduct, &ids).await?;
    }
    let variant_attributes = |node: async_graphql::Lookahead| node.field("variants").field("attributes").exists();
    if selected("attributes")
        || variant_attributes(ahead.field("edges").field("node"))
        || variant_attributes(ahead.field("nodes"))
    {
        crate::attributes::prime(ctx, &ids).await?;
    }
    Ok(())
}

/// A page of products matching `filter`, as a Relay connection, with the nested lists the
/// selection asks for loaded for the whole page. Storefront callers only ever get active
/// products, whatever the filter says.
pub(super) async fn product_connection(
    ctx: &Context<'_>,
    args: PageArgs,
    mut filter: ProductFilter,
) -> async_graphql::Result<Connection<String, Product, ConnectionTotal>> {
    let scope = caller_scope(ctx, Role::Storefront)?;
    let page = args.page::<ProductKey>(ctx.data::<Limits>()?)?;
    if scope.role() != Some(Role::Admin) {
        filter.statuses = vec![ProductStatus::Active];
    }
    let rows = data::list(&mut *scope.conn().await.gql()?, &filter, &page).await.gql()?;
    prime_nested_lists(ctx, &rows).await?;
    let total = ConnectionTotal::new(move || {
        let scope = scope.clone();
        let filter = filter.clone();
        Box::pin(async move { Ok(data::count(&mut *scope.conn().await?, &filter).await?) })
    });
    Ok(into_connection(rows, &page, |p| (p.created_at, p.id), total))
}

/// Catalog queries.
#[derive(Default)]
pub struct CatalogQuery;

#[Object]
impl CatalogQuery {
    /// Products by creation time. Storefront tokens see active products only.
    #[graphql(complexity = "first.or(last).unwrap_or(20).max(0) as usize * child_complexity + 1")]
    async fn products(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<ProductFilterInput>,
    ) -> async_graphql::Result<Connection<String, Product, ConnectionTotal>> {
        let input = filter.unwrap_or_default();
        let category = input.category_id.as_ref().map(parse_id).transpose()?.map(|id| (id, input.include_descendants));
        let attributes = input.attributes.as_deref().map(crate::attributes::products_matching).transpose()?;
        let filter =
            ProductFilter { statuses: input.status.unwrap_or_default(), search: input.search, category, attributes };
        product_connection(ctx, PageArgs { first, after, last, before }, filter).await
    }

    /// One product, by `id` or `slug`. Storefront tokens see active products only.
    async fn product(
        &self,
        ctx: &Context<'_>,
        id: Option<ID>,
        slug: Option<String>,
    ) -> async_graphql::Result<Option<Product>> {
        let scope = caller_scope(ctx, Role::Storefront)?;
        let id = match (&id, &slug) {
            (Some(id), None) => Some(parse_id(id)?),
            (None, Some(_)) => None,
            _ => return Err(coded_error("BAD_USER_INPUT", "pass exactly one of id or slug")),
        };
        let product = data::product(&mut *scope.conn().await.gql()?, id, slug.as_deref().map(str::trim)).await.gql()?;
        Ok(product.filter(|p| p.status == ProductStatus::Active || scope.role() == Some(Role::Admin)))
    }

    /// One variant, by `id` or `sku`. Storefront tokens see variants of active products only.
    async fn variant(
        &self,
        ctx: &Context<'_>,
        id: Option<ID>,
        sku: Option<String>,
    ) -> async_graphql::Result<Option<Variant>> {
        let scope = caller_scope(ctx, Role::Storefront)?;
        let mut conn = scope.conn().await.gql()?;
        let found = match (&id, &sku) {
            (Some(id), None) => data::variant_by_id(&mut conn, parse_id(id)?).await,
            (None, Some(sku)) => data::variant_by_sku(&mut conn, sku.trim()).await,
            _ => return Err(coded_error("BAD_USER_INPUT", "pass exactly one of id or sku")),
        }
        .gql()?;
        Ok(found
            .filter(|(_, status)| *status == ProductStatus::Active || scope.role() == Some(Role::Admin))
            .map(|(variant, _)| variant))
    }
}
