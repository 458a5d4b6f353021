//! GraphQL subscriptions over a real WebSocket, on both backends: `connection_init` carries the
//! bearer token (none or a bad one closes the socket with 4403 and leaves an UNAUTHENTICATED
//! audit entry; a subscription before it closes with 4401), a coordinator subscribed to their
//! bureau receives a transition made over HTTP and nothing of another bureau, the legacy
//! `graphql-ws` subprotocol works as well (on `/graphql` itself), a cross-site `Origin` is
//! refused at the handshake, and open connections close with 1001 when the server stops.
//!
//! Nothing sleeps: every wait is for a message, with a deadline. A fresh subscription becomes
//! live when the server has processed it, which no protocol message confirms, so
//! [`Socket::wait_until_live`] makes probe changes until the subscription reports one.

use std::time::Duration;

use crate::common::{Backend, Options, TestServer, TestUser, both_backends, nodes, start};
use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::{HeaderValue, StatusCode};
use tokio_tungstenite::tungstenite::{self, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

both_backends!(
    connection_init_needs_a_valid_token,
    a_coordinator_receives_transitions_of_their_bureau,
    the_legacy_protocol_works_on_graphql_itself,
    cross_site_handshakes_are_refused,
);

/// How long a test waits for a message that must come.
const PATIENCE: Duration = Duration::from_secs(10);

/// How long a probe waits for its own event before trying again.
const PROBE_WAIT: Duration = Duration::from_millis(250);

pub(crate) const MODERN: &str = "graphql-transport-ws";
const LEGACY: &str = "graphql-ws";

const EVENTS: &str = "subscription($filter: ProcedureEventFilter) {
    procedureEvents(filter: $filter) {
        kind procedureVersion actor
        procedure { code version state { key } }
        record { from to procedureVersion actor }
    }
}";

/// What the server sent next.
#[derive(Debug, PartialEq)]
pub(crate) enum Frame {
    Message(Value),
    Closed(u16, String),
}

pub(crate) struct Socket {
    inner: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

/// Opens a WebSocket to `path` asking for `protocol`, with `origin` if given; the refusal's
/// status if the handshake is refused.
pub(crate) async fn connect(
    server: &TestServer,
    path: &str,
    protocol: &str,
    origin: Option<&str>,
) -> Result<Socket, StatusCode> {
    let url = server.url(path).replacen("http://", "ws://", 1);
    let mut request = url.as_str().into_client_request().expect("a ws:// URL");
    let headers = request.headers_mut();
    headers.insert(
        "sec-websocket-protocol",
        HeaderValue::from_str(protocol).unwrap(),
    );
    if let Some(origin) = origin {
        headers.insert("origin", HeaderValue::from_str(origin).unwrap());
    }
    match tokio_tungstenite::connect_async(request).await {
        Ok((inner, response)) => {
            assert_eq!(response.headers()["sec-websocket-protocol"], protocol);
            Ok(Socket { inner })
        }
        Err(tungstenite::Error::Http(response)) => Err(response.status()),
        Err(e) => panic!("WebSocket handshake with {url} failed: {e}"),
    }
}

impl Socket {
    pub(crate) async fn send(&mut self, message: Value) {
        self.inner
            .send(Message::text(message.to_string()))
            .await
            .expect("the socket takes a message");
    }

    /// The next message or close frame, or `None` when nothing came within `wait`.
    pub(crate) async fn next_within(&mut self, wait: Duration) -> Option<Frame> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let next = tokio::time::timeout_at(deadline, self.inner.next())
                .await
                .ok()?;
            match next.expect("the socket ended without a close frame") {
                Ok(Message::Text(text)) => {
                    return Some(Frame::Message(serde_json::from_str(&text).unwrap()));
                }
                Ok(Message::Close(frame)) => {
                    let (code, reason) = frame.map_or((1005, String::new()), |f| {
                        (f.code.into(), f.reason.to_string())
                    });
                    return Some(Frame::Closed(code, reason));
                }
                Ok(_) => {}
                Err(e) => panic!("reading the socket failed: {e}"),
            }
        }
    }

    pub(crate) async fn next(&mut self) -> Frame {
        self.next_within(PATIENCE)
            .await
            .expect("nothing arrived in time")
    }

    /// `connection_init` with `payload`; the acknowledgement must follow.
    pub(crate) async fn init(&mut self, payload: Value) {
        self.send(json!({"type": "connection_init", "payload": payload}))
            .await;
        assert_eq!(
            self.next().await,
            Frame::Message(json!({"type": "connection_ack"}))
        );
    }

    /// Updates `procedure` as `user` (its version is `*version`) until subscription `id`
    /// reports the update that was just made; `*version` is the procedure's version after.
    pub(crate) async fn wait_until_live(
        &mut self,
        server: &TestServer,
        user: &TestUser,
        id: &str,
        procedure: &str,
        version: &mut i64,
    ) {
        for probe in 1..=20 {
            let payload = server
                .update_procedure_as(
                    user,
                    json!({"id": procedure, "expectedVersion": *version, "name": format!("probe {probe}")}),
                )
                .await;
            assert_eq!(payload["errors"], json!([]), "{payload}");
            *version += 1;
            // Events of earlier changes may arrive first: earlier probes, and (across replicas,
            // where events travel through PostgreSQL after the reply) even the procedure's
            // creation. Only this probe's event proves that nothing earlier is still on its way.
            while let Some(frame) = self.next_within(PROBE_WAIT).await {
                let Frame::Message(message) = frame else {
                    panic!("closed while probing: {frame:?}");
                };
                assert_eq!(message["id"], id, "{message}");
                let event = &message["payload"]["data"]["procedureEvents"];
                let seen = event["procedureVersion"].as_i64().unwrap_or(i64::MAX);
                assert!(seen <= *version, "an event from the future: {message}");
                if seen == *version {
                    assert_eq!(event["kind"], "UPDATED", "{message}");
                    return;
                }
            }
        }
        panic!("subscription {id} reported none of 20 probe changes");
    }
}

