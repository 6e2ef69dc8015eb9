//! Cost budgets: a bucket of points per tenant, per API key and per anonymous client
//! address, refilled at a steady rate, as Shopify's calculated query cost does. A request
//! takes its requested cost before it runs and gives back what it did not use.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Who pays for a request.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Payer {
    /// A tenant, by id.
    Tenant(uuid::Uuid),
    /// An API key used from one client address, by the SHA-256 of the token and the
    /// address (the token itself is not kept).
    Key([u8; 32]),
    /// A request that names no tenant, by client address.
    Anonymous(String),
}

/// A bucket's size and refill rate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rate {
    /// Points the bucket holds when full.
    pub maximum: u64,
    /// Points regained per second.
    pub restore_per_second: u64,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    available: f64,
    at: Instant,
}

impl Bucket {
    fn refill(&mut self, rate: Rate, now: Instant) {
        let elapsed = now.saturating_duration_since(self.at).as_secs_f64();
        self.available = (self.available + elapsed * rate.restore_per_second as f64).min(rate.maximum as f64);
        self.at = now;
    }
}

/// How a payer's bucket stands, as `extensions.cost.throttleStatus` reports it.
#[derive(Debug, Clone, Copy)]
pub struct ThrottleStatus {
    /// Points the bucket holds when full.
    pub maximum_available: u64,
    /// Points left now.
    pub currently_available: u64,
    /// Points regained per second.
    pub restore_rate: u64,
}

/// A refusal for lack of points: how long until the request would fit.
#[derive(Debug, Clone, Copy)]
pub struct Throttled {
    /// The bucket that ran short.
    pub status: ThrottleStatus,
    /// When to try again.
    pub retry_after: Duration,
}

/// Every bucket of the process. Buckets that are full again are forgotten once there are
/// many, so memory follows the number of recently active payers, not of all payers ever.
#[derive(Default)]
pub struct Budgets {
    buckets: Mutex<HashMap<Payer, Bucket>>,
}

/// Buckets kept before full ones are swept.
const SWEEP_AT: usize = 10_000;

impl Budgets {
    /// Takes `cost` points from every payer's bucket, or none if any of them lacks them.
    /// Returns the status of the tightest bucket after the charge.
    pub fn charge(&self, payers: &[(Payer, Rate)], cost: u64) -> Result<ThrottleStatus, Throttled> {
        let now = Instant::now();
        let mut buckets = self.buckets.lock().expect("budget lock");
        if buckets.len() > SWEEP_AT {
            // A bucket untouched for a minute has refilled at any sensible rate.
            buckets.retain(|_, bucket| now.saturating_duration_since(bucket.at) < Duration::from_secs(60));
        }
        let mut tightest: Option<ThrottleStatus> = None;
        for (payer, rate) in payers {
            let bucket = buckets.entry(payer.clone()).or_insert(Bucket { available: rate.maximum as f64, at: now });
            bucket.refill(*rate, now);
            let status = status(bucket, *rate);
            if bucket.available < cost as f64 {
                let missing = cost as f64 - bucket.available;
                let seconds = if rate.restore_per_second == 0 {
                    3600.0
                } else {
                    (missing / rate.restore_per_second as f64).ceil().max(1.0)
                };
                return Err(Throttled { status, retry_after: Duration::from_secs_f64(seconds) });
            }
            if tightest.is_none_or(|t| status.currently_available < t.currently_available) {
                tightest = Some(status);
            }
        }
        let mut after = tightest;
        for (payer, rate) in payers {
            if let Some(bucket) = buckets.get_mut(payer) {
                bucket.available -= cost as f64;
                let status = status(bucket, *rate);
                if after.is_none_or(|t| status.currently_available <= t.currently_available) {
                    after = Some(status);
                }
            }
        }
        Ok(after.unwrap_or(ThrottleStatus { maximum_available: 0, currently_available: 0, restore_rate: 0 }))
    }

    /// Gives back `points` that a request was charged and did not use.
    pub fn refund(&self, payers: &[(Payer, Rate)], points: u64) -> Option<ThrottleStatus> {
        let mut buckets = self.buckets.lock().expect("budget lock");
        let mut tightest: Option<ThrottleStatus> = None;
        for (payer, rate) in payers {
            if let Some(bucket) = buckets.get_mut(payer) {
                bucket.available = (bucket.available + points as f64).min(rate.maximum as f64);
                let status = status(bucket, *rate);
                if tightest.is_none_or(|t| status.currently_available < t.currently_available) {
                    tightest = Some(status);
                }
            }
        }
        tightest
    }
}

fn status(bucket: &Bucket, rate: Rate) -> ThrottleStatus {
    ThrottleStatus {
        maximum_available: rate.maximum,
        currently_available: bucket.available.max(0.0).floor() as u64,
        restore_rate: rate.restore_per_second,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_runs_out_and_refills() {
        let budgets = Budgets::default();
        let payers = [(Payer::Anonymous("a".into()), Rate { maximum: 100, restore_per_second: 1000 })];
        assert_eq!(budgets.charge(&payers, 60).unwrap().currently_available, 40);
        let throttled = budgets.charge(&payers, 60).unwrap_err();
        assert_eq!(throttled.status.currently_available, 40);
        assert_eq!(throttled.retry_after, Duration::from_secs(1));
        assert_eq!(budgets.refund(&payers, 30).unwrap().currently_available, 70);
        std::thread::sleep(Duration::from_millis(50));
        assert_eq!(budgets.charge(&payers, 100).unwrap().currently_available, 0);
    }

    #[test]
    fn every_payer_must_afford_it() {
        let budgets = Budgets::default();
        let small = (Payer::Anonymous("s".into()), Rate { maximum: 10, restore_per_second: 0 });
        let large = (Payer::Anonymous("l".into()), Rate { maximum: 1000, restore_per_second: 0 });
        assert!(budgets.charge(&[large.clone(), small.clone()], 20).is_err());
        // Nothing was taken from the large bucket.
        assert_eq!(budgets.charge(&[large], 1000).unwrap().currently_available, 0);
    }
}
