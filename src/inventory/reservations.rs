//! Stock held for orders. An order reserves units (reserved goes up, quantity stays),
//! fulfilment turns a reservation into a decrement of both, cancellation releases it.
//!
//! Every function here first locks the inventory rows it touches, in one statement and in
//! (variant, location) order, so two orders racing for the same units are served one
//! after the other and two orders touching the same variants in another order cannot
//! deadlock. The table's CHECKs (`reserved <= quantity`, nothing negative) are the last
//! line of defence: a bug here fails the transaction instead of overselling.

use std::collections::{BTreeMap, HashMap};

use diesel::prelude::*;
use diesel::sql_types::Text;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::db::schema::{inventory, inventory_movements};
use crate::db::{Bind, Fragment};

/// Units of one variant a line of an order needs.
#[derive(Debug, Clone, Copy)]
pub struct Demand {
    /// The line (its index in the order) the units are for.
    pub line: usize,
    /// The variant to take them from.
    pub variant_id: Uuid,
    /// How many.
    pub quantity: i32,
}

/// Units of a variant held at one location for one line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Allocation {
    /// The line (its index in the order, or whatever the caller keys lines by).
    pub line: usize,
    /// The variant.
    pub variant_id: Uuid,
    /// The location the units are held at.
    pub location_id: Uuid,
    /// How many.
    pub quantity: i32,
}

/// A variant that has fewer units available than an order needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shortage {
    /// The variant.
    pub variant_id: Uuid,
    /// Units the order needs (over all its lines).
    pub needed: i64,
    /// Units available where the order may take them from.
    pub available: i64,
}

/// A locked inventory row.
struct Level {
    variant_id: Uuid,
    location_id: Uuid,
    quantity: i32,
    reserved: i32,
    /// Where the location comes in the order of preference (the default location first,
    /// then by code).
    preference: String,
}

/// Locks the inventory rows of these variants (at `location` only, if given), in
/// (variant, location) order, and reads them.
async fn lock(conn: &mut AsyncPgConnection, variants: &[Uuid], location: Option<Uuid>) -> QueryResult<Vec<Level>> {
    let mut ids = variants.to_vec();
    ids.sort_unstable();
    ids.dedup();
    let preference = Fragment::<Text>::sql(
        "(SELECT CASE WHEN l.is_default THEN '0' ELSE '1' END || l.code FROM locations l WHERE l.id = inventory.location_id)",
    );
    let at_location = Fragment::<diesel::sql_types::Bool>::sql("(CAST(")
        .bind(Bind::OptUuid(location))
        .push(" AS uuid) IS NULL OR inventory.location_id = ")
        .bind(Bind::OptUuid(location))
        .push(")");
    let rows: Vec<(Uuid, Uuid, i32, i32, String)> = inventory::table
        .filter(inventory::variant_id.eq_any(ids))
        .filter(at_location)
        .select((inventory::variant_id, inventory::location_id, inventory::quantity, inventory::reserved, preference))
        .order((inventory::variant_id, inventory::location_id))
        .for_update()
        .load(conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(variant_id, location_id, quantity, reserved, preference)| Level {
            variant_id,
            location_id,
            quantity,
            reserved,
            preference,
        })
        .collect())
}

