use bigdecimal::BigDecimal;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use crate::db::schema::{product_images, product_variants, products};

crate::text_enum! {
    /// Where a product is in its life. Only active products reach storefronts.
    #[derive(async_graphql::Enum)]
    pub enum ProductStatus {
        /// Being prepared; invisible to storefronts.
        Draft = "draft",
        /// On sale.
        Active = "active",
        /// Withdrawn; kept for orders and history.
        Archived = "archived",
    }
}

crate::text_enum! {
    /// What kind of thing a product is.
    #[derive(async_graphql::Enum)]
    pub enum ProductType {
        /// One item, no options.
        Simple = "simple",
        /// Variants chosen by options (size, colour, …).
        Configurable = "configurable",
        /// Several products sold as one.
        Bundle = "bundle",
        /// Nothing shipped (a download, a service).
        Virtual = "virtual",
    }
}

/// A row of `products`.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = products)]
#[diesel(check_for_backend(diesel::pg::Pg))]
pub struct Product {
    /// Stable id.
    pub id: Uuid,
    /// Business key, unique in the tenant.
    pub slug: String,
    /// Display name.
    pub name: String,
    /// Long description.
    pub description: String,
    /// Life-cycle status.
    pub status: ProductStatus,
    /// Kind of product.
    pub product_type: ProductType,
    /// Price when a variant has none of its own.
    pub base_price: BigDecimal,
    /// ISO 4217 code of every price of the product.
    pub currency: String,
    /// Search-engine title.
    pub seo_title: Option<String>,
    /// Search-engine description.
    pub seo_description: Option<String>,
    /// When it was created (the storefront's default order).
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
    /// The attribute template it follows (its required attributes must have values
    /// before it can be ACTIVE).
    pub attribute_set_id: Option<Uuid>,
}

/// A row of `product_variants`.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = product_variants)]
#[diesel(check_for_backend(diesel::pg::Pg))]
pub struct VariantRow {
    pub id: Uuid,
    pub product_id: Uuid,
    pub sku: String,
    pub name: String,
    pub price: Option<BigDecimal>,
    pub option_values: serde_json::Value,
    pub position: i32,
}

/// A variant with its effective price where it was asked for (store and channel).
#[derive(Debug, Clone)]
pub struct Variant {
    pub row: VariantRow,
    pub price: EffectivePrice,
}

/// A price as the pricing rules decided it, and which rule did.
#[derive(Debug, Clone)]
pub struct EffectivePrice {
    pub amount: BigDecimal,
    pub currency: String,
    pub source: crate::pricing::PriceSource,
}

impl From<(BigDecimal, String, crate::pricing::PriceSource)> for EffectivePrice {
    fn from((amount, currency, source): (BigDecimal, String, crate::pricing::PriceSource)) -> Self {
        Self { amount, currency, source }
    }
}

/// An image of a product.
#[derive(Debug, Clone, Queryable, Selectable, async_graphql::SimpleObject)]
#[diesel(table_name = product_images)]
#[diesel(check_for_backend(diesel::pg::Pg))]
#[graphql(name = "ProductImage")]
pub struct ImageRow {
    /// Stable id (a UUID).
    #[graphql(skip_output, derived(name = "id", into = "async_graphql::ID", owned))]
    pub id: Uuid,
    /// The product it shows.
    #[graphql(skip)]
    pub product_id: Uuid,
    /// Where the image is.
    pub url: String,
    /// Alternative text.
    pub alt: String,
    /// Order among the product's images, from 0.
    pub position: i32,
}

/// The columns of a new product.
#[derive(Debug, Insertable)]
#[diesel(table_name = products)]
pub struct NewProduct {
    pub slug: String,
    pub name: String,
    pub description: String,
    pub status: ProductStatus,
    pub product_type: ProductType,
    pub base_price: BigDecimal,
    pub currency: String,
    pub seo_title: Option<String>,
    pub seo_description: Option<String>,
    pub attribute_set_id: Option<Uuid>,
}

/// The columns of a new variant (its product id is set on insert).
#[derive(Debug, Clone)]
pub struct NewVariant {
    pub sku: String,
    pub name: String,
    pub price: Option<BigDecimal>,
    pub option_values: serde_json::Value,
}

/// The columns of a new image.
#[derive(Debug, Clone)]
pub struct NewImage {
    pub url: String,
    pub alt: String,
}

/// The columns a product update changes (`None`: left as is; `Some(None)`: cleared).
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = products)]
pub struct ProductChanges {
    pub slug: Option<String>,
    pub name: Option<String>,
    pub description: Option<String>,
    pub status: Option<ProductStatus>,
    pub product_type: Option<ProductType>,
    pub base_price: Option<BigDecimal>,
    pub currency: Option<String>,
    pub seo_title: Option<Option<String>>,
    pub seo_description: Option<Option<String>>,
    pub attribute_set_id: Option<Option<Uuid>>,
}

/// The columns a variant update changes (`None`: left as is; `Some(None)`: cleared).
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = product_variants)]
pub struct VariantChanges {
    pub sku: Option<String>,
    pub name: Option<String>,
    pub price: Option<Option<BigDecimal>>,
    pub option_values: Option<serde_json::Value>,
}
