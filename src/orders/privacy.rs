//! What the orders domain does when a customer is anonymized: their orders stay (with
//! their money and their link to the customer) but lose the personal data they carry.

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::db::schema::{order_addresses, orders};

/// Removes the personal data of a customer's orders: the contact email, the shipping
/// and billing addresses, and the idempotency scope (a hash of who placed the order,
/// which would otherwise still tell the customer's email apart). Returns how many
/// orders were scrubbed. Call inside the anonymization's transaction.
pub async fn forget_customer(conn: &mut AsyncPgConnection, customer_id: Uuid) -> QueryResult<usize> {
    let ids = orders::table.filter(orders::customer_id.eq(customer_id)).select(orders::id);
    diesel::delete(order_addresses::table.filter(order_addresses::order_id.eq_any(ids))).execute(conn).await?;
    diesel::update(orders::table.filter(orders::customer_id.eq(customer_id)))
        .set((
            orders::email.eq(None::<String>),
            orders::idempotency_scope.eq(None::<String>),
            orders::updated_at.eq(diesel::dsl::now),
        ))
        .execute(conn)
        .await
}