/// Reserves the demands, all or nothing: either every demand is held (the allocations
/// say where) or nothing changes and the shortages say what is missing. Units come from
/// the default location first, then the others by code; with `location`, from there only.
/// Call inside the order's transaction.
pub async fn reserve(
    conn: &mut AsyncPgConnection,
    demands: &[Demand],
    location: Option<Uuid>,
) -> QueryResult<Result<Vec<Allocation>, Vec<Shortage>>> {
    if demands.is_empty() {
        return Ok(Ok(Vec::new()));
    }
    let variants: Vec<Uuid> = demands.iter().map(|d| d.variant_id).collect();
    let mut levels = lock(conn, &variants, location).await?;
    levels.sort_by(|a, b| (a.variant_id, &a.preference).cmp(&(b.variant_id, &b.preference)));

    let mut needed: BTreeMap<Uuid, i64> = BTreeMap::new();
    for demand in demands {
        *needed.entry(demand.variant_id).or_default() += i64::from(demand.quantity);
    }
    let shortages: Vec<Shortage> = needed
        .iter()
        .filter_map(|(&variant_id, &needed)| {
            let available: i64 =
                levels.iter().filter(|l| l.variant_id == variant_id).map(|l| i64::from(l.quantity - l.reserved)).sum();
            (available < needed).then_some(Shortage { variant_id, needed, available })
        })
        .collect();
    if !shortages.is_empty() {
        return Ok(Err(shortages));
    }

    let mut allocations = Vec::new();
    let mut taken: HashMap<(Uuid, Uuid), i32> = HashMap::new();
    for demand in demands {
        let mut left = demand.quantity;
        for level in levels.iter_mut().filter(|l| l.variant_id == demand.variant_id) {
            let free = level.quantity - level.reserved;
            let take = free.min(left);
            if take <= 0 {
                continue;
            }
            level.reserved += take;
            left -= take;
            *taken.entry((level.variant_id, level.location_id)).or_default() += take;
            allocations.push(Allocation {
                line: demand.line,
                variant_id: demand.variant_id,
                location_id: level.location_id,
                quantity: take,
            });
            if left == 0 {
                break;
            }
        }
    }
    for ((variant_id, location_id), units) in taken {
        diesel::update(inventory::table.find((variant_id, location_id)))
            .set((inventory::reserved.eq(inventory::reserved + units), inventory::updated_at.eq(diesel::dsl::now)))
            .execute(conn)
            .await?;
    }
    Ok(Ok(allocations))
}

/// Sums allocations per (variant, location).
fn per_row(allocations: &[Allocation]) -> BTreeMap<(Uuid, Uuid), i32> {
    let mut rows = BTreeMap::new();
    for a in allocations {
        *rows.entry((a.variant_id, a.location_id)).or_default() += a.quantity;
    }
    rows
}

/// Gives held units back (the order was cancelled): reserved goes down, quantity stays.
pub async fn release(conn: &mut AsyncPgConnection, allocations: &[Allocation]) -> QueryResult<()> {
    let variants: Vec<Uuid> = allocations.iter().map(|a| a.variant_id).collect();
    lock(conn, &variants, None).await?;
    for ((variant_id, location_id), units) in per_row(allocations) {
        diesel::update(inventory::table.find((variant_id, location_id)))
            .set((inventory::reserved.eq(inventory::reserved - units), inventory::updated_at.eq(diesel::dsl::now)))
            .execute(conn)
            .await?;
    }
    Ok(())
}

/// Ships held units (the order was fulfilled): quantity and reserved both go down, and
/// each change is recorded as a movement with `reason`.
pub async fn consume(conn: &mut AsyncPgConnection, allocations: &[Allocation], reason: &str) -> QueryResult<()> {
    let variants: Vec<Uuid> = allocations.iter().map(|a| a.variant_id).collect();
    lock(conn, &variants, None).await?;
    for ((variant_id, location_id), units) in per_row(allocations) {
        let after: i32 = diesel::update(inventory::table.find((variant_id, location_id)))
            .set((
                inventory::quantity.eq(inventory::quantity - units),
                inventory::reserved.eq(inventory::reserved - units),
                inventory::updated_at.eq(diesel::dsl::now),
            ))
            .returning(inventory::quantity)
            .get_result(conn)
            .await?;
        diesel::insert_into(inventory_movements::table)
            .values((
                inventory_movements::variant_id.eq(variant_id),
                inventory_movements::location_id.eq(location_id),
                inventory_movements::delta.eq(-units),
                inventory_movements::quantity_after.eq(after),
                inventory_movements::reason.eq(reason),
            ))
            .execute(conn)
            .await?;
    }
    Ok(())
}
