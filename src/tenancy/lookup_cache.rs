//! The control-plane lookups every request makes (API key by token, tenant by slug,
//! tenant by store domain), kept in memory so a request costs no control-plane statement.
//!
//! A cached answer is only trusted while this process is listening for changes: triggers
//! on `control.tenants`, `control.api_keys` and `control.store_domains` send a
//! `NOTIFY storegraph_control` when a transaction that changed them commits (a revoked key,
//! a suspended or dropped tenant, a moved domain, from any process), and the listener
//! empties the cache when it arrives. While the listening connection is down nothing is
//! served from the cache, and it is emptied again when listening resumes, so a change
//! can never be missed; it takes effect as soon as the notification arrives (a few
//! milliseconds after the commit). Only answers that name a tenant are kept: unknown
//! tokens are not, so random tokens cannot fill memory. Entries also expire after
//! [`TTL`], and the cache empties itself when it holds [`CAPACITY`] entries.
//!
//! LISTEN needs a session of its own, which a transaction pooler does not give: behind
//! one, the listener needs a direct URL. Without it the cache runs unheard: entries are
//! served for [`UNHEARD_TTL`] only, so a change takes effect within that time.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use futures_util::StreamExt as _;
use tokio_postgres::AsyncMessage;

use super::control::ApiKeyInfo;
use super::model::Tenant;

/// The channel the control-plane triggers notify (migration 000003 of the control plane).
pub const CHANNEL: &str = "storegraph_control";
/// Longest an entry is served, should a notification ever be lost.
pub const TTL: Duration = Duration::from_secs(60);
/// Longest an entry is served when no listener can hear of changes.
pub const UNHEARD_TTL: Duration = Duration::from_secs(2);
/// Most entries held; reaching it empties the cache.
pub const CAPACITY: usize = 100_000;

/// What was looked up.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(super) enum Lookup {
    /// An API key by the SHA-256 of its token.
    Token(Vec<u8>),
    /// A tenant by slug.
    Slug(String),
    /// A tenant and store code by store domain.
    Domain(String),
}

/// A cached answer.
#[derive(Debug, Clone)]
pub(super) enum Answer {
    /// The key (revoked or not) and its tenant.
    Key(ApiKeyInfo, Tenant),
    /// A tenant.
    Tenant(Tenant),
    /// A tenant and the store a domain points at.
    Domain(Tenant, String),
}

/// A type of answer the cache keeps, and how it is kept.
pub(super) trait Remembered: Clone + Sized {
    /// The answer as the cache keeps it.
    fn into_answer(self) -> Answer;
    /// The answer back, if the kept one is of this type.
    fn from_answer(answer: Answer) -> Option<Self>;
}

impl Remembered for (ApiKeyInfo, Tenant) {
    fn into_answer(self) -> Answer {
        Answer::Key(self.0, self.1)
    }
    fn from_answer(answer: Answer) -> Option<Self> {
        match answer {
            Answer::Key(key, tenant) => Some((key, tenant)),
            _ => None,
        }
    }
}

impl Remembered for Tenant {
    fn into_answer(self) -> Answer {
        Answer::Tenant(self)
    }
    fn from_answer(answer: Answer) -> Option<Self> {
        match answer {
            Answer::Tenant(tenant) => Some(tenant),
            _ => None,
        }
    }
}

impl Remembered for (Tenant, String) {
    fn into_answer(self) -> Answer {
        Answer::Domain(self.0, self.1)
    }
    fn from_answer(answer: Answer) -> Option<Self> {
        match answer {
            Answer::Domain(tenant, store) => Some((tenant, store)),
            _ => None,
        }
    }
}

/// The cache. Cloning shares it.
pub(super) struct LookupCache {
    /// How long an entry is served.
    ttl: Duration,
    entries: Mutex<HashMap<Lookup, (Answer, Instant)>>,
    /// Bumped on every invalidation: an answer read from the database before a change is
    /// not stored after it.
    generation: AtomicU64,
    /// Whether the listener is listening now.
    live: AtomicBool,
    /// Wakes those waiting for the listener.
    went_live: tokio::sync::Notify,
}

impl Default for LookupCache {
    fn default() -> Self {
        Self {
            ttl: TTL,
            entries: Mutex::default(),
            generation: AtomicU64::default(),
            live: AtomicBool::default(),
            went_live: tokio::sync::Notify::default(),
        }
    }
}

