//! The inventory tables: every diesel call of this domain lives here.

use std::collections::HashMap;

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::model::InventoryLevel;
use crate::db::schema::{inventory, inventory_movements};

fn level()
-> (inventory::variant_id, inventory::quantity, inventory::reserved, diesel::dsl::Nullable<inventory::updated_at>) {
    (inventory::variant_id, inventory::quantity, inventory::reserved, inventory::updated_at.nullable())
}

/// The stock of these variants (variants never stocked are absent).
pub async fn levels_of(
    conn: &mut AsyncPgConnection,
    variant_ids: &[Uuid],
) -> QueryResult<HashMap<Uuid, InventoryLevel>> {
    let rows: Vec<InventoryLevel> =
        inventory::table.filter(inventory::variant_id.eq_any(variant_ids)).select(level()).load(conn).await?;
    Ok(rows.into_iter().map(|row| (row.variant_id, row)).collect())
}

/// Changes a variant's quantity by `delta`, unless that would leave less than is reserved
/// (`None` then). One conditional update: PostgreSQL re-checks the condition on the row it
/// locks, so concurrent adjustments cannot take stock below the reservations. Call inside
/// a transaction, with [`record`] after it.
pub async fn adjust(conn: &mut AsyncPgConnection, variant_id: Uuid, delta: i32) -> QueryResult<Option<InventoryLevel>> {
    diesel::insert_into(inventory::table)
        .values(inventory::variant_id.eq(variant_id))
        .on_conflict_do_nothing()
        .execute(conn)
        .await?;
    diesel::update(inventory::table.filter(inventory::variant_id.eq(variant_id)))
        .filter((inventory::quantity + delta).ge(inventory::reserved))
        .set((inventory::quantity.eq(inventory::quantity + delta), inventory::updated_at.eq(diesel::dsl::now)))
        .returning(level())
        .get_result(conn)
        .await
        .optional()
}

/// Sets a variant's quantity, unless less than is reserved (`None` then). Returns the new
/// level and the change it made.
pub async fn set(
    conn: &mut AsyncPgConnection,
    variant_id: Uuid,
    quantity: i32,
) -> QueryResult<Option<(InventoryLevel, i32)>> {
    diesel::insert_into(inventory::table)
        .values(inventory::variant_id.eq(variant_id))
        .on_conflict_do_nothing()
        .execute(conn)
        .await?;
    let before: i32 = inventory::table
        .filter(inventory::variant_id.eq(variant_id))
        .select(inventory::quantity)
        .for_update()
        .first(conn)
        .await?;
    Ok(adjust(conn, variant_id, quantity - before).await?.map(|level| (level, quantity - before)))
}

/// Records a movement of stock with its reason.
pub async fn record(conn: &mut AsyncPgConnection, level: &InventoryLevel, delta: i32, reason: &str) -> QueryResult<()> {
    diesel::insert_into(inventory_movements::table)
        .values((
            inventory_movements::variant_id.eq(level.variant_id),
            inventory_movements::delta.eq(delta),
            inventory_movements::quantity_after.eq(level.quantity),
            inventory_movements::reason.eq(reason),
        ))
        .execute(conn)
        .await
        .map(drop)
}
