//! The loyalty tables: the program and its tiers, accounts, the guarded balance update
//! and the ledger. Nothing else writes these tables.

use std::collections::HashMap;

use bigdecimal::BigDecimal;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::db::{ChildPageKey, newest_first_pages};

use super::model::{LoyaltyAccount, LoyaltyTransaction, NewTransaction, ProgramRow, TierRow};
use crate::db::schema::{loyalty_accounts, loyalty_programs, loyalty_tiers, loyalty_transactions};

/// The tenant's program, if one was ever set.
pub async fn program(conn: &mut AsyncPgConnection) -> QueryResult<Option<ProgramRow>> {
    loyalty_programs::table.select(ProgramRow::as_select()).first(conn).await.optional()
}

/// Sets the program (creating the one row, or changing it).
pub async fn set_program(
    conn: &mut AsyncPgConnection,
    active: bool,
    points_per_unit: &BigDecimal,
    point_value: &BigDecimal,
    accounts_per_store: bool,
) -> QueryResult<ProgramRow> {
    let values = (
        loyalty_programs::active.eq(active),
        loyalty_programs::points_per_unit.eq(points_per_unit),
        loyalty_programs::point_value.eq(point_value),
        loyalty_programs::accounts_per_store.eq(accounts_per_store),
    );
    diesel::insert_into(loyalty_programs::table)
        .values((loyalty_programs::singleton.eq(true), values))
        .on_conflict(loyalty_programs::singleton)
        .do_update()
        .set((values, loyalty_programs::updated_at.eq(diesel::dsl::now)))
        .returning(ProgramRow::as_returning())
        .get_result(conn)
        .await
}

/// Every tier, lowest threshold first.
pub async fn tiers(conn: &mut AsyncPgConnection) -> QueryResult<Vec<TierRow>> {
    loyalty_tiers::table.order(loyalty_tiers::min_lifetime_points).select(TierRow::as_select()).load(conn).await
}

/// Replaces every tier with `tiers`.
pub async fn replace_tiers(conn: &mut AsyncPgConnection, tiers: &[TierRow]) -> QueryResult<()> {
    diesel::delete(loyalty_tiers::table).execute(conn).await?;
    let rows: Vec<_> = tiers
        .iter()
        .map(|t| (loyalty_tiers::name.eq(&t.name), loyalty_tiers::min_lifetime_points.eq(t.min_lifetime_points)))
        .collect();
    diesel::insert_into(loyalty_tiers::table).values(rows).execute(conn).await.map(drop)
}

/// The account of `customer` under `store` (`None`: the account without a store).
pub async fn account(
    conn: &mut AsyncPgConnection,
    customer: Uuid,
    store: Option<Uuid>,
) -> QueryResult<Option<LoyaltyAccount>> {
    let query = loyalty_accounts::table.filter(loyalty_accounts::customer_id.eq(customer)).into_boxed();
    let query = match store {
        Some(store) => query.filter(loyalty_accounts::store_id.eq(store)),
        None => query.filter(loyalty_accounts::store_id.is_null()),
    };
    query.select(LoyaltyAccount::as_select()).first(conn).await.optional()
}

/// The account of `customer` under `store`, opened if it does not exist yet. Two
/// transactions opening the same account at once end with one: the second waits for the
/// first and finds its row.
pub async fn open_account(
    conn: &mut AsyncPgConnection,
    customer: Uuid,
    store: Option<Uuid>,
) -> QueryResult<LoyaltyAccount> {
    diesel::insert_into(loyalty_accounts::table)
        .values((loyalty_accounts::customer_id.eq(customer), loyalty_accounts::store_id.eq(store)))
        .on_conflict_do_nothing()
        .execute(conn)
        .await?;
    account(conn, customer, store).await?.ok_or(diesel::result::Error::NotFound)
}

