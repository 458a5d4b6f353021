//! A tiny OpenTelemetry collector for the tests: an OTLP/HTTP receiver on `127.0.0.1:0` that
//! accepts `POST /v1/traces` with the JSON protocol and keeps every span it is sent, flattened
//! to [`Span`]s (trace id, ids, name, kind and attributes as strings).

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::routing::post;
use serde_json::Value;

/// One received span.
#[derive(Debug, Clone)]
pub struct Span {
    pub trace_id: String,
    pub span_id: String,
    pub parent_span_id: String,
    pub name: String,
    /// OTLP's enum: 2 is a server span.
    pub kind: i64,
    pub attributes: HashMap<String, String>,
    /// The `service.name` of the resource it came with.
    pub service: String,
}

impl Span {
    pub fn attribute(&self, key: &str) -> Option<&str> {
        self.attributes.get(key).map(String::as_str)
    }
}

#[derive(Clone, Default)]
struct Received {
    spans: Arc<Mutex<Vec<Span>>>,
    /// Bodies that were not OTLP JSON, kept for the failure message.
    rejected: Arc<Mutex<Vec<String>>>,
}

/// A running collector; it stops with the test's runtime.
pub struct Collector {
    pub addr: SocketAddr,
    received: Received,
}

impl Collector {
    pub async fn start() -> Collector {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the collector");
        let addr = listener.local_addr().expect("collector address");
        let received = Received::default();
        let app = Router::new()
            .route("/v1/traces", post(traces))
            .with_state(received.clone());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Collector { addr, received }
    }

    /// The base URL to configure as `otlp_endpoint`.
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Every span received so far.
    pub fn spans(&self) -> Vec<Span> {
        let rejected = self.received.rejected.lock().expect("rejected").clone();
        assert!(
            rejected.is_empty(),
            "the collector got bodies that are not OTLP JSON: {rejected:?}"
        );
        self.received.spans.lock().expect("spans").clone()
    }
}

async fn traces(
    State(received): State<Received>,
    headers: HeaderMap,
    body: Bytes,
) -> (
    StatusCode,
    [(header::HeaderName, &'static str); 1],
    &'static str,
) {
    let json_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    match serde_json::from_slice::<Value>(&body) {
        Ok(request) if json_type => {
            let spans = flatten(&request);
            received.spans.lock().expect("spans").extend(spans);
        }
        _ => received.rejected.lock().expect("rejected").push(format!(
            "{:?}: {}",
            headers.get(header::CONTENT_TYPE),
            String::from_utf8_lossy(&body)
        )),
    }
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        "{}",
    )
}

/// An OTLP `AnyValue` as a string: `{"stringValue": "x"}` is `x`, `{"intValue": 200}` is `200`.
fn any_value(value: &Value) -> String {
    match value.as_object().and_then(|o| o.values().next()) {
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
        None => String::new(),
    }
}

fn attributes(list: &Value) -> HashMap<String, String> {
    list.as_array()
        .into_iter()
        .flatten()
        .filter_map(|kv| Some((kv["key"].as_str()?.to_owned(), any_value(&kv["value"]))))
        .collect()
}

fn flatten(request: &Value) -> Vec<Span> {
    let mut out = Vec::new();
    for resource in request["resourceSpans"].as_array().into_iter().flatten() {
        let service = attributes(&resource["resource"]["attributes"])
            .remove("service.name")
            .unwrap_or_default();
        for scope in resource["scopeSpans"].as_array().into_iter().flatten() {
            for span in scope["spans"].as_array().into_iter().flatten() {
                let text = |key: &str| span[key].as_str().unwrap_or_default().to_owned();
                out.push(Span {
                    trace_id: text("traceId"),
                    span_id: text("spanId"),
                    parent_span_id: text("parentSpanId"),
                    name: text("name"),
                    kind: span["kind"].as_i64().unwrap_or_default(),
                    attributes: attributes(&span["attributes"]),
                    service: service.clone(),
                });
            }
        }
    }
    out
}
