//! Each tenant's fair share of the tenant pool: a tenant holds at most so many connections
//! at once, so one tenant's slow or numerous requests leave connections for the others.
//! A request over its tenant's share waits a short while for one of the tenant's own
//! connections to come back, then fails as busy (retryable) instead of queueing for ever.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::{DbError, TenantSchema};

/// The shares of every tenant that holds or waits for a connection now. A tenant's entry
/// exists only while it is in use, so the map stays as small as the pool.
pub struct TenantShares {
    limit: usize,
    wait: Duration,
    tenants: Mutex<HashMap<TenantSchema, Arc<Semaphore>>>,
}

/// One of a tenant's connections, held for as long as the request holds its connection.
pub struct SharePermit {
    permit: Option<OwnedSemaphorePermit>,
    shares: Arc<TenantShares>,
    schema: TenantSchema,
}

impl TenantShares {
    /// Shares of `limit` connections per tenant, waited for at most `wait`.
    pub fn new(limit: usize, wait: Duration) -> Self {
        Self { limit: limit.max(1), wait, tenants: Mutex::new(HashMap::new()) }
    }

    /// Takes one of `schema`'s connections, or fails as busy after the wait.
    pub async fn acquire(self: &Arc<Self>, schema: &TenantSchema) -> Result<SharePermit, DbError> {
        let semaphore = {
            let mut tenants = self.tenants.lock().expect("tenant shares lock");
            Arc::clone(tenants.entry(schema.clone()).or_insert_with(|| Arc::new(Semaphore::new(self.limit))))
        };
        let acquired = tokio::time::timeout(self.wait, Arc::clone(&semaphore).acquire_owned()).await;
        drop(semaphore);
        let permit = match acquired {
            Ok(Ok(permit)) => permit,
            _ => {
                self.forget_if_unused(schema);
                return Err(DbError::Busy(format!(
                    "the tenant holds its share of {} database connections; none came free within {:?}",
                    self.limit, self.wait
                )));
            }
        };
        Ok(SharePermit { permit: Some(permit), shares: Arc::clone(self), schema: schema.clone() })
    }

    /// Removes a tenant's entry when nobody holds or waits for it.
    fn forget_if_unused(&self, schema: &TenantSchema) {
        let mut tenants = self.tenants.lock().expect("tenant shares lock");
        if tenants.get(schema).is_some_and(|semaphore| Arc::strong_count(semaphore) == 1) {
            tenants.remove(schema);
        }
    }

    /// How many tenants hold or wait for connections now.
    pub fn tenants_in_use(&self) -> usize {
        self.tenants.lock().expect("tenant shares lock").len()
    }
}

impl Drop for SharePermit {
    fn drop(&mut self) {
        drop(self.permit.take());
        self.shares.forget_if_unused(&self.schema);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tenancy::Slug;

    fn schema(slug: &str) -> TenantSchema {
        TenantSchema::for_slug(&Slug::parse(slug).unwrap())
    }

    #[tokio::test]
    async fn a_tenant_over_its_share_is_busy_and_others_are_not() {
        let shares = Arc::new(TenantShares::new(2, Duration::from_millis(20)));
        let a1 = shares.acquire(&schema("ta")).await.unwrap();
        let _a2 = shares.acquire(&schema("ta")).await.unwrap();
        assert!(matches!(shares.acquire(&schema("ta")).await, Err(DbError::Busy(_))));
        let _b = shares.acquire(&schema("tb")).await.unwrap();
        drop(a1);
        let _a3 = shares.acquire(&schema("ta")).await.unwrap();
        assert_eq!(shares.tenants_in_use(), 2);
    }

    #[tokio::test]
    async fn entries_go_when_unused() {
        let shares = Arc::new(TenantShares::new(1, Duration::from_millis(20)));
        drop(shares.acquire(&schema("ta")).await.unwrap());
        assert_eq!(shares.tenants_in_use(), 0);
    }
}
