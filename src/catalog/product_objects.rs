//! The GraphQL face of products, variants and images. A product is always seen from
//! somewhere: a store (its text, visibility and prices) or the tenant as a whole; nested
//! lists load through the request's dataloaders, keyed with that store.

use std::sync::Arc;

use async_graphql::{Context, ID, Object, SimpleObject};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::bundles::{BundleComponent, BundleComponentsByProduct};
use super::categories::Category;
use super::loaders::VariantsByProduct;
use super::model::{ImageRow, Product, ProductStatus, ProductType, Variant};
use crate::graphql::{GqlResultExt, Money, children_of, loader};

/// The store a product is seen from, as the request named it (`None`: the whole tenant).
pub type StoreKey = Option<Arc<str>>;

/// A product as one request sees it: the row, and the store's own text for it.
#[derive(Debug, Clone)]
pub struct ProductView {
    /// The product's own row.
    pub row: Product,
    /// The store the product is seen from.
    pub store: StoreKey,
    /// The store's name for it, if it has its own.
    pub local_name: Option<String>,
    /// The store's description of it, if it has its own.
    pub local_description: Option<String>,
}

impl From<Product> for ProductView {
    fn from(row: Product) -> Self {
        Self { row, store: None, local_name: None, local_description: None }
    }
}

/// The lowest and highest price of a product's variants.
#[derive(SimpleObject)]
pub struct PriceRange {
    /// The lowest.
    pub min: Money,
    /// The highest.
    pub max: Money,
}

