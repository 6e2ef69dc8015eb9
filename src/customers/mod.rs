//! Customers: profiles with a case-insensitively unique email, saved addresses
//! with one default of each kind, an activity trail, customer-service notes by staff, and
//! anonymization that removes personal data but keeps the customer's row, so orders stay
//! linked. Admin only: storefront tokens are refused.
//!
//! Other domains use [`record_activity`] (inside their own transactions), [`customer_by_id`]
//! and [`notes_of_order`] (batched per request), [`contact_of`] and [`id_by_email`], and
//! [`signed_in_customer`]: the customer a storefront request acts for (`X-Customer-Token`,
//! minted by `customerTokenCreate`).
//!
//! Owns the tables `customers`, `customer_addresses`, `customer_activities`,
//! `customer_service_notes`, `customer_tokens`; no other domain reads or writes them. Exports
//! customer lookups and contacts, the activity trail (`record_activity`), the signed-in customer of
//! a storefront request.

mod activity;
mod address_data;
mod address_mutation;
mod anonymize;
mod data;
mod listing;
mod loaders;
mod model;
mod mutation;
mod note_mutation;
mod objects;
mod query;
mod token_mutation;
mod tokens;
mod trail_data;
mod validate;

use async_graphql::MergedObject;

pub use activity::record_activity;
pub use data::{contact_of, id_by_email};
pub use listing::CustomerSortField;
pub use model::{ActivityKind, Customer, CustomerContact};
pub use objects::{customer_by_id, notes_of_order, prime_for_orders};
pub use query::CustomerQuery;
pub use tokens::{signed_in_customer, signed_in_customer_on};

/// A customer-service note, as other domains (an order's notes) show it.
pub type ServiceNote = model::NoteRow;

/// Every customer mutation (admin only).
#[derive(MergedObject, Default)]
pub struct CustomerMutation(
    mutation::CustomerProfileMutation,
    address_mutation::CustomerAddressMutation,
    activity::CustomerActivityMutation,
    note_mutation::CustomerNoteMutation,
    anonymize::CustomerAnonymizeMutation,
    token_mutation::CustomerTokenMutation,
);
