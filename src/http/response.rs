//! Responses as GraphQL over HTTP defines them: the media type the client accepts, the
//! status that tells a request error (nothing ran: no `data`) from an execution result,
//! and refusals that are JSON GraphQL errors with an `extensions.code` like every other.

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::graphql::cost::Refusal;

/// The response media types storegraph speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Media {
    /// `application/graphql-response+json`: request errors are 4xx without `data`.
    GraphqlResponse,
    /// `application/json`, the legacy type: request errors are 200 (unless refused by a
    /// limit before the document was read).
    Json,
}

impl Media {
    /// The content type header value.
    pub fn content_type(self) -> &'static str {
        match self {
            Media::GraphqlResponse => "application/graphql-response+json; charset=utf-8",
            Media::Json => "application/json; charset=utf-8",
        }
    }

    /// The media type to answer with, from the `Accept` header: the first of the two
    /// types it lists (`*/*` and `application/*` mean JSON); none given means JSON.
    /// `None` when the client accepts neither.
    pub fn negotiate(headers: &HeaderMap) -> Option<Media> {
        let Some(accept) = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()) else {
            return Some(Media::Json);
        };
        if accept.trim().is_empty() {
            return Some(Media::Json);
        }
        let mut ranked: Vec<(f32, usize, Media)> = Vec::new();
        for (position, range) in accept.split(',').enumerate() {
            let mut parts = range.split(';');
            let essence = parts.next().unwrap_or("").trim().to_ascii_lowercase();
            let quality = parts
                .filter_map(|p| p.trim().strip_prefix("q=").and_then(|q| q.trim().parse::<f32>().ok()))
                .next()
                .unwrap_or(1.0);
            let media = match essence.as_str() {
                "application/graphql-response+json" => Media::GraphqlResponse,
                "application/json" | "application/*" | "*/*" => Media::Json,
                _ => continue,
            };
            if quality > 0.0 {
                ranked.push((quality, position, media));
            }
        }
        ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        ranked.first().map(|(_, _, media)| *media)
    }
}

/// A JSON response with the media's content type.
pub fn json_response(media: Media, status: StatusCode, body: &Value) -> Response {
    let mut response = (status, body.to_string()).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(media.content_type()));
    response
}

/// The body of a refusal: one error with its code, no `data`.
pub fn refusal_body(refusal: &Refusal) -> Value {
    json!({ "errors": [{ "message": refusal.message, "extensions": { "code": refusal.code } }] })
}

/// Refusals of the document itself (it does not parse, or names no runnable operation).
/// Under `application/json` they are answered with 200, as GraphQL over HTTP asks of that
/// legacy type; limits keep their 4xx status under both types.
const DOCUMENT_ERRORS: &[&str] =
    &["GRAPHQL_PARSE_FAILED", "GRAPHQL_VALIDATION_FAILED", "OPERATION_NOT_FOUND", "OPERATION_NAME_REQUIRED"];

/// A refusal before execution, with its own status.
pub fn refuse(media: Media, refusal: &Refusal) -> Response {
    let status = if media == Media::Json && DOCUMENT_ERRORS.contains(&refusal.code) {
        StatusCode::OK
    } else {
        StatusCode::from_u16(refusal.status).unwrap_or(StatusCode::BAD_REQUEST)
    };
    json_response(media, status, &refusal_body(refusal))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accept(value: &str) -> Option<Media> {
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT, value.parse().unwrap());
        Media::negotiate(&headers)
    }

    #[test]
    fn the_accepted_media_type_is_used() {
        assert_eq!(Media::negotiate(&HeaderMap::new()), Some(Media::Json));
        assert_eq!(accept("application/json"), Some(Media::Json));
        assert_eq!(accept("*/*"), Some(Media::Json));
        assert_eq!(accept("application/graphql-response+json"), Some(Media::GraphqlResponse));
        assert_eq!(accept("application/graphql-response+json, application/json;q=0.9"), Some(Media::GraphqlResponse));
        assert_eq!(accept("application/json, application/graphql-response+json"), Some(Media::Json));
        assert_eq!(accept("application/json;q=0.5, application/graphql-response+json"), Some(Media::GraphqlResponse));
        assert_eq!(accept("text/plain"), None);
    }
}
