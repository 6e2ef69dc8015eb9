use async_graphql::ErrorExtensions;

pub use crate::outcome::{MutationError, UserError, UserErrorCode, UserErrors};

use crate::db::{DbError, Failure};
use crate::tenancy::TenancyError;

/// A GraphQL error carrying `extensions.code`: how auth problems, unknown tenants and
/// bad arguments reach the client.
pub fn coded_error(code: &str, message: impl Into<String>) -> async_graphql::Error {
    let code = code.to_owned();
    async_graphql::Error::new(message).extend_with(move |_, ext| ext.set("code", code.as_str()))
}

/// The error a client sees when something failed on our side. The cause is logged, not
/// sent: database messages can name tables, constraints and values (and the log keeps
/// only the start of the message, so a value in it is not copied whole). Failures a client
/// should simply retry carry their own code and `extensions.retryable: true`:
/// `DATABASE_UNAVAILABLE` (the database cannot be reached or the connection was lost),
/// `TIMEOUT` (a statement ran too long and was cancelled) and `BUSY` (no connection came
/// free in time); anything else is `INTERNAL_SERVER_ERROR`.
pub fn internal_error(error: &DbError) -> async_graphql::Error {
    let message = error.to_string();
    let cause = log_excerpt(&message);
    let (code, answer) = match error.failure() {
        Failure::Unavailable => {
            tracing::warn!(%cause, "database unavailable");
            ("DATABASE_UNAVAILABLE", "the database is unavailable, try again")
        }
        Failure::Timeout => {
            tracing::warn!(%cause, "database statement timed out");
            ("TIMEOUT", "the database took too long to answer, try again")
        }
        Failure::Busy => {
            tracing::warn!(%cause, "no database connection free");
            ("BUSY", "the database is busy, try again shortly")
        }
        Failure::Other => {
            tracing::error!(%cause, "database error");
            return coded_error("INTERNAL_SERVER_ERROR", "internal error");
        }
    };
    async_graphql::Error::new(answer).extend_with(move |_, ext| {
        ext.set("code", code);
        ext.set("retryable", true);
    })
}

/// The most characters of one value a log line carries.
pub const LOG_EXCERPT_CHARS: usize = 300;

/// At most [`LOG_EXCERPT_CHARS`] characters of `text`, marked when cut: for writing a
/// value that may hold client input (a database message quotes the values it refused)
/// into the log, so one request cannot write megabytes into it.
pub fn log_excerpt(text: &str) -> std::borrow::Cow<'_, str> {
    match text.char_indices().nth(LOG_EXCERPT_CHARS) {
        Some((cut, _)) => std::borrow::Cow::Owned(format!("{}… ({} bytes in all)", &text[..cut], text.len())),
        None => std::borrow::Cow::Borrowed(text),
    }
}

/// Turns the errors of the lower layers into GraphQL errors that carry their
/// `extensions.code`. Resolvers write `.gql()?`: a bare `?` would go through
/// async-graphql's blanket conversion, dropping the code and showing a database message.
pub trait GqlResultExt<T> {
    /// The GraphQL form of this result.
    fn gql(self) -> async_graphql::Result<T>;
}

impl<T> GqlResultExt<T> for Result<T, TenancyError> {
    fn gql(self) -> async_graphql::Result<T> {
        self.map_err(|e| {
            let retryable = e.code.is_retryable();
            coded_error(e.code.as_str(), e.message).extend_with(move |_, ext| {
                if retryable {
                    ext.set("retryable", true);
                }
            })
        })
    }
}

impl<T> GqlResultExt<T> for Result<T, DbError> {
    fn gql(self) -> async_graphql::Result<T> {
        self.map_err(|e| internal_error(&e))
    }
}

impl<T> GqlResultExt<T> for Result<T, std::sync::Arc<DbError>> {
    fn gql(self) -> async_graphql::Result<T> {
        self.map_err(|e| internal_error(&e))
    }
}

impl<T> GqlResultExt<T> for Result<T, diesel::result::Error> {
    fn gql(self) -> async_graphql::Result<T> {
        self.map_err(|e| internal_error(&DbError::Query(e)))
    }
}

/// The GraphQL name of an enum value (`PARTIALLY_REFUNDED`), for messages: taken from
/// the enum's own GraphQL derive, so messages and the schema cannot disagree.
pub fn enum_name<T: async_graphql::InputType>(value: &T) -> String {
    match value.to_value() {
        async_graphql::Value::Enum(name) => name.to_string(),
        other => other.to_string(),
    }
}

/// How a single-record query names its record: by id or by a business key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordKey {
    /// By id.
    Id(uuid::Uuid),
    /// By business key (trimmed): a slug, SKU, code or name.
    Key(String),
}

/// Reads the `id` / business-key argument pair of a single-record query: exactly one of
/// them, or a BAD_USER_INPUT error naming `key_name`.
pub fn id_or_key(
    id: Option<&async_graphql::ID>,
    key: Option<&str>,
    key_name: &str,
) -> async_graphql::Result<RecordKey> {
    match (id, key) {
        (Some(id), None) => Ok(RecordKey::Id(parse_id(id)?)),
        (None, Some(key)) => Ok(RecordKey::Key(key.trim().to_owned())),
        _ => Err(coded_error("BAD_USER_INPUT", format!("pass exactly one of id or {key_name}"))),
    }
}

/// An `ID` argument of a query as a UUID, or a BAD_USER_INPUT error.
pub fn parse_id(id: &async_graphql::ID) -> async_graphql::Result<uuid::Uuid> {
    uuid::Uuid::parse_str(id).map_err(|_| coded_error("BAD_USER_INPUT", "id is not a valid ID"))
}

/// A nullable UUID column as the `ID` GraphQL serves: for `SimpleObject` rows, whose
/// `Uuid` fields would otherwise show as `UUID` (used as `derived(with = "...")`).
pub fn opt_id(id: Option<uuid::Uuid>) -> Option<async_graphql::ID> {
    id.map(async_graphql::ID::from)
}

/// Splits a mutation's result into what its payload carries: the changed object, or the
/// userErrors; a database failure becomes a GraphQL error.
pub fn mutation_outcome<T>(result: Result<T, MutationError>) -> async_graphql::Result<(Option<T>, Vec<UserError>)> {
    match result {
        Ok(value) => Ok((Some(value), Vec::new())),
        Err(MutationError::User(errors)) => Ok((None, errors)),
        Err(MutationError::Db(error)) => Err(internal_error(&error)),
    }
}
