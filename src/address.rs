//! A postal address as customers keep it and orders snapshot it: a plain value both
//! domains store and read without the GraphQL layer (also a customer address's postal
//! columns), and which default an address can be. It is also the `Address` object
//! clients see and the `AddressInput` they send; its validation is in `graphql`.

use async_graphql::{InputObject, SimpleObject};
use diesel::prelude::*;

crate::text_enum! {
    // Also which of an order's addresses a row is.
    /// Which default an address can be.
    #[derive(async_graphql::Enum)]
    #[graphql(name = "CustomerAddressKind")]
    pub enum AddressKind {
        /// Where orders are shipped unless they say otherwise.
        Shipping = "shipping",
        /// Where invoices go unless orders say otherwise.
        Billing = "billing",
    }
}

// A customer's address row embeds this as its postal columns; an order's row converts
// (diesel derives `Selectable` and `AsChangeset` for one table only).
/// A postal address.
#[derive(SimpleObject, InputObject, Clone, Debug, PartialEq, Eq, Queryable, Selectable, Insertable, AsChangeset)]
#[graphql(input_name = "AddressInput")]
#[diesel(table_name = crate::db::schema::customer_addresses)]
#[diesel(treat_none_as_null = true)]
#[diesel(check_for_backend(diesel::pg::Pg))]
pub struct Address {
    /// Given name of the addressee.
    pub first_name: String,
    /// Family name of the addressee.
    pub last_name: String,
    /// Company, if any.
    pub company: Option<String>,
    /// Street and number.
    pub line1: String,
    /// Apartment, floor, …
    pub line2: Option<String>,
    /// City or town.
    pub city: String,
    /// Postal code, where the country has them.
    pub postal_code: Option<String>,
    /// State, province or region.
    pub region: Option<String>,
    /// ISO 3166-1 alpha-2 country code, e.g. `DE`.
    pub country: String,
    /// Phone number.
    pub phone: Option<String>,
}
