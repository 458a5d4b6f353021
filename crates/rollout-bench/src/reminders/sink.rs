//! The local webhook receiver of the delivery measurement: an axum server on `127.0.0.1:0`
//! (in the bench's own runtime) that answers every POST with 204 and counts what arrived per
//! path: `/deliver/<n>` for the measured endpoints, anything else apart. For the measured
//! ones it keeps the first and last arrival and the distinct `webhook-id`s, so a delivery sent
//! twice (at-least-once) is visible instead of counted as throughput.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use anyhow::Context as _;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::routing::post;
use tokio::task::JoinHandle;

/// What arrived so far.
#[derive(Debug, Default, Clone)]
pub struct Arrivals {
    /// Requests to `/deliver/…`.
    pub delivered: usize,
    /// Distinct `webhook-id`s among them.
    pub unique_ids: usize,
    pub first: Option<Instant>,
    pub last: Option<Instant>,
    /// Requests to any other path.
    pub other: usize,
}

#[derive(Debug, Default)]
struct Inner {
    arrivals: Arrivals,
    ids: HashSet<String>,
}

type Shared = Arc<Mutex<Inner>>;

/// A running sink; stopped when dropped.
#[derive(Debug)]
pub struct Sink {
    pub base_url: String,
    state: Shared,
    task: JoinHandle<()>,
}

async fn hit(
    State(state): State<Shared>,
    uri: Uri,
    headers: HeaderMap,
    _body: axum::body::Bytes,
) -> StatusCode {
    let now = Instant::now();
    let id = headers
        .get("webhook-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    if let Ok(mut inner) = state.lock() {
        if uri.path().starts_with("/deliver/") {
            let a = &mut inner.arrivals;
            a.delivered += 1;
            a.first.get_or_insert(now);
            a.last = Some(now);
            if inner.ids.insert(id) {
                inner.arrivals.unique_ids += 1;
            }
        } else {
            inner.arrivals.other += 1;
        }
    }
    StatusCode::NO_CONTENT
}

impl Sink {
    pub async fn start() -> anyhow::Result<Self> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .context("cannot bind the webhook sink")?;
        let addr = listener.local_addr()?;
        let state = Shared::default();
        let app = axum::Router::new()
            .fallback(post(hit))
            // A digest over every procedure is megabytes; the sink takes it whole.
            .layer(DefaultBodyLimit::disable())
            .with_state(Arc::clone(&state));
        let task = tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, app).await {
                eprintln!("the webhook sink stopped: {e}");
            }
        });
        Ok(Self {
            base_url: format!("http://{addr}"),
            state,
            task,
        })
    }

    pub fn arrivals(&self) -> Arrivals {
        self.state
            .lock()
            .map(|i| i.arrivals.clone())
            .unwrap_or_default()
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        self.task.abort();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn counts_deliveries_and_their_distinct_ids_apart_from_other_paths() {
        let sink = Sink::start().await.expect("sink starts");
        let http = reqwest::Client::new();
        for (path, id) in [
            ("/deliver/1", "msg_a"),
            ("/deliver/2", "msg_a"),
            ("/deliver/1", "msg_b"),
            ("/stale", "msg_c"),
        ] {
            let reply = http
                .post(format!("{}{path}", sink.base_url))
                .header("webhook-id", id)
                .body("{}")
                .send()
                .await
                .expect("sink answers");
            assert_eq!(reply.status(), reqwest::StatusCode::NO_CONTENT);
        }
        let a = sink.arrivals();
        assert_eq!((a.delivered, a.unique_ids, a.other), (3, 2, 1));
        assert!(a.first.is_some() && a.last >= a.first);
    }
}
