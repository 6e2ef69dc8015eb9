//! The catalog: products, their variants and images, and the category tree (design §4). Storefront tokens see
//! active products only; admin tokens see and change everything. Variants and images of a
//! page of products load through per-request dataloaders, one statement per list.

mod categories;
mod category_graphql;
mod data;
mod loaders;
mod model;
mod mutation;
mod part_mutation;
mod query;
mod validate;

pub use category_graphql::{CategoryMutation, CategoryQuery};
pub use data::variant_id;
pub use model::{Product, ProductStatus, ProductType};
pub use mutation::CatalogMutation;
pub use part_mutation::ProductPartMutation;
pub use query::CatalogQuery;
