//! Assembling the router for any async-graphql schema: the GraphQL routes (HTTP and WebSocket)
//! behind the rate limiter and the failed-authentication budget, the GraphiQL assets, whatever other routes the caller brings (the
//! probes), and the middleware every route shares: request ids, tracing, CORS and a last-resort
//! timeout.
//!
//! Generic over the schema so that the tests can put a tiny schema (with a slow resolver, say)
//! behind exactly the stack production uses.

use std::sync::Arc;
use std::time::Duration;

use async_graphql::{ObjectType, Schema, SubscriptionType};
use axum::Router;
use axum::extract::Request;
use axum::http::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, RETRY_AFTER};
use axum::http::{HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::get;
use tower::ServiceBuilder;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnResponse, OnResponse, TraceLayer};
use tracing::{Level, Span};

use super::auth::RequestAuthenticator;
use super::auth_limit::Guarded;
use super::endpoint::{self, Endpoint, ExecuteFn};
use super::graphiql;
use super::introspection::SchemaShape;
use super::limits::CostModel;
use super::rate_limit::{self, RateLimiter};
use super::settings::{CorsOrigin, HttpSettings};
use super::ws::{self, GraphqlRoutes, StreamFn};

/// The header carrying the request id, kept from the client when well-formed.
pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// Client-supplied request ids longer than this (or with other characters than letters,
/// digits, `-`, `_`, `.`, `:`) are replaced: they end up in logs and the audit trail.
const MAX_REQUEST_ID_LEN: usize = 128;

/// The whole router: `/graphql`, `/graphql/ws`, the GraphiQL assets and `extra`, behind the
/// shared middleware.
pub fn graphql_app<Q, M, S>(
    schema: Schema<Q, M, S>,
    settings: &HttpSettings,
    authenticator: Arc<dyn RequestAuthenticator>,
    extra: Router,
) -> Router
where
    Q: ObjectType + 'static,
    M: ObjectType + 'static,
    S: SubscriptionType + 'static,
{
    graphql_app_with(schema, settings, authenticator, extra, |_| Router::new())
}

/// [`graphql_app`] with routes of the caller's that authenticate like `/graphql` (`authed` is
/// given the very authenticator `/graphql` uses, behind the same failed-authentication budget)
/// and sit behind the same rate limiter: the report download.
pub fn graphql_app_with<Q, M, S>(
    schema: Schema<Q, M, S>,
    settings: &HttpSettings,
    authenticator: Arc<dyn RequestAuthenticator>,
    extra: Router,
    authed: impl FnOnce(Arc<dyn RequestAuthenticator>) -> Router,
) -> Router
where
    Q: ObjectType + 'static,
    M: ObjectType + 'static,
    S: SubscriptionType + 'static,
{
    let model = CostModel::from_sdl(&schema.sdl()).unwrap_or_else(|e| {
        // Only explicit `first`/`last` arguments then count; the SDL is the schema's own, so
        // this is a bug to fix rather than a reason not to serve.
        tracing::error!(error = %e, "cannot read the schema's SDL: default page sizes are not counted");
        CostModel::default()
    });
    let model = match settings
        .introspection
        .then(|| SchemaShape::of(&schema))
        .flatten()
    {
        Some(shape) => model.with_introspection(shape, settings.limits.max_complexity),
        None => model,
    };
    let stream: StreamFn = {
        let schema = schema.clone();
        Arc::new(move |request, data| {
            schema.execute_stream_with_session_data(request, data.unwrap_or_default())
        })
    };
    let execute: ExecuteFn = Arc::new(move |request| {
        let schema = schema.clone();
        Box::pin(async move { schema.execute(request).await })
    });
    let authenticator: Arc<dyn RequestAuthenticator> = match settings.auth_failures {
        Some(limit) => Arc::new(Guarded::new(authenticator, limit)),
        None => authenticator,
    };
    let endpoint = Endpoint {
        execute,
        model: Arc::new(model),
        limits: settings.limits.clone(),
        introspection: settings.introspection,
        authenticator: authenticator.clone(),
        operations: Arc::default(),
    };
    let routes = GraphqlRoutes::new(endpoint, stream, &settings.cors_origins);
    let mut graphql = Router::new()
        .route("/graphql", get(ws::get).post(endpoint::post))
        .route(ws::PATH, get(ws::upgrade))
        .with_state(routes)
        .merge(authed(authenticator));
    if let Some(limit) = settings.rate_limit {
        let limiter = Arc::new(RateLimiter::new(limit));
        graphql = graphql.route_layer(middleware::from_fn_with_state(limiter, rate_limit::limit));
    }
    let request_id = HeaderName::from_static(REQUEST_ID_HEADER);
    // Slow uploads and anything else outside GraphQL execution (which has its own deadline).
    let backstop =
        (settings.limits.execution_timeout + Duration::from_secs(5)).max(Duration::from_secs(30));
    let shared = ServiceBuilder::new()
        .layer(middleware::from_fn(drop_malformed_request_id))
        .layer(SetRequestIdLayer::new(request_id.clone(), MakeRequestUuid))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(request_span)
                .on_response(on_response),
        )
        .layer(PropagateRequestIdLayer::new(request_id))
        .option_layer(cors(&settings.cors_origins))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            backstop,
        ));
    graphql
        .merge(graphiql::assets())
        .merge(extra)
        .layer(middleware::from_fn(super::metrics::track))
        .layer(shared)
}

