//! Payments and refunds (admin only: payment providers report through the merchant's
//! backend). Every mutation locks the order first, so money changes of one order are
//! serialized and "refunds never exceed what was captured" holds under concurrency; the
//! tables' CHECKs hold it too.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use bigdecimal::{BigDecimal, Zero};
use diesel_async::{AsyncConnection, AsyncPgConnection};
use uuid::Uuid;

use super::customer_link;
use super::lifecycle::{locked, publish, transition};
use super::model::{OrderRow, OrderStatus, PaymentRow, PaymentState, RefundRow};
use super::objects::Order;
use super::payment_data::{self, NewPayment, PROVIDER_TRANSACTION_CONSTRAINT};
use super::status::{payment_status, refund_moves_status};
use crate::events::OrderEventKind;
use crate::graphql::{
    Decimal, GqlResultExt, MutationError, UserError, UserErrorCode, UserErrors, caller_scope, enum_name,
    mutation_outcome, validate,
};
use crate::money::fits_currency;
use crate::outcome::refuse;
use crate::outcome::{Violation, refused};
use crate::tenancy::Role;

/// A payment attempt for an order.
#[derive(InputObject)]
pub struct PaymentCreateInput {
    /// The order.
    pub order_id: ID,
    /// The provider (`stripe`, `adyen`, `cash`, …): 1 to 40 of `a-z 0-9 _ . -`.
    pub provider: String,
    /// The provider's id of the transaction (unique per provider).
    pub provider_transaction_id: Option<String>,
    /// Amount, in the order's currency, at most what is still owed.
    pub amount: Decimal,
    /// The currency, if the caller wants it checked against the order's.
    pub currency: Option<String>,
    /// Captured already (cash at a till, a provider that captures at once).
    #[graphql(default)]
    pub captured: bool,
}

/// Captures a pending payment.
#[derive(InputObject)]
pub struct PaymentCaptureInput {
    /// The payment.
    pub payment_id: ID,
    /// How much to capture (default: the whole attempt).
    pub amount: Option<Decimal>,
}

/// Marks a pending payment failed.
#[derive(InputObject)]
pub struct PaymentFailInput {
    /// The payment.
    pub payment_id: ID,
    /// What the provider said.
    pub reason: String,
}

/// Money to give back.
#[derive(InputObject)]
pub struct RefundCreateInput {
    /// The order.
    pub order_id: ID,
    /// How much (at most what was captured and not yet refunded).
    pub amount: Decimal,
    /// Why.
    pub reason: String,
    /// Refund this payment only (default: the newest captured payments first).
    pub payment_id: Option<ID>,
}

crate::payload!(
    /// The result of a payment mutation.
    PaymentPayload {
        /// The payment; null when refused.
        payment: PaymentRow,
        /// Its order as it is now; null when refused.
        order: Order,
    }
);

/// The payload of a payment mutation's rows.
fn payment_payload(result: Result<(PaymentRow, OrderRow), MutationError>) -> async_graphql::Result<PaymentPayload> {
    PaymentPayload::from_outcome(result.map(|(p, o)| (p, Order::new(o))))
}

/// What a payment's unique provider transaction means to the client.
const CONFLICTS: &[Violation] = &[Violation::new(
    PROVIDER_TRANSACTION_CONSTRAINT,
    "providerTransactionId",
    UserErrorCode::Duplicate,
    "this provider transaction is recorded already",
)];

/// The result of `refundCreate`.
#[derive(SimpleObject)]
pub struct RefundPayload {
    /// The refunds made (one per payment the amount came from); empty when refused.
    pub refunds: Vec<RefundRow>,
    /// The order as it is now; null when refused.
    pub order: Option<Order>,
    /// What was wrong with the input; empty on success.
    pub user_errors: Vec<UserError>,
}

/// A positive amount with at most 4 decimals.
fn positive_amount(errors: &mut UserErrors, field: &str, value: &BigDecimal) -> BigDecimal {
    let value = validate::price(errors, &[field], value);
    if value.is_zero() {
        errors.add(field, UserErrorCode::Invalid, "the amount must be more than zero");
    }
    value
}

/// Refuses an amount with more decimals than the order's currency has.
fn check_minor_units(field: &str, amount: &BigDecimal, currency: &str) -> Result<(), MutationError> {
    if fits_currency(amount, currency) {
        Ok(())
    } else {
        Err(MutationError::user(
            field,
            UserErrorCode::Invalid,
            format!("{currency} has fewer decimals than {}", amount.normalized()),
        ))
    }
}

/// Takes `amount` captured on `order`: updates its totals and payment status, and marks
/// it PAID once the total is captured.
pub(super) async fn apply_capture(
    conn: &mut AsyncPgConnection,
    order: &OrderRow,
    amount: &BigDecimal,
    actor: &str,
) -> Result<OrderRow, MutationError> {
    let captured = &order.captured_total + amount;
    let status = payment_status(&order.total, &captured, &order.refunded_total);
    let order = super::data::set_money(conn, order.id, &captured, &order.refunded_total, status).await?;
    if captured >= order.total && order.status == OrderStatus::Pending {
        let order = transition(conn, &order, OrderStatus::Paid, actor, None).await?;
        customer_link::record(conn, &order, OrderEventKind::Paid, actor).await?;
        return Ok(order);
    }
    Ok(order)
}

