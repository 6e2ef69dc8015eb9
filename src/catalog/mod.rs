//! The catalog: products, their variants and images, and the category tree. Storefront tokens see
//! active products only; admin tokens see and change everything. Variants and images of a
//! page of products load through per-request dataloaders, one statement per list.
//!
//! Owns the tables `products`, `product_variants`, `product_images`, `categories`,
//! `product_categories`, `bundle_components`; no other domain reads or writes them. Exports the
//! product listing, what a sold variant is (`sale_variants`), and read models other domains embed
//! (`attribute_set_of`, `categories_with_ancestors`).

mod bulk_mutation;
mod bundles;
mod categories;
mod category_objects;
mod data;
mod listing;
mod loaders;
mod model;
mod mutation;
mod part_mutation;
mod product_objects;
mod query;
mod sale;
mod sql;
mod validate;

pub use bulk_mutation::BulkMutation;
pub use bundles::BundleMutation;
pub use category_objects::{CategoryMutation, CategoryQuery};
pub use data::{lock_attribute_set, product_exists, product_of_variant, variant_id};
pub use listing::{ProductSortField, SortDirection};
pub use model::{Product, ProductStatus, ProductType};
pub use mutation::CatalogMutation;
pub use part_mutation::ProductPartMutation;
pub use product_objects::ProductView;
pub use query::CatalogQuery;
pub use sale::{SaleVariant, sale_variants};
pub use sql::{attribute_set_of, categories_with_ancestors};
