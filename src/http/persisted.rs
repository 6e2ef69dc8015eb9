//! Automatic persisted queries, by Apollo's protocol: a client sends a query's SHA-256
//! alone; an unknown hash answers `PersistedQueryNotFound`, and the client sends the query
//! with its hash once to register it. Hash-only requests can be GETs that a CDN caches. The
//! store keeps parsed documents that passed every limit, at most a configured number,
//! least recently used first out.

use async_graphql::extensions::apollo_persisted_queries::{CacheStorage, LruCacheStorage};
use async_graphql::parser::types::ExecutableDocument;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::graphql::cost::Refusal;

/// The process's persisted documents.
pub struct PersistedQueries(LruCacheStorage);

/// What a request's `extensions.persistedQuery` asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersistedQuery {
    /// The lowercase hex SHA-256 of the query text.
    pub hash: String,
}

impl PersistedQueries {
    /// A store of at most `capacity` documents.
    pub fn new(capacity: usize) -> Self {
        Self(LruCacheStorage::new(capacity.max(1)))
    }

    /// The document registered under `hash`.
    pub async fn get(&self, hash: &str) -> Option<ExecutableDocument> {
        self.0.get(hash.to_owned()).await
    }

    /// Registers `document` under `hash`.
    pub async fn put(&self, hash: &str, document: ExecutableDocument) {
        self.0.set(hash.to_owned(), document).await;
    }
}

impl PersistedQuery {
    /// The persisted-query extension of a request, if it has one.
    pub fn from_extensions(extensions: &Map<String, Value>) -> Result<Option<Self>, Refusal> {
        let Some(value) = extensions.get("persistedQuery") else {
            return Ok(None);
        };
        let invalid =
            || Refusal::bad_request("PERSISTED_QUERY_INVALID", "persistedQuery needs version 1 and a sha256Hash");
        let object = value.as_object().ok_or_else(invalid)?;
        if object.get("version").and_then(Value::as_i64) != Some(1) {
            return Err(Refusal::bad_request("PERSISTED_QUERY_NOT_SUPPORTED", "PersistedQueryNotSupported"));
        }
        let hash = object.get("sha256Hash").and_then(Value::as_str).ok_or_else(invalid)?.to_ascii_lowercase();
        if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(invalid());
        }
        Ok(Some(Self { hash }))
    }

    /// Whether `query` is the text this hash was made from.
    pub fn matches(&self, query: &str) -> bool {
        let digest = Sha256::digest(query.as_bytes());
        let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        hex == self.hash
    }

    /// The answer to a hash that is not registered (Apollo's clients look for this
    /// message and code, then send the query).
    pub fn not_found() -> Refusal {
        Refusal::with_status("PERSISTED_QUERY_NOT_FOUND", "PersistedQueryNotFound", 200)
    }
}
