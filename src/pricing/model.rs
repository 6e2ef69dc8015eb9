use bigdecimal::BigDecimal;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use crate::db::schema::{price_list_entries, price_lists};

crate::text_enum! {
    /// Where a sale happens. Price lists may be limited to one; orders name theirs.
    #[derive(async_graphql::Enum)]
    pub enum SalesChannel {
        /// A web or app storefront.
        Online = "online",
        /// A point of sale in a shop.
        Pos = "pos",
        /// A marketplace or other outside channel.
        External = "external",
    }
}

/// Which rule decided a price, from the strongest: a store's override of the product, a
/// matching price list, the variant's own price, the product's base price.
#[derive(async_graphql::Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum PriceSource {
    /// The store sells the product at its own price.
    StoreOverride,
    /// The highest-priority price list that matches the store, channel and moment.
    PriceList,
    /// The variant's own price.
    VariantPrice,
    /// The product's base price.
    BasePrice,
}

impl PriceSource {
    /// Reads the tag [`super::sql::variant_price`] puts in its result.
    pub fn from_tag(tag: &str) -> Option<Self> {
        Some(match tag {
            "STORE_OVERRIDE" => Self::StoreOverride,
            "PRICE_LIST" => Self::PriceList,
            "VARIANT_PRICE" => Self::VariantPrice,
            "BASE_PRICE" => Self::BasePrice,
            _ => return None,
        })
    }

    /// The tag of this rule, as [`Self::from_tag`] reads it (orders store it per line).
    pub fn tag(self) -> &'static str {
        match self {
            Self::StoreOverride => "STORE_OVERRIDE",
            Self::PriceList => "PRICE_LIST",
            Self::VariantPrice => "VARIANT_PRICE",
            Self::BasePrice => "BASE_PRICE",
        }
    }
}

/// Prices of variants that apply in a store, sales channel and time window.
#[derive(Debug, Clone, Queryable, Selectable, async_graphql::SimpleObject)]
#[diesel(table_name = price_lists)]
#[diesel(check_for_backend(diesel::pg::Pg))]
#[graphql(complex)]
pub struct PriceList {
    /// Stable id (a UUID).
    #[graphql(skip_output, derived(name = "id", into = "async_graphql::ID", owned))]
    pub id: Uuid,
    /// Unique name in the tenant.
    pub name: String,
    /// ISO 4217 code of every price in the list.
    pub currency: String,
    /// Only in this store (any store when null).
    #[graphql(
        skip_output,
        derived(name = "store_id", into = "Option<async_graphql::ID>", with = "crate::graphql::opt_id", owned)
    )]
    pub store_id: Option<Uuid>,
    /// Only in this sales channel (any when null).
    pub channel: Option<SalesChannel>,
    /// Applies from (always, when null).
    pub starts_at: Option<DateTime<Utc>>,
    /// Applies until, exclusive (always, when null).
    pub ends_at: Option<DateTime<Utc>>,
    /// Higher wins where several lists match.
    pub priority: i32,
    /// Switched on.
    pub active: bool,
    /// When it was created.
    pub created_at: DateTime<Utc>,
}

/// A row of `price_list_entries`.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = price_list_entries)]
#[diesel(check_for_backend(diesel::pg::Pg))]
pub struct PriceListEntry {
    /// The list.
    pub price_list_id: Uuid,
    /// The variant priced.
    pub variant_id: Uuid,
    /// The price, in the list's currency.
    pub amount: BigDecimal,
}

/// The columns of a new price list.
#[derive(Debug, Insertable)]
#[diesel(table_name = price_lists)]
pub struct NewPriceList {
    pub name: String,
    pub currency: String,
    pub store_id: Option<Uuid>,
    pub channel: Option<SalesChannel>,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    pub priority: i32,
    pub active: bool,
}

/// The columns a price list update changes (`None`: left as is; `Some(None)`: cleared).
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = price_lists)]
pub struct PriceListChanges {
    pub name: Option<String>,
    pub currency: Option<String>,
    pub store_id: Option<Option<Uuid>>,
    pub channel: Option<Option<SalesChannel>>,
    pub starts_at: Option<Option<DateTime<Utc>>>,
    pub ends_at: Option<Option<DateTime<Utc>>>,
    pub priority: Option<i32>,
    pub active: Option<bool>,
}
