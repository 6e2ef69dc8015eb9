//! Postal addresses, as customers keep them and orders snapshot them: one input type, one
//! value type (also a customer address's postal columns), one kind and one validation, shared
//! by the customers and orders domains.

use async_graphql::{InputObject, SimpleObject};
use diesel::prelude::*;

use super::errors::{UserErrorCode, UserErrors};
use super::validate::{optional_text, required_text};

/// A postal address as a client sends it.
#[derive(InputObject, Clone, Debug)]
pub struct AddressInput {
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
    /// Phone number for the carrier.
    pub phone: Option<String>,
}

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
#[derive(SimpleObject, Clone, Debug, PartialEq, Eq, Queryable, Selectable, Insertable, AsChangeset)]
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
    /// Postal code.
    pub postal_code: Option<String>,
    /// State, province or region.
    pub region: Option<String>,
    /// ISO 3166-1 alpha-2 country code.
    pub country: String,
    /// Phone number.
    pub phone: Option<String>,
}

impl AddressInput {
    /// The address cleaned (trimmed, country upper-cased) and checked; problems are
    /// recorded under `path` (e.g. `["shippingAddress"]`).
    pub fn validate(&self, errors: &mut UserErrors, path: &[&str]) -> Address {
        let at = |field: &'static str| -> Vec<&str> { path.iter().copied().chain([field]).collect() };
        let country = self.country.trim().to_ascii_uppercase();
        if isocountry::CountryCode::for_alpha2(&country).is_err() {
            errors.add_at(
                &at("country"),
                UserErrorCode::InvalidCountry,
                format!("'{}' is not an ISO 3166-1 alpha-2 country code such as DE", country.escape_debug()),
            );
        }
        Address {
            first_name: required_text(errors, &at("firstName"), &self.first_name, 100),
            last_name: required_text(errors, &at("lastName"), &self.last_name, 100),
            company: optional_text(errors, &at("company"), self.company.as_deref(), 200),
            line1: required_text(errors, &at("line1"), &self.line1, 200),
            line2: optional_text(errors, &at("line2"), self.line2.as_deref(), 200),
            city: required_text(errors, &at("city"), &self.city, 100),
            postal_code: optional_text(errors, &at("postalCode"), self.postal_code.as_deref(), 20),
            region: optional_text(errors, &at("region"), self.region.as_deref(), 100),
            country,
            phone: optional_text(errors, &at("phone"), self.phone.as_deref(), 40),
        }
    }
}
