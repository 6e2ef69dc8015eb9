//! The rows of the customers tables, and the columns mutations write.

use async_graphql::{ID, SimpleObject};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use crate::address::Address;
use crate::db::schema::{customer_activities, customer_addresses, customer_service_notes, customers};
use crate::graphql::opt_id;

// The row behind `Customer`. (No doc comment: it would describe the GraphQL type.)
#[derive(Debug, Clone, Queryable, Selectable, QueryableByName, SimpleObject)]
#[diesel(table_name = customers)]
#[diesel(check_for_backend(diesel::pg::Pg))]
#[graphql(name = "Customer", complex)]
pub struct CustomerRow {
    /// Stable id (a UUID).
    #[graphql(skip, derived(name = "id", into = "ID", owned))]
    pub id: Uuid,
    /// Email address, lower-cased; unique in the tenant. Null once anonymized.
    pub email: Option<String>,
    /// Given name (may be empty).
    pub first_name: String,
    /// Family name (may be empty).
    pub last_name: String,
    /// Phone number.
    pub phone: Option<String>,
    /// The customer's subject in the external identity provider (OIDC `sub`).
    pub auth_subject: Option<String>,
    /// Preferred BCP 47 locale.
    pub locale: Option<String>,
    /// Whether the customer agreed to marketing messages.
    pub marketing_consent: bool,
    /// When marketing consent was last given or withdrawn.
    pub marketing_consent_at: Option<DateTime<Utc>>,
    /// Free-form preferences (a JSON object).
    pub preferences: serde_json::Value,
    /// When the customer was anonymized.
    pub anonymized_at: Option<DateTime<Utc>>,
    /// When the customer was created.
    pub created_at: DateTime<Utc>,
    /// When the customer last changed.
    pub updated_at: DateTime<Utc>,
}

/// A customer of the tenant. Anonymized customers keep their row (orders stay linked to
/// it) but none of their personal data: no email, phone, auth subject or locale, the name
/// "Anonymized", empty preferences.
pub type Customer = CustomerRow;

impl Customer {
    /// Whether the customer has been anonymized.
    pub fn is_anonymized(&self) -> bool {
        self.anonymized_at.is_some()
    }
}

/// What other domains need to reach a customer: the email, if there still is one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerContact {
    /// The customer.
    pub id: Uuid,
    /// Their email address; `None` once anonymized.
    pub email: Option<String>,
    /// Whether they have been anonymized.
    pub anonymized: bool,
}

/// The columns of a new customer.
#[derive(Debug, Insertable)]
#[diesel(table_name = customers)]
pub struct NewCustomer {
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub phone: Option<String>,
    pub auth_subject: Option<String>,
    pub locale: Option<String>,
    pub marketing_consent: bool,
    pub marketing_consent_at: Option<DateTime<Utc>>,
    pub preferences: serde_json::Value,
}

/// The columns a customer update changes (`None`: left as is; `Some(None)`: cleared).
#[derive(Debug, Default, Clone, AsChangeset)]
#[diesel(table_name = customers)]
pub struct CustomerChanges {
    pub email: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub phone: Option<Option<String>>,
    pub auth_subject: Option<Option<String>>,
    pub locale: Option<Option<String>>,
    pub marketing_consent: Option<bool>,
    pub marketing_consent_at: Option<Option<DateTime<Utc>>>,
    pub preferences: Option<serde_json::Value>,
}

crate::text_enum! {
    /// What happened to a customer.
    #[derive(async_graphql::Enum)]
    #[graphql(name = "CustomerActivityKind")]
    pub enum ActivityKind {
        /// The customer signed up (or was created by staff).
        Signup = "SIGNUP",
        /// The customer logged in (reported by the identity system).
        Login = "LOGIN",
        /// The customer's profile changed.
        ProfileUpdated = "PROFILE_UPDATED",
        /// The customer placed an order (recorded by the server).
        OrderPlaced = "ORDER_PLACED",
        /// An order of the customer was paid (recorded by the server).
        OrderPaid = "ORDER_PAID",
        /// An order of the customer was cancelled (recorded by the server).
        OrderCancelled = "ORDER_CANCELLED",
        /// An order of the customer was refunded (recorded by the server).
        OrderRefunded = "ORDER_REFUNDED",
        /// Customer service wrote a note about the customer.
        NoteAdded = "NOTE_ADDED",
        /// The customer's personal data was removed.
        Anonymized = "ANONYMIZED",
        /// Anything else an outside system reports.
        Other = "OTHER",
    }
}

