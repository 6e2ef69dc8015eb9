use async_graphql::{Context, ID, InputObject, Object};
use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use super::data;
use super::model::{InventoryLevel, Location, LocationKind, NewLocation};
use crate::graphql::{GqlResultExt, MutationError, UserErrorCode, UserErrors, caller_scope, validate};
use crate::outcome::{Violation, refused};
use crate::tenancy::{Role, TenantScope};

/// Sets a variant's stock at one location to a count (a stock-take).
#[derive(InputObject)]
pub struct InventorySetInput {
    /// The variant, by id…
    variant_id: Option<ID>,
    /// …or by SKU.
    sku: Option<String>,
    /// The location, by id… (neither: the default location)
    location_id: Option<ID>,
    /// …or by code.
    location_code: Option<String>,
    /// Units on hand there now; not below what is reserved there.
    quantity: i32,
    /// Why (recorded with the movement).
    reason: String,
}

/// Changes a variant's stock at one location by a number of units (goods received,
/// damaged, returned).
#[derive(InputObject)]
pub struct InventoryAdjustInput {
    /// The variant, by id…
    variant_id: Option<ID>,
    /// …or by SKU.
    sku: Option<String>,
    /// The location, by id… (neither: the default location)
    location_id: Option<ID>,
    /// …or by code.
    location_code: Option<String>,
    /// Units to add (negative: to remove); the result may not fall below what is reserved.
    delta: i32,
    /// Why (recorded with the movement).
    reason: String,
}

crate::payload!(
    /// The result of an inventory mutation.
    InventoryPayload {
        /// The variant's stock as it is now; null when the mutation was refused.
        inventory: InventoryLevel,
    }
);

/// A variant and a location as the input named them (ids parsed, not yet looked up).
struct Target {
    variant_id: Option<Uuid>,
    sku: Option<String>,
    location_id: Option<Uuid>,
    location_code: Option<String>,
    reason: String,
}

/// How a mutation changes a variant's stock at a location.
enum Change {
    /// To this many units (`inventorySet`).
    To(i32),
    /// By this many units (`inventoryAdjust`).
    By(i32),
}

/// Checks what both mutations share: exactly one variant reference, at most one location
/// reference, and a reason.
fn validate_common(
    errors: &mut UserErrors,
    variant: (&Option<ID>, &Option<String>),
    location: (&Option<ID>, &Option<String>),
    reason: &str,
) -> Target {
    let (variant_id, sku) = errors.variant_ref(&[], variant.0, variant.1);
    let location_id = match location {
        (Some(id), None) => errors.id_at(&["locationId"], id),
        (Some(_), Some(_)) => {
            errors.add("locationId", UserErrorCode::Invalid, "give at most one of locationId or locationCode");
            None
        }
        _ => None,
    };
    let reason = reason.trim();
    if reason.is_empty() {
        errors.add("reason", UserErrorCode::Required, "a reason is required");
    } else if reason.chars().count() > 500 {
        errors.add("reason", UserErrorCode::TooLong, "reason must be at most 500 characters");
    }
    let location_code = location.1.as_deref().map(|s| s.trim().to_owned());
    Target { variant_id, sku, location_id, location_code, reason: reason.to_owned() }
}

/// Finds the variant and the location, or the userError saying one does not exist.
async fn find_target(conn: &mut AsyncPgConnection, target: &Target) -> Result<(Uuid, Uuid), MutationError> {
    let field = if target.variant_id.is_some() { "variantId" } else { "sku" };
    let variant = crate::catalog::variant_id(conn, target.variant_id, target.sku.as_deref())
        .await?
        .ok_or_else(|| MutationError::user(field, UserErrorCode::NotFound, "no such variant"))?;
    let field = if target.location_id.is_some() { "locationId" } else { "locationCode" };
    let location = data::location(conn, target.location_id, target.location_code.as_deref())
        .await?
        .filter(|l| l.active)
        .ok_or_else(|| MutationError::user(field, UserErrorCode::NotFound, "no such active location"))?;
    Ok((variant, location.id))
}

