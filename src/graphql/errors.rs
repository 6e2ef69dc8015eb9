use async_graphql::{Enum, ErrorExtensions, SimpleObject};

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

impl<T> GqlResultExt<T> for Result<T, diesel::result::Error> {
    fn gql(self) -> async_graphql::Result<T> {
        self.map_err(|e| internal_error(&DbError::Query(e)))
    }
}

/// Why a mutation's input was refused. Shared by every domain so clients handle one enum.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserErrorCode {
    /// A value is malformed.
    Invalid,
    /// A required value is missing or blank.
    Required,
    /// A value is longer than allowed.
    TooLong,
    /// Another record already has this unique value.
    Duplicate,
    /// The record to change does not exist.
    NotFound,
    /// Not an ISO 4217 currency code.
    InvalidCurrency,
    /// Not a BCP 47 locale tag.
    InvalidLocale,
    /// Not a DNS host name.
    InvalidDomain,
    /// The domain is registered to another store.
    DomainTaken,
    /// Another variant (in the input or the catalog) has this SKU.
    DuplicateSku,
    /// A price below zero.
    NegativePrice,
    /// Stock would fall below the units reserved for orders.
    BelowReserved,
    /// A category would end up under itself.
    CategoryCycle,
    /// A value does not fit its attribute's type, bounds or options.
    InvalidAttributeValue,
    /// The product's attribute set requires a value for this attribute.
    MissingRequiredAttribute,
    /// Not an email address.
    InvalidEmail,
    /// Not an ISO 3166-1 alpha-2 country code.
    InvalidCountry,
    /// Fewer units are available than the order asks for.
    InsufficientStock,
    /// The product is not for sale (not active, hidden in the store, or gone).
    ProductUnavailable,
    /// A price or payment is in another currency than the order.
    CurrencyMismatch,
    /// An order without items.
    EmptyOrder,
    /// The order's status does not allow this change.
    IllegalTransition,
    /// A refund larger than the money captured and not yet refunded.
    RefundExceedsCaptured,
    /// A capture larger than the payment, or a payment larger than what is owed.
    AmountExceeded,
    /// The customer has been anonymized and can no longer be changed.
    CustomerAnonymized,
    /// Only the note's author may change it.
    NotAuthor,
    /// The operation needs a staff member (an admin key with a staff id, or X-Staff-Id).
    StaffRequired,
    /// No coupon has this code.
    CouponNotFound,
    /// The coupon's validity window (or its campaign's) has ended.
    CouponExpired,
    /// The coupon's validity window (or its campaign's) has not started yet.
    CouponNotYetValid,
    /// The coupon is deactivated, or its campaign is not active.
    CouponInactive,
    /// The coupon has been used as often as it may be.
    CouponUsageLimit,
    /// This customer has used the coupon as often as one customer may.
    CouponCustomerLimit,
    /// The coupon does not apply to this order (another store or currency).
    CouponNotApplicable,
    /// The order's subtotal is below the coupon's minimum.
    MinimumNotMet,
    /// The loyalty account holds fewer points than asked for.
    InsufficientPoints,
    /// The points' value exceeds what is left to pay.
    PointsExceedTotal,
    /// The tenant has no active loyalty program.
    LoyaltyDisabled,
    /// The operation needs a known customer (an admin's customerId, or a storefront
    /// request carrying a customer token).
    CustomerRequired,
    /// No store with this code that the caller may see (storefronts see active stores only).
    StoreNotFound,
    /// The idempotency key was used, by the same caller, for an order with another input.
    IdempotencyKeyReused,
    /// A number outside the range the field allows (or that a total would leave).
    OutOfRange,
}

/// One problem with a mutation's input. A mutation that returns any writes nothing.
#[derive(SimpleObject, Debug, Clone)]
pub struct UserError {
    /// Path to the input field at fault, e.g. `["input", "code"]`.
    pub field: Vec<String>,
    /// Machine-readable reason.
    pub code: UserErrorCode,
    /// Human-readable explanation.
    pub message: String,
}

/// The GraphQL name of an enum value (`PARTIALLY_REFUNDED`), for messages: taken from
/// the enum's own GraphQL derive, so messages and the schema cannot disagree.
pub fn enum_name<T: async_graphql::InputType>(value: &T) -> String {
    match value.to_value() {
        async_graphql::Value::Enum(name) => name.to_string(),
        other => other.to_string(),
    }
}

/// Collects the problems of one mutation input.
#[derive(Debug, Default)]
pub struct UserErrors(pub Vec<UserError>);

impl UserErrors {
    /// Records a problem with `input.<field>`.
    pub fn add(&mut self, field: &str, code: UserErrorCode, message: impl Into<String>) {
        self.add_at(&[field], code, message);
    }

    /// Records a problem at a deeper input path, e.g. `["input", "variants", "2", "sku"]`.
    pub fn add_at(&mut self, path: &[&str], code: UserErrorCode, message: impl Into<String>) {
        let field = std::iter::once("input").chain(path.iter().copied()).map(str::to_owned).collect();
        self.0.push(UserError { field, code, message: message.into() });
    }

    /// Parses the ID at `path` (e.g. `["productId"]`), or records that it is not one.
    pub fn id_at(&mut self, path: &[&str], id: &async_graphql::ID) -> Option<uuid::Uuid> {
        let parsed = uuid::Uuid::parse_str(id).ok();
        if parsed.is_none() {
            self.add_at(path, UserErrorCode::Invalid, "not a valid ID");
        }
        parsed
    }

    /// Reads a variant named by exactly one of `variantId` or `sku` at `path` (e.g.
    /// `["items", "0"]`; `[]` for the input itself): the parsed id and the trimmed SKU, or a
    /// REQUIRED problem at `<path>.variantId` when both or neither are given.
    pub fn variant_ref(
        &mut self,
        path: &[&str],
        id: &Option<async_graphql::ID>,
        sku: &Option<String>,
    ) -> (Option<uuid::Uuid>, Option<String>) {
        let at: Vec<&str> = path.iter().copied().chain(["variantId"]).collect();
        let id = match (id, sku) {
            (Some(id), None) => self.id_at(&at, id),
            (None, Some(_)) => None,
            _ => {
                self.add_at(&at, UserErrorCode::Required, "give exactly one of variantId or sku");
                None
            }
        };
        (id, sku.as_deref().map(|s| s.trim().to_owned()))
    }

    /// Whether nothing was wrong.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// How a mutation's transaction ends early: bad input (rolled back, reported as
/// userErrors) or a database failure (rolled back, reported as a GraphQL error).
#[derive(Debug)]
pub enum MutationError {
    /// Rolled back; the client gets these as `userErrors`.
    User(Vec<UserError>),
    /// Rolled back; the client gets an internal error.
    Db(DbError),
}

impl MutationError {
    /// A refusal with one userError at `input.<field>`.
    pub fn user(field: &str, code: UserErrorCode, message: impl Into<String>) -> Self {
        let mut errors = UserErrors::default();
        errors.add(field, code, message);
        errors.into()
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

impl From<diesel::result::Error> for MutationError {
    fn from(e: diesel::result::Error) -> Self {
        MutationError::Db(DbError::Query(e))
    }
}

impl From<DbError> for MutationError {
    fn from(e: DbError) -> Self {
        MutationError::Db(e)
    }
}

impl From<UserErrors> for MutationError {
    fn from(e: UserErrors) -> Self {
        MutationError::User(e.0)
    }
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
