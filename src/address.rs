//! A postal address as customers keep it and orders snapshot it: a plain value both
//! domains store and read without the GraphQL layer; it is also the `Address` object
//! clients see (the input and its validation are in `graphql`).

use async_graphql::SimpleObject;

/// A postal address.
#[derive(SimpleObject, Clone, Debug, PartialEq, Eq)]
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
    /// Postal code.
    pub postal_code: Option<String>,
    /// State, province or region.
    pub region: Option<String>,
    /// ISO 3166-1 alpha-2 country code.
    pub country: String,
    /// Phone number.
    pub phone: Option<String>,
}
