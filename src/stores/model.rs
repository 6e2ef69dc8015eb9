use async_graphql::{ID, SimpleObject};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use crate::db::schema::stores;

/// A storefront of the tenant. Its locale, currency and visibility settings decide what
/// its shoppers see.
#[derive(Debug, Clone, Queryable, Selectable, SimpleObject)]
#[diesel(table_name = stores)]
#[diesel(check_for_backend(diesel::pg::Pg))]
pub struct Store {
    /// Stable id (a UUID).
    #[graphql(skip, derived(name = "id", into = "ID", owned))]
    pub id: Uuid,
    /// Business key, unique in the tenant (`store(code:)`, `X-Store`).
    pub code: String,
    /// Display name.
    pub name: String,
    /// The host name shoppers reach it at; requests to it resolve to this store.
    pub domain: Option<String>,
    /// BCP 47 locale tag, e.g. `en-US`.
    pub locale: String,
    /// ISO 4217 code of the currency prices are shown in.
    pub default_currency: String,
    /// Name of the storefront theme.
    pub theme: Option<String>,
    /// Inactive stores are hidden from storefront tokens.
    pub active: bool,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

/// The columns of a new store.
#[derive(Debug, Insertable)]
#[diesel(table_name = stores)]
pub struct NewStore {
    pub code: String,
    pub name: String,
    pub domain: Option<String>,
    pub locale: String,
    pub default_currency: String,
    pub theme: Option<String>,
    pub active: bool,
}

/// The columns a store update changes (`None`: left as is; `Some(None)`: cleared).
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = stores)]
pub struct StoreChanges {
    pub name: Option<String>,
    pub domain: Option<Option<String>>,
    pub locale: Option<String>,
    pub default_currency: Option<String>,
    pub theme: Option<Option<String>>,
    pub active: Option<bool>,
}
