//! How a product appears in one store: hidden or shown, at the store's own price, under
//! the store's own name and description (the store has one locale, so this is the
//! localized text). No row means shown, with the product's own text and prices.

use async_graphql::{ComplexObject, ID, SimpleObject};
use bigdecimal::BigDecimal;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use crate::db::schema::store_products;
use crate::graphql::Money;

/// A row of `store_products`.
#[derive(Debug, Clone, Queryable, Selectable, SimpleObject)]
#[diesel(table_name = store_products)]
#[diesel(check_for_backend(diesel::pg::Pg))]
#[graphql(complex)]
pub struct StoreProduct {
    /// The store.
    #[graphql(skip)]
    pub store_id: Uuid,
    /// The product.
    #[graphql(skip)]
    pub product_id: Uuid,
    /// Whether the store's shoppers see the product.
    pub visible: bool,
    /// The store's price of the product (all its variants).
    #[graphql(skip)]
    pub price_override: Option<BigDecimal>,
    /// The currency of the override: the store's when it was set.
    #[graphql(skip)]
    pub override_currency: Option<String>,
    /// The product's name in the store (its own name when null).
    pub name: Option<String>,
    /// The product's description in the store (its own when null).
    pub description: Option<String>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

#[ComplexObject]
impl StoreProduct {
    /// The store's id.
    async fn store_id(&self) -> ID {
        ID(self.store_id.to_string())
    }
    /// The product's id.
    async fn product_id(&self) -> ID {
        ID(self.product_id.to_string())
    }
    /// The store's price of the product, beating price lists and the product's prices.
    async fn price_override(&self) -> Option<Money> {
        match (&self.price_override, &self.override_currency) {
            (Some(amount), Some(currency)) => Some(Money::new(amount, currency)),
            _ => None,
        }
    }
}

/// A store product as a mutation writes it.
#[derive(Debug, Clone, Insertable, AsChangeset)]
#[diesel(table_name = store_products)]
#[diesel(treat_none_as_null = true)]
pub struct StoreProductValues {
    pub store_id: Uuid,
    pub product_id: Uuid,
    pub visible: bool,
    pub price_override: Option<BigDecimal>,
    pub override_currency: Option<String>,
    pub name: Option<String>,
    pub description: Option<String>,
}
