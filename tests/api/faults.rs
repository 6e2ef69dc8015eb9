//! Faults answered as such, not as bugs: a restart of PostgreSQL under load, connections
//! the server closed, statement and pool timeouts, one tenant's slow requests, requests
//! dropped mid-query, and a shutdown with a client stalled mid-body.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};
use futures_util::future::join_all;
use serde_json::{Value, json};
use storegraph::db::embedded::{self, ClusterOptions, EmbeddedPostgres};
use storegraph::db::{Database, PoolConfig, TenantSchema, migrate, tenant_connection};
use storegraph::graphql::Limits;
use storegraph::tenancy::{ControlPlane, Role, Slug};

use crate::harness::{STORE_CODES, TestApp, error_code, store_codes};

/// Holds an exclusive lock on a tenant's `stores` table until dropped, so that requests
/// reading stores wait.
async fn lock_stores(app: &TestApp, slug: &str) -> AsyncPgConnection {
    let mut conn = AsyncPgConnection::establish(&app.db_url).await.unwrap();
    conn.batch_execute(&format!("BEGIN; LOCK TABLE t_{slug}.stores IN ACCESS EXCLUSIVE MODE")).await.unwrap();
    conn
}

/// Waits (at most 20 s) until `n` backends of the test database wait for a lock.
async fn until_waiting_for_lock(app: &TestApp, n: i64) {
    let deadline = Instant::now() + Duration::from_secs(20);
    let sql =
        "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'";
    while app.sql_count(sql).await < n {
        assert!(Instant::now() < deadline, "{n} requests never waited for the lock");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_statement_timeout_is_a_retryable_timeout() {
    let pool = PoolConfig { statement_timeout: Duration::from_millis(300), ..PoolConfig::default() };
    let app = TestApp::start_with(pool, Limits::default()).await;
    let t = app.tenant("slow_st").await;
    let lock = lock_stores(&app, "slow_st").await;
    let body = app.gql(&t.storefront, STORE_CODES, json!({})).await;
    assert_eq!(error_code(&body), "TIMEOUT", "{body}");
    assert_eq!(body["errors"][0]["extensions"]["retryable"], true, "{body}");
    drop(lock);
    let body = app.gql(&t.storefront, STORE_CODES, json!({})).await;
    assert!(body["errors"].is_null(), "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_tenants_slow_requests_leave_the_pool_to_the_others() {
    let pool = PoolConfig {
        max_size: 4,
        tenant_share: Some(2),
        share_wait: Duration::from_millis(300),
        ..PoolConfig::default()
    };
    let app = TestApp::start_with(pool, Limits::default()).await;
    let hog = app.tenant("hog").await;
    let other = app.tenant("other").await;
    app.store(&other.admin, "web", None).await;
    let lock = lock_stores(&app, "hog").await;
    // The hog's requests take its whole share and wait on the lock.
    let stuck: Vec<_> = (0..2)
        .map(|_| {
            let (http, base, token) = (app.http.clone(), app.base.clone(), hog.storefront.clone());
            tokio::spawn(async move {
                let response = http
                    .post(format!("{base}/graphql"))
                    .bearer_auth(token)
                    .json(&json!({ "query": STORE_CODES }))
                    .send()
                    .await
                    .unwrap();
                response.json::<Value>().await.unwrap()
            })
        })
        .collect();
    until_waiting_for_lock(&app, 2).await;
    // One more of the hog's is told to come back later, and does not hang.
    let body = app.gql(&hog.storefront, STORE_CODES, json!({})).await;
    assert_eq!(error_code(&body), "BUSY", "{body}");
    assert_eq!(body["errors"][0]["extensions"]["retryable"], true, "{body}");
    // Everyone else is served meanwhile.
    let others = join_all((0..20).map(|_| app.gql(&other.storefront, STORE_CODES, json!({})))).await;
    for body in others {
        assert_eq!(store_codes(&body), ["web"], "{body}");
    }
    drop(lock);
    for body in join_all(stuck).await {
        let body = body.unwrap();
        assert!(body["errors"].is_null(), "{body}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_the_server_closed_cost_no_request() {
    let app = TestApp::start().await;
    let t = app.tenant("closed").await;
    app.store(&t.admin, "web", None).await;
    // Several pooled connections, all on this tenant's path.
    for body in join_all((0..12).map(|_| app.gql(&t.storefront, STORE_CODES, json!({})))).await {
        assert_eq!(store_codes(&body), ["web"], "{body}");
    }
    // The backends open now are terminated; the pool may open new ones meanwhile (those
    // are left alone and not waited for).
    let now = app.sql_count("SELECT (extract(epoch FROM clock_timestamp()) * 1000000)::bigint AS n").await;
    let before = format!(
        "FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() \
         AND backend_start < to_timestamp({now} / 1000000.0)"
    );
    let terminated = app.sql_count(&format!("SELECT count(pg_terminate_backend(pid)) AS n {before}")).await;
    assert!(terminated > 2, "{terminated}");
    let others = format!("SELECT count(*) AS n {before}");
    let others = others.as_str();
    let deadline = Instant::now() + Duration::from_secs(20);
    while app.sql_count(others).await > 0 {
        assert!(Instant::now() < deadline, "terminated backends did not go");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    for i in 0..30 {
        let body = app.gql(&t.storefront, STORE_CODES, json!({})).await;
        assert_eq!(store_codes(&body), ["web"], "request {i}: {body}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dropped_request_cancels_its_statement() {
    let app = TestApp::start().await;
    app.tenant("dropped").await;
    let schema = TenantSchema::for_slug(&Slug::parse("dropped").unwrap());
    let pool = app.db.pool.clone();
    let task = tokio::spawn(async move {
        let mut conn = tenant_connection(&pool, &schema).await.unwrap();
        let _ = diesel::sql_query("SELECT pg_sleep(60)").execute(&mut *conn).await;
    });
    let sleeping = "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() \
                    AND state = 'active' AND query = 'SELECT pg_sleep(60)'";
    let deadline = Instant::now() + Duration::from_secs(20);
    while app.sql_count(sleeping).await == 0 {
        assert!(Instant::now() < deadline, "the statement never started");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    task.abort();
    let _ = task.await;
    // Cancelled at once; without the cancel it would run its full minute.
    let deadline = Instant::now() + Duration::from_secs(20);
    while app.sql_count(sleeping).await > 0 {
        assert!(Instant::now() < deadline, "the dropped request's statement kept running");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// What one request of the restart test met.
struct Outcome {
    started: Instant,
    finished: Instant,
    code: Option<String>,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_restart_under_load_fails_only_requests_in_the_outage() {
    // A cluster of the test's own, on a fixed port so it comes back where it was.
    let dir = std::env::temp_dir().join(format!("storegraph-restart-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let mut options = ClusterOptions::throwaway(dir.clone());
    options.port = Some(std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port());
    let start = {
        let options = options.clone();
        move || EmbeddedPostgres::start(&options).unwrap()
    };
    let cluster = tokio::task::spawn_blocking(start.clone()).await.unwrap();
    embedded::ensure_database(&cluster.url("postgres"), "restart").await.unwrap();
    let url = cluster.url("restart");
    migrate::migrate_all(&url, 1).await.unwrap();
    let tenant = storegraph::tenancy::create_tenant(&url, "restart", "Restart").await.unwrap();
    let db = Database::connect(&url, &PoolConfig { max_size: 8, ..PoolConfig::default() }).await.unwrap();
    let (_, admin) = ControlPlane::new(db.control.clone()).create_key(&tenant, Role::Admin, "t", None).await.unwrap();
    let router = storegraph::server::app(db, Limits::default(), serde_json::Map::new()).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    let http = reqwest::Client::builder().timeout(Duration::from_secs(30)).build().unwrap();

    let stop = Arc::new(AtomicBool::new(false));
    let clients: Vec<_> = (0..6)
        .map(|_| {
            let (http, base, token, stop) = (http.clone(), base.clone(), admin.secret.clone(), Arc::clone(&stop));
            tokio::spawn(async move {
                let mut outcomes = Vec::new();
                while !AtomicBool::load(&stop, Ordering::Relaxed) {
                    let started = Instant::now();
                    let sent = http
                        .post(format!("{base}/graphql"))
                        .bearer_auth(&token)
                        .json(&json!({ "query": STORE_CODES }))
                        .send()
                        .await;
                    let code = match sent {
                        Ok(response) => {
                            let body: Value = response.json().await.unwrap();
                            body["errors"][0]["extensions"]["code"].as_str().map(str::to_owned).or_else(|| {
                                (body["data"]["tenant"]["slug"] != "restart").then(|| format!("wrong answer {body}"))
                            })
                        }
                        Err(error) => Some(format!("transport: {error}")),
                    };
                    outcomes.push(Outcome { started, finished: Instant::now(), code });
                    tokio::time::sleep(Duration::from_millis(5)).await;
                }
                outcomes
            })
        })
        .collect();

    tokio::time::sleep(Duration::from_secs(1)).await;
    let down_at = Instant::now();
    tokio::task::spawn_blocking(move || cluster.stop()).await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let ready_while_down = http.get(format!("{base}/readyz")).send().await.unwrap().status().as_u16();
    tokio::time::sleep(Duration::from_millis(700)).await;
    let cluster = tokio::task::spawn_blocking(start).await.unwrap();
    let back_at = Instant::now();
    tokio::time::sleep(Duration::from_secs(3)).await;
    let ready_after = http.get(format!("{base}/readyz")).send().await.unwrap().status().as_u16();
    stop.store(true, Ordering::Relaxed);
    let outcomes: Vec<Outcome> = join_all(clients).await.into_iter().flat_map(Result::unwrap).collect();

    let failed: Vec<&Outcome> = outcomes.iter().filter(|o| o.code.is_some()).collect();
    let first_success_after =
        outcomes.iter().filter(|o| o.started >= back_at && o.code.is_none()).map(|o| o.started - back_at).min();
    let late_failures: Vec<&Outcome> =
        failed.iter().copied().filter(|o| o.started > back_at + Duration::from_secs(1)).collect();
    let early_failures = failed.iter().filter(|o| o.finished < down_at).count();
    eprintln!(
        "restart under load: {} requests, {} failed (all while the database was down or within 1 s of its return), \
         first success {:?} after the database was back; outage {:?}",
        outcomes.len(),
        failed.len(),
        first_success_after,
        back_at - down_at
    );
    for outcome in &failed {
        assert_eq!(outcome.code.as_deref(), Some("DATABASE_UNAVAILABLE"), "a request failed otherwise");
        assert!(outcome.finished > down_at, "a request failed before the outage");
    }
    assert_eq!(early_failures, 0, "requests failed before the outage");
    assert!(late_failures.is_empty(), "{} requests failed over 1 s after the database was back", late_failures.len());
    assert_eq!(ready_while_down, 503);
    assert_eq!(ready_after, 200);
    tokio::task::spawn_blocking(move || cluster.stop()).await.unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_stops_at_its_deadline_with_a_client_stalled_mid_body() {
    use std::io::Write;
    let (_, url) = crate::harness::fresh_database().await;
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_storegraph"))
        .args([
            "serve",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--shutdown-timeout-secs",
            "1",
            "--database-url",
            &url,
        ])
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let http = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    while !http.get(format!("http://127.0.0.1:{port}/readyz")).send().await.is_ok_and(|r| r.status() == 200) {
        assert!(child.try_wait().unwrap().is_none(), "serve exited early");
        assert!(Instant::now() < deadline, "serve did not become ready");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // A request whose body never finishes arriving.
    let mut stalled = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    stalled
        .write_all(b"POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"query\":")
        .unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    nix::sys::signal::kill(nix::unistd::Pid::from_raw(child.id() as i32), nix::sys::signal::Signal::SIGTERM).unwrap();
    // Without the deadline it would wait for that body for ever.
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("serve still running 30 s after SIGTERM");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(status.success(), "{status}");
    drop(stalled);
}
