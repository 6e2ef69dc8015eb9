//! What is kept about a customer over time: the activity trail and customer-service
//! notes (which may also be about an order).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Integer, Nullable, Timestamptz};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::model::{Activity, NewActivity, NewNote, NoteRow};
use crate::db::schema::{customer_activities, customer_service_notes};

/// Inserts an activity.
pub async fn insert_activity(conn: &mut AsyncPgConnection, new: &NewActivity<'_>) -> QueryResult<()> {
    diesel::insert_into(customer_activities::table).values(new).execute(conn).await.map(drop)
}

/// One page of one customer's activity, newest first: at most `limit` rows older than
/// `after` (a `(created_at, id)` key).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ActivityPageKey {
    /// The customer.
    pub customer: Uuid,
    /// How many rows to fetch.
    pub limit: i32,
    /// Only rows before this key in newest-first order.
    pub after: Option<(DateTime<Utc>, Uuid)>,
}

#[derive(QueryableByName)]
struct PageRow {
    #[diesel(sql_type = BigInt)]
    ord: i64,
    #[diesel(embed)]
    activity: Activity,
}

/// The activity pages of many customers in one statement (each its own page, per key).
pub async fn activity_pages(
    conn: &mut AsyncPgConnection,
    keys: &[ActivityPageKey],
) -> QueryResult<HashMap<ActivityPageKey, Vec<Activity>>> {
    let customers: Vec<Uuid> = keys.iter().map(|k| k.customer).collect();
    let after_at: Vec<Option<DateTime<Utc>>> = keys.iter().map(|k| k.after.map(|a| a.0)).collect();
    let after_id: Vec<Option<Uuid>> = keys.iter().map(|k| k.after.map(|a| a.1)).collect();
    let limits: Vec<i32> = keys.iter().map(|k| k.limit).collect();
    let rows: Vec<PageRow> = diesel::sql_query(
        "SELECT k.ord, a.id, a.customer_id, a.kind, a.order_id, a.detail, a.actor, a.created_at \
         FROM unnest($1, $2, $3, $4) WITH ORDINALITY AS k (customer_id, after_at, after_id, lim, ord) \
         CROSS JOIN LATERAL (SELECT ca.* FROM customer_activities ca WHERE ca.customer_id = k.customer_id \
           AND (k.after_at IS NULL OR (ca.created_at, ca.id) < (k.after_at, k.after_id)) \
           ORDER BY ca.created_at DESC, ca.id DESC LIMIT k.lim) a \
         ORDER BY k.ord, a.created_at DESC, a.id DESC",
    )
    .bind::<Array<diesel::sql_types::Uuid>, _>(customers)
    .bind::<Array<Nullable<Timestamptz>>, _>(after_at)
    .bind::<Array<Nullable<diesel::sql_types::Uuid>>, _>(after_id)
    .bind::<Array<Integer>, _>(limits)
    .load(conn)
    .await?;
    let mut pages: HashMap<ActivityPageKey, Vec<Activity>> = keys.iter().map(|k| (k.clone(), Vec::new())).collect();
    for row in rows {
        let key = usize::try_from(row.ord - 1).ok().and_then(|i| keys.get(i));
        if let Some(page) = key.and_then(|key| pages.get_mut(key)) {
            page.push(row.activity);
        }
    }
    Ok(pages)
}

/// The notes about these customers, newest first, by customer.
pub async fn notes_of_customers(
    conn: &mut AsyncPgConnection,
    customers: &[Uuid],
) -> QueryResult<HashMap<Uuid, Vec<NoteRow>>> {
    let rows: Vec<NoteRow> = customer_service_notes::table
        .filter(customer_service_notes::customer_id.eq_any(customers))
        .order((customer_service_notes::created_at.desc(), customer_service_notes::id.desc()))
        .select(NoteRow::as_select())
        .load(conn)
        .await?;
    let mut grouped: HashMap<Uuid, Vec<NoteRow>> = HashMap::new();
    for row in rows {
        if let Some(customer) = row.customer_id {
            grouped.entry(customer).or_default().push(row);
        }
    }
    Ok(grouped)
}

/// The notes about these orders, newest first, by order.
pub async fn notes_of_orders(
    conn: &mut AsyncPgConnection,
    orders: &[Uuid],
) -> QueryResult<HashMap<Uuid, Vec<NoteRow>>> {
    let rows: Vec<NoteRow> = customer_service_notes::table
        .filter(customer_service_notes::order_id.eq_any(orders))
        .order((customer_service_notes::created_at.desc(), customer_service_notes::id.desc()))
        .select(NoteRow::as_select())
        .load(conn)
        .await?;
    let mut grouped: HashMap<Uuid, Vec<NoteRow>> = HashMap::new();
    for row in rows {
        if let Some(order) = row.order_id {
            grouped.entry(order).or_default().push(row);
        }
    }
    Ok(grouped)
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
