//! What sits between storegraph and PostgreSQL: nothing, a session pooler or a
//! transaction pooler (PgBouncer's `pool_mode`), and the startup check that the setting
//! tells the truth. Behind a transaction pooler every statement of one client session may
//! run on another server backend, so nothing may rely on session state there: the tenant's
//! `search_path` is set per transaction and no statement is kept prepared (see
//! `pool.rs` and `tenant_conn.rs`). Serving with the session-state fast path through a
//! transaction pooler would mix tenants, so it is refused.

use std::time::Duration;

use anyhow::{Context as _, bail};
use tokio_postgres::{Client, SimpleQueryMessage};

/// What sits between the server and PostgreSQL.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum PoolerMode {
    /// A direct connection: session state is kept per connection.
    #[default]
    None,
    /// A session pooler (PgBouncer `pool_mode = session`): one backend per client session,
    /// so session state is kept like with a direct connection.
    Session,
    /// A transaction pooler (PgBouncer `pool_mode = transaction`): the backend may change
    /// after every transaction. The tenant's path is set per transaction and no statement
    /// stays prepared.
    Transaction,
}

impl PoolerMode {
    /// Whether each request must run in a transaction of its own that sets its path.
    pub fn per_transaction(self) -> bool {
        self == PoolerMode::Transaction
    }

    /// Whether LISTEN works on a connection of this URL (not behind a transaction pooler).
    pub fn can_listen(self) -> bool {
        self != PoolerMode::Transaction
    }
}

/// The custom setting the probe leaves on a session.
const PROBE_SETTING: &str = "storegraph.pooler_probe";
/// How long a probe statement may wait for a backend before the wait itself counts as a
/// sign of a pooler.
const PROBE_WAIT: Duration = Duration::from_secs(3);

/// Refuses to go on when `mode` says there is no transaction pooler but the URL leads
/// through one.
pub async fn refuse_undeclared_transaction_pooler(url: &str, mode: PoolerMode) -> anyhow::Result<()> {
    if mode.per_transaction() {
        return Ok(());
    }
    if is_transaction_pooler(url).await? {
        bail!(
            "the database URL leads through a transaction pooler (sessions do not keep their \
             settings between transactions), but --pooler is '{}': serving like this would \
             mix tenants. Start with --pooler transaction (STOREGRAPH_POOLER=transaction), \
             or use a direct or session-pooled URL",
            match mode {
                PoolerMode::None => "none",
                _ => "session",
            }
        );
    }
    Ok(())
}

/// Whether the sessions of `url` lose their state between transactions. Client session A
/// leaves a random value in a session setting and reads its backend's pid; session B,
/// inside a transaction it keeps open, reads the setting (a transaction pooler tends to
/// hand B the backend A just left); then A reads both again while B holds its backend. With
/// sessions of their own, B never sees A's value and A sees its own value on the same
/// backend. Only the simple query protocol is used, which every pooler passes through.
pub async fn is_transaction_pooler(url: &str) -> anyhow::Result<bool> {
    let a = open(url).await?;
    let b = open(url).await?;
    let token = uuid::Uuid::new_v4().simple().to_string();
    let first =
        values(&a, &format!("SELECT set_config('{PROBE_SETTING}', '{token}', false), pg_backend_pid()")).await?;
    let seen_by_b = tokio::time::timeout(
        PROBE_WAIT,
        values(&b, &format!("BEGIN; SELECT current_setting('{PROBE_SETTING}', true), pg_backend_pid()")),
    )
    .await;
    let seen_by_b = match seen_by_b {
        Ok(values) => values?,
        // B could not get a backend while A is idle: sessions are pinned to backends (a
        // session pooler with too few of them), not a transaction pooler.
        Err(_) => bail!("a second connection to the database got no backend within {PROBE_WAIT:?}"),
    };
    if seen_by_b.first().is_some_and(|value| value == &token) {
        return Ok(true);
    }
    let again = tokio::time::timeout(
        PROBE_WAIT,
        values(&a, &format!("SELECT current_setting('{PROBE_SETTING}', true), pg_backend_pid()")),
    )
    .await;
    let _ = b.simple_query("ROLLBACK").await;
    match again {
        // A's session was idle and had to wait for a backend: backends are lent per transaction.
        Err(_) => Ok(true),
        Ok(again) => {
            let again = again?;
            Ok(again.first() != Some(&token) || again.get(1) != first.get(1))
        }
    }
}

async fn open(url: &str) -> anyhow::Result<Client> {
    let (client, connection) =
        tokio_postgres::connect(url, tokio_postgres::NoTls).await.context("cannot connect to PostgreSQL")?;
    tokio::spawn(async move {
        let _ = connection.await;
    });
    Ok(client)
}

/// The values of the last row `sql` returns, as text.
async fn values(client: &Client, sql: &str) -> anyhow::Result<Vec<String>> {
    let mut last = Vec::new();
    for message in client.simple_query(sql).await? {
        if let SimpleQueryMessage::Row(row) = message {
            last = (0..row.len()).map(|i| row.get(i).unwrap_or_default().to_owned()).collect();
        }
    }
    Ok(last)
}
