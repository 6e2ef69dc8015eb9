//! Rows of the order tables and the closed sets they use.

use async_graphql::{ID, SimpleObject};
use bigdecimal::BigDecimal;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use crate::address::Address;
use crate::db::schema::{
    external_order_mappings, order_addresses, order_items, order_status_history, orders, payments, pos_registers,
    refunds,
};
use crate::graphql::{RoleGuard, opt_id};
use crate::pricing::SalesChannel;
use crate::tenancy::Role;

crate::text_enum! {
    /// Where an order is in its life. The server enforces the transitions (see
    /// `status.rs`) and records each one in the order's history.
    #[derive(async_graphql::Enum)]
    pub enum OrderStatus {
        /// Placed, stock reserved, waiting for payment.
        Pending = "pending",
        /// Paid in full; stock still reserved.
        Paid = "paid",
        /// Handed over: the reserved stock has left.
        Fulfilled = "fulfilled",
        /// Closed.
        Completed = "completed",
        /// Cancelled before fulfilment; its reservations were released.
        Cancelled = "cancelled",
        /// Part of the captured money was refunded.
        PartiallyRefunded = "partially_refunded",
        /// All captured money was refunded.
        Refunded = "refunded",
    }
}

crate::text_enum! {
    /// Where the order's money stands, from its captured and refunded totals.
    #[derive(async_graphql::Enum)]
    pub enum PaymentStatus {
        /// Nothing captured.
        Unpaid = "unpaid",
        /// Some, but less than the total, captured.
        PartiallyPaid = "partially_paid",
        /// The total captured.
        Paid = "paid",
        /// Part of the captured money refunded.
        PartiallyRefunded = "partially_refunded",
        /// Everything captured refunded.
        Refunded = "refunded",
    }
}

crate::text_enum! {
    /// The state of one payment attempt.
    #[derive(async_graphql::Enum)]
    pub enum PaymentState {
        /// Started (authorized), not yet captured.
        Pending = "pending",
        /// Money taken.
        Captured = "captured",
        /// The provider declined or the attempt was abandoned.
        Failed = "failed",
    }
}

crate::text_enum! {
    /// Whether an imported order still matches its marketplace.
    #[derive(async_graphql::Enum)]
    pub enum SyncStatus {
        /// The last import carried the same lines as the order.
        Synced = "synced",
        /// The last import carried other lines than the order has: someone must look.
        Conflict = "conflict",
    }
}

/// Which of an order's addresses a row is (the same kind customers' defaults use).
pub use crate::graphql::AddressKind;

