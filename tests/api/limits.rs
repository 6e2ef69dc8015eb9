//! Requests that would stall the server are refused before they run, each with its own
//! code and status; every answer carries its cost and the caller's budget.

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use storegraph::db::PoolConfig;
use storegraph::graphql::Limits;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::harness::{TestApp, error_code};

/// `{ ...F0 } fragment F0 on Query { ...F1 ...F1 } … fragment F{n} on Query { leaf }`: a
/// few hundred bytes that expand to 2^n leaves.
fn fan_out(levels: usize, leaf: &str) -> String {
    let mut document = String::from("{ ...F0 }");
    for level in 0..levels {
        document.push_str(&format!(" fragment F{level} on Query {{ ...F{next} ...F{next} }}", next = level + 1));
    }
    document.push_str(&format!(" fragment F{levels} on Query {{ {leaf} }}"));
    document
}

#[tokio::test]
async fn a_fragment_fan_out_is_refused_before_it_is_expanded() {
    let app = TestApp::start().await;
    let t = app.tenant("fan_a").await;
    for leaf in ["__typename", "stores(first: 1) { totalCount }"] {
        let document = fan_out(30, leaf);
        assert!(document.len() < 2_000);
        let started = Instant::now();
        let (status, body) = app.post(&[], &document, json!({})).await;
        assert_eq!(status, 400, "{body}");
        assert_eq!(error_code(&body), "QUERY_TOO_COMPLEX", "{body}");
        assert!(body.get("data").is_none(), "{body}");
        // Refused at once (the expanded tree has 2^30 leaves); generous for a debug build.
        assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
        let (_, body) = app.post(&[("authorization", &format!("Bearer {}", t.storefront))], &document, json!({})).await;
        assert_eq!(error_code(&body), "QUERY_TOO_COMPLEX", "{body}");
    }
    // A fragment that spreads itself is refused too, not followed for ever.
    let (_, body) =
        app.post(&[], "{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }", json!({})).await;
    assert_eq!(error_code(&body), "GRAPHQL_VALIDATION_FAILED", "{body}");
    // The server is still answering.
    assert_eq!(app.post(&[], "{ __typename }", json!({})).await.1["data"]["__typename"], "Query");
}

#[tokio::test]
async fn a_huge_body_is_refused_without_being_read() {
    let app = TestApp::start().await;
    let address = app.base.trim_start_matches("http://").to_owned();
    let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
    let head = format!(
        "POST /graphql HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        100u64 << 20
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(br#"{"query":"{ __typename }","#).await.unwrap();
    // Only the head and a few bytes were sent: the answer comes without the other 100 MB.
    let mut answer = vec![0u8; 4096];
    let read = tokio::time::timeout(Duration::from_secs(10), stream.read(&mut answer)).await.unwrap().unwrap();
    let answer = String::from_utf8_lossy(&answer[..read]);
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains("REQUEST_TOO_LARGE"), "{answer}");
    assert!(answer.to_ascii_lowercase().contains("x-request-id:"), "{answer}");

    // A chunked body (no length announced) is cut off at the limit as it streams in.
    let small = TestApp::start_with(PoolConfig::default(), Limits { max_body_bytes: 1_000, ..Limits::default() }).await;
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> = (0..100).map(|_| Ok(vec![b' '; 100])).collect();
    let response = small
        .http
        .post(format!("{}/graphql", small.base))
        .header("content-type", "application/json")
        .body(reqwest::Body::wrap_stream(futures_util::stream::iter(chunks)))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 413);
}

