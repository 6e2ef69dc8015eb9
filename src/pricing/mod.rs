//! Pricing: price lists (a currency, optionally one store, one sales channel and a time
//! window, a priority) with prices per variant, and the one place that says which price a
//! variant sells at: [`sql::variant_price`], used by the catalog for display, sorting and
//! price filters alike, so the three can never disagree.
//!
//! Owns the tables `price_lists`, `price_list_entries`; no other domain reads or writes them.
//! Exports the effective-price rule as `sql` fragments (`PriceContext`) the catalog and orders
//! embed.

mod data;
mod model;
mod mutation;
mod query;
pub mod sql;

pub use model::{PriceList, PriceSource, SalesChannel};
pub use mutation::PricingMutation;
pub use query::PricingQuery;
pub use sql::PriceContext;
