//! What is kept about a customer over time: the activity trail and customer-service
//! notes (which may also be about an order).

use std::collections::HashMap;

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::model::{Activity, NewActivity, NewNote, NoteRow};
use crate::db::schema::{customer_activities, customer_service_notes};
use crate::db::{ChildPageKey, newest_first_pages};

/// Inserts an activity.
pub async fn insert_activity(conn: &mut AsyncPgConnection, new: &NewActivity<'_>) -> QueryResult<()> {
    diesel::insert_into(customer_activities::table).values(new).execute(conn).await.map(drop)
}

/// The activity pages of many customers in one statement (each its own page, per key).
pub async fn activity_pages(
    conn: &mut AsyncPgConnection,
    keys: &[ChildPageKey],
) -> QueryResult<HashMap<ChildPageKey, Vec<Activity>>> {
    newest_first_pages(conn, "customer_activities", "customer_id", keys).await
}

/// The notes about these orders (`of_orders`) or customers, newest first, by order or
/// customer.
pub async fn notes_of(
    conn: &mut AsyncPgConnection,
    ids: &[Uuid],
    of_orders: bool,
) -> QueryResult<HashMap<Uuid, Vec<NoteRow>>> {
    use customer_service_notes::{created_at, customer_id, id, order_id, table};
    let query = table.order((created_at.desc(), id.desc())).select(NoteRow::as_select()).into_boxed();
    let query = if of_orders { query.filter(order_id.eq_any(ids)) } else { query.filter(customer_id.eq_any(ids)) };
    let rows: Vec<NoteRow> = query.load(conn).await?;
    let key = |row: &NoteRow| if of_orders { row.order_id } else { row.customer_id };
    Ok(crate::db::group_pairs(rows.into_iter().filter_map(|row| Some((key(&row)?, row)))))
}

/// Inserts a note.
pub async fn insert_note(conn: &mut AsyncPgConnection, new: &NewNote) -> QueryResult<NoteRow> {
    diesel::insert_into(customer_service_notes::table)
        .values(new)
        .returning(NoteRow::as_returning())
        .get_result(conn)
        .await
}

/// The note with this id, locked until the transaction ends.
pub async fn note_for_update(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Option<NoteRow>> {
    customer_service_notes::table.find(id).select(NoteRow::as_select()).for_update().first(conn).await.optional()
}

/// Replaces a note's text and stamps `updated_at`.
pub async fn update_note(conn: &mut AsyncPgConnection, id: Uuid, body: &str) -> QueryResult<NoteRow> {
    diesel::update(customer_service_notes::table.find(id))
        .set((customer_service_notes::body.eq(body), customer_service_notes::updated_at.eq(diesel::dsl::now)))
        .returning(NoteRow::as_returning())
        .get_result(conn)
        .await
}
