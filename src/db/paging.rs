//! Keyset pages as the storage functions see them: how many rows, after and before which
//! keys, in which direction. Cursors come from clients, so their keys are checked before
//! they reach SQL.

use serde::de::DeserializeOwned;

/// A validated page request with decoded cursors of key type `K`. The data-access code
/// asks for `limit + 1` rows after `after` and before `before`, in descending key order
/// when `backward`.
#[derive(Debug, Clone)]
pub struct Page<K> {
    /// Rows to return.
    pub limit: usize,
    /// Only rows with a key greater than this.
    pub after: Option<K>,
    /// Only rows with a key less than this.
    pub before: Option<K>,
    /// Paging with `last`: read in descending order, nearest `before` first.
    pub backward: bool,
}

impl<K> Page<K> {
    /// How many rows to fetch: one more than the page, to learn whether there are more.
    pub fn fetch_limit(&self) -> i64 {
        self.limit as i64 + 1
    }
}

/// The longest cursor accepted (the longest real ones — a customer's two 200-character
/// names, a 300-character product name, of 4-byte characters — encode to under 2,300
/// bytes): a longer one is refused before it is decoded.
pub const MAX_CURSOR_LEN: usize = 4096;

/// The decoded key of a cursor. Cursors come from clients, so a key is checked before it
/// reaches SQL: every value must be one PostgreSQL accepts as the type it is bound or
/// cast to (a forged cursor is BAD_USER_INPUT, never a failed statement).
pub trait CursorKey: DeserializeOwned {
    /// Whether every value of the key can be bound as its SQL type.
    fn is_valid(&self) -> bool;
}

impl CursorKey for String {
    fn is_valid(&self) -> bool {
        self.len() <= super::sql_value::MAX_KEY_TEXT && super::sql_value::text_ok(self)
    }
}

impl CursorKey for (chrono::DateTime<chrono::Utc>, uuid::Uuid) {
    fn is_valid(&self) -> bool {
        super::sql_value::timestamp_in_range(&self.0)
    }
}
