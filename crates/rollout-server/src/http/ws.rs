//! GraphQL over WebSocket, for subscriptions: `GET /graphql/ws`, and `GET /graphql` when the
//! request is a WebSocket handshake. It speaks graphql-transport-ws (the `graphql-ws` npm
//! client) and the legacy subscriptions-transport-ws protocol (subprotocol `graphql-ws`),
//! through async-graphql's protocol machine; this module owns the socket loop around it, because
//! async-graphql-axum's `GraphQLWebSocket` closes a refused `connection_init` with 1002 and has
//! no way to end connections on shutdown.
//!
//! Authentication: the client sends its bearer secret in the `connection_init` payload, as
//! `{"Authorization": "Bearer <secret>"}` (or `authorization`), or as `{"token": "<secret>"}`.
//! It is checked by the same [`RequestAuthenticator`] as HTTP requests, as if it had come in an
//! `Authorization` header, so refusals are logged and audited alike; the acting user and the
//! handshake's [`RequestMeta`] become the connection's data. A refused init closes the socket
//! with 4403 Forbidden (4429 when the failed-authentication budget of `auth_limit` is spent), a
//! subscription before a successful init with 4401 Unauthorized, no init
//! within [`INIT_TIMEOUT`] with 4408, and a credential check that could not run with 1011.
//!
//! Cross-Site WebSocket Hijacking: browsers apply no CORS to WebSockets, so any page could open
//! one to this server. A handshake that carries an `Origin` is accepted only from the same
//! origin (its host equals the `Host` the request was sent to) or from a configured CORS origin;
//! anything else is refused with 403 before the upgrade. Handshakes without `Origin` come from
//! non-browser clients and are accepted (they still need a valid secret). Behind a reverse proxy
//! that rewrites `Host`, list the page's origin among the CORS origins.
//!
//! Limits: the handshake is an HTTP request behind the rate limiter. Over the socket only
//! subscriptions run, within the endpoint's limits and a number per connection; queries and
//! mutations go over HTTP (see `subscriptions`).
//!
//! Shutdown: the router owns a channel whose receivers every connection watches. axum drops the
//! router when graceful shutdown has drained HTTP, and each connection then closes with 1001
//! Going Away. (Upgraded sockets are outside axum's connection tracking, so they would
//! otherwise outlive the server.)

mod subscriptions;

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use async_graphql::Data;
use async_graphql::http::{WebSocket as Protocol, WebSocketProtocols, WsMessage};
use axum::body::Bytes;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::{ConnectInfo, FromRef, FromRequestParts, Request, State};
use axum::http::header::{AUTHORIZATION, HOST, ORIGIN, SEC_WEBSOCKET_PROTOCOL, UPGRADE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use futures::{SinkExt, StreamExt, future};
use serde_json::{Map, Value};
use tokio::sync::watch;
use tracing::Instrument;

pub use subscriptions::StreamFn;
use subscriptions::Subscriptions;

use super::auth::{AuthData, RequestAuthenticator, RequestMeta};
use super::endpoint::{self, Endpoint};
use super::negotiate::MediaType;
use super::reply;
use super::settings::CorsOrigin;

/// The dedicated WebSocket route.
pub const PATH: &str = "/graphql/ws";

/// How long a connection may stay without a `connection_init`.
pub const INIT_TIMEOUT: Duration = Duration::from_secs(10);

/// State of the GraphQL routes: the HTTP endpoint and what WebSocket connections need besides.
#[derive(Clone)]
pub struct GraphqlRoutes {
    pub http: Endpoint,
    stream: StreamFn,
    origins: Arc<[HeaderValue]>,
    /// Never sent on: its drop, with the router, is the shutdown signal.
    closing: Arc<watch::Sender<()>>,
}

impl GraphqlRoutes {
    pub fn new(http: Endpoint, stream: StreamFn, origins: &[CorsOrigin]) -> Self {
        Self {
            http,
            stream,
            origins: origins.iter().map(|o| o.header_value().clone()).collect(),
            closing: Arc::new(watch::channel(()).0),
        }
    }
}

impl std::fmt::Debug for GraphqlRoutes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GraphqlRoutes")
            .field("http", &self.http)
            .field("origins", &self.origins)
            .finish_non_exhaustive()
    }
}