impl ActivityKind {
    /// Whether outside systems may report this kind through `customerActivityRecord`;
    /// the others are recorded by the server itself, in the transaction of what they
    /// describe.
    pub fn reportable(self) -> bool {
        matches!(self, Self::Signup | Self::Login | Self::Other)
    }
}

// Something that happened to a customer: a row of `customer_activities`. (No doc
// comment: it would describe the GraphQL type.)
#[derive(Debug, Clone, Queryable, Selectable, QueryableByName, SimpleObject)]
#[diesel(table_name = customer_activities)]
#[diesel(check_for_backend(diesel::pg::Pg))]
#[graphql(name = "CustomerActivity")]
pub struct Activity {
    /// Stable id (a UUID).
    #[graphql(skip, derived(name = "id", into = "ID", owned))]
    pub id: Uuid,
    /// The customer.
    #[graphql(skip, derived(name = "customer_id", into = "ID", owned))]
    pub customer_id: Uuid,
    /// What happened.
    pub kind: ActivityKind,
    /// The order it concerns, if any.
    #[graphql(skip, derived(name = "order_id", into = "Option<ID>", owned, with = "opt_id"))]
    pub order_id: Option<Uuid>,
    /// Free text about it: the fields changed, the reason given, …
    pub detail: String,
    /// Who did it: `staff:<id>`, `admin`, `storefront`, or what the reporting system said.
    pub actor: String,
    /// When.
    pub created_at: DateTime<Utc>,
}

/// The columns of a new activity.
#[derive(Debug, Insertable)]
#[diesel(table_name = customer_activities)]
pub struct NewActivity<'a> {
    pub customer_id: Uuid,
    pub kind: ActivityKind,
    pub order_id: Option<Uuid>,
    pub detail: &'a str,
    pub actor: &'a str,
}

// One of a customer's saved addresses: a row of `customer_addresses`. (No doc comment:
// it would describe the GraphQL type.)
#[derive(Debug, Clone, Queryable, Selectable, SimpleObject)]
#[diesel(table_name = customer_addresses)]
#[diesel(check_for_backend(diesel::pg::Pg))]
#[graphql(name = "CustomerAddress")]
pub struct AddressRow {
    /// Stable id (a UUID).
    #[graphql(skip, derived(name = "id", into = "ID", owned))]
    pub id: Uuid,
    /// The customer it belongs to.
    #[graphql(skip, derived(name = "customer_id", into = "ID", owned))]
    pub customer_id: Uuid,
    /// The postal address.
    #[diesel(embed)]
    pub address: Address,
    /// Whether it is the customer's default shipping address.
    pub is_default_shipping: bool,
    /// Whether it is the customer's default billing address.
    pub is_default_billing: bool,
    /// When it was added.
    pub created_at: DateTime<Utc>,
}

// A customer-service note about a customer, an order, or both, by a staff member: a row
// of `customer_service_notes`. (No doc comment: it would describe the GraphQL type.)
#[derive(Debug, Clone, Queryable, Selectable, SimpleObject)]
#[diesel(table_name = customer_service_notes)]
#[diesel(check_for_backend(diesel::pg::Pg))]
#[graphql(name = "ServiceNote")]
pub struct NoteRow {
    /// Stable id (a UUID).
    #[graphql(skip, derived(name = "id", into = "ID", owned))]
    pub id: Uuid,
    /// The customer it is about, if any.
    #[graphql(skip, derived(name = "customer_id", into = "Option<ID>", owned, with = "opt_id"))]
    pub customer_id: Option<Uuid>,
    /// The order it is about, if any.
    #[graphql(skip, derived(name = "order_id", into = "Option<ID>", owned, with = "opt_id"))]
    pub order_id: Option<Uuid>,
    /// The staff member who wrote it (the only one who may change it).
    pub staff_id: String,
    /// The text.
    pub body: String,
    /// When it was written.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

/// The columns of a new note.
#[derive(Debug, Insertable)]
#[diesel(table_name = customer_service_notes)]
pub struct NewNote {
    pub customer_id: Option<Uuid>,
    pub order_id: Option<Uuid>,
    pub staff_id: String,
    pub body: String,
}
