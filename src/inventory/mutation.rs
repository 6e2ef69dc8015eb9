use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use diesel_async::{AsyncConnection, AsyncPgConnection};
use uuid::Uuid;

use super::data;
use super::model::InventoryLevel;
use crate::graphql::{
    GqlResultExt, MutationError, UserError, UserErrorCode, UserErrors, caller_scope, mutation_outcome,
};
use crate::tenancy::Role;

/// Sets a variant's stock to a count (a stock-take).
#[derive(InputObject)]
pub struct InventorySetInput {
    /// The variant, by id…
    variant_id: Option<ID>,
    /// …or by SKU.
    sku: Option<String>,
    /// Units on hand now; not below what is reserved.
    quantity: i32,
    /// Why (recorded with the movement).
    reason: String,
}

/// Changes a variant's stock by a number of units (goods received, damaged, returned).
#[derive(InputObject)]
pub struct InventoryAdjustInput {
    /// The variant, by id…
    variant_id: Option<ID>,
    /// …or by SKU.
    sku: Option<String>,
    /// Units to add (negative: to remove); the result may not fall below what is reserved.
    delta: i32,
    /// Why (recorded with the movement).
    reason: String,
}

/// The result of an inventory mutation.
#[derive(SimpleObject)]
pub struct InventoryPayload {
    /// The stock as it is now; null when the mutation was refused.
    inventory: Option<InventoryLevel>,
    /// What was wrong with the input; empty on success.
    user_errors: Vec<UserError>,
}

impl InventoryPayload {
    fn from_outcome(result: Result<InventoryLevel, MutationError>) -> async_graphql::Result<Self> {
        let (inventory, user_errors) = mutation_outcome(result)?;
        Ok(Self { inventory, user_errors })
    }
}

/// Checks what both mutations share: exactly one variant reference, and a reason.
fn validate_common(
    errors: &mut UserErrors,
    variant_id: &Option<ID>,
    sku: &Option<String>,
    reason: &str,
) -> Option<Uuid> {
    let id = match (variant_id, sku) {
        (Some(id), None) => errors.id_at(&["variantId"], id),
        (None, Some(_)) => None,
        _ => {
            errors.add("variantId", UserErrorCode::Required, "give exactly one of variantId or sku");
            None
        }
    };
    let reason = reason.trim();
    if reason.is_empty() {
        errors.add("reason", UserErrorCode::Required, "a reason is required");
    } else if reason.chars().count() > 500 {
        errors.add("reason", UserErrorCode::TooLong, "reason must be at most 500 characters");
    }
    id
}

/// Finds the variant, or the userError saying it does not exist.
async fn find_variant(
    conn: &mut AsyncPgConnection,
    id: Option<Uuid>,
    sku: Option<&str>,
) -> Result<Uuid, MutationError> {
    let field = if id.is_some() { "variantId" } else { "sku" };
    crate::catalog::variant_id(conn, id, sku.map(str::trim))
        .await?
        .ok_or_else(|| MutationError::user(field, UserErrorCode::NotFound, "no such variant"))
}

fn below_reserved() -> MutationError {
    MutationError::user(
        "quantity",
        UserErrorCode::BelowReserved,
        "stock cannot fall below the units reserved for orders",
    )
}

/// Inventory mutations (admin only).
#[derive(Default)]
pub struct InventoryMutation;

#[Object]
impl InventoryMutation {
    /// Sets a variant's stock, recording the change and its reason.
    async fn inventory_set(
        &self,
        ctx: &Context<'_>,
        input: InventorySetInput,
    ) -> async_graphql::Result<InventoryPayload> {
        let scope = caller_scope(ctx, Role::Admin)?;
        let mut errors = UserErrors::default();
        let id = validate_common(&mut errors, &input.variant_id, &input.sku, &input.reason);
        if input.quantity < 0 {
            errors.add("quantity", UserErrorCode::Invalid, "quantity cannot be negative");
        }
        if !errors.is_empty() {
            return InventoryPayload::from_outcome(Err(errors.into()));
        }
        let reason = input.reason.trim().to_owned();
        let mut conn = scope.conn().await.gql()?;
        let result = conn
            .transaction::<_, MutationError, _>(async |conn| {
                let variant = find_variant(conn, id, input.sku.as_deref()).await?;
                let (level, delta) = data::set(conn, variant, input.quantity).await?.ok_or_else(below_reserved)?;
                data::record(conn, &level, delta, &reason).await?;
                Ok(level)
            })
            .await;
        InventoryPayload::from_outcome(result)
    }

    /// Adds or removes units of a variant's stock, recording the change and its reason.
    async fn inventory_adjust(
        &self,
        ctx: &Context<'_>,
        input: InventoryAdjustInput,
    ) -> async_graphql::Result<InventoryPayload> {
        let scope = caller_scope(ctx, Role::Admin)?;
        let mut errors = UserErrors::default();
        let id = validate_common(&mut errors, &input.variant_id, &input.sku, &input.reason);
        if input.delta == 0 {
            errors.add("delta", UserErrorCode::Invalid, "delta cannot be zero");
        }
        if !errors.is_empty() {
            return InventoryPayload::from_outcome(Err(errors.into()));
        }
        let reason = input.reason.trim().to_owned();
        let mut conn = scope.conn().await.gql()?;
        let result = conn
            .transaction::<_, MutationError, _>(async |conn| {
                let variant = find_variant(conn, id, input.sku.as_deref()).await?;
                let level = data::adjust(conn, variant, input.delta).await?.ok_or_else(below_reserved)?;
                data::record(conn, &level, input.delta, &reason).await?;
                Ok(level)
            })
            .await;
        InventoryPayload::from_outcome(result)
    }
}