impl FromRef<GraphqlRoutes> for Endpoint {
    fn from_ref(routes: &GraphqlRoutes) -> Self {
        routes.http.clone()
    }
}

/// `GET /graphql`: WebSocket handshakes are upgraded, everything else is GraphQL over HTTP.
pub async fn get(State(routes): State<GraphqlRoutes>, request: Request) -> Response {
    let handshake = request
        .headers()
        .get(UPGRADE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("websocket"));
    if handshake {
        upgrade(State(routes), request).await
    } else {
        endpoint::get(State(routes.http), request).await
    }
}

/// `GET /graphql/ws`: checks the origin and the subprotocol, then upgrades.
pub async fn upgrade(State(routes): State<GraphqlRoutes>, request: Request) -> Response {
    let (mut parts, _body) = request.into_parts();
    if !origin_allowed(&parts, &routes.origins) {
        tracing::info!(origin = ?parts.headers.get(ORIGIN), "WebSocket handshake refused: cross-origin");
        let error = reply::error(
            "FORBIDDEN",
            "WebSocket connections are accepted from this server's own pages and the configured CORS origins only",
            Map::new(),
        );
        return reply::errors(StatusCode::FORBIDDEN, MediaType::Json, vec![error]);
    }
    let Some(protocol) = subprotocol(&parts.headers) else {
        let error = reply::error(
            "BAD_REQUEST",
            "ask for the subprotocol graphql-transport-ws (or the legacy graphql-ws)",
            Map::new(),
        );
        return reply::errors(StatusCode::BAD_REQUEST, MediaType::Json, vec![error]);
    };
    let upgrade = match WebSocketUpgrade::from_request_parts(&mut parts, &()).await {
        Ok(upgrade) => upgrade,
        Err(rejection) => return rejection.into_response(),
    };
    let meta = request_meta(&parts);
    let span = tracing::info_span!(
        "websocket",
        request_id = meta.request_id.as_deref().unwrap_or("-")
    );
    let connection = Connection {
        executor: Subscriptions::new(routes.stream, routes.http.model, routes.http.limits),
        authenticator: routes.http.authenticator,
        meta,
        protocol,
        closing: routes.closing.subscribe(),
    };
    upgrade
        .protocols([protocol.sec_websocket_protocol()])
        .on_upgrade(move |socket| connection.serve(socket).instrument(span))
}

/// The first subprotocol the client asks for that we speak.
fn subprotocol(headers: &HeaderMap) -> Option<WebSocketProtocols> {
    headers
        .get_all(SEC_WEBSOCKET_PROTOCOL)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .find_map(|p| p.trim().parse().ok())
}

fn origin_allowed(parts: &Parts, allowed: &[HeaderValue]) -> bool {
    let Some(origin) = parts.headers.get(ORIGIN) else {
        return true;
    };
    if allowed
        .iter()
        .any(|a| a.as_bytes().eq_ignore_ascii_case(origin.as_bytes()))
    {
        return true;
    }
    let host = parts
        .headers
        .get(HOST)
        .and_then(|h| h.to_str().ok())
        .or_else(|| parts.uri.authority().map(|a| a.as_str()));
    let origin_host = origin.to_str().ok().and_then(|o| {
        o.strip_prefix("https://")
            .or_else(|| o.strip_prefix("http://"))
    });
    matches!((origin_host, host), (Some(o), Some(h)) if o.eq_ignore_ascii_case(h))
}

fn request_meta(parts: &Parts) -> RequestMeta {
    RequestMeta {
        request_id: parts
            .headers
            .get(super::stack::REQUEST_ID_HEADER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
        client_addr: parts
            .extensions
            .get::<ConnectInfo<std::net::SocketAddr>>()
            .map(|ConnectInfo(addr)| *addr),
    }
}

/// The `connection_init` payload's credential as the header HTTP requests carry it.
fn credentials(payload: &Value) -> HeaderMap {
    let text = |key: &str| payload.get(key).and_then(Value::as_str);
    let value = text("Authorization")
        .or_else(|| text("authorization"))
        .map(str::to_owned)
        .or_else(|| text("token").map(|t| format!("Bearer {t}")));
    let mut headers = HeaderMap::new();
    if let Some(mut value) = value.and_then(|v| HeaderValue::from_str(&v).ok()) {
        value.set_sensitive(true);
        headers.insert(AUTHORIZATION, value);
    }
    headers
}

/// How `connection_init` ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Init {
    Accepted,
    Refused,
    /// The failed-authentication budget is spent (`http::auth_limit`).
    RateLimited,
    /// The credentials could not be checked (the store is down).
    Unavailable,
}

