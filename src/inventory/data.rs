//! The inventory tables: every diesel call of this domain lives here.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::model::{InventoryLevel, Location, LocationLevel, NewLocation};
use crate::db::schema::{inventory, inventory_movements, locations};
use crate::db::{Bind, Fragment};
use diesel::sql_types::Bool;

/// The most units of one variant one location may hold: far beyond any real stock, and
/// far enough below 2^31 that sums of a few locations stay meaningful.
pub const MAX_STOCK: i32 = 1_000_000_000;

type LevelRow = (Uuid, Location, i32, i32, DateTime<Utc>);

/// The stock of these variants, per location and in total (variants never stocked are
/// absent).
pub async fn levels_of(
    conn: &mut AsyncPgConnection,
    variant_ids: &[Uuid],
) -> QueryResult<HashMap<Uuid, InventoryLevel>> {
    let rows: Vec<LevelRow> = inventory::table
        .inner_join(locations::table)
        .filter(inventory::variant_id.eq_any(variant_ids))
        .order((inventory::variant_id, locations::is_default.desc(), locations::code))
        .select((
            inventory::variant_id,
            Location::as_select(),
            inventory::quantity,
            inventory::reserved,
            inventory::updated_at,
        ))
        .load(conn)
        .await?;
    let grouped =
        crate::db::group_pairs(rows.into_iter().map(|(variant, location, quantity, reserved, updated_at)| {
            (variant, LocationLevel { location, quantity, reserved, updated_at })
        }));
    Ok(grouped.into_iter().map(|(variant, levels)| (variant, InventoryLevel::total(variant, levels))).collect())
}

/// The stock of one variant (empty if never stocked).
pub async fn level_of(conn: &mut AsyncPgConnection, variant_id: Uuid) -> QueryResult<InventoryLevel> {
    Ok(levels_of(conn, &[variant_id]).await?.remove(&variant_id).unwrap_or_else(|| InventoryLevel::empty(variant_id)))
}

/// Adds the (empty) stock row of a variant at a location unless it exists.
async fn ensure_row(conn: &mut AsyncPgConnection, variant_id: Uuid, location_id: Uuid) -> QueryResult<usize> {
    diesel::insert_into(inventory::table)
        .values((inventory::variant_id.eq(variant_id), inventory::location_id.eq(location_id)))
        .on_conflict_do_nothing()
        .execute(conn)
        .await
}

/// Changes a variant's quantity at a location by `delta`, unless that would leave less
/// than is reserved there or more than [`MAX_STOCK`] (`None` then); returns the quantity
/// after. One conditional update: PostgreSQL re-checks the condition on the row it locks,
/// so concurrent adjustments cannot take stock below the reservations. The condition
/// adds in `bigint`, so no sum overflows. Call inside a transaction, with [`record`]
/// after it.
pub async fn adjust(
    conn: &mut AsyncPgConnection,
    variant_id: Uuid,
    location_id: Uuid,
    delta: i32,
) -> QueryResult<Option<i32>> {
    ensure_row(conn, variant_id, location_id).await?;
    let after = || Fragment::<Bool>::sql("(inventory.quantity::bigint + ").bind(Bind::Int(delta)).push(")");
    let within = after().push(" >= inventory.reserved AND ").append(after()).push(" <= ").bind(Bind::Int(MAX_STOCK));
    diesel::update(inventory::table.find((variant_id, location_id)))
        .filter(within)
        .set((inventory::quantity.eq(inventory::quantity + delta), inventory::updated_at.eq(diesel::dsl::now)))
        .returning(inventory::quantity)
        .get_result(conn)
        .await
        .optional()
}

/// Sets a variant's quantity at a location, unless less than is reserved there (`None`
/// then). Returns the change it made.
pub async fn set(
    conn: &mut AsyncPgConnection,
    variant_id: Uuid,
    location_id: Uuid,
    quantity: i32,
) -> QueryResult<Option<i32>> {
    ensure_row(conn, variant_id, location_id).await?;
    let before: i32 =
        inventory::table.find((variant_id, location_id)).select(inventory::quantity).for_update().first(conn).await?;
    let delta = quantity - before;
    Ok(adjust(conn, variant_id, location_id, delta).await?.map(|_| delta))
}

/// Records a movement of stock with its reason.
pub async fn record(
    conn: &mut AsyncPgConnection,
    variant_id: Uuid,
    location_id: Uuid,
    delta: i32,
    quantity_after: i32,
    reason: &str,
) -> QueryResult<()> {
    diesel::insert_into(inventory_movements::table)
        .values((
            inventory_movements::variant_id.eq(variant_id),
            inventory_movements::location_id.eq(location_id),
            inventory_movements::delta.eq(delta),
            inventory_movements::quantity_after.eq(quantity_after),
            inventory_movements::reason.eq(reason),
        ))
        .execute(conn)
        .await
        .map(drop)
}

/// The location with this id or code (the default location when neither is given).
pub async fn location(
    conn: &mut AsyncPgConnection,
    id: Option<Uuid>,
    code: Option<&str>,
) -> QueryResult<Option<Location>> {
    let mut query = locations::table.select(Location::as_select()).into_boxed();
    query = match (id, code) {
        (Some(id), _) => query.filter(locations::id.eq(id)),
        (None, Some(code)) => query.filter(locations::code.eq(code.to_owned())),
        (None, None) => query.filter(locations::is_default.eq(true)),
    };
    query.first(conn).await.optional()
}

/// Every location, the default first, then by code.
pub async fn locations(conn: &mut AsyncPgConnection) -> QueryResult<Vec<Location>> {
    locations::table
        .order((locations::is_default.desc(), locations::code))
        .select(Location::as_select())
        .load(conn)
        .await
}

/// Adds a location.
pub async fn insert_location(conn: &mut AsyncPgConnection, new: &NewLocation) -> QueryResult<Location> {
    diesel::insert_into(locations::table).values(new).returning(Location::as_returning()).get_result(conn).await
}

/// The unique constraint a duplicate location code violates.
pub const LOCATION_CODE_CONSTRAINT: &str = "locations_code_key";