/// The account with this id.
pub async fn account_by_id(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Option<LoyaltyAccount>> {
    loyalty_accounts::table.find(id).select(LoyaltyAccount::as_select()).first(conn).await.optional()
}

/// The balance of an account, locked until the transaction ends.
pub async fn lock_balance(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<i64> {
    loyalty_accounts::table.find(id).select(loyalty_accounts::balance).for_update().first(conn).await
}

/// Moves an account's balance by `points` and its lifetime points by `lifetime`, in one
/// guarded statement: nothing happens (and `None` comes back) when the balance would fall
/// below zero. Concurrent moves of one account queue on its row, and each guard sees the
/// balance the one before it left.
pub async fn apply(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    points: i64,
    lifetime: i64,
) -> QueryResult<Option<LoyaltyAccount>> {
    diesel::update(
        loyalty_accounts::table.filter(loyalty_accounts::id.eq(id)).filter((loyalty_accounts::balance + points).ge(0)),
    )
    .set((
        loyalty_accounts::balance.eq(loyalty_accounts::balance + points),
        loyalty_accounts::lifetime_points.eq(loyalty_accounts::lifetime_points + lifetime),
        loyalty_accounts::updated_at.eq(diesel::dsl::now),
    ))
    .returning(LoyaltyAccount::as_returning())
    .get_result(conn)
    .await
    .optional()
}

/// Writes a ledger row.
pub async fn insert_transaction(
    conn: &mut AsyncPgConnection,
    new: &NewTransaction<'_>,
) -> QueryResult<LoyaltyTransaction> {
    diesel::insert_into(loyalty_transactions::table)
        .values(new)
        .returning(LoyaltyTransaction::as_returning())
        .get_result(conn)
        .await
}

/// The ledger rows of an order, oldest first.
pub async fn transactions_of_order(conn: &mut AsyncPgConnection, order: Uuid) -> QueryResult<Vec<LoyaltyTransaction>> {
    loyalty_transactions::table
        .filter(loyalty_transactions::order_id.eq(order))
        .order((loyalty_transactions::created_at, loyalty_transactions::id))
        .select(LoyaltyTransaction::as_select())
        .load(conn)
        .await
}

/// The ledger rows of these orders, oldest first, by order.
pub async fn transactions_of_orders(
    conn: &mut AsyncPgConnection,
    orders: &[Uuid],
) -> QueryResult<HashMap<Uuid, Vec<LoyaltyTransaction>>> {
    let rows: Vec<LoyaltyTransaction> = loyalty_transactions::table
        .filter(loyalty_transactions::order_id.eq_any(orders))
        .order((loyalty_transactions::created_at, loyalty_transactions::id))
        .select(LoyaltyTransaction::as_select())
        .load(conn)
        .await?;
    Ok(crate::db::group_pairs(rows.into_iter().filter_map(|row| Some((row.order_id?, row)))))
}

/// The accounts of these customers, oldest first, by customer.
pub async fn accounts_of_customers(
    conn: &mut AsyncPgConnection,
    customers: &[Uuid],
) -> QueryResult<HashMap<Uuid, Vec<LoyaltyAccount>>> {
    let rows: Vec<LoyaltyAccount> = loyalty_accounts::table
        .filter(loyalty_accounts::customer_id.eq_any(customers))
        .order((loyalty_accounts::created_at, loyalty_accounts::id))
        .select(LoyaltyAccount::as_select())
        .load(conn)
        .await?;
    Ok(crate::db::group_by(rows, |r| r.customer_id))
}

/// Narrows the account listing.
#[derive(Debug, Clone, Default)]
pub struct AccountFilter {
    /// Lifetime points at least this (a tier's threshold).
    pub lifetime_from: Option<i64>,
    /// Lifetime points below this (the next tier's threshold).
    pub lifetime_until: Option<i64>,
    /// Balance at least this.
    pub min_balance: Option<i64>,
    /// Matches nothing (a tier that does not exist).
    pub nothing: bool,
}

impl AccountFilter {
    fn filtered(&self) -> loyalty_accounts::BoxedQuery<'static, diesel::pg::Pg> {
        let filter = self;
        let mut query = loyalty_accounts::table.into_boxed();
        if let Some(from) = filter.lifetime_from {
            query = query.filter(loyalty_accounts::lifetime_points.ge(from));
        }
        if let Some(until) = filter.lifetime_until {
            query = query.filter(loyalty_accounts::lifetime_points.lt(until));
        }
        if let Some(min) = filter.min_balance {
            query = query.filter(loyalty_accounts::balance.ge(min));
        }
        if filter.nothing {
            query = query.filter(diesel::dsl::sql::<diesel::sql_types::Bool>("false"));
        }
        query
    }
}

crate::created_listing!(AccountFilter, loyalty_accounts, LoyaltyAccount, oldest);

/// The ledger pages of many accounts in one statement (each its own page, per key).
pub async fn transaction_pages(
    conn: &mut AsyncPgConnection,
    keys: &[ChildPageKey],
) -> QueryResult<HashMap<ChildPageKey, Vec<LoyaltyTransaction>>> {
    newest_first_pages(conn, "loyalty_transactions", "account_id", keys).await
}
