//! What the benchmark asks PostgreSQL itself: the statements the server sent (from
//! `pg_stat_statements`), and the backends serving the database with their memory.

use anyhow::Context as _;
use tokio_postgres::{Client, NoTls};

use super::load::status_kib;

/// An administrative connection of the benchmark's own (not one of the server's).
pub async fn connect(url: &str) -> anyhow::Result<Client> {
    let (client, connection) = tokio_postgres::connect(url, NoTls).await.context("cannot connect to PostgreSQL")?;
    tokio::spawn(async move {
        if let Err(error) = connection.await {
            eprintln!("benchmark connection ended: {error}");
        }
    });
    Ok(client)
}

/// One normalized statement and how often it ran since the last reset.
#[derive(Debug, Clone)]
pub struct Counted {
    /// The statement as pg_stat_statements normalizes it.
    pub query: String,
    /// How many times it ran.
    pub calls: i64,
    /// Its mean execution time inside PostgreSQL, in milliseconds.
    pub mean_ms: f64,
    /// Rows it returned per call.
    pub rows_per_call: f64,
}

/// Forgets what pg_stat_statements counted so far.
pub async fn reset_statements(admin: &Client) -> anyhow::Result<()> {
    admin.execute("SELECT pg_stat_statements_reset()", &[]).await.context("pg_stat_statements is not loaded")?;
    Ok(())
}

/// The statements counted since the last reset, most called first, leaving out the
/// benchmark's own (those that read the statistics).
pub async fn statements(admin: &Client) -> anyhow::Result<Vec<Counted>> {
    let rows = admin
        .query(
            "SELECT query, calls, mean_exec_time, rows::float8 / greatest(calls, 1) FROM pg_stat_statements
             WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
               AND query NOT LIKE '%pg_stat_statements%'
             ORDER BY calls DESC, query",
            &[],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| Counted { query: r.get(0), calls: r.get(1), mean_ms: r.get(2), rows_per_call: r.get(3) })
        .collect())
}

/// The client backends connected to this database (other than this connection) and their
/// private memory: the sum of `RssAnon` (memory of their own, not the shared buffers they
/// touched) from `/proc`.
pub async fn backends(admin: &Client) -> anyhow::Result<(usize, u64)> {
    let rows = admin
        .query(
            "SELECT pid FROM pg_stat_activity
             WHERE backend_type = 'client backend' AND datname = current_database() AND pid <> pg_backend_pid()",
            &[],
        )
        .await?;
    let mut total = 0;
    let mut count = 0;
    for row in rows {
        let pid: i32 = row.get(0);
        // A backend may end between the query and the read.
        if let Ok(kib) = status_kib(pid as u32, "RssAnon") {
            total += kib;
            count += 1;
        }
    }
    Ok((count, total))
}
