//! Orders: placing them (priced by the server, stock reserved atomically, idempotent),
//! their lifecycle as a state machine with a history, payments and refunds, POS registers
//! and orders imported from marketplaces.

mod lookup;
mod privacy;

pub use lookup::customer_of_order;
pub use privacy::forget_customer;
