//! `/graphql`: a request goes through, in order, the body limit, its parameters, the
//! persisted-query store, the document's length and tokens, parsing, its counts (aliases,
//! directives, operations, NUL characters), its size, depth and cost, the caller's budget,
//! and only then async-graphql's validation and execution, under the request deadline.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use async_graphql::parser::types::{ExecutableDocument, OperationType};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tracing::Instrument;

use super::AppState;
use super::graphiql;
use super::params::Params;
use super::persisted::PersistedQuery;
use super::request_id::RequestId;
use super::response::{Media, json_response, refuse};
use crate::graphql::cost::{self, Analysis, Payer, Rate, Refusal, ThrottleStatus};
use crate::tenancy::{Caller, Credentials, resolve};

/// Headers that say who is asking: each may be given once.
const IDENTITY_HEADERS: &[&str] = &["authorization", "x-tenant", "x-store", "x-staff-id", "x-customer-token", "host"];

/// POST /graphql: any operation.
pub async fn post_handler(State(state): State<Arc<AppState>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let Some(media) = Media::negotiate(&parts.headers) else {
        return not_acceptable();
    };
    let max = state.limits.max_body_bytes;
    let declared = parts.headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    let too_large = || {
        let message = format!("the request body is larger than {max} bytes");
        refuse(media, &Refusal::with_status("REQUEST_TOO_LARGE", message, 413))
    };
    if declared.is_some_and(|length| length > max as u64) {
        return too_large();
    }
    let Ok(body) = axum::body::to_bytes(body, max).await else {
        return too_large();
    };
    match Params::from_body(&parts.headers, &body) {
        Ok(params) => run(&state, &parts, media, params, false).await,
        Err(refusal) => refuse(media, &refusal),
    }
}

/// GET /graphql: queries only (a GET must not change anything); a browser asking for a
/// page gets GraphiQL.
pub async fn get_handler(State(state): State<Arc<AppState>>, request: Request) -> Response {
    let (parts, _) = request.into_parts();
    let query = parts.uri.query().unwrap_or_default();
    let wants_html = parts
        .headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"));
    if wants_html && query.is_empty() {
        return graphiql::render(&state).into_response();
    }
    let Some(media) = Media::negotiate(&parts.headers) else {
        return not_acceptable();
    };
    if query.len() > state.limits.max_body_bytes {
        let message = format!("the query string is longer than {} bytes", state.limits.max_body_bytes);
        return refuse(media, &Refusal::with_status("REQUEST_TOO_LARGE", message, 414));
    }
    match Params::from_query_string(query) {
        Ok(params) => run(&state, &parts, media, params, true).await,
        Err(refusal) => refuse(media, &refusal),
    }
}

fn not_acceptable() -> Response {
    let refusal =
        Refusal::with_status("NOT_ACCEPTABLE", "accept application/graphql-response+json or application/json", 406);
    refuse(Media::Json, &refusal)
}

/// A document that passed every check before execution, and what it will cost.
struct Checked {
    document: ExecutableDocument,
    analysis: Analysis,
}

/// Everything that can be decided from the request alone, before the caller is known.
async fn check(state: &AppState, params: &Params, get: bool) -> Result<Checked, Refusal> {
    let limits = &state.limits;
    let persisted = PersistedQuery::from_extensions(&params.extensions)?;
    let document = match (&params.query, &persisted) {
        (None, None) => return Err(Refusal::bad_request("BAD_REQUEST", "the request has no query")),
        (None, Some(persisted)) => state.persisted.get(&persisted.hash).await.ok_or_else(PersistedQuery::not_found)?,
        (Some(query), _) => {
            if query.len() > limits.max_document_bytes {
                return Err(Refusal::with_status(
                    "DOCUMENT_TOO_LARGE",
                    format!("the document is longer than {} bytes", limits.max_document_bytes),
                    413,
                ));
            }
            let tokens = cost::count_tokens(query, limits.max_tokens + 1);
            if tokens > limits.max_tokens {
                return Err(Refusal::with_status(
                    "DOCUMENT_TOO_LARGE",
                    format!("the document has more than {} tokens", limits.max_tokens),
                    413,
                ));
            }
            if let Some(persisted) = &persisted
                && !persisted.matches(query)
            {
                return Err(Refusal::bad_request("PERSISTED_QUERY_HASH_MISMATCH", "provided sha does not match query"));
            }
            async_graphql::parser::parse_query(query)
                .map_err(|e| Refusal::bad_request("GRAPHQL_PARSE_FAILED", parse_message(&e)))?
        }
    };
    if params.variables.values().any(cost::json_has_nul) {
        return Err(cost::nul_refusal());
    }
    cost::check_counts(&document, limits)?;
    let operation = cost::selected_operation(&document, params.operation_name.as_deref())?;
    if get && operation.node.ty == OperationType::Mutation {
        return Err(Refusal::with_status("METHOD_NOT_ALLOWED", "mutations must be sent with POST", 405));
    }
    let variables = async_graphql::Variables::from_json(Value::Object(params.variables.clone()));
    let analysis = cost::analyze(&document, &operation.node, &variables, &state.cost_model, limits)?;
    if let (Some(persisted), Some(_)) = (&persisted, &params.query) {
        state.persisted.put(&persisted.hash, document.clone()).await;
    }
    Ok(Checked { document, analysis })
}

