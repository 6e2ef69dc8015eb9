//! The POS register table: every diesel call on it lives here.

use std::collections::HashMap;

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::model::RegisterRow;
use crate::db::schema::pos_registers;

/// The unique index a duplicate register code runs into.
pub const REGISTER_CODE_CONSTRAINT: &str = "pos_registers_code_key";

/// Adds a register at a location.
pub async fn insert(
    conn: &mut AsyncPgConnection,
    location_id: Uuid,
    code: &str,
    name: &str,
) -> QueryResult<RegisterRow> {
    diesel::insert_into(pos_registers::table)
        .values((
            pos_registers::location_id.eq(location_id),
            pos_registers::code.eq(code),
            pos_registers::name.eq(name),
        ))
        .returning(RegisterRow::as_returning())
        .get_result(conn)
        .await
}

/// The register with this id or code.
pub async fn find(
    conn: &mut AsyncPgConnection,
    id: Option<Uuid>,
    code: Option<&str>,
) -> QueryResult<Option<RegisterRow>> {
    let mut query = pos_registers::table.select(RegisterRow::as_select()).into_boxed();
    match (id, code) {
        (Some(id), _) => query = query.filter(pos_registers::id.eq(id)),
        (None, Some(code)) => query = query.filter(pos_registers::code.eq(code.to_owned())),
        (None, None) => return Ok(None),
    }
    query.first(conn).await.optional()
}

/// Every register, by code.
pub async fn all(conn: &mut AsyncPgConnection) -> QueryResult<Vec<RegisterRow>> {
    pos_registers::table.order(pos_registers::code).select(RegisterRow::as_select()).load(conn).await
}

/// The registers with these ids, by id.
pub async fn by_ids(conn: &mut AsyncPgConnection, ids: &[Uuid]) -> QueryResult<HashMap<Uuid, RegisterRow>> {
    let rows: Vec<RegisterRow> =
        pos_registers::table.filter(pos_registers::id.eq_any(ids)).select(RegisterRow::as_select()).load(conn).await?;
    Ok(rows.into_iter().map(|r| (r.id, r)).collect())
}
