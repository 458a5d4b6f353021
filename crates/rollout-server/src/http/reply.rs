//! Turning results into HTTP responses with the status codes GraphQL over HTTP asks for.
//!
//! Under `application/graphql-response+json` the status says what happened: a request error
//! (the document does not parse or validate, variables do not coerce, a limit is exceeded) is
//! 400 and its body has no `data` entry; a timeout is 504; anything that executed is 200, field
//! errors included. Under `application/json` every well-formed request is answered 200, as the
//! spec requires for legacy clients, with the same bodies. Errors found before there is a
//! GraphQL request at all (bad body, wrong content type, size, rate, authentication) have their
//! own HTTP status under either type.
//!
//! A request error is recognised as async-graphql reports it: no data and only errors without a
//! path. Field errors always carry a path, even when they null the whole `data`.

use axum::body::Body;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, RETRY_AFTER, VARY, WWW_AUTHENTICATE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::Response;
use serde_json::{Map, Value, json};

use super::auth::AuthRejection;
use super::limits::LimitExceeded;
use super::negotiate::MediaType;

/// One GraphQL error with `extensions.code` and optional further extensions. Every refusal of
/// the endpoint is made here, so here it is counted (`rollout_graphql_errors_total`, `refused`).
pub fn error(code: &str, message: &str, extra: Map<String, Value>) -> Value {
    rollout_graphql::error_codes::count(rollout_graphql::error_codes::ErrorKind::Refused, code);
    let mut extensions = Map::new();
    extensions.insert("code".into(), Value::String(code.to_owned()));
    extensions.extend(extra);
    json!({ "message": message, "extensions": extensions })
}

/// The error of a limit: `LIMIT_EXCEEDED`, naming the setting and its value.
pub fn limit_error(limit: &LimitExceeded) -> Value {
    let mut extra = Map::new();
    extra.insert("limit".into(), Value::String(limit.setting.to_owned()));
    extra.insert("max".into(), Value::from(limit.max));
    error("LIMIT_EXCEEDED", &limit.message, extra)
}

/// A response whose body is only `errors`.
pub fn errors(status: StatusCode, media: MediaType, errors: Vec<Value>) -> Response {
    json_response(status, media, &json!({ "errors": errors }))
}

fn request_error_status(media: MediaType) -> StatusCode {
    match media {
        MediaType::GraphqlResponseJson => StatusCode::BAD_REQUEST,
        MediaType::Json | MediaType::Html => StatusCode::OK,
    }
}

/// An authenticator's refusal, with `WWW-Authenticate: Bearer` on a 401 and `Retry-After` when
/// it says when to try again.
pub fn rejection(media: MediaType, rejection: &AuthRejection) -> Response {
    let mut extra = Map::new();
    if let Some(seconds) = rejection.retry_after {
        extra.insert("retryAfter".into(), Value::from(seconds));
    }
    let body = error(rejection.code, &rejection.message, extra);
    let mut response = errors(rejection.status, media, vec![body]);
    if let Some(seconds) = rejection.retry_after {
        response
            .headers_mut()
            .insert(RETRY_AFTER, HeaderValue::from(seconds));
    }
    if rejection.status == StatusCode::UNAUTHORIZED {
        response.headers_mut().insert(
            WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer realm=\"rollout\""),
        );
    }
    response
}

/// Whether async-graphql's response is a request error (nothing was executed).
pub fn is_request_error(response: &async_graphql::Response) -> bool {
    response.data == async_graphql::Value::Null
        && !response.errors.is_empty()
        && response.errors.iter().all(|e| e.path.is_empty())
}

/// The body of one executed (or refused) operation.
pub fn body_of(response: &async_graphql::Response) -> Value {
    if is_request_error(response) {
        let mut body = json!({ "errors": response.errors });
        if !response.extensions.is_empty() {
            body["extensions"] = json!(response.extensions);
        }
        body
    } else {
        json!(response)
    }
}

/// One operation's response with the status its media type calls for.
pub fn single(media: MediaType, response: async_graphql::Response) -> Response {
    let status = if is_request_error(&response) {
        request_error_status(media)
    } else {
        StatusCode::OK
    };
    let mut reply = json_response(status, media, &body_of(&response));
    reply.headers_mut().extend(response.http_headers);
    reply
}

