//! The HTTP surface: `POST /graphql` and `GET /graphql` (GraphQL over HTTP, with GraphiQL for
//! browsers), `GET /graphql/ws` (subscriptions over WebSocket, see `ws`; also accepted as an
//! upgrade of `GET /graphql`), `/healthz` (the process is up) and `/readyz` (the database
//! answers and the server is not stopping: [`Stopping`]).
//!
//! `GET /reports/quarterly/{quarter}.xlsx` (`reports`) serves the quarterly report's workbook
//! to the same bearer credentials as `/graphql`.
//!
//! The GraphQL endpoint follows the GraphQL-over-HTTP specification (checked by the
//! `graphql-http` audit suite in `tests/e2e/graphql_http_audit.rs`): `application/json` and
//! `application/graphql-response+json` answers with the status codes each calls for, 406 and
//! 415 for media types it does not speak, 400 for malformed requests. In front of execution it
//! enforces the limits of [`Limits`] (depth, complexity, aliases, batch size, body size,
//! execution time), refuses introspection when configured to, rate-limits each client and asks
//! a [`RequestAuthenticator`] who is calling, within a budget of failed authentications per
//! client address and overall (`auth_limit`). [`serve`] runs the accept loop, with timeouts and
//! a cap on connections. Every GraphQL request's data holds a
//! [`RequestMeta`] (request id, client address) for the audit trail. Every route is counted and
//! timed by `metrics::track` (route pattern, GraphQL operation, outcome), which records nothing
//! unless `rollout serve` installed a metrics recorder.
//!
//! CSRF: a state-changing request cannot come from a plain HTML form or a "simple" cross-origin
//! request. Mutations are only run from POST bodies typed `application/json` or
//! `application/graphql-response+json`, which no form can send and which make a browser ask
//! (CORS preflight) before sending cross-origin; `text/plain`, form-urlencoded and multipart
//! bodies are refused with 415 before anything is parsed. GET runs queries only: a mutation
//! over GET is refused with 405 and `Allow: POST`, so links, images and prefetches change
//! nothing. CORS admits no origin unless configured, and never with credentials; identities are
//! bearer tokens in a header, which browsers do not attach by themselves.
//!
//! Deliberately not here: what a caller may do (the use cases decide), the schema (in
//! rollout-graphql), and which credentials are valid (the authenticator's business).

mod auth;
mod auth_limit;
mod endpoint;
mod graphiql;
mod introspection;
mod layer;
mod limits;
pub mod metrics;
mod negotiate;
mod params;
mod rate_limit;
mod reply;
mod reports;
mod serve;
mod settings;
mod stack;
mod ws;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::extract::connect_info::IntoMakeServiceWithConnectInfo;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use rollout_graphql::RolloutSchema;
use rollout_store::Store;

pub use auth::{AuthData, AuthRejection, RequestAuthenticator, RequestMeta};
pub use auth_limit::Guarded;
pub use layer::{HttpLayer, HttpSettingError};
pub use limits::{CostModel, DEFAULT_PAGE_SIZE, LimitExceeded};
pub use serve::serve;
pub use settings::{
    AuthFailureLimit, ConnectionLimits, CorsOrigin, HttpSettings, Limits, RateLimit, ShutdownTiming,
};
pub use stack::{REQUEST_ID_HEADER, graphql_app, graphql_app_with};

/// How long `/readyz` waits for the database.
const READY_TIMEOUT: Duration = Duration::from_secs(2);

/// What the routes need from the running server.
#[derive(Clone)]
pub struct HttpState {
    pub schema: RolloutSchema,
    pub store: Arc<dyn Store>,
    /// The use cases behind the routes other than GraphQL (the report download).
    pub app: rollout_app::App,
    /// The dashboard's pages (`rollout_web`), served beside the API.
    pub web: Router,
    /// Set at the shutdown signal: `/readyz` answers 503 from then on.
    pub stopping: Stopping,
}

/// Whether this replica is stopping: once set (at SIGTERM), `/readyz` answers 503 so that load
/// balancers send it nothing new while it finishes what it has.
#[derive(Debug, Clone, Default)]
pub struct Stopping(Arc<AtomicBool>);

impl Stopping {
    pub fn begin(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    pub fn is_set(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

impl std::fmt::Debug for HttpState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpState")
            .field("store", &self.store)
            .finish_non_exhaustive()
    }
}

/// The router with every route and middleware. Serve it through [`with_client_addrs`] so that
/// client addresses are known.
pub fn router_with(
    state: HttpState,
    settings: &HttpSettings,
    authenticator: Arc<dyn RequestAuthenticator>,
) -> Router {
    let probes = Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .with_state((state.store, state.stopping))
        .merge(state.web);
    let app = state.app;
    graphql_app_with(state.schema, settings, authenticator, probes, |auth| {
        reports::routes(app, auth)
    })
}

/// `router` as a service that records each connection's peer address, which rate limiting and
/// [`RequestMeta::client_addr`] need: what `axum::serve` should be given (tests that serve a
/// bare router do; the server itself uses [`serve`], which records it too).
pub fn with_client_addrs(router: Router) -> IntoMakeServiceWithConnectInfo<Router, SocketAddr> {
    router.into_make_service_with_connect_info::<SocketAddr>()
}

async fn healthz() -> &'static str {
    "ok"
}

async fn readyz(State((store, stopping)): State<(Arc<dyn Store>, Stopping)>) -> Response {
    if stopping.is_set() {
        return (StatusCode::SERVICE_UNAVAILABLE, "shutting down").into_response();
    }
    match tokio::time::timeout(READY_TIMEOUT, store.ping()).await {
        Ok(Ok(())) => (StatusCode::OK, "ready").into_response(),
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "readiness check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response()
        }
        Err(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            "database did not answer in time",
        )
            .into_response(),
    }
}
