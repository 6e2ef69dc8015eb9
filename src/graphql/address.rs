//! Postal addresses as clients send them: one validation, shared by the customers and
//! orders domains. The address type itself is [`crate::address`].

use super::errors::{UserErrorCode, UserErrors};
use super::validate::{optional_text, required_text};
use crate::address::Address;

/// A postal address as a client sends it: the same shape as the address it becomes once
/// [`Address::validate`] has cleaned and checked it.
pub type AddressInput = Address;

impl Address {
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
