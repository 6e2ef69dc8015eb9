//! The raw-SQL ceiling: the statements the server sends for one storefront page, sent
//! straight to PostgreSQL as prepared statements by `concurrency` clients, with nothing
//! done with the rows. What the server reaches is reported as a share of this.
//!
//! The statements are taken from the server itself: for one page request PostgreSQL logs
//! every statement it runs with its parameters (`log_min_duration_statement = 0`, set for
//! that moment only), and the benchmark reads them back from the cluster's log. Each
//! client `PREPARE`s them once and then `EXECUTE`s them in the server's order with the
//! logged values, one round trip per statement as the server does.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use tokio_postgres::Client;

use super::load::{Summary, Window};
use super::pg::connect;

/// A statement the server ran, with its parameters as SQL literals (`'…'` or `NULL`).
#[derive(Debug, Clone)]
pub struct Captured {
    /// The statement text, with `$1`, `$2`, … placeholders.
    pub sql: String,
    /// The logged parameter values, in order.
    pub params: Vec<String>,
}

/// Turns statement logging on for the moment `during` runs, and returns the statements
/// the server's backends ran meanwhile (the admin connection's own are left out).
pub async fn capture<F: std::future::Future<Output = anyhow::Result<()>>>(
    admin: &Client,
    log: &Path,
    during: F,
) -> anyhow::Result<Vec<Captured>> {
    let own_pid: i32 = admin.query_one("SELECT pg_backend_pid()", &[]).await?.get(0);
    // ALTER SYSTEM runs outside transaction blocks: one statement per call.
    for statement in ["ALTER SYSTEM SET log_min_duration_statement = 0", "ALTER SYSTEM SET log_line_prefix = '@@%p@@ '"]
    {
        admin.batch_execute(statement).await?;
    }
    admin.batch_execute("SELECT pg_reload_conf()").await?;
    // Backends take the new settings between statements; give the signal time to land.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let start = std::fs::metadata(log).with_context(|| format!("cannot read {}", log.display()))?.len();
    let outcome = during.await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    for statement in ["ALTER SYSTEM RESET log_min_duration_statement", "ALTER SYSTEM RESET log_line_prefix"] {
        admin.batch_execute(statement).await?;
    }
    admin.batch_execute("SELECT pg_reload_conf()").await?;
    outcome?;
    let text = std::fs::read(log)?;
    let text = String::from_utf8_lossy(&text[start as usize..]);
    parse_log(&text, own_pid)
}

/// The `execute` (and simple `statement`) entries of a log written with the prefix
/// `@@<pid>@@ `, each with the parameters of the `DETAIL` line that follows it.
fn parse_log(text: &str, own_pid: i32) -> anyhow::Result<Vec<Captured>> {
    // Entries start with the prefix; continuation lines of a long statement do not.
    let mut entries: Vec<(i32, String)> = Vec::new();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("@@") {
            if let Some((pid, body)) = rest.split_once("@@ ") {
                entries.push((pid.parse().unwrap_or(0), body.to_owned()));
                continue;
            }
        }
        if let Some(last) = entries.last_mut() {
            last.1.push('\n');
            last.1.push_str(line.trim_start_matches('\t'));
        }
    }
    let mut captured: Vec<Captured> = Vec::new();
    let mut last_pid = None;
    for (pid, body) in entries {
        if pid == own_pid {
            continue;
        }
        if let Some(detail) = body.strip_prefix("DETAIL:  parameters: ") {
            if let (Some(entry), Some(last)) = (captured.last_mut(), last_pid) {
                if last == pid && entry.params.is_empty() {
                    entry.params = parse_params(detail)?;
                }
            }
            continue;
        }
        let Some(logged) = body.strip_prefix("LOG:  duration: ") else { continue };
        let Some((_, statement)) = logged.split_once(" ms  ") else { continue };
        let sql = if let Some(rest) = statement.strip_prefix("execute ") {
            rest.split_once(": ").map(|(_, sql)| sql)
        } else {
            statement.strip_prefix("statement: ")
        };
        if let Some(sql) = sql {
            captured.push(Captured { sql: sql.trim().to_owned(), params: Vec::new() });
            last_pid = Some(pid);
        }
    }
    if captured.is_empty() {
        bail!("the server's statements were not found in the log");
    }
    Ok(captured)
}

/// `$1 = 'a', $2 = NULL, …` into literals.
fn parse_params(detail: &str) -> anyhow::Result<Vec<String>> {
    let mut params = Vec::new();
    let mut rest = detail.trim();
    while !rest.is_empty() {
        let (_, after) = rest.split_once(" = ").context("unreadable parameters")?;
        if let Some(after_null) = after.strip_prefix("NULL") {
            params.push("NULL".to_owned());
            rest = after_null;
        } else {
            let body = after.strip_prefix('\'').context("unquoted parameter")?;
            let mut end = None;
            let bytes = body.as_bytes();
            let mut i = 0;
            while i < bytes.len() {
                if bytes[i] == b'\'' {
                    if bytes.get(i + 1) == Some(&b'\'') {
                        i += 2;
                        continue;
                    }
                    end = Some(i);
                    break;
                }
                i += 1;
            }
            let end = end.context("unterminated parameter")?;
            params.push(format!("'{}'", &body[..end]));
            rest = &body[end + 1..];
        }
        rest = rest.trim_start_matches(',').trim_start();
    }
    Ok(params)
}

/// Runs the captured page from `concurrency` connections (whose `search_path` is
/// `schema`, as the server's are) for `warmup` + `duration`.
pub async fn run(
    url: &str,
    schema: &str,
    page: &[Captured],
    concurrency: usize,
    warmup: Duration,
    duration: Duration,
) -> anyhow::Result<Summary> {
    let page = Arc::new(page.to_vec());
    let window = Window::start(warmup, duration);
    let mut workers = Vec::new();
    for _ in 0..concurrency {
        let (url, page, schema) = (url.to_owned(), Arc::clone(&page), schema.to_owned());
        workers.push(tokio::spawn(async move {
            let client = connect(&url).await?;
            client.execute("SELECT set_config('search_path', $1, false)", &[&schema]).await?;
            let mut executes = Vec::new();
            for (i, statement) in page.iter().enumerate() {
                client.batch_execute(&format!("PREPARE s{i} AS {}", statement.sql)).await?;
                executes.push(if statement.params.is_empty() {
                    format!("EXECUTE s{i}")
                } else {
                    format!("EXECUTE s{i}({})", statement.params.join(", "))
                });
            }
            let mut latencies = Vec::new();
            loop {
                let sent = Instant::now();
                if window.is_over(sent) {
                    break;
                }
                for execute in &executes {
                    client.simple_query(execute).await?;
                }
                let done = Instant::now();
                if window.counts(sent, done) {
                    latencies.push(done - sent);
                }
            }
            anyhow::Ok(latencies)
        }));
    }
    let mut latencies = Vec::new();
    for worker in workers {
        latencies.extend(worker.await.context("a ceiling client panicked")??);
    }
    window.summarize(latencies)
}

#[cfg(test)]
mod tests {
    #[test]
    fn parameters_keep_quotes_and_commas() {
        let params = super::parse_params("$1 = 'a, $2 = ''b''', $2 = NULL, $3 = '{x,y}'").unwrap();
        assert_eq!(params, ["'a, $2 = ''b'''", "NULL", "'{x,y}'"]);
    }
}