/// The close frame to send instead of what the protocol machine asked for, given how init went.
fn close_frame(
    protocol: WebSocketProtocols,
    init: Option<Init>,
    code: u16,
    reason: String,
) -> (u16, String) {
    match (init, code) {
        (Some(Init::Refused), _) => (4403, "Forbidden".into()),
        (Some(Init::RateLimited), _) => (4429, "Too many failed authentications".into()),
        (Some(Init::Unavailable), _) => (1011, "credentials could not be checked right now".into()),
        // async-graphql's "The handshake is not completed." for a subscribe before the ack.
        (_, 1011) => (4401, "Unauthorized".into()),
        (_, 1002) if protocol == WebSocketProtocols::GraphQLWS => (4400, reason),
        _ => (code, reason),
    }
}

/// One upgraded connection.
struct Connection {
    executor: Subscriptions,
    authenticator: Arc<dyn RequestAuthenticator>,
    meta: RequestMeta,
    protocol: WebSocketProtocols,
    closing: watch::Receiver<()>,
}

impl Connection {
    async fn serve(mut self, socket: WebSocket) {
        let (mut sink, source) = socket.split();
        let input = source
            .take_while(|m| future::ready(m.is_ok()))
            .filter_map(|m| {
                future::ready(match m {
                    Ok(Message::Text(text)) => Some(Bytes::from(text)),
                    Ok(Message::Binary(bytes)) => Some(bytes),
                    _ => None,
                })
            });
        let init = Arc::new(OnceLock::new());
        let on_init = {
            let (init, authenticator, meta) = (init.clone(), self.authenticator, self.meta);
            move |payload: Value| async move {
                match authenticator
                    .authenticate(&credentials(&payload), &meta)
                    .await
                {
                    Ok(auth) => {
                        let _ = init.set(Init::Accepted);
                        Ok(connection_data(&auth, meta))
                    }
                    Err(rejection) => {
                        let outcome = if rejection.status.is_server_error() {
                            Init::Unavailable
                        } else if rejection.status == StatusCode::TOO_MANY_REQUESTS {
                            Init::RateLimited
                        } else {
                            Init::Refused
                        };
                        let _ = init.set(outcome);
                        Err(async_graphql::Error::new(rejection.message))
                    }
                }
            }
        };
        let mut machine =
            Protocol::new(self.executor, input, self.protocol).on_connection_init(on_init);
        let init_deadline = tokio::time::sleep(INIT_TIMEOUT);
        tokio::pin!(init_deadline);
        let (code, reason) = loop {
            tokio::select! {
                message = machine.next() => match message {
                    Some(WsMessage::Text(text)) => {
                        if sink.send(Message::Text(text.into())).await.is_err() {
                            return;
                        }
                    }
                    Some(WsMessage::Close(code, reason)) => {
                        break close_frame(self.protocol, init.get().copied(), code, reason);
                    }
                    // The legacy protocol reports a refused init as a message and just stops.
                    None => break close_frame(self.protocol, init.get().copied(), 1000, String::new()),
                },
                // Only ever completes by the sender's drop: the server is stopping.
                _ = self.closing.changed() => break (1001, "the server is shutting down".into()),
                () = &mut init_deadline, if init.get().is_none() => {
                    break (4408, "Connection initialisation timeout".into());
                }
            }
        };
        let frame = CloseFrame {
            code,
            reason: reason.into(),
        };
        // The client may be gone already; there is nobody left to tell then.
        let _ = sink.send(Message::Close(Some(frame))).await;
    }
}

/// The data of an authenticated connection: what the authenticator vouches for, and where the
/// connection came from.
fn connection_data(auth: &AuthData, meta: RequestMeta) -> Data {
    // AuthData fills a GraphQL request's data; a carrier request lends it its data to fill.
    let mut carrier = async_graphql::Request::new("");
    auth.apply(&mut carrier);
    carrier.data.insert(meta);
    std::mem::take(&mut carrier.data)
}

#[cfg(test)]
mod tests;
