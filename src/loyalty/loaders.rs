//! Dataloaders of the loyalty domain, made per request: the tiers (one statement per
//! request), accounts by customer, ledger pages by account, ledger rows by order, and
//! the stores accounts belong to. A page of accounts costs one statement per kind of
//! nested list, whatever its size.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::Loader;
use uuid::Uuid;

use super::data;
use super::model::{AccountRow, TierRow, TransactionRow};
use crate::db::ChildPageKey;
use crate::db::DbError;
use crate::tenancy::TenantScope;

/// The program's tiers, lowest threshold first (the only key is `()`).
pub struct Tiers(pub Arc<TenantScope>);

impl Loader<()> for Tiers {
    type Value = Arc<Vec<TierRow>>;
    type Error = Arc<DbError>;

    async fn load(&self, _keys: &[()]) -> Result<HashMap<(), Self::Value>, Self::Error> {
        let mut conn = self.0.conn().await?;
        let tiers = data::tiers(&mut conn).await.map_err(DbError::from)?;
        Ok(HashMap::from([((), Arc::new(tiers))]))
    }
}

/// Accounts by customer id, oldest first (an empty list for a customer without any).
pub struct AccountsByCustomer(pub Arc<TenantScope>);

impl Loader<Uuid> for AccountsByCustomer {
    type Value = Vec<AccountRow>;
    type Error = Arc<DbError>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let mut conn = self.0.conn().await?;
        let mut found = data::accounts_of_customers(&mut conn, keys).await.map_err(DbError::from)?;
        Ok(keys.iter().map(|k| (*k, found.remove(k).unwrap_or_default())).collect())
    }
}

/// Ledger rows by order id, oldest first (an empty list for an order without any).
pub struct TransactionsByOrder(pub Arc<TenantScope>);

impl Loader<Uuid> for TransactionsByOrder {
    type Value = Vec<TransactionRow>;
    type Error = Arc<DbError>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let mut conn = self.0.conn().await?;
        let mut found = data::transactions_of_orders(&mut conn, keys).await.map_err(DbError::from)?;
        Ok(keys.iter().map(|k| (*k, found.remove(k).unwrap_or_default())).collect())
    }
}

/// Pages of ledger rows, newest first, by account and page bounds.
pub struct TransactionPages(pub Arc<TenantScope>);

impl Loader<ChildPageKey> for TransactionPages {
    type Value = Vec<TransactionRow>;
    type Error = Arc<DbError>;

    async fn load(&self, keys: &[ChildPageKey]) -> Result<HashMap<ChildPageKey, Self::Value>, Self::Error> {
        let mut conn = self.0.conn().await?;
        Ok(data::transaction_pages(&mut conn, keys).await.map_err(DbError::from)?)
    }
}