/// A parse error's message, without the parser's echo of the document: where it failed
/// and what was expected, in a bounded number of characters.
fn parse_message(error: &async_graphql::parser::Error) -> String {
    let position = error.positions().next().map_or_else(String::new, |p| format!(" at {}:{}", p.line, p.column));
    let detail = match error {
        async_graphql::parser::Error::Syntax { message, .. } => message
            .lines()
            .filter(|l| l.trim_start().starts_with('='))
            .map(|l| l.trim_start_matches([' ', '=']))
            .collect::<Vec<_>>()
            .join("; "),
        other => other.to_string(),
    };
    let detail: String = detail.chars().take(200).collect();
    format!("syntax error{position}: {detail}")
}

fn header_text(headers: &HeaderMap, name: &str) -> Option<String> {
    headers.get(name).map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
}

/// The buckets a request is paid from. A request with a valid key pays from its tenant's
/// bucket and from the bucket of its key at its client address, so one client (a scraper
/// holding a storefront's public key) cannot spend the whole tenant's budget. A request
/// without a valid key (introspection, a rejected token, a bare `X-Tenant`) pays from its
/// client address's anonymous bucket, never from a tenant's.
fn payers(state: &AppState, caller: &Caller, headers: &HeaderMap, peer: Option<SocketAddr>) -> Vec<(Payer, Rate)> {
    let limits = &state.limits;
    let address = peer.map_or_else(|| "unknown".to_owned(), |p| p.ip().to_string());
    match caller {
        Caller::Tenant(scope) if scope.role().is_some() => {
            let own = |value: Option<i64>, default: u64| value.and_then(|v| u64::try_from(v).ok()).unwrap_or(default);
            let row = scope.tenant();
            let tenant = Rate {
                maximum: own(row.query_budget, limits.tenant_budget),
                restore_per_second: own(row.query_restore_rate, limits.tenant_restore_rate),
            };
            let key = Rate { maximum: limits.key_budget, restore_per_second: limits.key_restore_rate };
            let mut digest = Sha256::new();
            digest.update(headers.get(header::AUTHORIZATION).map_or(&[][..], |v| v.as_bytes()));
            digest.update([0]);
            digest.update(address.as_bytes());
            vec![(Payer::Tenant(scope.tenant().id), tenant), (Payer::Key(digest.finalize().into()), key)]
        }
        _ => {
            let rate = Rate { maximum: limits.anonymous_budget, restore_per_second: limits.anonymous_restore_rate };
            vec![(Payer::Anonymous(address), rate)]
        }
    }
}

fn cost_extension(requested: u64, actual: Option<u64>, status: ThrottleStatus) -> Value {
    json!({
        "requestedQueryCost": requested,
        "actualQueryCost": actual,
        "throttleStatus": {
            "maximumAvailable": status.maximum_available,
            "currentlyAvailable": status.currently_available,
            "restoreRate": status.restore_rate,
        }
    })
}