// An order: what was bought, for how much, and where it stands; a row of `orders`. The
// plain columns are its GraphQL fields, the rest are resolved in `objects.rs`. (No doc
// comment: it would describe the GraphQL type.)
#[derive(Debug, Clone, Queryable, Selectable, SimpleObject)]
#[diesel(table_name = orders)]
#[diesel(check_for_backend(diesel::pg::Pg))]
#[graphql(name = "Order", complex)]
pub struct OrderRow {
    /// Stable id.
    #[graphql(skip, derived(name = "id", into = "ID", owned))]
    pub id: Uuid,
    /// Its human number (from the tenant's sequence).
    #[graphql(skip)]
    pub number: i64,
    /// The secret a storefront reads the order back with (`order(token:)`).
    #[graphql(skip, derived(name = "token", into = "ID", owned))]
    pub token: Uuid,
    /// Where the order is in its life.
    pub status: OrderStatus,
    /// Where its money stands.
    pub payment_status: PaymentStatus,
    /// Where it was sold.
    pub channel: SalesChannel,
    /// The store it was placed in.
    #[graphql(skip)]
    pub store_id: Option<Uuid>,
    /// The customer, when known.
    #[graphql(skip)]
    pub customer_id: Option<Uuid>,
    /// The contact email (the guest's, or the customer's when placed).
    pub email: Option<String>,
    /// ISO 4217 code of every amount of the order.
    pub currency: String,
    /// Sum of the line totals.
    #[graphql(skip)]
    pub subtotal: BigDecimal,
    /// Coupon and points discounts together.
    #[graphql(skip)]
    pub discount_total: BigDecimal,
    /// What is owed: subtotal less discounts.
    #[graphql(skip)]
    pub total: BigDecimal,
    /// Money captured.
    #[graphql(skip)]
    pub captured_total: BigDecimal,
    /// Money given back (never more than captured).
    #[graphql(skip)]
    pub refunded_total: BigDecimal,
    /// POS register.
    #[graphql(skip)]
    pub register_id: Option<Uuid>,
    /// The location the order's stock was reserved at, when it named one (POS).
    #[graphql(skip, derived(name = "location_id", into = "Option<ID>", with = "opt_id", owned))]
    pub location_id: Option<Uuid>,
    /// The idempotency key it was placed with.
    #[graphql(guard = "RoleGuard(Role::Admin)")]
    pub idempotency_key: Option<String>,
    /// The order's reference outside (a marketplace's order id, a receipt number).
    pub source_reference: Option<String>,
    /// What the customer wrote with the order.
    pub customer_note: Option<String>,
    /// Who placed it (`storefront`, `admin`, `staff:<id>`).
    #[graphql(guard = "RoleGuard(Role::Admin)")]
    pub placed_by: String,
    /// When it was fulfilled.
    pub fulfilled_at: Option<DateTime<Utc>>,
    /// When it was placed.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

/// A new order's header.
#[derive(Debug, Insertable)]
#[diesel(table_name = orders)]
pub struct NewOrder {
    pub status: OrderStatus,
    pub channel: SalesChannel,
    pub store_id: Option<Uuid>,
    pub customer_id: Option<Uuid>,
    pub email: Option<String>,
    pub currency: String,
    pub subtotal: BigDecimal,
    pub discount_total: BigDecimal,
    pub total: BigDecimal,
    pub register_id: Option<Uuid>,
    pub location_id: Option<Uuid>,
    pub idempotency_key: Option<String>,
    pub idempotency_scope: Option<String>,
    pub idempotency_fingerprint: Option<String>,
    pub source_reference: Option<String>,
    pub customer_note: Option<String>,
    pub placed_by: String,
    pub created_at: Option<DateTime<Utc>>,
}

/// A row of `order_items`: what was bought, as it was then. Its plain columns are the
/// fields of `OrderItem`, which adds the order's currency.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, SimpleObject)]
#[diesel(table_name = order_items)]
#[diesel(check_for_backend(diesel::pg::Pg))]
pub struct ItemRow {
    /// Stable id.
    #[graphql(skip, derived(name = "id", into = "ID", owned))]
    pub id: Uuid,
    #[graphql(skip)]
    pub order_id: Uuid,
    /// Position in the order, from 1.
    pub line: i32,
    /// The variant sold (null once deleted from the catalog).
    #[graphql(skip, derived(name = "variant_id", into = "Option<ID>", with = "opt_id", owned))]
    pub variant_id: Option<Uuid>,
    /// The product sold (null once deleted from the catalog).
    #[graphql(skip, derived(name = "product_id", into = "Option<ID>", with = "opt_id", owned))]
    pub product_id: Option<Uuid>,
    /// The product's name then.
    pub product_name: String,
    /// The product's slug then.
    pub product_slug: String,
    #[graphql(skip)]
    pub product_type: String,
    /// The variant's SKU then.
    #[graphql(name = "sku")]
    pub variant_sku: String,
    /// The variant's name then.
    pub variant_name: String,
    /// Units bought.
    pub quantity: i32,
    #[graphql(skip)]
    pub unit_price: BigDecimal,
    #[graphql(skip)]
    pub price_source: String,
    #[graphql(skip)]
    pub line_total: BigDecimal,
    #[graphql(skip)]
    pub discount_total: BigDecimal,
}

/// A row of `order_addresses`.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = order_addresses)]
#[diesel(check_for_backend(diesel::pg::Pg))]
pub struct AddressRow {
    pub order_id: Uuid,
    pub kind: AddressKind,
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

impl AddressRow {
    /// The row for `address` as the order's address of `kind`.
    pub fn new(order_id: Uuid, kind: AddressKind, a: Address) -> Self {
        Self {
            order_id,
            kind,
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

    /// The address it holds.
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

// One status an order moved into: from which, by whom, when. A plain comment: the
// GraphQL type has no description, and a doc comment would give it one.
#[derive(Debug, Clone, Queryable, Selectable, SimpleObject)]
#[diesel(table_name = order_status_history)]
#[diesel(check_for_backend(diesel::pg::Pg))]
#[graphql(name = "OrderStatusChange")]
pub struct HistoryRow {
    #[graphql(skip)]
    pub order_id: Uuid,
    /// The status before (null for the status it was placed in).
    pub from_status: Option<OrderStatus>,
    /// The status after.
    pub to_status: OrderStatus,
    /// Who made the change (`storefront`, `admin`, `staff:<id>`, `system`).
    #[graphql(guard = "RoleGuard(Role::Admin)")]
    pub actor: String,
    /// Why, when given.
    pub note: Option<String>,
    /// When.
    pub created_at: DateTime<Utc>,
}

// A payment attempt: a row of `payments`. Its amounts are resolved in `objects.rs`, in
// its currency. (No doc comment: it would describe the GraphQL type.)
#[derive(Debug, Clone, Queryable, Selectable, SimpleObject)]
#[diesel(table_name = payments)]
#[diesel(check_for_backend(diesel::pg::Pg))]
#[graphql(name = "Payment", complex)]
pub struct PaymentRow {
    /// Stable id.
    #[graphql(skip, derived(name = "id", into = "ID", owned))]
    pub id: Uuid,
    /// The order paid for.
    #[graphql(skip, derived(name = "order_id", into = "ID", owned))]
    pub order_id: Uuid,
    /// The payment provider.
    pub provider: String,
    /// The provider's transaction id.
    pub provider_transaction_id: Option<String>,
    #[graphql(skip)]
    pub amount: BigDecimal,
    #[graphql(skip)]
    pub currency: String,
    /// State of the attempt.
    pub status: PaymentState,
    #[graphql(skip)]
    pub captured_amount: BigDecimal,
    #[graphql(skip)]
    pub refunded_amount: BigDecimal,
    /// Why it failed.
    pub failure_reason: Option<String>,
    /// When it was recorded.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

// Money given back against a captured payment: a row of `refunds`. (No doc comment: it
// would describe the GraphQL type.)
#[derive(Debug, Clone, Queryable, Selectable, SimpleObject)]
#[diesel(table_name = refunds)]
#[diesel(check_for_backend(diesel::pg::Pg))]
#[graphql(name = "Refund", complex)]
pub struct RefundRow {
    /// Stable id.
    #[graphql(skip, derived(name = "id", into = "ID", owned))]
    pub id: Uuid,
    #[graphql(skip)]
    pub order_id: Uuid,
    /// The payment refunded.
    #[graphql(skip, derived(name = "payment_id", into = "ID", owned))]
    pub payment_id: Uuid,
    #[graphql(skip)]
    pub amount: BigDecimal,
    #[graphql(skip)]
    pub currency: String,
    /// Why.
    pub reason: String,
    /// Who refunded.
    pub actor: String,
    /// When.
    pub created_at: DateTime<Utc>,
}

// A till at a location; POS orders name the register they were rung up at, and take
// their stock from its location. (No doc comment: it would describe the GraphQL type.)
#[derive(Debug, Clone, Queryable, Selectable, SimpleObject)]
#[diesel(table_name = pos_registers)]
#[diesel(check_for_backend(diesel::pg::Pg))]
#[graphql(name = "PosRegister")]
pub struct RegisterRow {
    /// Stable id.
    #[graphql(skip, derived(name = "id", into = "ID", owned))]
    pub id: Uuid,
    /// Business key, unique in the tenant.
    pub code: String,
    /// Display name.
    pub name: String,
    /// Whether it takes orders.
    pub active: bool,
    /// The location its stock comes from.
    #[graphql(skip, derived(name = "location_id", into = "ID", owned))]
    pub location_id: Uuid,
    /// When it was added.
    pub created_at: DateTime<Utc>,
}

// The link between an imported order and its order on a marketplace. (No doc comment:
// it would describe the GraphQL type.)
#[derive(Debug, Clone, Queryable, Selectable, SimpleObject)]
#[diesel(table_name = external_order_mappings)]
#[diesel(check_for_backend(diesel::pg::Pg))]
#[graphql(name = "ExternalOrderMapping")]
pub struct MappingRow {
    /// Stable id.
    #[graphql(skip, derived(name = "id", into = "ID", owned))]
    pub id: Uuid,
    /// The marketplace (e.g. `amazon-de`).
    pub channel_name: String,
    /// The order's id there.
    pub external_id: String,
    /// The order's status there, as last imported.
    pub external_status: Option<String>,
    /// Whether the last import matched the order.
    pub sync_status: SyncStatus,
    /// How many times it was imported.
    pub sync_count: i32,
    #[graphql(skip)]
    pub lines_digest: String,
    /// When it was first imported.
    pub imported_at: DateTime<Utc>,
    /// When it was last imported.
    pub last_synced_at: DateTime<Utc>,
    /// The order it became.
    #[graphql(skip, derived(name = "order_id", into = "ID", owned))]
    pub order_id: Uuid,
}
