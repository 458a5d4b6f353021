//! GraphQL-over-HTTP request parameters: a POST body (one JSON object, or an array of them for a
//! batch) or a GET query string, checked strictly and turned into `async_graphql::Request`s.
//!
//! Strict because a mistyped parameter should be a 400 naming it, not a silently empty query:
//! `query` must be a string; `operationName` a string or null; `variables` and `extensions`
//! objects or null. Unknown parameters are ignored, as the spec allows. GraphQL syntax is not
//! looked at here.

use serde_json::{Map, Value};

use super::limits::LimitExceeded;

/// The operations of one HTTP request.
#[derive(Debug)]
pub enum Operations {
    Single(Box<async_graphql::Request>),
    Batch(Vec<async_graphql::Request>),
}

/// Why the parameters are refused (400).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParamsError {
    #[error("the request body is empty: send a JSON object with a `query` string")]
    EmptyBody,
    #[error("the request body is not valid JSON: {0}")]
    Json(String),
    #[error("the query string cannot be read: {0}")]
    QueryString(String),
    #[error("the request body must be a JSON object, or an array of objects for a batch")]
    NotAnObject,
    #[error("the `query` parameter is missing: send the GraphQL document as a string in `query`")]
    MissingQuery,
    #[error("the `{name}` parameter must be {expected}")]
    WrongType {
        name: &'static str,
        expected: &'static str,
    },
    #[error("a batch must hold at least one operation")]
    EmptyBatch,
    #[error("batch operation {index}: {error}")]
    InBatch {
        index: usize,
        error: Box<ParamsError>,
    },
    #[error(transparent)]
    Limit(#[from] LimitExceeded),
}

/// Parses a POST body; arrays longer than `max_batch` (or any array when it is 0) are refused.
pub fn from_body(body: &[u8], max_batch: usize) -> Result<Operations, ParamsError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(ParamsError::EmptyBody);
    }
    let value: Value =
        serde_json::from_slice(body).map_err(|e| ParamsError::Json(e.to_string()))?;
    match value {
        Value::Object(object) => Ok(Operations::Single(Box::new(from_object(object)?))),
        Value::Array(items) => {
            if max_batch == 0 {
                return Err(LimitExceeded::batching_disabled().into());
            }
            if items.is_empty() {
                return Err(ParamsError::EmptyBatch);
            }
            if items.len() > max_batch {
                return Err(LimitExceeded::batch(items.len(), max_batch).into());
            }
            let requests = items
                .into_iter()
                .enumerate()
                .map(|(index, item)| {
                    match item {
                        Value::Object(object) => from_object(object),
                        _ => Err(ParamsError::NotAnObject),
                    }
                    .map_err(|error| ParamsError::InBatch {
                        index,
                        error: Box::new(error),
                    })
                })
                .collect::<Result<_, _>>()?;
            Ok(Operations::Batch(requests))
        }
        _ => Err(ParamsError::NotAnObject),
    }
}

/// Parses the query string of a GET request (`query`, `operationName`, and `variables` and
/// `extensions` as JSON text).
pub fn from_query_string(
    pairs: Vec<(String, String)>,
) -> Result<async_graphql::Request, ParamsError> {
    let mut object = Map::new();
    for (name, text) in pairs {
        let value = match name.as_str() {
            "query" | "operationName" => Value::String(text),
            "variables" | "extensions" => {
                let name = if name == "variables" {
                    "variables"
                } else {
                    "extensions"
                };
                serde_json::from_str(&text).map_err(|_| ParamsError::WrongType {
                    name,
                    expected: "a JSON object (URL-encoded)",
                })?
            }
            _ => continue,
        };
        object.insert(name, value);
    }
    from_object(object)
}

fn from_object(mut object: Map<String, Value>) -> Result<async_graphql::Request, ParamsError> {
    let query = match object.remove("query") {
        Some(Value::String(query)) => query,
        None | Some(Value::Null) => return Err(ParamsError::MissingQuery),
        Some(_) => {
            return Err(ParamsError::WrongType {
                name: "query",
                expected: "a string",
            });
        }
    };
    let operation_name = match object.remove("operationName") {
        Some(Value::String(name)) => Some(name),
        None | Some(Value::Null) => None,
        Some(_) => {
            return Err(ParamsError::WrongType {
                name: "operationName",
                expected: "a string or null",
            });
        }
    };
    let variables = optional_object(&mut object, "variables")?;
    let extensions = optional_object(&mut object, "extensions")?;
    let request = serde_json::json!({
        "query": query,
        "operationName": operation_name,
        "variables": variables,
        "extensions": extensions,
    });
    // The shape was checked above, so this only fails on values async-graphql cannot hold
    // (numbers beyond its range), which are the client's to fix as well.
    serde_json::from_value(request).map_err(|e| ParamsError::Json(e.to_string()))
}

