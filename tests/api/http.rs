//! The HTTP surface: GET for queries only, GraphiQL offline, health, limits, request ids.

use serde_json::{Value, json};
use storegraph::db::PoolConfig;
use storegraph::graphql::Limits;

use crate::harness::{STORE_CODES, TestApp, error_code};

/// The introspection query GraphiQL sends (graphql-js `getIntrospectionQuery`), which is
/// the deepest query a tool routinely sends: the default limits must allow it.
const INTROSPECTION: &str = r#"
query IntrospectionQuery {
  __schema {
    queryType { name } mutationType { name } subscriptionType { name }
    types { ...FullType }
    directives { name description locations args { ...InputValue } }
  }
}
fragment FullType on __Type {
  kind name description
  fields(includeDeprecated: true) {
    name description args { ...InputValue } type { ...TypeRef } isDeprecated deprecationReason
  }
  inputFields { ...InputValue }
  interfaces { ...TypeRef }
  enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
  possibleTypes { ...TypeRef }
}
fragment InputValue on __InputValue { name description type { ...TypeRef } defaultValue }
fragment TypeRef on __Type {
  kind name
  ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name
    ofType { kind name ofType { kind name ofType { kind name } } } } } } } }
}
"#;

#[tokio::test]
async fn get_runs_queries_but_never_mutations() {
    let app = TestApp::start().await;
    let t = app.tenant("get_a").await;
    app.store(&t.admin, "main", None).await;
    let get = |query: &'static str, operation: Option<&'static str>| {
        let mut params = vec![("query", query)];
        if let Some(operation) = operation {
            params.push(("operationName", operation));
        }
        app.http.get(format!("{}/graphql", app.base)).bearer_auth(&t.admin).query(&params).send()
    };

    let response = get(STORE_CODES, None).await.unwrap();
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["data"]["stores"]["edges"][0]["node"]["code"], "main");

    let mutation = "mutation { storeCreate(input: {code: \"via-get\", name: \"x\", defaultCurrency: \"EUR\"}) { userErrors { code } } }";
    let response = get(mutation, None).await.unwrap();
    assert_eq!(response.status(), 405);
    let body: Value = response.json().await.unwrap();
    assert_eq!(error_code(&body), "METHOD_NOT_ALLOWED");
    // Hidden behind an operation name, too.
    let document = "query Q { tenant { slug } } mutation M { storeCreate(input: {code: \"via-get\", name: \"x\", defaultCurrency: \"EUR\"}) { userErrors { code } } }";
    assert_eq!(get(document, Some("M")).await.unwrap().status(), 405);
    assert_eq!(get(document, Some("Q")).await.unwrap().status(), 200);
    assert_eq!(app.sql_count("SELECT count(*) AS n FROM t_get_a.stores WHERE code = 'via-get'").await, 0);
}

#[tokio::test]
async fn graphiql_is_served_with_its_assets() {
    let app = TestApp::start().await;
    for path in ["/graphiql", "/graphql"] {
        let response = app.http.get(format!("{}{path}", app.base)).header("accept", "text/html").send().await.unwrap();
        assert_eq!(response.status(), 200);
        let page = response.text().await.unwrap();
        assert!(page.contains("storegraph — GraphiQL"));
        assert!(page.contains(r#"var ENDPOINT = "/graphql";"#), "{page}");
        assert!(!page.contains("__STOREGRAPH_"), "a placeholder was left in the page");
        assert!(!page.contains("https://"), "the page must not load anything from the web");
        for asset in ["graphiql.min.js", "graphiql.min.css", "react.production.min.js", "react-dom.production.min.js"] {
            assert!(page.contains(&format!("/graphiql/assets/{asset}")));
            let response = app.http.get(format!("{}/graphiql/assets/{asset}", app.base)).send().await.unwrap();
            assert_eq!(response.status(), 200, "{asset}");
            assert!(response.bytes().await.unwrap().len() > 5_000, "{asset}");
        }
    }
    let response = app.http.get(format!("{}/graphiql/assets/..%2Fsecret", app.base)).send().await.unwrap();
    assert_eq!(response.status(), 404);
}

#[tokio::test]
async fn health_and_readiness() {
    let app = TestApp::start().await;
    let healthz = app.http.get(format!("{}/healthz", app.base)).send().await.unwrap();
    assert_eq!(healthz.status(), 200);
    let readyz = app.http.get(format!("{}/readyz", app.base)).send().await.unwrap();
    assert_eq!(readyz.status(), 200);
    assert_eq!(readyz.text().await.unwrap(), "ready");
}

#[tokio::test]
async fn introspection_passes_the_default_limits_and_deep_queries_do_not() {
    let app = TestApp::start().await;
    let (status, body) = app.post(&[], INTROSPECTION, json!({})).await;
    assert_eq!(status, 200);
    assert!(body["errors"].is_null(), "{body}");
    assert!(body["data"]["__schema"]["types"].as_array().unwrap().iter().any(|t| t["name"] == "Store"));

    let tight = TestApp::start_with(PoolConfig::default(), Limits { max_depth: 3, ..Limits::default() }).await;
    let (_, body) = tight.post(&[], "{ __schema { types { fields { type { name } } } } }", json!({})).await;
    assert!(body["errors"][0]["message"].as_str().unwrap().contains("nested too deep"), "{body}");

    let small = TestApp::start_with(PoolConfig::default(), Limits { max_query_cost: 50, ..Limits::default() }).await;
    let t = small.tenant("cx_a").await;
    let body = small.gql(&t.admin, "{ stores(first: 100) { edges { node { code name locale } } } }", json!({})).await;
    assert!(body["errors"][0]["message"].as_str().unwrap().contains("complex"), "{body}");
}

#[tokio::test]
async fn request_ids_are_echoed_or_made() {
    let app = TestApp::start().await;
    let send = |id: Option<&'static str>| {
        let mut request = app.http.post(format!("{}/graphql", app.base)).json(&json!({ "query": "{ __typename }" }));
        if let Some(id) = id {
            request = request.header("x-request-id", id);
        }
        request.send()
    };
    let response = send(Some("abc-123")).await.unwrap();
    assert_eq!(response.headers()["x-request-id"], "abc-123");
    let response = send(Some("bad id with spaces")).await.unwrap();
    let made = response.headers()["x-request-id"].to_str().unwrap().to_owned();
    assert!(uuid::Uuid::parse_str(&made).is_ok(), "{made}");
    let response = send(None).await.unwrap();
    assert!(uuid::Uuid::parse_str(response.headers()["x-request-id"].to_str().unwrap()).is_ok());
}
