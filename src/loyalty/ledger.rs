//! Every move of a loyalty balance: accruals when an order is paid, their reversal on
//! refunds and cancellation, redemptions as an order's discount and their give-back, and
//! staff adjustments. Each move is one guarded balance update and its ledger row, in the
//! caller's transaction.

use bigdecimal::BigDecimal;
use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use super::data;
use super::model::{LoyaltyAccount, LoyaltyTransaction, NewTransaction, TransactionKind};
use super::rules;
use crate::events::OrderFacts;
use crate::outcome::{MutationError, UserErrorCode, refuse};

/// A redemption checked against the program and the account, ready to be booked by
/// [`redeem`] once the order exists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedemptionQuote {
    /// The account the points come from.
    pub account_id: Uuid,
    /// How many points.
    pub points: i64,
    /// What they are worth in the order's currency: `points × point_value`, rounded half
    /// up to the currency's minor unit.
    pub value: BigDecimal,
}

/// The largest balance a staff adjustment may leave: far beyond any real program, and
/// far enough below 2^63 that accruals on top cannot overflow the ledger's `bigint`s.
pub const MAX_BALANCE: i64 = 1_000_000_000_000_000;

fn insufficient(balance: i64, points: i64) -> MutationError {
    MutationError::user(
        "loyaltyPoints",
        UserErrorCode::InsufficientPoints,
        format!("the loyalty account holds {balance} points, fewer than {points}"),
    )
}

/// Checks that `customer` may redeem `points` on an order in `store` and `currency`, and
/// what they are worth. userErrors at `loyaltyPoints`: INVALID (not a positive number),
/// LOYALTY_DISABLED (no active program), INSUFFICIENT_POINTS (the balance is smaller; a
/// customer without an account has 0). The balance check does not lock: [`redeem`]'s
/// guarded update is what decides under concurrency. Runs in the caller's transaction.
pub async fn quote_redemption(
    conn: &mut AsyncPgConnection,
    customer_id: Uuid,
    store_id: Option<Uuid>,
    points: i64,
    currency: &str,
) -> Result<RedemptionQuote, MutationError> {
    if points <= 0 {
        return refuse("loyaltyPoints", UserErrorCode::Invalid, "redeem a positive number of points");
    }
    let program = match data::program(conn).await? {
        Some(program) if program.active => program,
        _ => {
            return refuse("loyaltyPoints", UserErrorCode::LoyaltyDisabled, "the shop has no active loyalty program");
        }
    };
    let account = data::account(conn, customer_id, program.account_store(store_id)).await?;
    let balance = account.as_ref().map_or(0, |a| a.balance);
    let Some(account) = account.filter(|a| a.balance >= points) else {
        return Err(insufficient(balance, points));
    };
    let value = rules::redemption_value(points, &program.point_value, currency);
    Ok(RedemptionQuote { account_id: account.id, points, value })
}

/// Books a quoted redemption for `order_id`: takes the points from the account (a guarded
/// update) and writes the `redemption` ledger row tied to the order. INSUFFICIENT_POINTS
/// at `loyaltyPoints` when the balance no longer covers it (a concurrent redemption or
/// adjustment won). Runs in the caller's transaction.
pub async fn redeem(
    conn: &mut AsyncPgConnection,
    quote: &RedemptionQuote,
    order_id: Uuid,
    actor: &str,
) -> Result<(), MutationError> {
    if data::apply(conn, quote.account_id, -quote.points, 0).await?.is_none() {
        let balance = data::account_by_id(conn, quote.account_id).await?.map_or(0, |a| a.balance);
        return Err(insufficient(balance, quote.points));
    }
    data::insert_transaction(
        conn,
        &NewTransaction {
            account_id: quote.account_id,
            kind: TransactionKind::Redemption,
            points: -quote.points,
            order_id: Some(order_id),
            reverses_id: None,
            points_per_unit: None,
            reason: None,
            actor,
            unrecovered_points: 0,
        },
    )
    .await?;
    Ok(())
}

/// Accrues the points of an order that has just been paid (see the module doc).
pub async fn accrue(conn: &mut AsyncPgConnection, order: &OrderFacts, actor: &str) -> Result<(), MutationError> {
    let Some(customer) = order.customer_id else { return Ok(()) };
    let Some(program) = data::program(conn).await?.filter(|p| p.active) else { return Ok(()) };
    let points = rules::points_for(&order.total, &program.points_per_unit);
    if points == 0 {
        return Ok(());
    }
    let ledger = data::transactions_of_order(conn, order.id).await?;
    if ledger.iter().any(|t| t.kind == TransactionKind::Accrual) {
        return Ok(());
    }
    let account = data::open_account(conn, customer, program.account_store(order.store_id)).await?;
    data::apply(conn, account.id, points, points).await?.ok_or(diesel::result::Error::NotFound)?;
    data::insert_transaction(
        conn,
        &NewTransaction {
            account_id: account.id,
            kind: TransactionKind::Accrual,
            points,
            order_id: Some(order.id),
            reverses_id: None,
            points_per_unit: Some(&program.points_per_unit),
            reason: None,
            actor,
            unrecovered_points: 0,
        },
    )
    .await?;
    Ok(())
}

