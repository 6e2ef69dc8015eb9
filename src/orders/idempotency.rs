//! Idempotency keys of `orderCreate`. A key belongs to the caller that sent it — the API
//! key and the shopper (the signed-in customer, else the contact email) — so the same
//! text from another caller is another key and never answers with someone else's order.
//! Each order remembers a fingerprint of its input: the same key sent again with another
//! input is refused. A key lives for a configurable time (a day by default); after that
//! the next order with it takes it over.

use std::time::Duration;

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// How long an idempotency key answers with its order: schema data, set by `serve`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IdempotencySettings {
    /// Age after which a key can be used for a new order.
    pub ttl: Duration,
}

impl Default for IdempotencySettings {
    fn default() -> Self {
        Self { ttl: Duration::from_secs(24 * 60 * 60) }
    }
}

impl IdempotencySettings {
    /// Orders placed before this no longer hold their keys.
    pub fn oldest_live(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        chrono::Duration::from_std(self.ttl).ok().and_then(|ttl| now.checked_sub_signed(ttl)).unwrap_or(now)
    }
}

/// Who is placing an order, as far as idempotency keys are concerned.
#[derive(Debug, Clone)]
pub enum Shopper {
    /// A known customer (the storefront's signed-in customer or an admin's `customerId`).
    Customer(Uuid),
    /// A guest, by contact email (lower-cased).
    Email(String),
}

/// A key as the caller sent it, bound to that caller and to the request's input.
#[derive(Debug, Clone)]
pub struct IdempotencyClaim {
    /// The client's text.
    pub key: String,
    /// SHA-256 (hex) of the API key and the shopper.
    pub scope: String,
    /// SHA-256 (hex) of the request's input in canonical form.
    pub fingerprint: String,
}

impl IdempotencyClaim {
    /// The claim of `key` by the caller with `api_key` (none for requests without a
    /// token) acting for `shopper`, for the input whose canonical form is `input`
    /// (a JSON value: its objects serialize with sorted keys).
    pub fn new(key: String, api_key: Option<Uuid>, shopper: &Shopper, input: &serde_json::Value) -> Self {
        let api_key = api_key.map_or_else(|| "none".to_owned(), |id| id.to_string());
        let shopper = match shopper {
            Shopper::Customer(id) => format!("customer:{id}"),
            Shopper::Email(email) => format!("email:{email}"),
        };
        Self {
            key,
            scope: sha256_hex(format!("api-key:{api_key}\u{1e}{shopper}").as_bytes()),
            fingerprint: sha256_hex(input.to_string().as_bytes()),
        }
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn another_caller_or_input_makes_another_scope_or_fingerprint() {
        let input = serde_json::json!({ "b": 1, "a": [1, 2] });
        let a = IdempotencyClaim::new("k".into(), None, &Shopper::Email("a@x.io".into()), &input);
        let b = IdempotencyClaim::new("k".into(), None, &Shopper::Email("b@x.io".into()), &input);
        let c = IdempotencyClaim::new("k".into(), Some(Uuid::nil()), &Shopper::Email("a@x.io".into()), &input);
        assert_ne!(a.scope, b.scope);
        assert_ne!(a.scope, c.scope);
        assert_eq!(a.fingerprint, b.fingerprint);
        let d = IdempotencyClaim::new("k".into(), None, &Shopper::Email("a@x.io".into()), &serde_json::json!({}));
        assert_ne!(a.fingerprint, d.fingerprint);
        assert_eq!(a.scope.len(), 64);
    }
}
