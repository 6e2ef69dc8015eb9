//! How a domain operation ends when it refuses its input: the reasons (a code and the
//! input path at fault) every domain reports, and the error that carries them or a
//! database failure out of a transaction. Storage and rule code return these; the GraphQL
//! layer hands the reasons to clients as `userErrors`.

use async_graphql::{Enum, SimpleObject};

use crate::db::DbError;

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

/// Refuses an operation: its one userError, at input field `field`, as the `Err` an
/// operation returns (`return refuse("id", UserErrorCode::NotFound, "no such order")`).
pub fn refuse<T>(field: &str, code: UserErrorCode, message: impl Into<String>) -> Result<T, MutationError> {
    Err(MutationError::user(field, code, message))
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

/// What a violated constraint means to the client: the input field at fault and why.
/// Each domain states its constraints once, as a table of these.
#[derive(Debug, Clone, Copy)]
pub struct Violation {
    /// The unique or foreign-key constraint.
    pub constraint: &'static str,
    /// The input field at fault (under `input`).
    pub field: &'static str,
    /// Why.
    pub code: UserErrorCode,
    /// What the client reads.
    pub message: &'static str,
}

impl Violation {
    /// `constraint` violated means `code` at `input.<field>`, told as `message`.
    pub const fn new(
        constraint: &'static str,
        field: &'static str,
        code: UserErrorCode,
        message: &'static str,
    ) -> Self {
        Self { constraint, field, code, message }
    }
}

/// The error a failed write means under `violations`: the userError of the violated
/// unique or foreign-key constraint, or the database failure itself. Written
/// `.map_err(refused(CONFLICTS))`.
pub fn refused<E: Into<DbError>>(violations: &'static [Violation]) -> impl Fn(E) -> MutationError {
    move |error| {
        let error = error.into();
        let name = error.unique_violation().or_else(|| error.foreign_key_violation());
        match violations.iter().find(|v| Some(v.constraint) == name) {
            Some(v) => MutationError::user(v.field, v.code, v.message),
            None => MutationError::Db(error),
        }
    }
}
