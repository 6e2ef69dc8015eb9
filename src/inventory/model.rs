use async_graphql::{ComplexObject, ID, SimpleObject};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use crate::db::schema::locations;
use crate::graphql::BigInt;

crate::text_enum! {
    /// What kind of place holds stock.
    #[derive(async_graphql::Enum)]
    pub enum LocationKind {
        /// A warehouse or fulfilment centre.
        Warehouse = "warehouse",
        /// A shop's back room.
        Store = "store",
        /// A point of sale.
        Pos = "pos",
    }
}

/// A place that holds stock. Every tenant has one DEFAULT location, which takes the stock
/// of mutations that name no location.
#[derive(Debug, Clone, Queryable, Selectable, SimpleObject)]
#[diesel(table_name = locations)]
#[diesel(check_for_backend(diesel::pg::Pg))]
pub struct Location {
    /// Stable id (a UUID).
    #[graphql(skip, derived(name = "id", into = "ID", owned))]
    pub id: Uuid,
    /// Business key, unique in the tenant.
    pub code: String,
    /// Display name.
    pub name: String,
    /// What kind of place it is.
    pub kind: LocationKind,
    /// Whether this is the default location.
    pub is_default: bool,
    /// Whether it takes stock changes.
    pub active: bool,
    /// When it was created.
    pub created_at: DateTime<Utc>,
}

/// The stock of one variant at one location.
#[derive(Debug, Clone, SimpleObject)]
#[graphql(complex)]
pub struct LocationLevel {
    /// Where.
    pub location: Location,
    /// Units on hand there.
    pub quantity: i32,
    /// Units there promised to orders not yet fulfilled.
    pub reserved: i32,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

#[ComplexObject]
impl LocationLevel {
    /// Units there that can still be sold: quantity − reserved.
    async fn available(&self) -> i32 {
        self.quantity - self.reserved
    }
}

/// The stock of one variant, summed over its locations.
#[derive(Debug, Clone, SimpleObject)]
#[graphql(complex)]
pub struct InventoryLevel {
    /// The variant's id.
    #[graphql(skip, derived(name = "variant_id", into = "ID", owned))]
    pub variant_id: Uuid,
    /// Units on hand, over all locations (a BigInt: each location holds up to 10^9).
    pub quantity: BigInt,
    /// Units promised to orders not yet fulfilled, over all locations.
    pub reserved: BigInt,
    /// When it last changed anywhere (null: never stocked).
    pub updated_at: Option<DateTime<Utc>>,
    /// The stock per location, default location first.
    pub locations: Vec<LocationLevel>,
}

#[ComplexObject]
impl InventoryLevel {
    /// Units that can still be sold: quantity − reserved.
    async fn available(&self) -> BigInt {
        BigInt(self.quantity.0 - self.reserved.0)
    }
}

impl InventoryLevel {
    /// A variant that was never stocked.
    pub fn empty(variant_id: Uuid) -> Self {
        Self { variant_id, quantity: BigInt(0), reserved: BigInt(0), updated_at: None, locations: Vec::new() }
    }

    /// The total of these per-location levels of one variant.
    pub fn total(variant_id: Uuid, locations: Vec<LocationLevel>) -> Self {
        // Summed as i64: many locations of up to 10^9 units each cannot overflow it.
        let quantity = BigInt(locations.iter().map(|l| i64::from(l.quantity)).sum());
        let reserved = BigInt(locations.iter().map(|l| i64::from(l.reserved)).sum());
        let updated_at = locations.iter().map(|l| l.updated_at).max();
        Self { variant_id, quantity, reserved, updated_at, locations }
    }
}

/// The columns of a new location.
#[derive(Debug, Insertable)]
#[diesel(table_name = locations)]
pub struct NewLocation {
    pub code: String,
    pub name: String,
    pub kind: LocationKind,
}
