//! Stores: the storefronts of a tenant (code, name, domain, locale, default currency,
//! theme). A store's domain is also registered in the control plane, so requests to that
//! host resolve to this tenant and store.
//!
//! Owns the tables `stores`, `store_products`; no other domain reads or writes them. Exports the
//! store model and its loader, store resolution for requests, and `sql` fragments (visibility,
//! localized text, price overrides) the catalog and pricing embed.

mod data;
mod loaders;
mod model;
mod mutation;
mod query;
mod request;
pub mod sql;
mod store_product;
mod store_product_mutation;
mod validate;

pub use data::{by_code as store_by_code, by_id as store_by_id, by_ids as stores_by_ids};
pub use loaders::StoreById;
pub use model::Store;
pub use mutation::StoreMutation;
pub use query::StoreQuery;
pub use request::{ResolveError, StoreRefusal, named_store, resolve_store, sees_inactive, visible_store};
pub use store_product::StoreProduct;
pub use store_product_mutation::{StoreProductMutation, store_settings};
