//! The external order mapping table: every diesel call on it lives here.

use std::collections::HashMap;

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::model::{MappingRow, SyncStatus};
use crate::db::group_by;
use crate::db::schema::external_order_mappings as m;

/// The unique constraint a concurrent second import of one external order runs into.
pub const MAPPING_CONSTRAINT: &str = "external_order_mappings_channel_name_external_id_key";

/// The mapping of an external order, if it was imported before.
pub async fn find(conn: &mut AsyncPgConnection, channel: &str, external_id: &str) -> QueryResult<Option<MappingRow>> {
    m::table
        .filter(m::channel_name.eq(channel).and(m::external_id.eq(external_id)))
        .select(MappingRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// Records that an external order became `order_id`.
pub async fn insert(
    conn: &mut AsyncPgConnection,
    channel: &str,
    external_id: &str,
    order_id: Uuid,
    external_status: Option<&str>,
    digest: &str,
) -> QueryResult<MappingRow> {
    diesel::insert_into(m::table)
        .values((
            m::channel_name.eq(channel),
            m::external_id.eq(external_id),
            m::order_id.eq(order_id),
            m::external_status.eq(external_status),
            m::sync_status.eq(SyncStatus::Synced),
            m::lines_digest.eq(digest),
        ))
        .returning(MappingRow::as_returning())
        .get_result(conn)
        .await
}

/// Records a re-import: when, what the marketplace says now, and whether its lines still
/// match the order's.
pub async fn resync(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    external_status: Option<&str>,
    sync_status: SyncStatus,
) -> QueryResult<MappingRow> {
    diesel::update(m::table.find(id))
        .set((
            m::external_status.eq(external_status),
            m::sync_status.eq(sync_status),
            m::sync_count.eq(m::sync_count + 1),
            m::last_synced_at.eq(diesel::dsl::now),
        ))
        .returning(MappingRow::as_returning())
        .get_result(conn)
        .await
}

/// The mappings of these orders (at most one each), by order.
pub async fn mappings_of(
    conn: &mut AsyncPgConnection,
    order_ids: &[Uuid],
) -> QueryResult<HashMap<Uuid, Vec<MappingRow>>> {
    let rows: Vec<MappingRow> =
        m::table.filter(m::order_id.eq_any(order_ids)).select(MappingRow::as_select()).load(conn).await?;
    Ok(group_by(rows, |r| r.order_id))
}
