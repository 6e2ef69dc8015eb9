//! The GraphQL objects hanging off a customer: addresses, activity and service notes.

use async_graphql::{ID, Object};
use chrono::{DateTime, Utc};

use super::model::{Activity, ActivityKind, AddressRow, NoteRow};
use crate::graphql::Address;

fn id(value: uuid::Uuid) -> ID {
    ID(value.to_string())
}

/// One of a customer's saved addresses.
pub struct CustomerAddress(pub(super) AddressRow);

#[Object]
impl CustomerAddress {
    /// Stable id (a UUID).
    async fn id(&self) -> ID {
        id(self.0.id)
    }
    /// The customer it belongs to.
    async fn customer_id(&self) -> ID {
        id(self.0.customer_id)
    }
    /// The postal address.
    async fn address(&self) -> Address {
        self.0.address()
    }
    /// Whether it is the customer's default shipping address.
    async fn is_default_shipping(&self) -> bool {
        self.0.is_default_shipping
    }
    /// Whether it is the customer's default billing address.
    async fn is_default_billing(&self) -> bool {
        self.0.is_default_billing
    }
    /// When it was added.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// Something that happened to a customer.
pub struct CustomerActivity(pub(super) Activity);

#[Object]
impl CustomerActivity {
    /// Stable id (a UUID).
    async fn id(&self) -> ID {
        id(self.0.id)
    }
    /// The customer.
    async fn customer_id(&self) -> ID {
        id(self.0.customer_id)
    }
    /// What happened.
    async fn kind(&self) -> ActivityKind {
        self.0.kind
    }
    /// The order it concerns, if any.
    async fn order_id(&self) -> Option<ID> {
        self.0.order_id.map(id)
    }
    /// Free text about it: the fields changed, the reason given, …
    async fn detail(&self) -> &str {
        &self.0.detail
    }
    /// Who did it: `staff:<id>`, `admin`, `storefront`, or what the reporting system said.
    async fn actor(&self) -> &str {
        &self.0.actor
    }
    /// When.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// A customer-service note about a customer, an order, or both, by a staff member.
#[derive(Debug, Clone)]
pub struct ServiceNote(pub(super) NoteRow);

#[Object]
impl ServiceNote {
    /// Stable id (a UUID).
    async fn id(&self) -> ID {
        id(self.0.id)
    }
    /// The customer it is about, if any.
    async fn customer_id(&self) -> Option<ID> {
        self.0.customer_id.map(id)
    }
    /// The order it is about, if any.
    async fn order_id(&self) -> Option<ID> {
        self.0.order_id.map(id)
    }
    /// The staff member who wrote it (the only one who may change it).
    async fn staff_id(&self) -> &str {
        &self.0.staff_id
    }
    /// The text.
    async fn body(&self) -> &str {
        &self.0.body
    }
    /// When it was written.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When it last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}