/// Brings an order's points in line with its money after a refund or a cancellation:
/// gives back what it redeemed (cancelled or refunded in full), then takes back the part
/// of its accrual its money no longer earns. Idempotent: a second call with the same
/// order changes nothing.
pub async fn settle(conn: &mut AsyncPgConnection, order: &OrderFacts, actor: &str) -> Result<(), MutationError> {
    if order.customer_id.is_none() {
        return Ok(()); // a guest order neither accrues nor redeems
    }
    let ledger = data::transactions_of_order(conn, order.id).await?;
    if ledger.is_empty() {
        return Ok(());
    }
    let cancelled = order.cancelled;
    let reason = if cancelled { "order cancelled" } else { "order refunded" };
    if cancelled || order.refunded_total >= order.total {
        for redemption in ledger.iter().filter(|t| t.kind == TransactionKind::Redemption) {
            let given_back = ledger.iter().any(|t| t.reverses_id == Some(redemption.id) && t.points > 0);
            if !given_back {
                give_back(conn, redemption, reason, actor).await?;
            }
        }
    }
    if let Some(accrual) = ledger.iter().find(|t| t.kind == TransactionKind::Accrual) {
        let target = match (&accrual.points_per_unit, cancelled) {
            (Some(rate), false) => rules::net_accrual(accrual.points, &order.total, &order.refunded_total, rate),
            _ => 0,
        };
        let reversed: i64 =
            ledger.iter().filter(|t| t.reverses_id == Some(accrual.id)).map(|t| -t.points + t.unrecovered_points).sum();
        let due = accrual.points - reversed - target;
        if due > 0 {
            take_back(conn, accrual, due, reason, actor).await?;
        }
    }
    Ok(())
}

/// Returns a redemption's points to its account.
async fn give_back(
    conn: &mut AsyncPgConnection,
    redemption: &LoyaltyTransaction,
    reason: &str,
    actor: &str,
) -> Result<(), MutationError> {
    let points = -redemption.points;
    data::apply(conn, redemption.account_id, points, 0).await?.ok_or(diesel::result::Error::NotFound)?;
    data::insert_transaction(
        conn,
        &NewTransaction {
            account_id: redemption.account_id,
            kind: TransactionKind::Reversal,
            points,
            order_id: redemption.order_id,
            reverses_id: Some(redemption.id),
            points_per_unit: None,
            reason: Some(reason),
            actor,
            unrecovered_points: 0,
        },
    )
    .await?;
    Ok(())
}

/// Takes `due` points of an accrual back, as far as the balance allows; the rest is
/// recorded as unrecovered. Lifetime points drop by all of `due`.
async fn take_back(
    conn: &mut AsyncPgConnection,
    accrual: &LoyaltyTransaction,
    due: i64,
    reason: &str,
    actor: &str,
) -> Result<(), MutationError> {
    let balance = data::lock_balance(conn, accrual.account_id).await?;
    let (taken, unrecovered) = rules::clamp_to_balance(due, balance);
    data::apply(conn, accrual.account_id, -taken, -due).await?.ok_or(diesel::result::Error::NotFound)?;
    data::insert_transaction(
        conn,
        &NewTransaction {
            account_id: accrual.account_id,
            kind: TransactionKind::Reversal,
            points: -taken,
            order_id: accrual.order_id,
            reverses_id: Some(accrual.id),
            points_per_unit: None,
            reason: Some(reason),
            actor,
            unrecovered_points: unrecovered,
        },
    )
    .await?;
    Ok(())
}

/// Gives (`points > 0`) or takes (`points < 0`) points by hand. The account is opened if
/// needed; a debit beyond the balance is refused with INSUFFICIENT_POINTS at `points`.
pub async fn adjust(
    conn: &mut AsyncPgConnection,
    customer: Uuid,
    store: Option<Uuid>,
    points: i64,
    reason: &str,
    actor: &str,
) -> Result<(LoyaltyAccount, LoyaltyTransaction), MutationError> {
    let account = data::open_account(conn, customer, store).await?;
    let balance = data::lock_balance(conn, account.id).await?;
    if balance.checked_add(points).is_none_or(|after| after > MAX_BALANCE) {
        return refuse(
            "points",
            UserErrorCode::OutOfRange,
            format!("the account holds {balance} points; a balance is at most {MAX_BALANCE}"),
        );
    }
    let Some(account) = data::apply(conn, account.id, points, 0).await? else {
        let balance = data::account_by_id(conn, account.id).await?.map_or(0, |a| a.balance);
        return refuse(
            "points",
            UserErrorCode::InsufficientPoints,
            format!("the account holds {balance} points; it cannot go below zero"),
        );
    };
    let transaction = data::insert_transaction(
        conn,
        &NewTransaction {
            account_id: account.id,
            kind: TransactionKind::Adjustment,
            points,
            order_id: None,
            reverses_id: None,
            points_per_unit: None,
            reason: Some(reason),
            actor,
            unrecovered_points: 0,
        },
    )
    .await?;
    Ok((account, transaction))
}