#[tokio::test]
async fn documents_over_their_limits_are_refused_with_their_code() {
    let app = TestApp::start().await;
    let t = app.tenant("doc_a").await;
    let auth = format!("Bearer {}", t.storefront);
    let headers = [("authorization", auth.as_str())];
    let long = format!("{{ __typename {} }}", "# padding\n".repeat(20_000));
    let many_tokens = format!("{{ {} }}", "__typename ".repeat(20_000));
    let operations: String = (0..30).map(|i| format!("query Q{i} {{ __typename }} ")).collect();
    let aliases: String = (0..500)
        .map(|i| format!("a{i}: products(first: 0, filter: {{price: {{gte: \"1\"}}}}) {{ totalCount }} "))
        .collect();
    let aliases = format!("{{ {aliases} }}");
    let directives = format!(
        "{{ {} }}",
        (0..60).map(|i| format!("a{i}: __typename @include(if: true)")).collect::<Vec<_>>().join(" ")
    );
    let deep = format!(
        "{}{}",
        "{ __schema { types { fields { type { ofType { ofType { ofType { ofType { ofType { ofType { ofType { ofType { ofType { ofType { ofType { ofType { name ",
        "} ".repeat(17)
    );
    for (document, status, code) in [
        (long.as_str(), 413, "DOCUMENT_TOO_LARGE"),
        (&many_tokens, 413, "DOCUMENT_TOO_LARGE"),
        (&operations, 400, "TOO_MANY_OPERATIONS"),
        (&aliases, 400, "TOO_MANY_ALIASES"),
        (&directives, 400, "TOO_MANY_DIRECTIVES"),
        (&deep, 400, "QUERY_TOO_DEEP"),
    ] {
        let (got, body) = app.post(&headers, document, json!({})).await;
        assert_eq!((got, error_code(&body)), (status, code), "{body}");
    }

    // Within the alias limit, the cost still counts every aliased totalCount and filter.
    let loose = TestApp::start_with(PoolConfig::default(), Limits { max_aliases: 10_000, ..Limits::default() }).await;
    let t = loose.tenant("doc_b").await;
    let (status, body) =
        loose.post(&[("authorization", &format!("Bearer {}", t.storefront))], &aliases, json!({})).await;
    assert_eq!((status, error_code(&body)), (400, "QUERY_TOO_COMPLEX"), "{body}");
    assert!(body["errors"][0]["message"].as_str().unwrap().contains("points"), "{body}");
}

/// The top-level `extensions.cost` of a response.
fn cost(body: &Value) -> &Value {
    &body["extensions"]["cost"]
}

#[tokio::test]
async fn budgets_throttle_a_tenant_and_refill() {
    let limits = Limits { tenant_budget: 100, tenant_restore_rate: 50, ..Limits::default() };
    let app = TestApp::start_with(PoolConfig::default(), limits).await;
    let a = app.tenant("budget_a").await;
    let b = app.tenant("budget_b").await;
    app.store(&a.admin, "main", None).await;
    // 2 for the connection, 10 for totalCount, and 10 nodes of one point each: 22.
    let page = "{ stores(first: 10) { totalCount edges { node { code } } } }";
    let first = app.gql(&a.admin, page, json!({})).await;
    assert_eq!(cost(&first)["requestedQueryCost"], 22, "{first}");
    // One store was served, not ten: the unused points go back.
    assert_eq!(cost(&first)["actualQueryCost"], 13, "{first}");
    assert_eq!(cost(&first)["throttleStatus"]["maximumAvailable"], 100);
    assert_eq!(cost(&first)["throttleStatus"]["restoreRate"], 50);

    let mut throttled = None;
    for _ in 0..30 {
        let response = app
            .http
            .post(format!("{}/graphql", app.base))
            .bearer_auth(&a.admin)
            .json(&json!({ "query": page }))
            .send()
            .await
            .unwrap();
        if response.status() == 429 {
            throttled = Some(response);
            break;
        }
    }
    let response = throttled.expect("the budget of 100 points ran out");
    let retry_after: u64 = response.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=2).contains(&retry_after), "{retry_after}");
    let body: Value = response.json().await.unwrap();
    assert_eq!(error_code(&body), "THROTTLED");
    assert_eq!(body["errors"][0]["extensions"]["retryable"], true);
    assert!(body.get("data").is_none());
    assert!(cost(&body)["throttleStatus"]["currentlyAvailable"].as_u64().unwrap() < 22, "{body}");

    // Another tenant is not affected.
    let other = app.gql(&b.admin, page, json!({})).await;
    assert!(other["errors"].is_null(), "{other}");

    tokio::time::sleep(Duration::from_secs(retry_after)).await;
    let served = app.gql(&a.admin, page, json!({})).await;
    assert!(served["errors"].is_null(), "{served}");
    assert_eq!(served["data"]["stores"]["totalCount"], 1);
}

