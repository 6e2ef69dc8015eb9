//! The hostile requests of the hardening checklist, each sent to the release server
//! several times: how it is refused, how long the refusal takes, and the server's memory
//! (resident now and its peak) after each kind.

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::Report;
use crate::load::status_kib;

/// `{ ...F0 } fragment F0 on Query { ...F1 ...F1 } …`: a few hundred bytes, 2^levels leaves.
fn fan_out(levels: usize, leaf: &str) -> String {
    let mut document = String::from("{ ...F0 }");
    for level in 0..levels {
        document.push_str(&format!(" fragment F{level} on Query {{ ...F{next} ...F{next} }}", next = level + 1));
    }
    document.push_str(&format!(" fragment F{levels} on Query {{ {leaf} }}"));
    document
}

/// One kind of attack: a name, and the request body (or a raw oversized head).
enum Attack {
    Post { name: &'static str, token: bool, body: Vec<u8> },
    HugeBody { name: &'static str, length: u64 },
}

fn post(name: &'static str, token: bool, query: &str) -> Attack {
    Attack::Post { name, token, body: json!({ "query": query }).to_string().into_bytes() }
}

fn attacks() -> Vec<Attack> {
    let aliases = |n: usize| {
        let fields: String = (0..n)
            .map(|i| format!("a{i}: products(first: 0, filter: {{price: {{gte: \"1\"}}}}) {{ totalCount }} "))
            .collect();
        format!("{{ {fields} }}")
    };
    let operations: String = (0..300_000).map(|i| format!("query Q{i} {{ __typename }} ")).collect();
    vec![
        post("fragment fan-out, 22 levels, __typename leaf, no token", false, &fan_out(22, "__typename")),
        post("fragment fan-out, 30 levels, __typename leaf, no token", false, &fan_out(30, "__typename")),
        post("fragment fan-out, 30 levels, real field leaf", true, &fan_out(30, "stores(first: 1) { totalCount }")),
        Attack::HugeBody { name: "100 MB body (Content-Length announced)", length: 100 << 20 },
        post("9 MB document of 300,000 operations", false, &operations),
        post("1,000 aliases of products(filter: price) { totalCount }", true, &aliases(1_000)),
        post("90 aliases of products(filter: price) { totalCount } (under the alias limit)", true, &aliases(90)),
        post("30 operations", false, &(0..30).map(|i| format!("query Q{i} {{ __typename }} ")).collect::<String>()),
    ]
}

/// Sends one attack and returns (HTTP status, extensions.code, time to the answer).
async fn send(
    client: &reqwest::Client,
    url: &str,
    token: &str,
    attack: &Attack,
) -> anyhow::Result<(u16, String, Duration)> {
    let started = Instant::now();
    match attack {
        Attack::Post { token: with_token, body, .. } if body.len() <= 1 << 20 => {
            let mut request = client.post(url).header("content-type", "application/json").body(body.clone());
            if *with_token {
                request = request.bearer_auth(token);
            }
            let response = request.send().await?;
            let status = response.status().as_u16();
            let body: Value = response.json().await.unwrap_or(Value::Null);
            let code = body["errors"][0]["extensions"]["code"].as_str().unwrap_or("(served)").to_owned();
            Ok((status, code, started.elapsed()))
        }
        Attack::Post { body, .. } => raw(url, body.len() as u64, body).await.map(|(s, c)| (s, c, started.elapsed())),
        Attack::HugeBody { length, .. } => raw(url, *length, &[]).await.map(|(s, c)| (s, c, started.elapsed())),
    }
}

/// Sends a POST head announcing `length` bytes and as much of `body` as the server reads
/// before it answers (a refused body is not read to its end), and returns the status and
/// code of the answer.
async fn raw(url: &str, length: u64, body: &[u8]) -> anyhow::Result<(u16, String)> {
    let address = url.trim_start_matches("http://").split('/').next().unwrap_or_default().to_owned();
    let stream = tokio::net::TcpStream::connect(&address).await?;
    let (mut reader, mut writer) = stream.into_split();
    let head = format!(
        "POST /graphql HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\nContent-Length: {length}\r\n\r\n"
    );
    let mut bytes = head.into_bytes();
    bytes.extend_from_slice(body);
    // Written beside the read: the server may answer and close before it has read it all.
    let writing = tokio::spawn(async move {
        let _ = writer.write_all(&bytes).await;
        writer
    });
    let mut answer = vec![0u8; 4096];
    let read = tokio::time::timeout(Duration::from_secs(30), reader.read(&mut answer)).await??;
    writing.abort();
    let answer = String::from_utf8_lossy(&answer[..read]).into_owned();
    let status = answer.get(9..12).and_then(|s| s.parse().ok()).unwrap_or(0);
    let code = answer.split("\"code\":\"").nth(1).and_then(|s| s.split('"').next()).unwrap_or("?").to_owned();
    Ok((status, code))
}

/// Runs every attack `repeats` times against the server at `url` (process `pid`).
pub async fn run(url: &str, pid: u32, token: &str, repeats: usize, report: &mut Report) -> anyhow::Result<()> {
    let client = reqwest::Client::builder().timeout(Duration::from_secs(120)).build()?;
    report.line("");
    report.line(format!(
        "Hostile requests against the release server ({repeats} of each; RSS before: {} MiB):",
        status_kib(pid, "VmRSS")? / 1024
    ));
    report.line("");
    report.line("| request | answer | median time to answer | max | server RSS after | server peak RSS |");
    report.line("|---|---|---|---|---|---|");
    for attack in attacks() {
        let name = match &attack {
            Attack::Post { name, .. } | Attack::HugeBody { name, .. } => *name,
        };
        let mut times = Vec::with_capacity(repeats);
        let mut answer = String::new();
        for _ in 0..repeats {
            let (status, code, time) = send(&client, url, token, &attack).await?;
            answer = format!("{status} {code}");
            times.push(time);
        }
        times.sort();
        report.line(format!(
            "| {name} | {answer} | {:.2} ms | {:.2} ms | {} MiB | {} MiB |",
            times[times.len() / 2].as_secs_f64() * 1e3,
            times[times.len() - 1].as_secs_f64() * 1e3,
            status_kib(pid, "VmRSS")? / 1024,
            status_kib(pid, "VmHWM")? / 1024,
        ));
    }
    Ok(())
}