impl LookupCache {
    /// A cache that no listener keeps up to date: it trusts its entries for
    /// [`UNHEARD_TTL`] only.
    pub(super) fn unheard() -> Self {
        Self { ttl: UNHEARD_TTL, live: AtomicBool::new(true), ..Self::default() }
    }

    /// The current generation, to pass to [`LookupCache::put`] after reading the database.
    pub(super) fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// A cached answer, if the cache may be trusted and holds a fresh one.
    pub(super) fn get(&self, lookup: &Lookup) -> Option<Answer> {
        if !self.live.load(Ordering::Acquire) {
            return None;
        }
        let entries = self.entries.lock().expect("lookup cache lock");
        match entries.get(lookup) {
            Some((answer, at)) if at.elapsed() < self.ttl => Some(answer.clone()),
            _ => None,
        }
    }

    /// Keeps an answer read from the database when the generation was `generation`,
    /// unless the control plane changed since.
    pub(super) fn put(&self, lookup: Lookup, answer: Answer, generation: u64) {
        if !self.live.load(Ordering::Acquire) {
            return;
        }
        let mut entries = self.entries.lock().expect("lookup cache lock");
        // Checked under the lock that `invalidate` also takes, so an invalidation is
        // either seen here or comes after this insert and removes it.
        if self.generation.load(Ordering::Acquire) != generation {
            return;
        }
        if entries.len() >= CAPACITY {
            entries.clear();
        }
        entries.insert(lookup, (answer, Instant::now()));
    }

    /// Forgets everything.
    pub(super) fn invalidate(&self) {
        let mut entries = self.entries.lock().expect("lookup cache lock");
        self.generation.fetch_add(1, Ordering::AcqRel);
        entries.clear();
    }

    fn set_live(&self, live: bool) {
        self.invalidate();
        self.live.store(live, Ordering::Release);
        self.invalidate();
        if live {
            self.went_live.notify_waiters();
        }
    }

    /// Waits until the listener listens, for at most `limit`.
    pub(super) async fn wait_live(&self, limit: Duration) {
        let deadline = tokio::time::Instant::now() + limit;
        while !self.live.load(Ordering::Acquire) {
            let woken = self.went_live.notified();
            if self.live.load(Ordering::Acquire) {
                break;
            }
            // Re-checked now and then: a wake-up between the check and the wait is not lost
            // for longer than that.
            let step = (tokio::time::Instant::now() + Duration::from_millis(20)).min(deadline);
            if tokio::time::timeout_at(step, woken).await.is_err() && tokio::time::Instant::now() >= deadline {
                break;
            }
        }
    }
}

/// Listens for control-plane changes on its own connection to `url` for as long as the
/// cache exists, re-connecting after a failure.
pub(super) fn spawn_listener(cache: &Arc<LookupCache>, url: String) {
    let cache = Arc::downgrade(cache);
    tokio::spawn(async move {
        while cache.strong_count() > 0 {
            if let Err(error) = listen(&cache, &url).await {
                tracing::warn!(%error, "control-plane listener stopped; lookups bypass the cache until it is back");
            }
            if let Some(cache) = cache.upgrade() {
                cache.set_live(false);
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    });
}

/// One listening session: returns when the connection ends or the cache is gone.
async fn listen(cache: &Weak<LookupCache>, url: &str) -> Result<(), tokio_postgres::Error> {
    let (client, mut connection) = tokio_postgres::connect(url, tokio_postgres::NoTls).await?;
    // The connection delivers notifications only while it is polled: a task drives it
    // and hands its messages over.
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let driver = tokio::spawn(async move {
        let mut messages = std::pin::pin!(futures_util::stream::poll_fn(move |cx| connection.poll_message(cx)));
        while let Some(message) = messages.next().await {
            let failed = message.is_err();
            if tx.send(message).is_err() || failed {
                break;
            }
        }
    });
    let result = async {
        client.batch_execute(&format!("LISTEN {CHANNEL}")).await?;
        match cache.upgrade() {
            Some(cache) => cache.set_live(true),
            None => return Ok(()),
        }
        loop {
            match tokio::time::timeout(Duration::from_secs(30), rx.recv()).await {
                Err(_idle) if cache.strong_count() > 0 => {}
                Err(_idle) => return Ok(()),
                Ok(Some(Ok(AsyncMessage::Notification(_)))) => match cache.upgrade() {
                    Some(cache) => cache.invalidate(),
                    None => return Ok(()),
                },
                Ok(Some(Ok(_notice))) => {}
                Ok(Some(Err(error))) => return Err(error),
                Ok(None) => return Ok(()),
            }
        }
    }
    .await;
    driver.abort();
    result
}
