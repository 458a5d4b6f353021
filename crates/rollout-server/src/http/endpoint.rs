//! The GraphQL-over-HTTP handlers in front of the executor: `POST /graphql` and `GET /graphql`
//! (queries only; GraphiQL for browsers).
//!
//! Order of checks, cheapest and least revealing first: media types (406, 415), body size (413),
//! parameters (400), authentication (401/403), then per operation the document's cost (limits,
//! introspection, mutations over GET: 405), and finally execution under a deadline. The rate
//! limiter runs before all of this as middleware.
//!
//! It knows nothing of rollout's schema: the executor is type-erased to a function, so the same
//! handlers serve the real schema and the small schemas of the tests.

use std::sync::Arc;

use async_graphql::futures_util::future::BoxFuture;
use async_graphql::parser::types::OperationType;
use async_graphql::{ErrorExtensionValues, ServerError};
use axum::body::Body;
use axum::extract::{ConnectInfo, Query, Request, State};
use axum::http::header::{ALLOW, CONTENT_LENGTH};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use futures::StreamExt;
use serde_json::Map;
use tokio::time::Instant;

use super::auth::{AuthData, RequestAuthenticator, RequestMeta};
use super::graphiql;
use super::limits::{CostModel, LimitExceeded, measure};
use super::metrics::{ANONYMOUS, Answered, BATCH, OperationNames, unread};
use super::negotiate::{self, JSON_TYPES, MediaType};
use super::params::{self, Operations, ParamsError};
use super::reply;
use super::settings::Limits;

/// Runs one GraphQL request.
pub type ExecuteFn = Arc<
    dyn Fn(async_graphql::Request) -> BoxFuture<'static, async_graphql::Response> + Send + Sync,
>;

/// What the handlers share.
#[derive(Clone)]
pub struct Endpoint {
    pub execute: ExecuteFn,
    pub model: Arc<CostModel>,
    pub limits: Limits,
    pub introspection: bool,
    pub authenticator: Arc<dyn RequestAuthenticator>,
    /// The operation names that label request metrics (bounded).
    pub operations: Arc<OperationNames>,
}

impl std::fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Endpoint")
            .field("limits", &self.limits)
            .field("introspection", &self.introspection)
            .finish_non_exhaustive()
    }
}

pub async fn post(State(endpoint): State<Endpoint>, request: Request) -> Response {
    unread(post_answer(endpoint, request).await)
}

async fn post_answer(endpoint: Endpoint, request: Request) -> Response {
    let Some(media) = negotiate::negotiate(request.headers(), &JSON_TYPES) else {
        return not_acceptable();
    };
    if let Err(e) = negotiate::check_content_type(request.headers()) {
        let error = reply::error("UNSUPPORTED_MEDIA_TYPE", &e.to_string(), Map::new());
        return reply::errors(StatusCode::UNSUPPORTED_MEDIA_TYPE, media, vec![error]);
    }
    let meta = request_meta(&request);
    let (parts, body) = request.into_parts();
    let bytes = match read_body(&parts.headers, body, endpoint.limits.max_body_bytes).await {
        Ok(bytes) => bytes,
        Err(response) => return response,
    };
    let operations = match params::from_body(&bytes, endpoint.limits.max_batch) {
        Ok(operations) => operations,
        Err(e) => return bad_params(media, &e),
    };
    let auth = match endpoint
        .authenticator
        .authenticate(&parts.headers, &meta)
        .await
    {
        Ok(auth) => auth,
        Err(rejection) => return reply::rejection(media, &rejection),
    };
    match operations {
        Operations::Single(request) => {
            endpoint
                .run_single(media, *request, &auth, &meta, false)
                .await
        }
        Operations::Batch(requests) => endpoint.run_batch(media, requests, &auth, &meta).await,
    }
}

pub async fn get(State(endpoint): State<Endpoint>, request: Request) -> Response {
    unread(get_answer(endpoint, request).await)
}

async fn get_answer(endpoint: Endpoint, request: Request) -> Response {
    let candidates = [
        MediaType::Json,
        MediaType::GraphqlResponseJson,
        MediaType::Html,
    ];
    let media = match negotiate::negotiate(request.headers(), &candidates) {
        None => return not_acceptable(),
        Some(MediaType::Html) => return graphiql::page(),
        Some(media) => media,
    };
    let pairs = match Query::<Vec<(String, String)>>::try_from_uri(request.uri()) {
        Ok(Query(pairs)) => pairs,
        Err(e) => return bad_params(media, &ParamsError::QueryString(e.body_text())),
    };
    let graphql_request = match params::from_query_string(pairs) {
        Ok(r) => r,
        Err(e) => return bad_params(media, &e),
    };
    let meta = request_meta(&request);
    let auth = match endpoint
        .authenticator
        .authenticate(request.headers(), &meta)
        .await
    {
        Ok(auth) => auth,
        Err(rejection) => return reply::rejection(media, &rejection),
    };
    endpoint
        .run_single(media, graphql_request, &auth, &meta, true)
        .await
}

