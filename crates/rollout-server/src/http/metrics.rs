//! Request metrics of the public router: `rollout_http_requests_total{route, operation, outcome}`
//! and `rollout_http_request_duration_seconds{route, operation}`, recorded by [`track`] around
//! every route through the `metrics` facade (a no-op unless `rollout serve` installed a recorder).
//!
//! Every label is bounded. `route` is the router's matched path (`/graphql`, `/procedures/{id}`)
//! or `(unmatched)`, so ids never become label values. `outcome` is `ok`, `graphql_error` (2xx
//! but the response carries GraphQL errors), `client_error` (4xx) or `server_error` (5xx).
//! `operation` is set by the GraphQL endpoint ([`Answered`]): the selected operation's name as
//! the client wrote it, once authenticated and parsed; `(anonymous)` for an unnamed operation and
//! for a request refused before its operation was read (the two collapse); `(batch)` for a batch;
//! and `(other)` for names past the first [`MAX_OPERATION_NAMES`] distinct ones (or longer than
//! [`MAX_OPERATION_NAME_LEN`]), so that clients cannot grow the series without bound. Other
//! routes carry an empty `operation`, which Prometheus stores as no label at all.
//!
//! Not here: the GraphQL error codes (counted where they are given, `rollout_graphql::error_codes`)
//! and the exporter itself (`crate::metrics`).

use std::collections::HashSet;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use async_graphql::parser::types::{DocumentOperations, ExecutableDocument};
use axum::extract::{MatchedPath, Request};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::Response;

/// Requests answered, by route, GraphQL operation and outcome.
pub const REQUESTS: &str = "rollout_http_requests_total";
/// How long requests took to answer (until the response head), by route and operation.
pub const DURATION: &str = "rollout_http_request_duration_seconds";
/// The latency histogram's buckets, in seconds: from a cached read to the execution timeout.
pub const DURATION_BUCKETS: [f64; 12] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];
/// Distinct operation names that get a series of their own; later ones are `(other)`.
pub const MAX_OPERATION_NAMES: usize = 100;
/// Longer operation names are `(other)`.
pub const MAX_OPERATION_NAME_LEN: usize = 64;

pub const ANONYMOUS: &str = "(anonymous)";
pub const BATCH: &str = "(batch)";
pub const OTHER: &str = "(other)";
const UNMATCHED: &str = "(unmatched)";

/// What the GraphQL endpoint answered, attached to its response for [`track`].
#[derive(Debug, Clone)]
pub struct Answered {
    /// The operation label (already bounded by [`OperationNames`]).
    pub operation: String,
    /// Whether the response carries GraphQL errors.
    pub errors: bool,
}

impl Answered {
    /// Attaches itself to `response`.
    pub fn on(self, mut response: Response) -> Response {
        response.extensions_mut().insert(self);
        response
    }
}

/// A GraphQL endpoint's response that says nothing yet about its operation: refused before
/// the operation was read (media type, body, authentication).
pub fn unread(mut response: Response) -> Response {
    if response.extensions().get::<Answered>().is_none() {
        let errors = !response.status().is_success();
        response.extensions_mut().insert(Answered {
            operation: ANONYMOUS.to_owned(),
            errors,
        });
    }
    response
}

/// Whether a recorder is installed (`rollout serve` with `[metrics] listen`). Without one the
/// facade's calls are no-ops, and the work of making their labels (the operation name's lock, the
/// route's string) is skipped as well: every request passes through here.
static RECORDING: AtomicBool = AtomicBool::new(false);

/// Whether requests are being counted.
pub fn recording() -> bool {
    RECORDING.load(Ordering::Relaxed)
}

/// Called once the process-wide recorder is installed.
pub fn start_recording() {
    RECORDING.store(true, Ordering::Relaxed);
}

/// The operation names seen so far, up to [`MAX_OPERATION_NAMES`]; one per router.
#[derive(Debug, Default)]
pub struct OperationNames {
    seen: Mutex<HashSet<String>>,
}

impl OperationNames {
    /// The label of the operation `doc` selects by `requested` (the request's `operationName`).
    pub fn label(&self, doc: &ExecutableDocument, requested: Option<&str>) -> String {
        match selected(doc, requested) {
            None => ANONYMOUS.to_owned(),
            Some(name) => self.admit(name),
        }
    }

