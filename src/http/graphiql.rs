//! GraphiQL, served entirely by storegraph: its scripts and styles are built into the
//! binary (assets/graphiql), so it works offline and behind firewalls, with no CDN.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};

use super::AppState;

const PAGE: &str = include_str!("../../assets/graphiql/index.html");

/// The files the page loads, with their content types.
const ASSETS: &[(&str, &str, &[u8])] = &[
    ("graphiql.min.js", "text/javascript", include_bytes!("../../assets/graphiql/graphiql.min.js")),
    ("graphiql.min.css", "text/css", include_bytes!("../../assets/graphiql/graphiql.min.css")),
    ("react.production.min.js", "text/javascript", include_bytes!("../../assets/graphiql/react.production.min.js")),
    (
        "react-dom.production.min.js",
        "text/javascript",
        include_bytes!("../../assets/graphiql/react-dom.production.min.js"),
    ),
];

/// GET /graphiql: the in-browser IDE, with the configured headers filled in.
pub async fn page(State(state): State<Arc<AppState>>) -> Response {
    render(&state).into_response()
}

/// JSON for an inline `<script>`: `<` escaped so no value can close the script element.
fn script_json(value: &serde_json::Value) -> String {
    value.to_string().replace('<', "\\u003c")
}

/// The GraphiQL page for this server.
pub fn render(state: &AppState) -> Html<String> {
    let headers = serde_json::Value::Object(state.graphiql_headers.clone());
    Html(
        PAGE.replace("__STOREGRAPH_ENDPOINT__", &script_json(&"/graphql".into()))
            .replace("__STOREGRAPH_HEADERS__", &script_json(&headers)),
    )
}

/// GET /graphiql/assets/{file}: GraphiQL's scripts and styles, cacheable for a day.
pub async fn asset(Path(file): Path<String>) -> Response {
    match ASSETS.iter().find(|(name, _, _)| *name == file) {
        Some((_, content_type, body)) => {
            ([(header::CONTENT_TYPE, *content_type), (header::CACHE_CONTROL, "public, max-age=86400")], *body)
                .into_response()
        }
        None => (StatusCode::NOT_FOUND, "no such asset").into_response(),
    }
}
