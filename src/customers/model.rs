//! The rows of the customers tables, and the columns mutations write.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use crate::address::Address;
use crate::db::schema::{customer_activities, customer_addresses, customer_service_notes, customers};

/// A customer of the tenant. Anonymized customers keep their row (orders stay linked to
/// it) but none of their personal data: no email, phone, auth subject or locale, the
/// name "Anonymized", empty preferences.
#[derive(Debug, Clone, Queryable, Selectable, QueryableByName)]
#[diesel(table_name = customers)]
#[diesel(check_for_backend(diesel::pg::Pg))]
pub struct Customer {
    /// Stable id.
    pub id: Uuid,
    /// Email address, lower-cased and unique in the tenant; `None` once anonymized.
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
    /// When consent was last given or withdrawn.
    pub marketing_consent_at: Option<DateTime<Utc>>,
    /// Free-form preferences, a JSON object.
    pub preferences: serde_json::Value,
    /// When the customer was anonymized.
    pub anonymized_at: Option<DateTime<Utc>>,
    /// When the customer was created.
    pub created_at: DateTime<Utc>,
    /// When the customer last changed.
    pub updated_at: DateTime<Utc>,
}

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

/// A row of `customer_activities`.
#[derive(Debug, Clone, Queryable, Selectable, QueryableByName)]
#[diesel(table_name = customer_activities)]
#[diesel(check_for_backend(diesel::pg::Pg))]
pub struct Activity {
    /// Stable id.
    pub id: Uuid,
    /// The customer.
    pub customer_id: Uuid,
    /// What happened.
    pub kind: ActivityKind,
    /// The order it concerns, if any.
    pub order_id: Option<Uuid>,
    /// Free text about it (the changed fields, the reason, …).
    pub detail: String,
    /// Who did it: `staff:<id>`, `admin`, `storefront`, `system`.
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

/// A row of `customer_addresses`.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = customer_addresses)]
#[diesel(check_for_backend(diesel::pg::Pg))]
pub struct AddressRow {
    /// Stable id.
    pub id: Uuid,
    /// The customer.
    pub customer_id: Uuid,
    /// Given name of the addressee.
    pub first_name: String,
    /// Family name of the addressee.
    pub last_name: String,
    /// Company.
    pub company: Option<String>,
    /// Street and number.
    pub line1: String,
    /// Apartment, floor, …
    pub line2: Option<String>,
    /// City.
    pub city: String,
    /// Postal code.
    pub postal_code: Option<String>,
    /// Region.
    pub region: Option<String>,
    /// ISO 3166-1 alpha-2 country code.
    pub country: String,
    /// Phone number.
    pub phone: Option<String>,
    /// The customer's default shipping address.
    pub is_default_shipping: bool,
    /// The customer's default billing address.
    pub is_default_billing: bool,
    /// When it was added.
    pub created_at: DateTime<Utc>,
}

impl AddressRow {
    /// The postal address it holds.
    pub fn address(&self) -> Address {
        Address {
            first_name: self.first_name.clone(),
            last_name: self.last_name.clone(),
            company: self.company.clone(),
            line1: self.line1.clone(),
            line2: self.line2.clone(),
            city: self.city.clone(),
            postal_code: self.postal_code.clone(),
            region: self.region.clone(),
            country: self.country.clone(),
            phone: self.phone.clone(),
        }
    }
}

/// The postal columns of an address, as inserts and updates write them.
#[derive(Debug, Clone, Insertable, AsChangeset)]
#[diesel(table_name = customer_addresses)]
#[diesel(treat_none_as_null = true)]
pub struct AddressValues {
    pub first_name: String,
    pub last_name: String,
    pub company: Option<String>,
    pub line1: String,
    pub line2: Option<String>,
    pub city: String,
    pub postal_code: Option<String>,
    pub region: Option<String>,
    pub country: String,
    pub phone: Option<String>,
}

impl From<Address> for AddressValues {
    fn from(a: Address) -> Self {
        Self {
            first_name: a.first_name,
            last_name: a.last_name,
            company: a.company,
            line1: a.line1,
            line2: a.line2,
            city: a.city,
            postal_code: a.postal_code,
            region: a.region,
            country: a.country,
            phone: a.phone,
        }
    }
}

/// A row of `customer_service_notes`.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = customer_service_notes)]
#[diesel(check_for_backend(diesel::pg::Pg))]
pub struct NoteRow {
    /// Stable id.
    pub id: Uuid,
    /// The customer it is about, if any.
    pub customer_id: Option<Uuid>,
    /// The order it is about, if any.
    pub order_id: Option<Uuid>,
    /// The staff member who wrote it.
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
