//! A GraphQL-over-HTTP request's parameters, read from a POST body or a GET query string
//! and checked for their types before anything else looks at them.

use axum::http::{HeaderMap, header};
use serde_json::{Map, Value};

use crate::graphql::cost::Refusal;

/// The parameters of one GraphQL request.
#[derive(Debug, Default, Clone)]
pub struct Params {
    /// The document, absent for a persisted-query request that sends only its hash.
    pub query: Option<String>,
    /// Which operation of the document to run.
    pub operation_name: Option<String>,
    /// The variables.
    pub variables: Map<String, Value>,
    /// The extensions (`persistedQuery`, …).
    pub extensions: Map<String, Value>,
}

fn invalid(message: impl Into<String>) -> Refusal {
    Refusal::bad_request("BAD_REQUEST", message)
}

fn optional_object(name: &str, value: Option<Value>) -> Result<Map<String, Value>, Refusal> {
    match value {
        None | Some(Value::Null) => Ok(Map::new()),
        Some(Value::Object(map)) => Ok(map),
        Some(_) => Err(invalid(format!("{name} must be an object"))),
    }
}

impl Params {
    /// The parameters of a POST body, which must be one JSON object (batches are refused).
    pub fn from_body(headers: &HeaderMap, body: &[u8]) -> Result<Self, Refusal> {
        let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
        let essence = content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
        if essence != "application/json" && essence != "application/graphql-response+json" {
            return Err(Refusal::with_status(
                "UNSUPPORTED_MEDIA_TYPE",
                "send the request as Content-Type: application/json",
                415,
            ));
        }
        let value: Value = serde_json::from_slice(body)
            .map_err(|e| Refusal::bad_request("BAD_REQUEST", format!("the body is not valid JSON: {e}")))?;
        let object = match value {
            Value::Object(object) => object,
            Value::Array(_) => {
                return Err(Refusal::bad_request(
                    "BATCHING_NOT_SUPPORTED",
                    "send one GraphQL request per HTTP request; batches are not supported",
                ));
            }
            _ => return Err(invalid("the body must be a JSON object")),
        };
        Self::from_object(object)
    }

    fn from_object(mut object: Map<String, Value>) -> Result<Self, Refusal> {
        let query = match object.remove("query") {
            None | Some(Value::Null) => None,
            Some(Value::String(query)) => Some(query),
            Some(_) => return Err(invalid("query must be a string")),
        };
        let operation_name = match object.remove("operationName") {
            None | Some(Value::Null) => None,
            Some(Value::String(name)) => Some(name).filter(|n| !n.is_empty()),
            Some(_) => return Err(invalid("operationName must be a string")),
        };
        Ok(Self {
            query,
            operation_name,
            variables: optional_object("variables", object.remove("variables"))?,
            extensions: optional_object("extensions", object.remove("extensions"))?,
        })
    }

    /// The parameters of a GET query string, as the GraphQL-over-HTTP spec names them;
    /// `variables` and `extensions` are JSON texts.
    pub fn from_query_string(query: &str) -> Result<Self, Refusal> {
        let pairs: Vec<(String, String)> =
            serde_urlencoded::from_str(query).map_err(|e| invalid(format!("invalid query string: {e}")))?;
        let mut object = Map::new();
        for (key, value) in pairs {
            let key = if key == "operation_name" { "operationName".to_owned() } else { key };
            let value = match key.as_str() {
                "variables" | "extensions" if !value.is_empty() => {
                    serde_json::from_str(&value).map_err(|e| invalid(format!("{key} is not JSON: {e}")))?
                }
                "variables" | "extensions" => Value::Null,
                _ => Value::String(value),
            };
            if object.insert(key.clone(), value).is_some() {
                return Err(invalid(format!("{key} is given twice")));
            }
        }
        Self::from_object(object)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn get_parameters_follow_the_graphql_over_http_names() {
        let params = Params::from_query_string("query=%7Ba%7D&operationName=Q&variables=%7B%22x%22%3A1%7D").unwrap();
        assert_eq!(params.query.as_deref(), Some("{a}"));
        assert_eq!(params.operation_name.as_deref(), Some("Q"));
        assert_eq!(params.variables["x"], 1);
        assert_eq!(Params::from_query_string("variables=%5B1%5D").unwrap_err().code, "BAD_REQUEST");
    }

    #[test]
    fn bodies_are_one_object_of_typed_parameters() {
        let mut headers = HeaderMap::new();
        headers.insert(header::CONTENT_TYPE, "application/json; charset=utf-8".parse().unwrap());
        assert!(Params::from_body(&headers, br#"{"query":"{a}","variables":null}"#).is_ok());
        for (body, code) in [
            (&br#"[{"query":"{a}"}]"#[..], "BATCHING_NOT_SUPPORTED"),
            (br#"{"query":1}"#, "BAD_REQUEST"),
            (br#"{"query":"{a}","operationName":[]}"#, "BAD_REQUEST"),
            (br#"{"query":"{a}","variables":"x"}"#, "BAD_REQUEST"),
            (br#"{"query":"{a}""#, "BAD_REQUEST"),
        ] {
            assert_eq!(Params::from_body(&headers, body).unwrap_err().code, code, "{}", String::from_utf8_lossy(body));
        }
        assert_eq!(Params::from_body(&HeaderMap::new(), b"{}").unwrap_err().status, 415);
    }
}
