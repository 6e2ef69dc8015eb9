//! Orders: placing them (priced by the server, stock reserved atomically, idempotent),
//! their lifecycle as a state machine with a history, payments and refunds, POS registers
//! and orders imported from marketplaces.
//!
//! Owns the tables `orders`, `order_items`, `order_addresses`, `order_status_history`,
//! `order_allocations`, `payments`, `refunds`, `external_order_mappings`, `pos_registers`; no other
//! domain reads or writes them. Exports the order objects and loaders, small lookups for other
//! domains, and `sql` fragments (the sold lines of an order, the money an order kept); it publishes
//! its lifecycle through `events`.

mod create_mutation;
mod customer_link;
mod data;
mod idempotency;
mod import_data;
mod import_mutation;
mod lifecycle;
mod lifecycle_mutation;
mod listing;
mod loaders;
mod lookup;
mod model;
mod objects;
mod payment_data;
mod payment_mutation;
mod place;
mod privacy;
mod query;
mod register_data;
mod register_mutation;
mod sql;
mod status;

pub use create_mutation::OrderCreateMutation;
pub use idempotency::IdempotencySettings;
pub use import_mutation::OrderImportMutation;
pub use lifecycle_mutation::OrderLifecycleMutation;
pub use listing::{OrderFilter, OrderSortField};
pub use lookup::{customer_of_order, order_by_id, prime_orders};
pub use model::{OrderStatus, PaymentState, PaymentStatus, SyncStatus};
pub use objects::Order;
pub use payment_mutation::PaymentMutation;
pub use privacy::forget_customer;
pub use query::{OrderQuery, OrderSortInput, order_connection};
pub use register_mutation::PosRegisterMutation;
pub use sql::{money_kept, sold_lines};
