//! The price of a request, computed from the parsed document before validation and
//! execution, and the budgets it is paid from. See README, "Limits and costs".

mod analyze;
mod budget;
mod model;
mod response;
mod tokens;

pub use analyze::{Analysis, analyze, check_counts, json_has_nul, nul_refusal, selected_operation};
pub use budget::{Budgets, Payer, Rate, ThrottleStatus, Throttled};
pub use model::CostModel;
pub use response::settle;
pub use tokens::count_tokens;

/// A request refused before it runs: its `extensions.code`, its message and HTTP status.
#[derive(Debug, Clone)]
pub struct Refusal {
    /// The `extensions.code`.
    pub code: &'static str,
    /// What to tell the client.
    pub message: String,
    /// The HTTP status of the refusal.
    pub status: u16,
}

impl Refusal {
    /// A refusal with status 400.
    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self { code, message: message.into(), status: 400 }
    }

    /// A refusal of a bad value, `BAD_USER_INPUT` with status 400.
    pub fn bad_user_input(message: impl Into<String>) -> Self {
        Self::bad_request("BAD_USER_INPUT", message)
    }

    /// A refusal with another status.
    pub fn with_status(code: &'static str, message: impl Into<String>, status: u16) -> Self {
        Self { code, message: message.into(), status }
    }
}