    fn admit(&self, name: &str) -> String {
        if name.len() > MAX_OPERATION_NAME_LEN {
            return OTHER.to_owned();
        }
        let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        if seen.contains(name) {
            return name.to_owned();
        }
        if seen.len() >= MAX_OPERATION_NAMES {
            return OTHER.to_owned();
        }
        seen.insert(name.to_owned());
        name.to_owned()
    }
}

/// The name of the operation the executor will run: the requested one if the document has it,
/// the only one of a document with one named operation; `None` when it is anonymous or cannot be
/// selected (the executor then refuses the request).
fn selected<'a>(doc: &'a ExecutableDocument, requested: Option<&str>) -> Option<&'a str> {
    let DocumentOperations::Multiple(operations) = &doc.operations else {
        return None;
    };
    match requested {
        Some(wanted) => operations
            .keys()
            .find(|name| name.as_str() == wanted)
            .map(|name| name.as_str()),
        None if operations.len() == 1 => operations.keys().next().map(|name| name.as_str()),
        None => None,
    }
}

fn outcome(status: StatusCode, graphql_errors: bool) -> &'static str {
    if status.is_server_error() {
        "server_error"
    } else if status.is_client_error() {
        "client_error"
    } else if graphql_errors {
        "graphql_error"
    } else {
        "ok"
    }
}

/// The middleware: times the request and counts it under its route, operation and outcome.
pub async fn track(request: Request, next: Next) -> Response {
    if !recording() {
        return next.run(request).await;
    }
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| UNMATCHED.to_owned(), |p| p.as_str().to_owned());
    let start = Instant::now();
    let response = next.run(request).await;
    let seconds = start.elapsed().as_secs_f64();
    let answered = response.extensions().get::<Answered>();
    let operation = answered.map(|a| a.operation.clone()).unwrap_or_default();
    let outcome = outcome(response.status(), answered.is_some_and(|a| a.errors));
    ::metrics::counter!(
        REQUESTS,
        "route" => route.clone(),
        "operation" => operation.clone(),
        "outcome" => outcome
    )
    .increment(1);
    ::metrics::histogram!(DURATION, "route" => route, "operation" => operation).record(seconds);
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(text: &str) -> ExecutableDocument {
        async_graphql::parser::parse_query(text).unwrap()
    }

    #[test]
    fn the_selected_operation_names_the_label() {
        let names = OperationNames::default();
        assert_eq!(names.label(&doc("{ a }"), None), ANONYMOUS);
        assert_eq!(names.label(&doc("query Mine { a }"), None), "Mine");
        let two = doc("query A { a } mutation B { b }");
        assert_eq!(names.label(&two, Some("B")), "B");
        assert_eq!(names.label(&two, None), ANONYMOUS, "not selectable");
        assert_eq!(
            names.label(&two, Some("C")),
            ANONYMOUS,
            "not in the document"
        );
    }

    #[test]
    fn names_past_the_cap_or_too_long_collapse_into_other() {
        let names = OperationNames::default();
        for i in 0..MAX_OPERATION_NAMES {
            let name = format!("Op{i}");
            assert_eq!(
                names.label(&doc(&format!("query {name} {{ a }}")), None),
                name
            );
        }
        assert_eq!(names.label(&doc("query Late { a }"), None), OTHER);
        assert_eq!(
            names.label(&doc("query Op7 { a }"), None),
            "Op7",
            "seen names keep theirs"
        );
        let long = format!("query {} {{ a }}", "L".repeat(MAX_OPERATION_NAME_LEN + 1));
        assert_eq!(OperationNames::default().label(&doc(&long), None), OTHER);
    }

    #[test]
    fn outcomes_follow_status_then_errors() {
        assert_eq!(outcome(StatusCode::OK, false), "ok");
        assert_eq!(outcome(StatusCode::OK, true), "graphql_error");
        assert_eq!(outcome(StatusCode::SWITCHING_PROTOCOLS, false), "ok");
        assert_eq!(outcome(StatusCode::UNAUTHORIZED, true), "client_error");
        assert_eq!(outcome(StatusCode::GATEWAY_TIMEOUT, true), "server_error");
    }
}