pub(crate) async fn bureaus(server: &TestServer) {
    server
        .create_bureau("KANKYO", "環境局", "Bureau of Environment")
        .await;
    server
        .create_bureau("FUKUSHI", "福祉局", "Bureau of Social Welfare")
        .await;
}

/// A procedure of `bureau` made by `user` whose guards hold; returns its id.
pub(crate) async fn procedure(
    server: &TestServer,
    user: &TestUser,
    bureau: &str,
    code: &str,
) -> String {
    let payload = server
        .create_procedure_payload(
            user,
            json!({"code": code, "name": format!("手続 {code}"), "bureauCode": bureau,
                   "category": "STANDARD", "authority": "TOKYO", "targetQuarter": "FY2026-Q1"}),
        )
        .await;
    assert_eq!(payload["errors"], json!([]), "{payload}");
    payload["procedure"]["id"].as_str().unwrap().to_owned()
}

pub(crate) fn subscribe(id: &str, filter: Value) -> Value {
    json!({"id": id, "type": "subscribe",
           "payload": {"query": EVENTS, "variables": {"filter": filter}}})
}

async fn connection_init_needs_a_valid_token(server: TestServer) {
    let cases = [
        ("no payload", json!({"type": "connection_init"})),
        (
            "a forged token",
            json!({"type": "connection_init", "payload": {"Authorization": format!("Bearer rlt_{}", "x".repeat(43))}}),
        ),
        (
            "a token under another key",
            json!({"type": "connection_init", "payload": {"apiKey": server.po.token}}),
        ),
    ];
    for (what, init) in &cases {
        let mut socket = connect(&server, "/graphql/ws", MODERN, None).await.unwrap();
        socket.send(init.clone()).await;
        assert_eq!(
            socket.next().await,
            Frame::Closed(4403, "Forbidden".into()),
            "{what}"
        );
    }
    let data = server
        .data_as(
            &server.admin,
            "{ auditLog(filter: { outcome: UNAUTHENTICATED }, first: 100) { totalCount edges { node {
                 actor action clientAddress } } } }",
            json!({}),
        )
        .await;
    assert_eq!(data["auditLog"]["totalCount"], cases.len(), "{data}");
    for entry in nodes(&data["auditLog"]) {
        assert_eq!(
            (&entry["actor"], &entry["action"]),
            (&json!("anonymous"), &json!("authenticate"))
        );
        assert!(
            entry["clientAddress"]
                .as_str()
                .unwrap()
                .starts_with("127.0.0.1:"),
            "{entry}"
        );
    }

    let mut early = connect(&server, "/graphql/ws", MODERN, None).await.unwrap();
    early.send(subscribe("1", json!(null))).await;
    assert_eq!(
        early.next().await,
        Frame::Closed(4401, "Unauthorized".into())
    );

    let mut token_key = connect(&server, "/graphql/ws", MODERN, None).await.unwrap();
    token_key.init(json!({"token": server.viewer.token})).await;
}

