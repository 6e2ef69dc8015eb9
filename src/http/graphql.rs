use std::sync::Arc;
use std::time::Instant;

use async_graphql::parser::types::OperationType;
use async_graphql_axum::{GraphQLRequest, GraphQLResponse};
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use tracing::Instrument;

use super::AppState;
use super::graphiql;
use crate::graphql::coded_error;
use crate::tenancy::{Credentials, resolve};

const REQUEST_ID: &str = "x-request-id";

/// POST /graphql: any operation.
pub async fn post_handler(State(state): State<Arc<AppState>>, headers: HeaderMap, request: GraphQLRequest) -> Response {
    execute(&state, &headers, request.into_inner()).await
}

/// The parameters of a GraphQL GET request, as the GraphQL-over-HTTP spec names them
/// (async-graphql's own parser expects `operation_name`, so it is not used).
#[derive(Debug, Deserialize)]
pub struct GetParams {
    query: Option<String>,
    #[serde(rename = "operationName", alias = "operation_name")]
    operation_name: Option<String>,
    variables: Option<String>,
    extensions: Option<String>,
}

impl GetParams {
    fn into_request(self) -> Result<async_graphql::Request, String> {
        let json = |name: &str, text: Option<String>| -> Result<Option<serde_json::Value>, String> {
            text.filter(|t| !t.is_empty())
                .map(|t| serde_json::from_str(&t).map_err(|e| format!("{name} is not JSON: {e}")))
                .transpose()
        };
        let mut request = async_graphql::Request::new(self.query.unwrap_or_default());
        if let Some(name) = self.operation_name.filter(|n| !n.is_empty()) {
            request = request.operation_name(name);
        }
        if let Some(variables) = json("variables", self.variables)? {
            request = request.variables(async_graphql::Variables::from_json(variables));
        }
        if let Some(serde_json::Value::Object(extensions)) = json("extensions", self.extensions)? {
            for (key, value) in extensions {
                let value = async_graphql::Value::from_json(value).map_err(|e| e.to_string())?;
                request.extensions.insert(key, value);
            }
        }
        Ok(request)
    }
}

/// GET /graphql: queries only (a GET must not change anything); a browser asking for a
/// page gets GraphiQL.
pub async fn get_handler(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let params: GetParams = match serde_urlencoded::from_str(query.as_deref().unwrap_or_default()) {
        Ok(params) => params,
        Err(e) => {
            return refuse(StatusCode::BAD_REQUEST, "BAD_REQUEST", &format!("invalid GraphQL GET request: {e}"));
        }
    };
    let wants_html =
        headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|accept| accept.contains("text/html"));
    if wants_html && params.query.is_none() {
        return graphiql::render(&state).into_response();
    }
    let request = match params.into_request() {
        Ok(request) => request,
        Err(e) => {
            return refuse(StatusCode::BAD_REQUEST, "BAD_REQUEST", &format!("invalid GraphQL GET request: {e}"));
        }
    };
    if is_mutation(&request) {
        return refuse(StatusCode::METHOD_NOT_ALLOWED, "METHOD_NOT_ALLOWED", "mutations must be sent with POST");
    }
    execute(&state, &headers, request).await
}

/// Whether the operation the request would run is a mutation. An unparsable document is
/// left to the executor, which reports it.
fn is_mutation(request: &async_graphql::Request) -> bool {
    let Ok(document) = async_graphql::parser::parse_query(&request.query) else {
        return false;
    };
    document.operations.iter().any(|(name, operation)| {
        let selected = match (&request.operation_name, name) {
            (Some(wanted), Some(name)) => wanted == name.as_str(),
            (Some(_), None) => false,
            (None, _) => true,
        };
        selected && operation.node.ty == OperationType::Mutation
    })
}

fn refuse(status: StatusCode, code: &str, message: &str) -> Response {
    let error = coded_error(code, message).into_server_error(Default::default());
    let body = async_graphql::Response::from_errors(vec![error]);
    (status, GraphQLResponse::from(body)).into_response()
}

fn header_text(headers: &HeaderMap, name: impl header::AsHeaderName) -> Option<String> {
    headers.get(name).map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
}

/// The caller's request id if it is a sane one, else a new one.
fn request_id(headers: &HeaderMap) -> String {
    headers
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|id| {
            !id.is_empty() && id.len() <= 64 && id.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
        })
        .map_or_else(|| uuid::Uuid::new_v4().to_string(), str::to_owned)
}

/// Resolves the caller and runs the request, in a span that carries the request id and
/// the tenant.
async fn execute(state: &AppState, headers: &HeaderMap, request: async_graphql::Request) -> Response {
    let id = request_id(headers);
    let span = tracing::info_span!("request", id = %id, tenant = tracing::field::Empty);
    let started = Instant::now();
    let response = async {
        let credentials = Credentials {
            authorization: header_text(headers, header::AUTHORIZATION),
            tenant: header_text(headers, "x-tenant"),
            host: header_text(headers, header::HOST),
            store: header_text(headers, "x-store"),
            staff: header_text(headers, "x-staff-id"),
            customer_token: header_text(headers, "x-customer-token"),
        };
        let caller = resolve(&state.control, &state.db.pool, &credentials).await;
        if let Some(slug) = caller.tenant_slug() {
            tracing::Span::current().record("tenant", slug);
        }
        let response =
            state.schema.execute(crate::graphql::request_with(request, caller).data(state.control.clone())).await;
        tracing::info!(elapsed_us = started.elapsed().as_micros() as u64, errors = response.errors.len(), "graphql");
        response
    }
    .instrument(span)
    .await;
    let mut http = GraphQLResponse::from(response).into_response();
    if let Ok(value) = HeaderValue::from_str(&id) {
        http.headers_mut().insert(REQUEST_ID, value);
    }
    http
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_selected_operation_counts() {
        let document = "query Q { a } mutation M { b }";
        assert!(is_mutation(&async_graphql::Request::new(document).operation_name("M")));
        assert!(!is_mutation(&async_graphql::Request::new(document).operation_name("Q")));
        assert!(is_mutation(&async_graphql::Request::new(document)));
        assert!(!is_mutation(&async_graphql::Request::new("{ a }")));
        assert!(is_mutation(&async_graphql::Request::new("mutation { a }")));
    }

    #[test]
    fn get_parameters_follow_the_graphql_over_http_names() {
        let params: GetParams =
            serde_urlencoded::from_str("query=%7Ba%7D&operationName=Q&variables=%7B%22x%22%3A1%7D").unwrap();
        let request = params.into_request().unwrap();
        assert_eq!(request.operation_name.as_deref(), Some("Q"));
        assert_eq!(request.variables.get("x"), Some(&async_graphql::Value::from(1)));
    }
}