#[tokio::test]
async fn anonymous_requests_have_a_budget_of_their_own() {
    let limits = Limits {
        anonymous_budget: 30,
        anonymous_restore_rate: 1,
        // Less than the anonymous requests below would take if they were charged to the tenant.
        tenant_budget: 10,
        tenant_restore_rate: 0,
        ..Limits::default()
    };
    let app = TestApp::start_with(PoolConfig::default(), limits).await;
    let t = app.tenant("anon_a").await;
    let query = "{ __schema { types { name fields { name } } } }";
    let mut codes = Vec::new();
    for i in 0..20 {
        // A bare X-Tenant or a forged token pays from the anonymous bucket, not the tenant's.
        let headers: &[(&str, &str)] = match i % 3 {
            0 => &[],
            1 => &[("x-tenant", "anon_a")],
            _ => &[("authorization", "Bearer forged")],
        };
        let (status, body) = app.post(headers, query, json!({})).await;
        codes.push(if status == 429 { error_code(&body).to_owned() } else { "ok".to_owned() });
    }
    assert!(codes.contains(&"THROTTLED".to_owned()), "{codes:?}");
    // A tenant's requests are paid from the tenant's budget.
    let body = app.gql(&t.admin, query, json!({})).await;
    assert!(body["errors"].is_null(), "{body}");
}

#[tokio::test]
async fn response_fields_follow_the_selection_order() {
    let app = TestApp::start().await;
    let t = app.tenant("order_a").await;
    for code in ["a", "b", "c"] {
        app.store(&t.admin, code, None).await;
    }
    let query = "{ stores(first: 10) { totalCount edges { node { name code id } cursor } pageInfo { hasNextPage } } tenant { slug name } zz: __typename }";
    for _ in 0..20 {
        let text = app
            .http
            .post(format!("{}/graphql", app.base))
            .bearer_auth(&t.admin)
            .json(&json!({ "query": query }))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let at = |needle: &str| text.find(needle).unwrap_or_else(|| panic!("{needle} in {text}"));
        assert!(at("\"totalCount\"") < at("\"edges\""), "{text}");
        assert!(at("\"edges\"") < at("\"pageInfo\""), "{text}");
        assert!(at("\"stores\"") < at("\"tenant\"") && at("\"tenant\"") < at("\"zz\""), "{text}");
        assert!(
            at("\"name\"") < at("\"code\"") && at("\"code\"") < at("\"id\"") && at("\"id\"") < at("\"cursor\""),
            "{text}"
        );
        assert!(at("\"slug\"") < at("\"name\":\"Tenant"), "{text}");
    }
}

