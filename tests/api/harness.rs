//! The test harness: a real PostgreSQL (`TEST_DATABASE_URL`, else a throwaway cluster
//! started once per test process), a database of its own for every test (cloned from a
//! migrated template, dropped when the test ends), and the real HTTP server on a free port.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use serde_json::{Value, json};
use storegraph::db::embedded::{ClusterOptions, EmbeddedPostgres};
use storegraph::db::{Database, PoolConfig, migrate};
use storegraph::graphql::Limits;
use storegraph::tenancy::{self, ControlPlane, Role, Slug};

/// `postgres://user@host:port` of the server the tests use, without a database name.
pub fn server_base() -> &'static str {
    static BASE: OnceLock<String> = OnceLock::new();
    BASE.get_or_init(|| {
        if let Ok(url) = std::env::var("TEST_DATABASE_URL") {
            return url.rsplit_once('/').map(|(base, _)| base.to_owned()).unwrap_or(url);
        }
        sweep_stale_clusters();
        let dir = std::env::temp_dir().join(format!("storegraph-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let cluster = EmbeddedPostgres::start(&ClusterOptions::throwaway(dir)).expect("start test cluster");
        let base = cluster.url("").trim_end_matches('/').to_owned();
        // The cluster lives as long as the process; its parent-death signal stops it then.
        std::mem::forget(cluster);
        base
    })
}

/// Removes the folders of test clusters whose process has ended.
fn sweep_stale_clusters() {
    let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = name.strip_prefix("storegraph-test-").and_then(|p| p.parse::<u32>().ok()) else {
            continue;
        };
        if !std::path::Path::new(&format!("/proc/{pid}")).exists() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// The name of the migrated template database, created once per process.
async fn template() -> &'static str {
    static TEMPLATE: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    TEMPLATE
        .get_or_init(|| async {
            let name = format!("storegraph_tpl_{}", std::process::id());
            let mut admin = admin_conn().await;
            sweep_stale_databases(&mut admin).await;
            diesel::sql_query(format!("DROP DATABASE IF EXISTS {name}")).execute(&mut admin).await.unwrap();
            diesel::sql_query(format!("CREATE DATABASE {name}")).execute(&mut admin).await.unwrap();
            let url = format!("{}/{name}", server_base());
            tokio::task::spawn_blocking(move || {
                let mut conn = migrate::connect_blocking(&url).unwrap();
                migrate::migrate_control_blocking(&mut conn).unwrap();
            })
            .await
            .unwrap();
            // Nothing may stay connected to a template while it is cloned.
            diesel::sql_query(format!("ALTER DATABASE {name} WITH ALLOW_CONNECTIONS false"))
                .execute(&mut admin)
                .await
                .unwrap();
            name
        })
        .await
}

/// Drops the databases of test processes that have ended (on a shared `TEST_DATABASE_URL`
/// server, a killed run would otherwise leave them behind).
async fn sweep_stale_databases(admin: &mut AsyncPgConnection) {
    diesel::table! { pg_database (datname) { datname -> Text } }
    let names: Vec<String> = pg_database::table
        .select(pg_database::datname)
        .filter(pg_database::datname.like("storegraph\\_t%"))
        .load(admin)
        .await
        .unwrap();
    for name in names {
        let pid = name.split('_').nth(2).and_then(|p| p.parse::<u32>().ok());
        if pid.is_some_and(|pid| !std::path::Path::new(&format!("/proc/{pid}")).exists()) {
            let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(admin).await;
        }
    }
}

async fn admin_conn() -> AsyncPgConnection {
    AsyncPgConnection::establish(&format!("{}/postgres", server_base())).await.expect("connect to test server")
}

/// A test's own database with the server running on it.
pub struct TestApp {
    /// Base URL of the HTTP server, e.g. `http://127.0.0.1:41234`.
    pub base: String,
    /// URL of the test's database.
    pub db_url: String,
    /// The pool the server uses.
    pub db: Database,
    /// HTTP client.
    pub http: reqwest::Client,
    db_name: String,
}

/// A tenant made for a test, with one key of each role.
#[derive(Clone)]
pub struct TestTenant {
    pub slug: String,
    pub admin: String,
    pub storefront: String,
}

impl TestApp {
    /// A fresh database and server with the default pool.
    pub async fn start() -> Self {
        Self::start_with(PoolConfig::default(), Limits::default()).await
    }

    /// A fresh database and server whose pool has one connection, so which connection a
    /// request gets (and the tenant it last served) is known.
    pub async fn one_connection() -> Self {
        Self::start_with(PoolConfig { max_size: 1, ..PoolConfig::default() }, Limits::default()).await
    }

    /// A fresh database and server with this pool and these limits.
    pub async fn start_with(pool: PoolConfig, limits: Limits) -> Self {
        Self::start_routed(pool, limits, |db_url| (db_url.to_owned(), None)).await
    }

    /// A fresh database, and a server whose pools reach it through the URL `route` gives
    /// for the database's direct URL (say, a pooler in front of it), with the direct URL
    /// it also gives, if any. The test's own helpers (`tenant`, `sql_count`) go direct.
    pub async fn start_routed(
        pool: PoolConfig,
        limits: Limits,
        route: impl FnOnce(&str) -> (String, Option<String>),
    ) -> Self {
        let (db_name, db_url) = fresh_database().await;
        let (server_url, direct_url) = route(&db_url);
        let db = Database::connect(&server_url, &pool).await.unwrap().with_direct_url(direct_url);
        let app = storegraph::server::app(db.clone(), limits, serde_json::Map::new()).await;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        let http = reqwest::Client::builder().timeout(Duration::from_secs(60)).build().unwrap();
        Self { base, db_url, db, http, db_name }
    }

    /// Creates tenant `slug` with an admin and a storefront key.
    pub async fn tenant(&self, slug: &str) -> TestTenant {
        let tenant = tenancy::create_tenant(&self.db_url, slug, &format!("Tenant {slug}")).await.unwrap();
        let control = self.control();
        let (_, admin) = control.create_key(&tenant, Role::Admin, "test", None).await.unwrap();
        let (_, storefront) = control.create_key(&tenant, Role::Storefront, "test", None).await.unwrap();
        TestTenant { slug: slug.to_owned(), admin: admin.secret, storefront: storefront.secret }
    }

    /// The control plane of the test database.
    pub fn control(&self) -> ControlPlane {
        ControlPlane::new(self.db.control.clone())
    }

    /// Looks a tenant up in the control plane.
    pub async fn tenant_row(&self, slug: &str) -> tenancy::Tenant {
        self.control().tenant_by_slug(&Slug::parse(slug).unwrap()).await.unwrap().unwrap()
    }

    /// POSTs a GraphQL request with extra headers and returns the HTTP status and body.
    pub async fn post(&self, headers: &[(&str, &str)], query: &str, variables: Value) -> (u16, Value) {
        let mut request = self.http.post(format!("{}/graphql", self.base));
        for (name, value) in headers {
            // from_bytes lets a test send any bytes a client could, non-ASCII included.
            request = request.header(*name, reqwest::header::HeaderValue::from_bytes(value.as_bytes()).unwrap());
        }
        let response = request.json(&json!({ "query": query, "variables": variables })).send().await.unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap())
    }

    /// A GraphQL request with a bearer token.
    pub async fn gql(&self, token: &str, query: &str, variables: Value) -> Value {
        self.post(&[("authorization", &format!("Bearer {token}"))], query, variables).await.1
    }

    /// Sends a GraphQL request until `done` holds of the answer (for at most 5 s) and
    /// returns the last answer. A change another process makes to the control plane (a
    /// revoked key, a suspended tenant) reaches the server's cached lookups by a
    /// notification, a moment after it commits.
    pub async fn gql_until(&self, token: &str, query: &str, variables: Value, done: impl Fn(&Value) -> bool) -> Value {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        loop {
            let body = self.gql(token, query, variables.clone()).await;
            if done(&body) || std::time::Instant::now() > deadline {
                return body;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
    }

    /// Creates a store through the API and asserts it worked.
    pub async fn store(&self, token: &str, code: &str, domain: Option<&str>) -> Value {
        let body = self
            .gql(
                token,
                STORE_CREATE,
                json!({ "input": {
                    "code": code, "name": format!("Store {code}"), "domain": domain, "defaultCurrency": "EUR"
                }}),
            )
            .await;
        assert_eq!(body["data"]["storeCreate"]["userErrors"], json!([]), "{body}");
        body["data"]["storeCreate"]["store"].clone()
    }

    /// One SQL query on the test database, for assertions about what was written.
    pub async fn sql_count(&self, sql: &str) -> i64 {
        #[derive(QueryableByName)]
        struct Count {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        let mut conn = AsyncPgConnection::establish(&self.db_url).await.unwrap();
        let row: Count = diesel::sql_query(sql).get_result(&mut conn).await.unwrap();
        row.n
    }
}

/// A new database cloned from the migrated template: its name and URL. It is not dropped
/// by itself (a [`TestApp`] drops its own).
pub async fn fresh_database() -> (String, String) {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let template = template().await;
    let db_name = format!("storegraph_test_{}_{}", std::process::id(), COUNTER.fetch_add(1, Ordering::SeqCst));
    let mut admin = admin_conn().await;
    diesel::sql_query(format!("CREATE DATABASE {db_name} TEMPLATE {template}")).execute(&mut admin).await.unwrap();
    let db_url = format!("{}/{db_name}", server_base());
    (db_name, db_url)
}

/// The `extensions.code` of the first error of a response.
pub fn error_code(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"].as_str().unwrap_or_else(|| panic!("no error code in {body}"))
}

pub const STORE_CREATE: &str = "mutation($input: StoreCreateInput!) { storeCreate(input: $input) {
    store { id code name domain locale defaultCurrency theme active }
    userErrors { field code message } } }";

pub const STORE_CODES: &str = "{ tenant { slug } stores(first: 100) { edges { node { code } } } }";

/// The store codes of a `STORE_CODES` response.
pub fn store_codes(body: &Value) -> Vec<String> {
    body["data"]["stores"]["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("no stores in {body}"))
        .iter()
        .map(|edge| edge["node"]["code"].as_str().unwrap().to_owned())
        .collect()
}

impl Drop for TestApp {
    fn drop(&mut self) {
        let name = self.db_name.clone();
        let base = server_base().to_owned();
        // Drop the database from a thread of its own: Drop cannot await.
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            runtime.block_on(async {
                if let Ok(mut conn) = AsyncPgConnection::establish(&format!("{base}/postgres")).await {
                    let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .execute(&mut conn)
                        .await;
                }
            });
        })
        .join();
    }
}
