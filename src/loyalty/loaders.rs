//! Dataloaders of the loyalty domain, made per request: the tiers (one statement per
//! request) and ledger pages by account; accounts by customer and ledger rows by order
//! go through the generic `Children` loader. A page of accounts costs one statement per kind of
//! nested list, whatever its size.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::Loader;

use super::data;
use super::model::{LoyaltyAccount, LoyaltyTransaction, TierRow};
use crate::customers::Customer;
use crate::db::{ChildPageKey, DbError};
use crate::events::OrderFacts;
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

crate::child_of!(LoyaltyAccount: Customer => data::accounts_of_customers);

crate::child_of!(LoyaltyTransaction: OrderFacts => data::transactions_of_orders);

/// Pages of ledger rows, newest first, by account and page bounds.
pub struct TransactionPages(pub Arc<TenantScope>);

impl Loader<ChildPageKey> for TransactionPages {
    type Value = Vec<LoyaltyTransaction>;
    type Error = Arc<DbError>;

    async fn load(&self, keys: &[ChildPageKey]) -> Result<HashMap<ChildPageKey, Self::Value>, Self::Error> {
        let mut conn = self.0.conn().await?;
        Ok(data::transaction_pages(&mut conn, keys).await.map_err(DbError::from)?)
    }
}