impl ProductView {
    async fn variant_list(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Variant>> {
        let loader = loader(ctx, VariantsByProduct)?;
        Ok(loader.load_one((self.row.id, self.store.clone())).await.gql()?.unwrap_or_default())
    }

    async fn components(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<BundleComponent>> {
        if self.row.product_type != ProductType::Bundle {
            return Ok(Vec::new());
        }
        let loader = loader(ctx, BundleComponentsByProduct)?;
        Ok(loader.load_one((self.row.id, self.store.clone())).await.gql()?.unwrap_or_default())
    }

    /// What one unit of it takes, with the units available of each: a BUNDLE's components
    /// and their quantities, or each of its own variants once (`None`: VIRTUAL, no limit).
    async fn parts_stock(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Vec<(i64, i64)>>> {
        let parts: Vec<(Uuid, i64)> = match self.row.product_type {
            ProductType::Virtual => return Ok(None),
            ProductType::Bundle => {
                self.components(ctx).await?.iter().map(|c| (c.variant.row.id, i64::from(c.quantity))).collect()
            }
            _ => self.variant_list(ctx).await?.iter().map(|v| (v.row.id, 1)).collect(),
        };
        let ids: Vec<Uuid> = parts.iter().map(|(id, _)| *id).collect();
        let levels = loader(ctx, crate::inventory::StockByVariant)?.load_many(ids).await.gql()?;
        let units = |id: &Uuid| levels.get(id).map_or(0, |l| l.quantity.0 - l.reserved.0);
        Ok(Some(parts.iter().map(|(id, need)| (units(id), *need)).collect()))
    }
}

#[Object(name = "Product")]
impl ProductView {
    /// Stable id (a UUID).
    async fn id(&self) -> ID {
        ID(self.row.id.to_string())
    }
    /// Business key, unique in the tenant (`product(slug:)`).
    async fn slug(&self) -> &str {
        &self.row.slug
    }
    /// Display name: the store's, where it has its own.
    async fn name(&self) -> &str {
        self.local_name.as_deref().unwrap_or(&self.row.name)
    }
    /// Long description: the store's, where it has its own.
    async fn description(&self) -> &str {
        self.local_description.as_deref().unwrap_or(&self.row.description)
    }
    /// Life-cycle status; storefronts only ever see ACTIVE.
    async fn status(&self) -> ProductStatus {
        self.row.status
    }
    /// Kind of product.
    async fn product_type(&self) -> ProductType {
        self.row.product_type
    }
    /// The price of variants that have none of their own.
    async fn base_price(&self) -> Money {
        Money::new(&self.row.base_price, &self.row.currency)
    }
    /// The price it is shown "from": the lowest effective price of its variants in this
    /// store and channel (the base price when it has no variants).
    async fn price(&self, ctx: &Context<'_>) -> async_graphql::Result<Money> {
        let variants = self.variant_list(ctx).await?;
        Ok(variants.iter().min_by(|a, b| a.price.amount.cmp(&b.price.amount)).map_or_else(
            || Money::new(&self.row.base_price, &self.row.currency),
            |v| Money::new(&v.price.amount, &v.price.currency),
        ))
    }
    /// The lowest and highest effective price of its variants (null without variants).
    async fn price_range(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<PriceRange>> {
        let variants = self.variant_list(ctx).await?;
        let min = variants.iter().min_by(|a, b| a.price.amount.cmp(&b.price.amount));
        let max = variants.iter().max_by(|a, b| a.price.amount.cmp(&b.price.amount));
        Ok(min.zip(max).map(|(min, max)| PriceRange {
            min: Money::new(&min.price.amount, &min.price.currency),
            max: Money::new(&max.price.amount, &max.price.currency),
        }))
    }
    /// Whether it can be bought now. VIRTUAL: always. BUNDLE: every component has the
    /// bundle's quantity available. Others: some variant has a unit available.
    async fn available(&self, ctx: &Context<'_>) -> async_graphql::Result<bool> {
        let bundle = self.row.product_type == ProductType::Bundle;
        Ok(match self.parts_stock(ctx).await? {
            None => true,
            Some(parts) if bundle => !parts.is_empty() && parts.iter().all(|(units, need)| units >= need),
            Some(parts) => parts.iter().any(|(units, _)| *units > 0),
        })
    }
    /// Units that can be sold now: over its variants, or for a bundle, how many whole
    /// bundles its components make (null for VIRTUAL products, which have no limit).
    async fn available_quantity(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<crate::graphql::BigInt>> {
        let bundle = self.row.product_type == ProductType::Bundle;
        Ok(self.parts_stock(ctx).await?.map(|parts| {
            let whole = parts.iter().map(|(units, need)| units.max(&0) / need.max(&1));
            crate::graphql::BigInt(if bundle { whole.min().unwrap_or(0) } else { whole.sum() })
        }))
    }
    /// Search-engine title.
    async fn seo_title(&self) -> Option<&str> {
        self.row.seo_title.as_deref()
    }
    /// Search-engine description.
    async fn seo_description(&self) -> Option<&str> {
        self.row.seo_description.as_deref()
    }
    /// The attribute set it follows, if any.
    async fn attribute_set_id(&self) -> Option<ID> {
        self.row.attribute_set_id.map(|id| ID(id.to_string()))
    }
    /// When it was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.row.created_at
    }
    /// When it last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.row.updated_at
    }
    /// The purchasable variants with their prices here, in order (batched across the page).
    async fn variants(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Variant>> {
        self.variant_list(ctx).await
    }
    /// What a BUNDLE is made of, in order (empty for other kinds; batched).
    async fn bundle_components(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<BundleComponent>> {
        self.components(ctx).await
    }
    /// The categories it is in (batched across the page).
    async fn categories(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Category>> {
        children_of::<Product, Category>(ctx, self.row.id).await
    }
    /// The images, in their order (batched across the page).
    async fn images(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<ImageRow>> {
        children_of::<Product, ImageRow>(ctx, self.row.id).await
    }
    /// Its attribute values, one per attribute, in its attribute set's order (batched
    /// across the page, together with its variants' values).
    async fn attributes(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<crate::attributes::AttributeValue>> {
        crate::attributes::product_values(ctx, self.row.id).await
    }
    /// How each store shows it: visibility, price override, localized text (admin only).
    async fn store_settings(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<crate::stores::StoreProduct>> {
        crate::stores::store_settings(ctx, self.row.id).await
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
    /// The product's id.
    async fn product_id(&self) -> ID {
        ID(self.row.product_id.to_string())
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
    /// Its stock, in total and per location (batched across the page).
    async fn inventory(&self, ctx: &Context<'_>) -> async_graphql::Result<crate::inventory::InventoryLevel> {
        let loader = loader(ctx, crate::inventory::StockByVariant)?;
        let level = loader.load_one(self.row.id).await.gql()?;
        Ok(level.unwrap_or_else(|| crate::inventory::InventoryLevel::empty(self.row.id)))
    }
    /// Its own attribute values, one per attribute (batched with its product's).
    async fn attributes(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<crate::attributes::AttributeValue>> {
        crate::attributes::variant_values(ctx, self.row.product_id, self.row.id).await
    }
    /// What it costs here: the store's override, else the best matching price list,
    /// else its own price, else its product's base price.
    async fn price(&self) -> Money {
        Money::new(&self.price.amount, &self.price.currency)
    }
    /// Which rule decided `price`.
    async fn price_source(&self) -> crate::pricing::PriceSource {
        self.price.source
    }
    /// Its own price, before stores and price lists (null: the product's base price).
    async fn own_price(&self) -> Option<crate::graphql::Decimal> {
        self.row.price.clone().map(crate::graphql::Decimal)
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
