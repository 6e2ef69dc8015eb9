//! Inventory: stock per variant and location (quantity, reserved, available = quantity − reserved),
//! changed only through set and adjust with a reason, each recorded as a movement. The
//! table's CHECKs make negative stock and reservations beyond stock impossible, and
//! adjustments are single conditional updates, so concurrent changes cannot oversell.
//!
//! Owns the tables `inventory`, `inventory_movements`, `locations`; no other domain reads or writes
//! them. Exports stock loaders, reservations (`reserve`, `consume`, `release`) and the `sql`
//! fragment of available stock.

mod data;
mod loaders;
mod model;
mod mutation;
mod query;
mod reservations;
pub mod sql;

pub use data::location as find_location;
pub use loaders::{StockByVariant, prime};
pub use model::{InventoryLevel, Location, LocationKind, LocationLevel};
pub use mutation::InventoryMutation;
pub use query::InventoryQuery;
pub use reservations::{Allocation, Demand, Shortage, consume, release, reserve};
