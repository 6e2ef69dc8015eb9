//! Stores: the storefronts of a tenant (code, name, domain, locale, default currency,
//! theme). A store's domain is also registered in the control plane, so requests to that
//! host resolve to this tenant and store.

mod data;
mod model;
mod mutation;
mod query;
mod validate;

pub use model::Store;
pub use mutation::StoreMutation;
pub use query::StoreQuery;