async fn a_coordinator_receives_transitions_of_their_bureau(server: TestServer) {
    bureaus(&server).await;
    let coordinator = server.coordinator("KANKYO").await;
    let kankyo = procedure(&server, &coordinator, "KANKYO", "KANKYO-0001").await;
    let fukushi = procedure(&server, &server.po, "FUKUSHI", "FUKUSHI-0001").await;

    let mut socket = connect(&server, "/graphql/ws", MODERN, None).await.unwrap();
    socket
        .init(json!({"Authorization": format!("Bearer {}", coordinator.token)}))
        .await;
    socket
        .send(subscribe("kankyo", json!({"bureauCodes": ["KANKYO"]})))
        .await;
    let mut version = 1;
    socket
        .wait_until_live(&server, &coordinator, "kankyo", &kankyo, &mut version)
        .await;

    let elsewhere = server
        .transition(json!({"procedureId": fukushi, "to": "scheduled", "expectedVersion": 1}))
        .await;
    assert_eq!(elsewhere["errors"], json!([]), "{elsewhere}");
    let moved = server
        .transition_as(
            &coordinator,
            json!({"procedureId": kankyo, "to": "scheduled", "expectedVersion": version}),
        )
        .await;
    assert_eq!(moved["errors"], json!([]), "{moved}");
    let new_version = version + 1;
    assert_eq!(
        socket.next().await,
        Frame::Message(
            json!({"id": "kankyo", "type": "next", "payload": {"data": {"procedureEvents": {
                "kind": "TRANSITIONED", "procedureVersion": new_version, "actor": coordinator.email,
                "procedure": {"code": "KANKYO-0001", "version": new_version, "state": {"key": "scheduled"}},
                "record": {"from": "hearing", "to": "scheduled", "procedureVersion": new_version,
                           "actor": coordinator.email},
            }}}})
        ),
        "the FUKUSHI transition, committed first, was filtered out"
    );

    socket
        .send(json!({"id": "q", "type": "subscribe", "payload": {"query": "{ viewer { role } }"}}))
        .await;
    let refused = socket.next().await;
    let Frame::Message(refused) = refused else {
        panic!("a query is refused, not the connection: {refused:?}");
    };
    assert_eq!(refused["id"], "q", "{refused}");
    assert_eq!(
        refused["payload"]["errors"][0]["extensions"]["code"], "METHOD_NOT_ALLOWED",
        "queries go over HTTP: {refused}"
    );
}

async fn the_legacy_protocol_works_on_graphql_itself(server: TestServer) {
    bureaus(&server).await;
    let id = procedure(&server, &server.po, "KANKYO", "KANKYO-0001").await;

    let mut refused = connect(&server, "/graphql", LEGACY, None).await.unwrap();
    refused
        .send(json!({"type": "connection_init", "payload": {}}))
        .await;
    let Frame::Message(error) = refused.next().await else {
        panic!("the legacy protocol reports a refusal as a message first");
    };
    assert_eq!(error["type"], "connection_error", "{error}");
    assert_eq!(
        refused.next().await,
        Frame::Closed(4403, "Forbidden".into())
    );

    let mut socket = connect(&server, "/graphql", LEGACY, None).await.unwrap();
    socket
        .init(json!({"authorization": format!("Bearer {}", server.po.token)}))
        .await;
    socket
        .send(json!({"id": "all", "type": "start",
                     "payload": {"query": EVENTS, "variables": {"filter": {"kinds": ["UPDATED"]}}}}))
        .await;
    let mut version = 1;
    let po = server.po.clone();
    // Legacy `data` messages have the shape `next` has; only the type differs.
    socket
        .wait_until_live(&server, &po, "all", &id, &mut version)
        .await;
    assert_eq!(version, server.snapshot(&id).await.0);
}

async fn cross_site_handshakes_are_refused(server: TestServer) {
    let refused = connect(&server, "/graphql/ws", MODERN, Some("https://evil.example")).await;
    assert_eq!(refused.err(), Some(StatusCode::FORBIDDEN));
    let on_graphql = connect(&server, "/graphql", MODERN, Some("https://evil.example")).await;
    assert_eq!(on_graphql.err(), Some(StatusCode::FORBIDDEN));

    let own = server.url("");
    let mut socket = connect(&server, "/graphql/ws", MODERN, Some(&own))
        .await
        .unwrap_or_else(|status| panic!("the server's own origin {own} was refused: {status}"));
    socket
        .init(json!({"Authorization": format!("Bearer {}", server.viewer.token)}))
        .await;

    let unknown = connect(&server, "/graphql/ws", "chat", None).await;
    assert_eq!(unknown.err(), Some(StatusCode::BAD_REQUEST));
}

/// Runs `connections_end_when_the_server_stops` on `backend`.
async fn stop_with_open_connection(backend: Backend) {
    let Some((server, harness)) = start(backend, Options::default()).await else {
        return;
    };
    let mut socket = connect(&server, "/graphql/ws", MODERN, None).await.unwrap();
    socket
        .init(json!({"Authorization": format!("Bearer {}", server.po.token)}))
        .await;
    socket.send(subscribe("1", json!(null))).await;
    harness.shutdown().await;
    assert_eq!(
        socket.next().await,
        Frame::Closed(1001, "the server is shutting down".into())
    );
}

mod connections_end_when_the_server_stops {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        super::stop_with_open_connection(super::Backend::Sqlite).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        super::stop_with_open_connection(super::Backend::Postgres).await;
    }
}
