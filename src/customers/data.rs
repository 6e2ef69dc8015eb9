//! The customers table: lookups, inserts, updates and anonymization. The listing is in
//! `listing`, addresses in `address_data`, activity and notes in `trail_data`.

use std::collections::HashMap;

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::model::{Customer, CustomerChanges, CustomerContact, NewCustomer};
use crate::db::schema::customers;

/// The unique index a second customer with the same email violates.
pub const EMAIL_TAKEN_CONSTRAINT: &str = "customers_email_key";
/// The unique constraint a second customer with the same auth subject violates.
pub const AUTH_SUBJECT_TAKEN_CONSTRAINT: &str = "customers_auth_subject_key";

/// The customer with this id.
pub async fn by_id(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Option<Customer>> {
    customers::table.find(id).select(Customer::as_select()).first(conn).await.optional()
}

/// The customer with this id, locked until the transaction ends.
pub async fn by_id_for_update(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Option<Customer>> {
    customers::table.find(id).select(Customer::as_select()).for_update().first(conn).await.optional()
}

/// The customer with this (lower-cased) email.
pub async fn by_email(conn: &mut AsyncPgConnection, email: &str) -> QueryResult<Option<Customer>> {
    customers::table.filter(customers::email.eq(email)).select(Customer::as_select()).first(conn).await.optional()
}

/// The customers with these ids, by id (a missing id has no entry).
pub async fn by_ids(conn: &mut AsyncPgConnection, ids: &[Uuid]) -> QueryResult<HashMap<Uuid, Customer>> {
    let rows: Vec<Customer> =
        customers::table.filter(customers::id.eq_any(ids)).select(Customer::as_select()).load(conn).await?;
    Ok(rows.into_iter().map(|c| (c.id, c)).collect())
}

/// The id and email of a customer.
pub async fn contact_of(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Option<CustomerContact>> {
    let row: Option<(Uuid, Option<String>, bool)> = customers::table
        .find(id)
        .select((customers::id, customers::email, customers::anonymized_at.is_not_null()))
        .first(conn)
        .await
        .optional()?;
    Ok(row.map(|(id, email, anonymized)| CustomerContact { id, email, anonymized }))
}

/// The id of the customer with this email (compared case-insensitively).
pub async fn id_by_email(conn: &mut AsyncPgConnection, email: &str) -> QueryResult<Option<Uuid>> {
    let email = email.trim().to_lowercase();
    customers::table.filter(customers::email.eq(email)).select(customers::id).first(conn).await.optional()
}

/// Inserts a customer.
pub async fn insert(conn: &mut AsyncPgConnection, new: &NewCustomer) -> QueryResult<Customer> {
    diesel::insert_into(customers::table).values(new).returning(Customer::as_returning()).get_result(conn).await
}

/// Applies `changes` to the customer `id` and stamps `updated_at`.
pub async fn update(conn: &mut AsyncPgConnection, id: Uuid, changes: &CustomerChanges) -> QueryResult<Customer> {
    diesel::update(customers::table.find(id))
        .set((changes, customers::updated_at.eq(diesel::dsl::now)))
        .returning(Customer::as_returning())
        .get_result(conn)
        .await
}

/// Replaces every personal field of the customer `id` and marks it anonymized.
pub async fn anonymize(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Customer> {
    diesel::update(customers::table.find(id))
        .set((
            customers::email.eq(None::<String>),
            customers::first_name.eq("Anonymized"),
            customers::last_name.eq(""),
            customers::phone.eq(None::<String>),
            customers::auth_subject.eq(None::<String>),
            customers::locale.eq(None::<String>),
            customers::preferences.eq(serde_json::json!({})),
            customers::marketing_consent.eq(false),
            customers::marketing_consent_at.eq(None::<chrono::DateTime<chrono::Utc>>),
            customers::anonymized_at.eq(diesel::dsl::now),
            customers::updated_at.eq(diesel::dsl::now),
        ))
        .returning(Customer::as_returning())
        .get_result(conn)
        .await
}