/// A batch's responses, in order. Always 200: each element carries its own outcome, and one
/// bad operation must not hide the others' results.
pub fn batch(media: MediaType, responses: Vec<async_graphql::Response>) -> Response {
    let bodies: Vec<Value> = responses.iter().map(body_of).collect();
    let mut reply = json_response(StatusCode::OK, media, &Value::Array(bodies));
    for response in responses {
        reply.headers_mut().extend(response.http_headers);
    }
    reply
}

/// The `TIMEOUT` error of an operation abandoned after `seconds`.
pub fn timeout_error(timeout: std::time::Duration) -> Value {
    let mut extra = Map::new();
    extra.insert("limit".into(), Value::String("execution_timeout".into()));
    extra.insert("max".into(), json!(timeout.as_secs_f64()));
    error(
        "TIMEOUT",
        &format!(
            "the request did not finish within {} s and was abandoned (execution_timeout); a mutation may or may not have been applied",
            timeout.as_secs_f64()
        ),
        extra,
    )
}

/// 504 under the GraphQL media type (the server gave up), 200 under legacy JSON.
pub fn timeout_status(media: MediaType) -> StatusCode {
    match media {
        MediaType::GraphqlResponseJson => StatusCode::GATEWAY_TIMEOUT,
        MediaType::Json | MediaType::Html => StatusCode::OK,
    }
}

fn json_response(status: StatusCode, media: MediaType, body: &Value) -> Response {
    let media = match media {
        MediaType::Html => MediaType::Json,
        json => json,
    };
    let mut response = Response::new(Body::from(body.to_string()));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(media.content_type()));
    // Answers depend on who asks and how: no shared cache may keep or mix them.
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(VARY, HeaderValue::from_static("accept"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use async_graphql::{PathSegment, ServerError};

    async fn parts(response: Response) -> (u16, String, Value) {
        let status = response.status().as_u16();
        let content_type = response.headers()[CONTENT_TYPE]
            .to_str()
            .unwrap()
            .to_owned();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        (
            status,
            content_type,
            serde_json::from_slice(&bytes).unwrap(),
        )
    }

    #[tokio::test]
    async fn request_errors_have_no_data_and_a_status_by_media_type() {
        let refused =
            || async_graphql::Response::from_errors(vec![ServerError::new("Unknown field", None)]);
        let (status, content_type, body) =
            parts(single(MediaType::GraphqlResponseJson, refused())).await;
        assert_eq!(
            (status, content_type.as_str()),
            (400, "application/graphql-response+json; charset=utf-8")
        );
        assert_eq!(body, json!({ "errors": [{ "message": "Unknown field" }] }));
        let (status, content_type, body) = parts(single(MediaType::Json, refused())).await;
        assert_eq!(
            (status, content_type.as_str()),
            (200, "application/json; charset=utf-8")
        );
        assert!(body.get("data").is_none(), "{body}");
    }

    #[tokio::test]
    async fn field_errors_are_200_even_when_data_is_null() {
        let mut error = ServerError::new("boom", None);
        error.path = vec![PathSegment::Field("bureaus".into())];
        let nulled = async_graphql::Response::from_errors(vec![error]);
        let (status, _, body) = parts(single(MediaType::GraphqlResponseJson, nulled)).await;
        assert_eq!(status, 200);
        assert_eq!(body["data"], Value::Null);
        assert_eq!(body["errors"][0]["path"], json!(["bureaus"]));
    }

    #[tokio::test]
    async fn rejections_and_limits_carry_codes() {
        let (status, _, body) = parts(rejection(
            MediaType::Json,
            &AuthRejection::unauthenticated("no token"),
        ))
        .await;
        assert_eq!(status, 401);
        assert_eq!(body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED");
        let response = rejection(MediaType::Json, &AuthRejection::unauthenticated("x"));
        assert_eq!(
            response.headers()[WWW_AUTHENTICATE],
            "Bearer realm=\"rollout\""
        );
        let limit = limit_error(&LimitExceeded::aliases(31, 30));
        assert_eq!(
            limit,
            json!({ "message": "31 aliases exceed the limit of 30 (max_aliases)",
                    "extensions": { "code": "LIMIT_EXCEEDED", "limit": "max_aliases", "max": 30 } })
        );
        assert_eq!(timeout_status(MediaType::GraphqlResponseJson).as_u16(), 504);
        assert_eq!(timeout_status(MediaType::Json).as_u16(), 200);
    }
}
