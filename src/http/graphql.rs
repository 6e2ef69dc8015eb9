use std::sync::Arc;
use std::time::Instant;

use async_graphql::parser::types::OperationType;
use async_graphql_axum::{GraphQLRequest, GraphQLResponse};
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
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

/// GET /graphql: queries only (a GET must not change anything); a browser asking for a
/// page gets GraphiQL.
pub async fn get_handler(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let wants_html = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"));
    let query = query.unwrap_or_default();
    if wants_html && !query.split('&').any(|pair| pair.starts_with("query=")) {
        return graphiql::render(&state).into_response();
    }
    let request = match async_graphql::http::parse_query_string(&query) {
        Ok(request) => request,
        Err(e) => {
            return refuse(
                StatusCode::BAD_REQUEST,
                "BAD_REQUEST",
                &format!("invalid GraphQL GET request: {e}"),
            );
        }
    };
    if is_mutation(&request) {
        return refuse(
            StatusCode::METHOD_NOT_ALLOWED,
            "METHOD_NOT_ALLOWED",
            "mutations must be sent with POST",
        );
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
    headers
        .get(name)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
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
        };
        let caller = resolve(&state.control, &state.db.pool, &credentials).await;
        if let Some(slug) = caller.tenant_slug() {
            tracing::Span::current().record("tenant", slug);
        }
        let response = state.schema.execute(request.data(caller)).await;
        tracing::info!(
            elapsed_us = started.elapsed().as_micros() as u64,
            errors = response.errors.len(),
            "graphql"
        );
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