/// The order a payment belongs to, locked, and the payment, which must be pending.
async fn pending_payment(conn: &mut AsyncPgConnection, id: Uuid) -> Result<(OrderRow, PaymentRow), MutationError> {
    let not_found = || MutationError::user("paymentId", UserErrorCode::NotFound, "no such payment");
    let order_id = payment_data::order_of_payment(conn, id).await?.ok_or_else(not_found)?;
    let order = locked(conn, order_id, "paymentId").await?;
    let payment = payment_data::payment(conn, id).await?.ok_or_else(not_found)?;
    if payment.status != PaymentState::Pending {
        let message = format!("the payment is {}, not PENDING", enum_name(&payment.status));
        return refuse("paymentId", UserErrorCode::IllegalTransition, message);
    }
    Ok((order, payment))
}

/// Payment and refund mutations (admin only).
#[derive(Default)]
pub struct PaymentMutation;

#[Object]
impl PaymentMutation {
    /// Records a payment attempt (pending, or captured at once). Refused for cancelled
    /// or refunded orders, in another currency, or beyond what is still owed.
    async fn payment_create(
        &self,
        ctx: &Context<'_>,
        input: PaymentCreateInput,
    ) -> async_graphql::Result<PaymentPayload> {
        let scope = caller_scope(ctx, Role::Admin)?;
        let mut errors = UserErrors::default();
        let order_id = errors.id_at(&["orderId"], &input.order_id);
        let provider = input.provider.trim().to_owned();
        if !validate::is_system_name(&provider) {
            errors.add("provider", UserErrorCode::Invalid, "provider must be 1 to 40 of a-z 0-9 _ . -");
        }
        let txn = validate::optional_text(
            &mut errors,
            &["providerTransactionId"],
            input.provider_transaction_id.as_deref(),
            200,
        );
        let amount = positive_amount(&mut errors, "amount", &input.amount.0);
        let currency = input.currency.as_deref().map(|c| validate::currency(&mut errors, "currency", c));
        let Some(order_id) = order_id.filter(|_| errors.is_empty()) else {
            return payment_payload(Err(errors.into()));
        };
        let actor = scope.actor();
        let mut conn = scope.conn().await.gql()?;
        let result = conn
            .transaction::<_, MutationError, _>(async |conn| {
                let order = locked(conn, order_id, "orderId").await?;
                if matches!(order.status, OrderStatus::Cancelled | OrderStatus::Refunded) {
                    return refuse(
                        "orderId",
                        UserErrorCode::IllegalTransition,
                        format!("a {} order takes no payments", enum_name(&order.status)),
                    );
                }
                if currency.as_ref().is_some_and(|c| *c != order.currency) {
                    return refuse(
                        "currency",
                        UserErrorCode::CurrencyMismatch,
                        format!("the order is in {}", order.currency),
                    );
                }
                check_minor_units("amount", &amount, &order.currency)?;
                let owed = &order.total - &order.captured_total;
                if amount > owed {
                    return refuse(
                        "amount",
                        UserErrorCode::AmountExceeded,
                        format!("only {} {} is still owed", owed.normalized(), order.currency),
                    );
                }
                let new = NewPayment {
                    order_id,
                    provider: &provider,
                    provider_transaction_id: txn.as_deref(),
                    amount: &amount,
                    currency: &order.currency,
                    captured: input.captured,
                };
                let payment = payment_data::insert_payment(conn, &new).await.map_err(refused(CONFLICTS))?;
                let order = if input.captured { apply_capture(conn, &order, &amount, &actor).await? } else { order };
                Ok((payment, order))
            })
            .await;
        payment_payload(result)
    }

    /// Captures a pending payment (all of it, or less); the order becomes PAID once its
    /// total is captured.
    async fn payment_capture(
        &self,
        ctx: &Context<'_>,
        input: PaymentCaptureInput,
    ) -> async_graphql::Result<PaymentPayload> {
        let scope = caller_scope(ctx, Role::Admin)?;
        let mut errors = UserErrors::default();
        let id = errors.id_at(&["paymentId"], &input.payment_id);
        let amount = input.amount.as_ref().map(|a| positive_amount(&mut errors, "amount", &a.0));
        let Some(id) = id.filter(|_| errors.is_empty()) else {
            return payment_payload(Err(errors.into()));
        };
        let actor = scope.actor();
        let mut conn = scope.conn().await.gql()?;
        let result = conn
            .transaction::<_, MutationError, _>(async |conn| {
                let (order, payment) = pending_payment(conn, id).await?;
                let amount = amount.clone().unwrap_or_else(|| payment.amount.clone());
                check_minor_units("amount", &amount, &order.currency)?;
                if amount > payment.amount {
                    return refuse("amount", UserErrorCode::AmountExceeded, "more than the payment's amount");
                }
                if &order.captured_total + &amount > order.total {
                    return refuse("amount", UserErrorCode::AmountExceeded, "the order's total is captured already");
                }
                let payment = payment_data::capture(conn, id, &amount).await?;
                let order = apply_capture(conn, &order, &amount, &actor).await?;
                Ok((payment, order))
            })
            .await;
        payment_payload(result)
    }