/// The span of one HTTP request: its method, path (never the query string, which could carry
/// a secret), request id and, when traces are exported, trace id (the caller's, when it sends a
/// `traceparent`), which every log line inside it repeats; `otel.*` name the exported span
/// `POST /graphql` and mark it a server span.
fn request_span<B>(req: &Request<B>) -> Span {
    let id = req
        .headers()
        .get(REQUEST_ID_HEADER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-");
    let span = tracing::info_span!(
        "request",
        method = %req.method(),
        uri = %req.uri().path(),
        request_id = %id,
        trace_id = tracing::field::Empty,
        status = tracing::field::Empty,
        otel.name = %format_args!("{} {}", req.method(), req.uri().path()),
        otel.kind = "server",
    );
    crate::telemetry::adopt_remote_parent(&span, req.headers());
    crate::telemetry::record_trace_id(&span);
    span
}

/// The response's status on the request span (a trace attribute), then tower-http's usual
/// `finished processing request` line.
fn on_response<B>(response: &Response<B>, latency: Duration, span: &Span) {
    span.record("status", response.status().as_u16());
    DefaultOnResponse::new()
        .level(Level::INFO)
        .on_response(response, latency, span);
}

/// `None` (no CORS headers at all: same-origin only) when no origin is configured.
fn cors(origins: &[CorsOrigin]) -> Option<CorsLayer> {
    if origins.is_empty() {
        return None;
    }
    let request_id = HeaderName::from_static(REQUEST_ID_HEADER);
    Some(
        CorsLayer::new()
            .allow_origin(AllowOrigin::list(
                origins.iter().map(|o| o.header_value().clone()),
            ))
            .allow_methods([Method::GET, Method::POST])
            .allow_headers([AUTHORIZATION, CONTENT_TYPE, ACCEPT, request_id.clone()])
            .expose_headers([request_id, RETRY_AFTER])
            // Bearer tokens, not cookies: credentials mode stays off.
            .max_age(Duration::from_secs(600)),
    )
}

fn well_formed_request_id(value: &HeaderValue) -> bool {
    let bytes = value.as_bytes();
    (1..=MAX_REQUEST_ID_LEN).contains(&bytes.len())
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
}

async fn drop_malformed_request_id(mut request: Request, next: Next) -> Response {
    if request
        .headers()
        .get(REQUEST_ID_HEADER)
        .is_some_and(|v| !well_formed_request_id(v))
    {
        request.headers_mut().remove(REQUEST_ID_HEADER);
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_ids_are_kept_only_when_well_formed() {
        for ok in ["abc", "0190a0e0-7c4f-7b6e-9d1f-3a2b1c0d9e8f", "trace:1.2_3"] {
            assert!(
                well_formed_request_id(&HeaderValue::from_static(ok)),
                "{ok}"
            );
        }
        let long = "x".repeat(129);
        for bad in ["", "a b", "<script>", long.as_str()] {
            assert!(
                !well_formed_request_id(&HeaderValue::from_str(bad).unwrap()),
                "{bad}"
            );
        }
    }
}
