use async_graphql::{EmptySubscription, MergedObject, Schema};

use super::limits::Limits;
use crate::attributes::{AttributeMutation, AttributeQuery};
use crate::catalog::{
    BulkMutation, BundleMutation, CatalogMutation, CatalogQuery, CategoryMutation, CategoryQuery, ProductPartMutation,
};
use crate::customers::{CustomerMutation, CustomerQuery};
use crate::inventory::{InventoryMutation, InventoryQuery};
use crate::loyalty::{LoyaltyMutation, LoyaltyQuery};
use crate::orders::{
    IdempotencySettings, OrderCreateMutation, OrderImportMutation, OrderLifecycleMutation, OrderQuery, PaymentMutation,
    PosRegisterMutation,
};
use crate::pricing::{PricingMutation, PricingQuery};
use crate::promotions::{PromotionMutation, PromotionQuery};
use crate::royalty::{RoyaltyMutation, RoyaltyQuery};
use crate::stores::{StoreMutation, StoreProductMutation, StoreQuery};
use crate::tenancy::TenantQuery;

/// Every query field, merged from the domains.
#[derive(MergedObject, Default)]
pub struct Query(
    TenantQuery,
    StoreQuery,
    CatalogQuery,
    CategoryQuery,
    InventoryQuery,
    PricingQuery,
    AttributeQuery,
    CustomerQuery,
    OrderQuery,
    PromotionQuery,
    LoyaltyQuery,
    RoyaltyQuery,
);

/// Every mutation, merged from the domains.
#[derive(MergedObject, Default)]
pub struct Mutation(
    StoreMutation,
    CatalogMutation,
    ProductPartMutation,
    CategoryMutation,
    InventoryMutation,
    PricingMutation,
    StoreProductMutation,
    BundleMutation,
    BulkMutation,
    AttributeMutation,
    CustomerMutation,
    OrderCreateMutation,
    OrderLifecycleMutation,
    PaymentMutation,
    OrderImportMutation,
    PosRegisterMutation,
    PromotionMutation,
    LoyaltyMutation,
    RoyaltyMutation,
);

/// The one GraphQL schema all tenants share.
pub type AppSchema = Schema<Query, Mutation, EmptySubscription>;

/// Assembles the schema; `limits` is also schema data, where connection fields read the
/// page-size cap. Depth, size and cost are checked before execution, in linear time, by
/// the HTTP layer (`graphql::cost`); the depth limit here stays as a second guard.
pub fn build_schema(limits: Limits) -> AppSchema {
    build_schema_with(limits, IdempotencySettings::default())
}

/// [`build_schema`] with how long `orderCreate`'s idempotency keys live.
pub fn build_schema_with(limits: Limits, idempotency: IdempotencySettings) -> AppSchema {
    Schema::build(Query::default(), Mutation::default(), EmptySubscription)
        .limit_depth(limits.max_depth)
        .data(limits)
        .data(idempotency)
        .extension(crate::tenancy::FinishScope)
        .finish()
}

/// The schema in SDL, as `schema.graphql` holds it: the fields of each type and input
/// sorted by name, so the file changes only when the API does, not when a resolver moves.
pub fn sdl() -> String {
    let options = async_graphql::SDLExportOptions::new().sorted_fields();
    build_schema(Limits::default()).sdl_with_options(options)
}