    /// Marks a pending payment failed.
    async fn payment_fail(&self, ctx: &Context<'_>, input: PaymentFailInput) -> async_graphql::Result<PaymentPayload> {
        let scope = caller_scope(ctx, Role::Admin)?;
        let mut errors = UserErrors::default();
        let id = errors.id_at(&["paymentId"], &input.payment_id);
        let reason = validate::required_text(&mut errors, &["reason"], &input.reason, 500);
        let Some(id) = id.filter(|_| errors.is_empty()) else {
            return payment_payload(Err(errors.into()));
        };
        let mut conn = scope.conn().await.gql()?;
        let result = conn
            .transaction::<_, MutationError, _>(async |conn| {
                let (order, _) = pending_payment(conn, id).await?;
                Ok((payment_data::fail(conn, id, &reason).await?, order))
            })
            .await;
        payment_payload(result)
    }

    /// Gives money back, never more than was captured and not yet refunded. The order
    /// becomes PARTIALLY_REFUNDED or REFUNDED (a cancelled order stays cancelled); a full
    /// refund before fulfilment releases its stock.
    async fn refund_create(&self, ctx: &Context<'_>, input: RefundCreateInput) -> async_graphql::Result<RefundPayload> {
        let scope = caller_scope(ctx, Role::Admin)?;
        let mut errors = UserErrors::default();
        let order_id = errors.id_at(&["orderId"], &input.order_id);
        let payment_id = input.payment_id.as_ref().and_then(|id| errors.id_at(&["paymentId"], id));
        let amount = positive_amount(&mut errors, "amount", &input.amount.0);
        let reason = validate::required_text(&mut errors, &["reason"], &input.reason, 500);
        let refund = |result: Result<(Vec<RefundRow>, Order), MutationError>| -> async_graphql::Result<RefundPayload> {
            let (outcome, user_errors) = mutation_outcome(result)?;
            let (refunds, order) = outcome.map_or((Vec::new(), None), |(r, o)| (r, Some(o)));
            Ok(RefundPayload { refunds, order, user_errors })
        };
        let Some(order_id) = order_id.filter(|_| errors.is_empty()) else {
            return refund(Err(errors.into()));
        };
        let actor = scope.actor();
        let mut conn = scope.conn().await.gql()?;
        let result = conn
            .transaction::<_, MutationError, _>(async |conn| {
                let order = locked(conn, order_id, "orderId").await?;
                check_minor_units("amount", &amount, &order.currency)?;
                let all_payments =
                    payment_data::payments_of(conn, &[order.id]).await?.remove(&order.id).unwrap_or_default();
                if let Some(id) = payment_id
                    && !all_payments.iter().any(|p| p.id == id)
                {
                    return refuse("paymentId", UserErrorCode::NotFound, "the order has no such payment");
                }
                let refundable = &order.captured_total - &order.refunded_total;
                if amount > refundable {
                    return refuse(
                        "amount",
                        UserErrorCode::RefundExceedsCaptured,
                        format!("only {} {} is captured and not yet refunded", refundable.normalized(), order.currency),
                    );
                }
                let mut payments: Vec<PaymentRow> = all_payments
                    .into_iter()
                    .filter(|p| p.status == PaymentState::Captured && p.captured_amount > p.refunded_amount)
                    .filter(|p| payment_id.is_none_or(|id| p.id == id))
                    .collect();
                payments.reverse();
                let available: BigDecimal = payments.iter().map(|p| &p.captured_amount - &p.refunded_amount).sum();
                if amount > available {
                    return refuse(
                        "paymentId",
                        UserErrorCode::RefundExceedsCaptured,
                        format!("that payment has only {} {} left to refund", available.normalized(), order.currency),
                    );
                }
                let mut left = amount.clone();
                let mut refunds = Vec::new();
                for payment in &payments {
                    if left.is_zero() {
                        break;
                    }
                    let room = &payment.captured_amount - &payment.refunded_amount;
                    let part = if room < left { room } else { left.clone() };
                    refunds.push(payment_data::insert_refund(conn, payment, &part, &reason, &actor).await?);
                    left -= part;
                }
                let refunded = &order.refunded_total + &amount;
                let status = payment_status(&order.total, &order.captured_total, &refunded);
                let mut order =
                    super::data::set_money(conn, order.id, &order.captured_total, &refunded, status).await?;
                if refund_moves_status(order.status) {
                    let to = if refunded >= order.captured_total && order.captured_total >= order.total {
                        OrderStatus::Refunded
                    } else {
                        OrderStatus::PartiallyRefunded
                    };
                    order = transition(conn, &order, to, &actor, Some(&reason)).await?;
                }
                publish(conn, &order, OrderEventKind::Refunded, &actor).await?;
                customer_link::record(conn, &order, OrderEventKind::Refunded, &actor).await?;
                Ok((refunds, Order::new(order)))
            })
            .await;
        refund(result)
    }
}
