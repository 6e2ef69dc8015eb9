//! The payment tables (payments, refunds): every diesel call on them lives here.

use std::collections::HashMap;

use bigdecimal::BigDecimal;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::model::{PaymentRow, PaymentState, RefundRow};
use crate::db::group_by;
use crate::db::schema::{payments, refunds};

/// The unique index a provider transaction id recorded twice runs into.
pub const PROVIDER_TRANSACTION_CONSTRAINT: &str = "payments_provider_transaction_key";

/// A new payment attempt.
pub struct NewPayment<'a> {
    /// The order paid for.
    pub order_id: Uuid,
    /// The payment provider.
    pub provider: &'a str,
    /// The provider's id of the transaction.
    pub provider_transaction_id: Option<&'a str>,
    /// Amount authorized (in the order's currency).
    pub amount: &'a BigDecimal,
    /// The order's currency.
    pub currency: &'a str,
    /// Captured already (an import of a paid marketplace order, a POS cash payment).
    pub captured: bool,
}

/// Records a payment attempt.
pub async fn insert_payment(conn: &mut AsyncPgConnection, new: &NewPayment<'_>) -> QueryResult<PaymentRow> {
    let (status, captured) = if new.captured {
        (PaymentState::Captured, new.amount.clone())
    } else {
        (PaymentState::Pending, BigDecimal::from(0))
    };
    diesel::insert_into(payments::table)
        .values((
            payments::order_id.eq(new.order_id),
            payments::provider.eq(new.provider),
            payments::provider_transaction_id.eq(new.provider_transaction_id),
            payments::amount.eq(new.amount),
            payments::currency.eq(new.currency),
            payments::status.eq(status),
            payments::captured_amount.eq(captured),
        ))
        .returning(PaymentRow::as_returning())
        .get_result(conn)
        .await
}

/// The payment with this id (its order is locked by the caller first).
pub async fn payment(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Option<PaymentRow>> {
    payments::table.find(id).select(PaymentRow::as_select()).first(conn).await.optional()
}

/// Which order a payment belongs to.
pub async fn order_of_payment(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Option<Uuid>> {
    payments::table.find(id).select(payments::order_id).first(conn).await.optional()
}

/// Marks a pending payment captured for `amount`.
pub async fn capture(conn: &mut AsyncPgConnection, id: Uuid, amount: &BigDecimal) -> QueryResult<PaymentRow> {
    diesel::update(payments::table.find(id))
        .set((
            payments::status.eq(PaymentState::Captured),
            payments::captured_amount.eq(amount),
            payments::updated_at.eq(diesel::dsl::now),
        ))
        .returning(PaymentRow::as_returning())
        .get_result(conn)
        .await
}

/// Marks a pending payment failed.
pub async fn fail(conn: &mut AsyncPgConnection, id: Uuid, reason: &str) -> QueryResult<PaymentRow> {
    diesel::update(payments::table.find(id))
        .set((
            payments::status.eq(PaymentState::Failed),
            payments::failure_reason.eq(reason),
            payments::updated_at.eq(diesel::dsl::now),
        ))
        .returning(PaymentRow::as_returning())
        .get_result(conn)
        .await
}

/// Records a refund against a captured payment and adds it to the payment's refunded
/// amount (the table's CHECK keeps that within what the payment captured).
pub async fn insert_refund(
    conn: &mut AsyncPgConnection,
    payment: &PaymentRow,
    amount: &BigDecimal,
    reason: &str,
    actor: &str,
) -> QueryResult<RefundRow> {
    diesel::update(payments::table.find(payment.id))
        .set((
            payments::refunded_amount.eq(payments::refunded_amount + amount),
            payments::updated_at.eq(diesel::dsl::now),
        ))
        .execute(conn)
        .await?;
    diesel::insert_into(refunds::table)
        .values((
            refunds::order_id.eq(payment.order_id),
            refunds::payment_id.eq(payment.id),
            refunds::amount.eq(amount),
            refunds::currency.eq(&payment.currency),
            refunds::reason.eq(reason),
            refunds::actor.eq(actor),
        ))
        .returning(RefundRow::as_returning())
        .get_result(conn)
        .await
}

/// The payments of these orders, oldest first, by order.
pub async fn payments_of(
    conn: &mut AsyncPgConnection,
    order_ids: &[Uuid],
) -> QueryResult<HashMap<Uuid, Vec<PaymentRow>>> {
    let rows: Vec<PaymentRow> = payments::table
        .filter(payments::order_id.eq_any(order_ids))
        .order((payments::order_id, payments::created_at, payments::id))
        .select(PaymentRow::as_select())
        .load(conn)
        .await?;
    Ok(group_by(rows, |r| r.order_id))
}

/// The refunds of these orders, oldest first, by order.
pub async fn refunds_of(
    conn: &mut AsyncPgConnection,
    order_ids: &[Uuid],
) -> QueryResult<HashMap<Uuid, Vec<RefundRow>>> {
    let rows: Vec<RefundRow> = refunds::table
        .filter(refunds::order_id.eq_any(order_ids))
        .order((refunds::order_id, refunds::created_at, refunds::id))
        .select(RefundRow::as_select())
        .load(conn)
        .await?;
    Ok(group_by(rows, |r| r.order_id))
}
