//! The GraphQL layer shared by every domain: schema assembly, the request context (who is
//! asking), errors and user errors, limits and Relay pagination.

mod address;
mod bigint;
mod context;
pub mod cost;
mod errors;
mod limits;
mod loaders;
mod money;
mod pagination;
mod payload;
mod schema;
pub mod validate;

pub use crate::address::{Address, AddressKind};
pub use address::AddressInput;
pub use bigint::BigInt;
pub use context::{RoleGuard, caller_scope};
pub use errors::{
    GqlResultExt, MutationError, RecordKey, UserError, UserErrorCode, UserErrors, coded_error, enum_name, id_or_key,
    internal_error, log_excerpt, mutation_outcome, opt_id, parse_id,
};
pub use limits::Limits;
pub use loaders::{ById, ChildOf, Children, Keyed, Loaders, children_of, loader, node_selected, prime, request_with};
pub use money::{Decimal, Money};
pub use pagination::{
    ConnectionTotal, PageArgs, checked_cursor, child_connection, child_page_key, finish_listing, into_connection,
    listing_connection, selected_child_pages,
};
pub use schema::{AppSchema, Mutation, Query, build_schema, build_schema_with, sdl};