impl Endpoint {
    async fn run_single(
        &self,
        media: MediaType,
        request: async_graphql::Request,
        auth: &AuthData,
        meta: &RequestMeta,
        over_get: bool,
    ) -> Response {
        let (mut request, kind) = match self.prepare(request, auth, meta) {
            Ok(prepared) => prepared,
            Err(error) => {
                let response = async_graphql::Response::from_errors(vec![error]);
                return answered(ANONYMOUS.to_owned(), true, reply::single(media, response));
            }
        };
        let requested = request.operation_name.clone();
        let operation = match request.parsed_query() {
            Ok(doc) if super::metrics::recording() => {
                self.operations.label(doc, requested.as_deref())
            }
            _ => ANONYMOUS.to_owned(),
        };
        if over_get && kind.is_some_and(|kind| kind != OperationType::Query) {
            return answered(operation, true, mutation_over_get(media));
        }
        let timeout = self.limits.execution_timeout;
        match tokio::time::timeout(timeout, (self.execute)(request)).await {
            Ok(response) => {
                let errors = !response.errors.is_empty();
                answered(operation, errors, reply::single(media, response))
            }
            Err(_) => {
                tracing::warn!(?timeout, "GraphQL execution abandoned after the timeout");
                let response = reply::errors(
                    reply::timeout_status(media),
                    media,
                    vec![reply::timeout_error(timeout)],
                );
                answered(operation, true, response)
            }
        }
    }

    /// Runs a batch in order (mutations in a batch must not race each other) under one deadline
    /// for the whole HTTP request; operations not finished by then answer `TIMEOUT`.
    async fn run_batch(
        &self,
        media: MediaType,
        requests: Vec<async_graphql::Request>,
        auth: &AuthData,
        meta: &RequestMeta,
    ) -> Response {
        let timeout = self.limits.execution_timeout;
        let deadline = Instant::now() + timeout;
        let mut responses = Vec::with_capacity(requests.len());
        for request in requests {
            let response = match self.prepare(request, auth, meta) {
                Err(error) => async_graphql::Response::from_errors(vec![error]),
                Ok((request, _)) => {
                    match tokio::time::timeout_at(deadline, (self.execute)(request)).await {
                        Ok(response) => response,
                        Err(_) => async_graphql::Response::from_errors(vec![server_error(
                            &reply::timeout_error(timeout),
                        )]),
                    }
                }
            };
            responses.push(response);
        }
        let errors = responses.iter().any(|r| !r.errors.is_empty());
        answered(BATCH.to_owned(), errors, reply::batch(media, responses))
    }

    /// Checks one operation against the limits and hands it what it needs to run. Returns the
    /// kind of operation it selects, `None` when none can be selected (the executor then
    /// reports that as a request error).
    fn prepare(
        &self,
        mut request: async_graphql::Request,
        auth: &AuthData,
        meta: &RequestMeta,
    ) -> Result<(async_graphql::Request, Option<OperationType>), ServerError> {
        let doc = async_graphql::parser::parse_query(&request.query).map_err(|e| {
            // Not executed, so the schema's extension does not see it: counted here.
            use rollout_graphql::error_codes::{self as codes, ErrorKind};
            codes::count(ErrorKind::Error, codes::GRAPHQL_PARSE_FAILED);
            codes::parse_failed(e.into())
        })?;
        let cost = measure(
            &doc,
            request.operation_name.as_deref(),
            &request.variables,
            &self.model,
        );
        if let Some(cost) = cost {
            if cost.kind == OperationType::Subscription {
                let error = reply::error(
                    "BAD_REQUEST",
                    "subscriptions run over a WebSocket: connect to /graphql/ws \
                     (graphql-transport-ws or graphql-ws) and send it there",
                    Map::new(),
                );
                return Err(server_error(&error));
            }
            if cost.introspection && !self.introspection {
                let error = reply::error(
                    "INTROSPECTION_DISABLED",
                    "introspection is disabled on this server",
                    Map::new(),
                );
                return Err(server_error(&error));
            }
            if let Some(limit) = cost.exceeds(&self.limits) {
                return Err(server_error(&reply::limit_error(&limit)));
            }
        }
        // Parsed once: the executor reuses the document.
        request.set_parsed_query(doc);
        if !self.introspection {
            request = request.disable_introspection();
        }
        auth.apply(&mut request);
        request.data.insert(meta.clone());
        Ok((request, cost.map(|c| c.kind)))
    }
}