fn optional_object(
    object: &mut Map<String, Value>,
    name: &'static str,
) -> Result<Map<String, Value>, ParamsError> {
    match object.remove(name) {
        Some(Value::Object(map)) => Ok(map),
        None | Some(Value::Null) => Ok(Map::new()),
        Some(_) => Err(ParamsError::WrongType {
            name,
            expected: "an object or null",
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn single(body: Value) -> Result<async_graphql::Request, ParamsError> {
        match from_body(body.to_string().as_bytes(), 10)? {
            Operations::Single(r) => Ok(*r),
            Operations::Batch(_) => panic!("not a single request"),
        }
    }

    #[test]
    fn well_formed_requests_are_read() {
        let r = single(json!({
            "query": "query Q($n: String!) { __type(name: $n) { name } }",
            "operationName": "Q",
            "variables": { "n": "Query" },
            "extensions": { "some": "value" },
            "unknown": 1,
        }))
        .unwrap();
        assert_eq!(
            r.query,
            "query Q($n: String!) { __type(name: $n) { name } }"
        );
        assert_eq!(r.operation_name.as_deref(), Some("Q"));
        assert_eq!(
            r.variables.into_value().into_json().unwrap(),
            json!({ "n": "Query" })
        );
        let r = single(json!({ "query": "{ a }", "operationName": null, "variables": null, "extensions": null })).unwrap();
        assert_eq!((r.query.as_str(), r.operation_name), ("{ a }", None));
    }

    #[test]
    fn malformed_parameters_are_named() {
        let wrong = |name, expected| ParamsError::WrongType { name, expected };
        let cases = [
            (json!({ "notquery": "{ a }" }), ParamsError::MissingQuery),
            (json!({ "query": null }), ParamsError::MissingQuery),
            (json!({ "query": 0 }), wrong("query", "a string")),
            (json!({ "query": ["x"] }), wrong("query", "a string")),
            (
                json!({ "query": "{ a }", "operationName": false }),
                wrong("operationName", "a string or null"),
            ),
            (
                json!({ "query": "{ a }", "variables": "x" }),
                wrong("variables", "an object or null"),
            ),
            (
                json!({ "query": "{ a }", "variables": [1] }),
                wrong("variables", "an object or null"),
            ),
            (
                json!({ "query": "{ a }", "extensions": 0 }),
                wrong("extensions", "an object or null"),
            ),
        ];
        for (body, expected) in cases {
            assert_eq!(single(body.clone()).unwrap_err(), expected, "{body}");
        }
        assert_eq!(from_body(b"", 10).unwrap_err(), ParamsError::EmptyBody);
        assert_eq!(from_body(b"  \n", 10).unwrap_err(), ParamsError::EmptyBody);
        assert!(matches!(
            from_body(b"{ \"not a JSON", 10),
            Err(ParamsError::Json(_))
        ));
        assert_eq!(
            from_body(b"\"{ a }\"", 10).unwrap_err(),
            ParamsError::NotAnObject
        );
    }

    #[test]
    fn batches_are_bounded() {
        let batch = |n: usize| json!(vec![json!({ "query": "{ a }" }); n]).to_string();
        match from_body(batch(3).as_bytes(), 3).unwrap() {
            Operations::Batch(requests) => assert_eq!(requests.len(), 3),
            Operations::Single(_) => panic!("not a batch"),
        }
        let too_many = from_body(batch(4).as_bytes(), 3).unwrap_err();
        assert_eq!(
            too_many.to_string(),
            "a batch of 4 operations exceeds the limit of 3 (max_batch)"
        );
        let disabled = from_body(batch(1).as_bytes(), 0).unwrap_err();
        assert_eq!(
            disabled.to_string(),
            "batch requests are disabled on this server (max_batch = 0)"
        );
        assert_eq!(from_body(b"[]", 3).unwrap_err(), ParamsError::EmptyBatch);
        let inner = from_body(br#"[{"query":"{ a }"},{"query":1}]"#, 3).unwrap_err();
        assert_eq!(
            inner.to_string(),
            "batch operation 1: the `query` parameter must be a string"
        );
    }

    #[test]
    fn query_strings_carry_json_variables() {
        let pairs = |items: &[(&str, &str)]| {
            items
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect::<Vec<_>>()
        };
        let r = from_query_string(pairs(&[
            (
                "query",
                "query T($n: String!) { __type(name: $n) { name } }",
            ),
            ("variables", r#"{"n":"Query"}"#),
            ("operationName", "T"),
        ]))
        .unwrap();
        assert_eq!(
            r.variables.into_value().into_json().unwrap(),
            json!({ "n": "Query" })
        );
        assert_eq!(r.operation_name.as_deref(), Some("T"));
        assert_eq!(
            from_query_string(pairs(&[])).unwrap_err(),
            ParamsError::MissingQuery
        );
        assert_eq!(
            from_query_string(pairs(&[("query", "{ a }"), ("variables", "{oops")])).unwrap_err(),
            ParamsError::WrongType {
                name: "variables",
                expected: "a JSON object (URL-encoded)"
            }
        );
        assert_eq!(
            from_query_string(pairs(&[("query", "{ a }"), ("variables", "[1]")])).unwrap_err(),
            ParamsError::WrongType {
                name: "variables",
                expected: "an object or null"
            }
        );
    }
}