fn sha256_hex(text: &str) -> String {
    Sha256::digest(text.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

#[tokio::test]
async fn automatic_persisted_queries_follow_apollos_protocol() {
    let app = TestApp::start().await;
    let t = app.tenant("apq_a").await;
    app.store(&t.admin, "main", None).await;
    let query = "{ stores(first: 5) { edges { node { code } } } }";
    let extensions = json!({ "persistedQuery": { "version": 1, "sha256Hash": sha256_hex(query) } });
    let post = |body: Value| app.http.post(format!("{}/graphql", app.base)).bearer_auth(&t.admin).json(&body).send();

    let body: Value = post(json!({ "extensions": extensions })).await.unwrap().json().await.unwrap();
    assert_eq!(error_code(&body), "PERSISTED_QUERY_NOT_FOUND");
    assert_eq!(body["errors"][0]["message"], "PersistedQueryNotFound");

    let wrong = json!({ "persistedQuery": { "version": 1, "sha256Hash": sha256_hex("{ __typename }") } });
    let body: Value = post(json!({ "query": query, "extensions": wrong })).await.unwrap().json().await.unwrap();
    assert_eq!(error_code(&body), "PERSISTED_QUERY_HASH_MISMATCH");

    let body: Value = post(json!({ "query": query, "extensions": extensions })).await.unwrap().json().await.unwrap();
    assert_eq!(body["data"]["stores"]["edges"][0]["node"]["code"], "main", "{body}");

    // Registered: the hash alone is enough, also as a GET a CDN can cache.
    let body: Value = post(json!({ "extensions": extensions })).await.unwrap().json().await.unwrap();
    assert_eq!(body["data"]["stores"]["edges"][0]["node"]["code"], "main", "{body}");
    let response = app
        .http
        .get(format!("{}/graphql", app.base))
        .bearer_auth(&t.admin)
        .query(&[("extensions", extensions.to_string())])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["data"]["stores"]["edges"][0]["node"]["code"], "main", "{body}");
}

#[tokio::test]
async fn malformed_requests_get_json_errors_with_codes() {
    let app = TestApp::start().await;
    let t = app.tenant("bad_a").await;
    let url = format!("{}/graphql", app.base);
    for (body, status, code) in [
        ("{\"query\": ", 400, "BAD_REQUEST"),
        ("[{\"query\": \"{ __typename }\"}]", 400, "BATCHING_NOT_SUPPORTED"),
        ("{\"query\": 7}", 400, "BAD_REQUEST"),
    ] {
        let response = app.http.post(&url).header("content-type", "application/json").body(body).send().await.unwrap();
        assert_eq!(response.status(), status, "{body}");
        assert!(response.headers()["content-type"].to_str().unwrap().starts_with("application/json"));
        assert!(response.headers().contains_key("x-request-id"));
        let answer: Value = response.json().await.unwrap();
        assert_eq!(error_code(&answer), code, "{answer}");
    }

    // Two values of one identity header are refused, not resolved by the first.
    let response = app
        .http
        .post(&url)
        .header("authorization", format!("Bearer {}", t.admin))
        .header("authorization", "Bearer someone-else")
        .json(&json!({ "query": "{ tenant { slug } }" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let answer: Value = response.json().await.unwrap();
    assert_eq!(error_code(&answer), "BAD_REQUEST");
    assert!(answer["errors"][0]["message"].as_str().unwrap().contains("authorization"), "{answer}");

    // A NUL character in the variables or the document.
    let auth = format!("Bearer {}", t.admin);
    let create = "mutation($input: StoreCreateInput!) { storeCreate(input: $input) { userErrors { code } } }";
    let input = json!({ "input": { "code": "nul", "name": "a\u{0}b", "defaultCurrency": "EUR" } });
    let (status, body) = app.post(&[("authorization", &auth)], create, input).await;
    assert_eq!((status, error_code(&body)), (400, "BAD_USER_INPUT"), "{body}");
    let inline = r#"mutation { storeCreate(input: {code: "nul", name: "a\u0000b", defaultCurrency: "EUR"}) { userErrors { code } } }"#;
    let (status, body) = app.post(&[("authorization", &auth)], inline, json!({})).await;
    assert_eq!((status, error_code(&body)), (400, "BAD_USER_INPUT"), "{body}");
    assert_eq!(app.sql_count("SELECT count(*) AS n FROM t_bad_a.stores").await, 0);

    // Request ids on every route.
    for path in ["/healthz", "/readyz", "/graphiql", "/graphiql/assets/nothing"] {
        let response = app.http.get(format!("{}{path}", app.base)).send().await.unwrap();
        assert!(response.headers().contains_key("x-request-id"), "{path}");
    }
}

#[tokio::test]
async fn a_request_past_its_deadline_is_cancelled_with_timeout() {
    let app = TestApp::start_with(PoolConfig::default(), Limits { request_timeout_ms: 0, ..Limits::default() }).await;
    let t = app.tenant("late_a").await;
    let (status, body) = app
        .post(&[("authorization", &format!("Bearer {}", t.admin))], "{ stores(first: 5) { totalCount } }", json!({}))
        .await;
    assert_eq!((status, error_code(&body)), (504, "TIMEOUT"), "{body}");
    assert_eq!(body["errors"][0]["extensions"]["retryable"], true);
}

#[tokio::test]
async fn graphiql_sends_only_what_its_headers_pane_holds() {
    let app = TestApp::start().await;
    let page = app.http.get(format!("{}/graphiql", app.base)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("GraphiQL.createFetcher({ url: ENDPOINT })"), "{page}");
    assert!(page.contains("defaultHeaders: headersText"), "{page}");
}

#[tokio::test]
async fn a_tenant_budget_is_a_setting_of_its_own() {
    let app = TestApp::start().await;
    let a = app.tenant("own_a").await;
    let b = app.tenant("own_b").await;
    let page = "{ stores(first: 10) { totalCount edges { node { code } } } }";
    let control = app.control();
    let slug = storegraph::tenancy::Slug::parse("own_a").unwrap();
    // Less than one page costs: every request of own_a is throttled, own_b's are not.
    assert!(control.set_budget(&slug, Some(5), Some(0)).await.unwrap());
    let body = app.gql_until(&a.admin, page, json!({}), |b| b["errors"][0]["extensions"]["code"] == "THROTTLED").await;
    assert_eq!(error_code(&body), "THROTTLED", "{body}");
    assert_eq!(cost(&body)["throttleStatus"]["maximumAvailable"], 5);
    assert!(app.gql(&b.admin, page, json!({})).await["errors"].is_null());
    // Back to the server's defaults.
    assert!(control.set_budget(&slug, None, None).await.unwrap());
    let body = app.gql_until(&a.admin, page, json!({}), |b| b["errors"].is_null()).await;
    assert_eq!(cost(&body)["throttleStatus"]["maximumAvailable"], Limits::default().tenant_budget, "{body}");
}