/// `response` labelled for the request metrics.
fn answered(operation: String, errors: bool, response: Response) -> Response {
    Answered { operation, errors }.on(response)
}

/// A GraphQL error body (`reply::error`) as async-graphql's error type, so that refusals and
/// executed responses are rendered by the same code.
fn server_error(body: &serde_json::Value) -> ServerError {
    let message = body["message"].as_str().unwrap_or_default();
    let mut error = ServerError::new(message, None);
    if let Some(map) = body["extensions"].as_object() {
        let mut extensions = ErrorExtensionValues::default();
        for (name, value) in map {
            let value = async_graphql::Value::from_json(value.clone())
                .unwrap_or(async_graphql::Value::Null);
            extensions.set(name, value);
        }
        error.extensions = Some(extensions);
    }
    error
}

/// The request id (already set or generated by the middleware) and the TCP peer.
pub(super) fn request_meta(request: &Request) -> RequestMeta {
    RequestMeta {
        request_id: request
            .headers()
            .get(super::stack::REQUEST_ID_HEADER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
        client_addr: request
            .extensions()
            .get::<ConnectInfo<std::net::SocketAddr>>()
            .map(|ConnectInfo(addr)| *addr),
    }
}

/// Reads the body, refusing with 413 as soon as it is known to exceed `max`.
async fn read_body(headers: &HeaderMap, body: Body, max: usize) -> Result<Vec<u8>, Response> {
    let too_large = || {
        let error = reply::limit_error(&LimitExceeded::body(max));
        reply::errors(StatusCode::PAYLOAD_TOO_LARGE, MediaType::Json, vec![error])
    };
    let declared = headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > max as u64) {
        return Err(too_large());
    }
    let mut bytes = Vec::new();
    let mut stream = body.into_data_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| {
            let error = reply::error(
                "BAD_REQUEST",
                &format!("the request body could not be read: {e}"),
                Map::new(),
            );
            reply::errors(StatusCode::BAD_REQUEST, MediaType::Json, vec![error])
        })?;
        if bytes.len() + chunk.len() > max {
            return Err(too_large());
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}

fn bad_params(media: MediaType, error: &ParamsError) -> Response {
    let body = match error {
        ParamsError::Limit(limit) => reply::limit_error(limit),
        other => reply::error("BAD_REQUEST", &other.to_string(), Map::new()),
    };
    reply::errors(StatusCode::BAD_REQUEST, media, vec![body])
}

fn not_acceptable() -> Response {
    let error = reply::error(
        "NOT_ACCEPTABLE",
        "this endpoint answers application/graphql-response+json or application/json (or text/html for GraphiQL on GET)",
        Map::new(),
    );
    reply::errors(StatusCode::NOT_ACCEPTABLE, MediaType::Json, vec![error])
}

fn mutation_over_get(media: MediaType) -> Response {
    let error = reply::error(
        "METHOD_NOT_ALLOWED",
        "only queries may be sent with GET; send mutations with POST",
        Map::new(),
    );
    let mut response = reply::errors(StatusCode::METHOD_NOT_ALLOWED, media, vec![error]);
    response
        .headers_mut()
        .insert(ALLOW, HeaderValue::from_static("POST"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunked(sizes: &[usize]) -> Body {
        let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
            sizes.iter().map(|&n| Ok(vec![b'x'; n])).collect();
        Body::from_stream(futures::stream::iter(chunks))
    }

    #[tokio::test]
    async fn bodies_are_cut_off_at_the_limit_as_they_arrive() {
        let read = read_body(&HeaderMap::new(), chunked(&[400, 400]), 1024).await;
        assert_eq!(read.map(|b| b.len()).ok(), Some(800));
        let refused = read_body(&HeaderMap::new(), chunked(&[600, 600, 600]), 1024)
            .await
            .unwrap_err();
        assert_eq!(refused.status(), StatusCode::PAYLOAD_TOO_LARGE);
        let mut declared = HeaderMap::new();
        declared.insert(CONTENT_LENGTH, HeaderValue::from_static("5000"));
        let refused = read_body(&declared, chunked(&[10]), 1024)
            .await
            .unwrap_err();
        assert_eq!(refused.status(), StatusCode::PAYLOAD_TOO_LARGE);
    }
}
