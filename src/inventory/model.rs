use async_graphql::{ComplexObject, ID, SimpleObject};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

/// The stock of one variant.
#[derive(Debug, Clone, Queryable, SimpleObject)]
#[graphql(complex)]
pub struct InventoryLevel {
    /// The variant this stock is of.
    #[graphql(skip)]
    pub variant_id: Uuid,
    /// Units on hand.
    pub quantity: i32,
    /// Units promised to orders not yet fulfilled.
    pub reserved: i32,
    /// When it last changed (null: never stocked).
    pub updated_at: Option<DateTime<Utc>>,
}

#[ComplexObject]
impl InventoryLevel {
    /// The variant's id.
    async fn variant_id(&self) -> ID {
        ID(self.variant_id.to_string())
    }
    /// Units that can still be sold: quantity − reserved.
    async fn available(&self) -> i32 {
        self.quantity - self.reserved
    }
}

impl InventoryLevel {
    /// A variant that was never stocked.
    pub fn empty(variant_id: Uuid) -> Self {
        Self { variant_id, quantity: 0, reserved: 0, updated_at: None }
    }
}