/// Runs one request whose parameters were read.
async fn run(
    state: &AppState,
    parts: &axum::http::request::Parts,
    media: Media,
    params: Params,
    get: bool,
) -> Response {
    let headers = &parts.headers;
    let id = parts.extensions.get::<RequestId>().map_or_else(String::new, |id| id.0.clone());
    let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|info| info.0);
    let span = tracing::info_span!("request", id = %id, tenant = tracing::field::Empty);
    async move {
        let started = Instant::now();
        for name in IDENTITY_HEADERS {
            if headers.get_all(*name).iter().count() > 1 {
                return refuse(
                    media,
                    &Refusal::bad_request("BAD_REQUEST", format!("the {name} header is given more than once")),
                );
            }
        }
        let checked = match check(state, &params, get).await {
            Ok(checked) => checked,
            Err(refusal) => {
                tracing::info!(code = refusal.code, "refused before execution");
                return refuse(media, &refusal);
            }
        };
        let deadline = state.limits.request_timeout();
        match tokio::time::timeout(deadline, execute(state, headers, peer, media, params, checked)).await {
            Ok(response) => {
                tracing::info!(elapsed_us = started.elapsed().as_micros() as u64, "graphql");
                response
            }
            Err(_) => {
                tracing::warn!(deadline_ms = deadline.as_millis() as u64, "request deadline passed");
                let message =
                    format!("the request ran longer than {} ms and was cancelled; try again", deadline.as_millis());
                let mut body = crate::http::response::refusal_body(&Refusal::with_status("TIMEOUT", message, 504));
                body["errors"][0]["extensions"]["retryable"] = json!(true);
                json_response(media, StatusCode::GATEWAY_TIMEOUT, &body)
            }
        }
    }
    .instrument(span)
    .await
}

/// Resolves the caller, charges its budget and executes.
async fn execute(
    state: &AppState,
    headers: &HeaderMap,
    peer: Option<SocketAddr>,
    media: Media,
    params: Params,
    checked: Checked,
) -> Response {
    let credentials = Credentials {
        authorization: header_text(headers, "authorization"),
        tenant: header_text(headers, "x-tenant"),
        host: header_text(headers, "host"),
        store: header_text(headers, "x-store"),
        staff: header_text(headers, "x-staff-id"),
        customer_token: header_text(headers, "x-customer-token"),
    };
    let caller = resolve(&state.control, &state.db.pool, &credentials).await;
    if let Some(slug) = caller.tenant_slug() {
        tracing::Span::current().record("tenant", slug);
    }
    let payers = payers(state, &caller, headers, peer);
    let requested = checked.analysis.cost;
    let status = match state.budgets.charge(&payers, requested) {
        Ok(status) => status,
        Err(throttled) => {
            let seconds = throttled.retry_after.as_secs().max(1);
            let refusal = Refusal::with_status(
                "THROTTLED",
                format!(
                    "the query costs {requested} points and {} are available; try again in {seconds} s",
                    throttled.status.currently_available
                ),
                429,
            );
            let mut body = crate::http::response::refusal_body(&refusal);
            body["errors"][0]["extensions"]["retryable"] = json!(true);
            body["extensions"] = json!({ "cost": cost_extension(requested, None, throttled.status) });
            let mut response = json_response(media, StatusCode::TOO_MANY_REQUESTS, &body);
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(seconds));
            return response;
        }
    };

    let variables = async_graphql::Variables::from_json(Value::Object(params.variables));
    let mut request = async_graphql::Request::new(params.query.unwrap_or_default()).variables(variables.clone());
    if let Some(name) = &params.operation_name {
        request = request.operation_name(name.clone());
    }
    request.set_parsed_query(checked.document.clone());
    let request = crate::graphql::request_with(request, caller).data(state.control.clone());
    let mut response = state.schema.execute(request).await;

    // Nothing ran when the document failed validation: a request error, without data.
    // Validation errors have no path and no code; errors of execution have one or both.
    let request_error = response.data == async_graphql::Value::Null
        && !response.errors.is_empty()
        && response
            .errors
            .iter()
            .all(|e| e.path.is_empty() && e.extensions.as_ref().is_none_or(|x| x.get("code").is_none()));
    let actual = if request_error {
        0
    } else {
        match cost::selected_operation(&checked.document, params.operation_name.as_deref()) {
            Ok(operation) => {
                cost::settle(&mut response.data, &checked.document, &operation.node, &variables, &state.cost_model)
                    .min(requested)
            }
            Err(_) => requested,
        }
    };
    let status = state.budgets.refund(&payers, requested - actual).unwrap_or(status);
    tracing::debug!(requested, actual, errors = response.errors.len(), "cost");

    let mut body = serde_json::to_value(&response).unwrap_or_else(|_| json!({}));
    let Value::Object(object) = &mut body else {
        return json_response(media, StatusCode::INTERNAL_SERVER_ERROR, &json!({}));
    };
    if request_error {
        object.remove("data");
    }
    let extensions = object.entry("extensions").or_insert_with(|| json!({}));
    if let Value::Object(extensions) = extensions {
        extensions.insert("cost".into(), cost_extension(requested, Some(actual), status));
    }
    let http_status =
        if request_error && media == Media::GraphqlResponse { StatusCode::BAD_REQUEST } else { StatusCode::OK };
    json_response(media, http_status, &body)
}
