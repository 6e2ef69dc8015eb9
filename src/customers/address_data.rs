//! The customer_addresses table. Each customer has at most one default shipping and one
//! default billing address (partial unique indexes say so); callers lock the customer row
//! first, so two requests never race to set a default.

use std::collections::HashMap;

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::model::AddressRow;
use crate::db::schema::customer_addresses;
use crate::graphql::{Address, AddressKind};

/// The addresses of these customers, oldest first, by customer.
pub async fn of_customers(
    conn: &mut AsyncPgConnection,
    customers: &[Uuid],
) -> QueryResult<HashMap<Uuid, Vec<AddressRow>>> {
    let rows: Vec<AddressRow> = customer_addresses::table
        .filter(customer_addresses::customer_id.eq_any(customers))
        .order((customer_addresses::customer_id, customer_addresses::created_at, customer_addresses::id))
        .select(AddressRow::as_select())
        .load(conn)
        .await?;
    Ok(crate::db::group_by(rows, |r| r.customer_id))
}

/// The address with this id.
pub async fn by_id(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Option<AddressRow>> {
    customer_addresses::table.find(id).select(AddressRow::as_select()).first(conn).await.optional()
}

/// The customer an address belongs to.
pub async fn owner_of(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Option<Uuid>> {
    customer_addresses::table.find(id).select(customer_addresses::customer_id).first(conn).await.optional()
}

/// Whether the customer has a default address of this kind.
pub async fn has_default(conn: &mut AsyncPgConnection, customer: Uuid, kind: AddressKind) -> QueryResult<bool> {
    let of_customer = customer_addresses::table.filter(customer_addresses::customer_id.eq(customer));
    match kind {
        AddressKind::Shipping => {
            diesel::select(diesel::dsl::exists(of_customer.filter(customer_addresses::is_default_shipping.eq(true))))
                .get_result(conn)
                .await
        }
        AddressKind::Billing => {
            diesel::select(diesel::dsl::exists(of_customer.filter(customer_addresses::is_default_billing.eq(true))))
                .get_result(conn)
                .await
        }
    }
}

/// Adds an address, default of the kinds asked for. Unset the old defaults first.
pub async fn insert(
    conn: &mut AsyncPgConnection,
    customer: Uuid,
    values: &Address,
    default_shipping: bool,
    default_billing: bool,
) -> QueryResult<AddressRow> {
    diesel::insert_into(customer_addresses::table)
        .values((
            customer_addresses::customer_id.eq(customer),
            values,
            customer_addresses::is_default_shipping.eq(default_shipping),
            customer_addresses::is_default_billing.eq(default_billing),
        ))
        .returning(AddressRow::as_returning())
        .get_result(conn)
        .await
}

/// Replaces the postal fields of an address.
pub async fn update(conn: &mut AsyncPgConnection, id: Uuid, values: &Address) -> QueryResult<AddressRow> {
    diesel::update(customer_addresses::table.find(id))
        .set(values)
        .returning(AddressRow::as_returning())
        .get_result(conn)
        .await
}

/// Makes `address` (or, with `None`, no address) the customer's default of `kind`, unsetting
/// the previous one first.
pub async fn set_default(
    conn: &mut AsyncPgConnection,
    customer: Uuid,
    kind: AddressKind,
    address: Option<Uuid>,
) -> QueryResult<()> {
    let of_customer = customer_addresses::table.filter(customer_addresses::customer_id.eq(customer));
    match kind {
        AddressKind::Shipping => {
            diesel::update(of_customer.filter(customer_addresses::is_default_shipping.eq(true)))
                .set(customer_addresses::is_default_shipping.eq(false))
                .execute(conn)
                .await?;
            if let Some(id) = address {
                diesel::update(customer_addresses::table.find(id))
                    .set(customer_addresses::is_default_shipping.eq(true))
                    .execute(conn)
                    .await?;
            }
        }
        AddressKind::Billing => {
            diesel::update(of_customer.filter(customer_addresses::is_default_billing.eq(true)))
                .set(customer_addresses::is_default_billing.eq(false))
                .execute(conn)
                .await?;
            if let Some(id) = address {
                diesel::update(customer_addresses::table.find(id))
                    .set(customer_addresses::is_default_billing.eq(true))
                    .execute(conn)
                    .await?;
            }
        }
    }
    Ok(())
}

/// Deletes an address, returning it.
pub async fn delete(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Option<AddressRow>> {
    diesel::delete(customer_addresses::table.find(id))
        .returning(AddressRow::as_returning())
        .get_result(conn)
        .await
        .optional()
}

/// The customer's newest address, if any.
pub async fn newest_of(conn: &mut AsyncPgConnection, customer: Uuid) -> QueryResult<Option<Uuid>> {
    customer_addresses::table
        .filter(customer_addresses::customer_id.eq(customer))
        .order((customer_addresses::created_at.desc(), customer_addresses::id.desc()))
        .select(customer_addresses::id)
        .first(conn)
        .await
        .optional()
}

/// Deletes every address of a customer; returns how many went.
pub async fn delete_all_of(conn: &mut AsyncPgConnection, customer: Uuid) -> QueryResult<usize> {
    diesel::delete(customer_addresses::table.filter(customer_addresses::customer_id.eq(customer))).execute(conn).await
}