/// Applies a change of stock in one transaction and records it with its reason, unless
/// the input had errors; answers with the variant's stock after it.
async fn change_stock(
    scope: &TenantScope,
    errors: UserErrors,
    target: Target,
    change: Change,
) -> async_graphql::Result<InventoryPayload> {
    if !errors.is_empty() {
        return InventoryPayload::from_outcome(Err(errors.into()));
    }
    let result = crate::in_transaction!(scope, async |conn| {
        let (variant, location) = find_target(conn, &target).await?;
        let (delta, after) = match change {
            Change::To(quantity) => {
                (data::set(conn, variant, location, quantity).await?.ok_or_else(below_reserved)?, quantity)
            }
            Change::By(delta) => {
                let refusal = || if delta > 0 { above_max() } else { below_reserved() };
                (delta, data::adjust(conn, variant, location, delta).await?.ok_or_else(refusal)?)
            }
        };
        data::record(conn, variant, location, delta, after, &target.reason).await?;
        Ok(data::level_of(conn, variant).await?)
    });
    InventoryPayload::from_outcome(result)
}

/// The refusal of an adjustment that would take stock past [`data::MAX_STOCK`].
fn above_max() -> MutationError {
    MutationError::user(
        "delta",
        UserErrorCode::OutOfRange,
        format!("stock at one location is at most {} units", data::MAX_STOCK),
    )
}

fn below_reserved() -> MutationError {
    MutationError::user(
        "quantity",
        UserErrorCode::BelowReserved,
        "stock cannot fall below the units reserved for orders",
    )
}

/// A new stock location.
#[derive(InputObject)]
pub struct LocationCreateInput {
    /// Business key, unique in the tenant: 1 to 40 of `a-z 0-9 - _`.
    code: String,
    /// Display name.
    name: String,
    /// What kind of place it is.
    #[graphql(default_with = "LocationKind::Warehouse")]
    kind: LocationKind,
}

crate::payload!(
    /// The result of `locationCreate`.
    LocationPayload {
        /// The new location; null when the mutation was refused.
        location: Location,
    }
);

/// What a location's unique constraint means to the client.
const CONFLICTS: &[Violation] = &[Violation::new(
    data::LOCATION_CODE_CONSTRAINT,
    "code",
    UserErrorCode::Duplicate,
    "another location has this code",
)];

/// Inventory mutations (admin only).
#[derive(Default)]
pub struct InventoryMutation;

#[Object]
impl InventoryMutation {
    /// Sets a variant's stock at a location, recording the change and its reason.
    async fn inventory_set(
        &self,
        ctx: &Context<'_>,
        input: InventorySetInput,
    ) -> async_graphql::Result<InventoryPayload> {
        let scope = caller_scope(ctx, Role::Admin)?;
        let mut errors = UserErrors::default();
        let target = validate_common(
            &mut errors,
            (&input.variant_id, &input.sku),
            (&input.location_id, &input.location_code),
            &input.reason,
        );
        if input.quantity < 0 {
            errors.add("quantity", UserErrorCode::Invalid, "quantity cannot be negative");
        } else if input.quantity > data::MAX_STOCK {
            errors.add("quantity", UserErrorCode::OutOfRange, format!("quantity is at most {}", data::MAX_STOCK));
        }
        change_stock(&scope, errors, target, Change::To(input.quantity)).await
    }

    /// Adds or removes units of a variant's stock at a location, recording the change
    /// and its reason.
    async fn inventory_adjust(
        &self,
        ctx: &Context<'_>,
        input: InventoryAdjustInput,
    ) -> async_graphql::Result<InventoryPayload> {
        let scope = caller_scope(ctx, Role::Admin)?;
        let mut errors = UserErrors::default();
        let target = validate_common(
            &mut errors,
            (&input.variant_id, &input.sku),
            (&input.location_id, &input.location_code),
            &input.reason,
        );
        if input.delta == 0 {
            errors.add("delta", UserErrorCode::Invalid, "delta cannot be zero");
        } else if input.delta.unsigned_abs() > data::MAX_STOCK.unsigned_abs() {
            errors.add("delta", UserErrorCode::OutOfRange, format!("delta is at most {} either way", data::MAX_STOCK));
        }
        change_stock(&scope, errors, target, Change::By(input.delta)).await
    }

    /// Adds a stock location.
    async fn location_create(
        &self,
        ctx: &Context<'_>,
        input: LocationCreateInput,
    ) -> async_graphql::Result<LocationPayload> {
        let scope = caller_scope(ctx, Role::Admin)?;
        let mut errors = UserErrors::default();
        let code = validate::code(&mut errors, &input.code);
        let name = validate::name(&mut errors, &input.name);
        if !errors.is_empty() {
            return LocationPayload::from_outcome(Err(errors.into()));
        }
        let new = NewLocation { code, name, kind: input.kind };
        LocationPayload::from_outcome(
            data::insert_location(&mut *scope.conn().await.gql()?, &new).await.map_err(refused(CONFLICTS)),
        )
    }
}
