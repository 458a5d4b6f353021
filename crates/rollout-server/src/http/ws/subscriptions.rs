//! What one WebSocket connection may run: subscriptions only (queries and mutations go over
//! HTTP, where each is rate-limited, timed out and has a request id of its own), each within
//! the HTTP endpoint's depth, complexity and alias limits, at most [`MAX_SUBSCRIPTIONS`] at a
//! time. Refusals are request errors with `extensions.code` on the operation, not on the
//! connection: METHOD_NOT_ALLOWED, LIMIT_EXCEEDED (naming the limit), TOO_MANY_SUBSCRIPTIONS.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use async_graphql::futures_util::stream::BoxStream;
use async_graphql::parser::types::OperationType;
use async_graphql::{Data, ErrorExtensionValues, Executor, ServerError};
use futures::{StreamExt, future, stream};

use crate::http::limits::{CostModel, LimitExceeded, measure};
use crate::http::settings::Limits;

/// Subscriptions one connection may run at once.
pub const MAX_SUBSCRIPTIONS: usize = 20;

/// Runs one subscription with the connection's data.
pub type StreamFn = Arc<
    dyn Fn(async_graphql::Request, Option<Arc<Data>>) -> BoxStream<'static, async_graphql::Response>
        + Send
        + Sync,
>;

/// The schema as a WebSocket connection may use it: subscriptions only, within the endpoint's
/// limits, at most [`MAX_SUBSCRIPTIONS`] at a time. One per connection.
#[derive(Clone)]
pub(super) struct Subscriptions {
    stream: StreamFn,
    model: Arc<CostModel>,
    limits: Limits,
    /// Subscriptions of this connection still running.
    running: Arc<AtomicUsize>,
}

impl Subscriptions {
    pub(super) fn new(stream: StreamFn, model: Arc<CostModel>, limits: Limits) -> Self {
        Self {
            stream,
            model,
            limits,
            running: Arc::new(AtomicUsize::new(0)),
        }
    }

    fn admit(
        &self,
        mut request: async_graphql::Request,
    ) -> Result<async_graphql::Request, ServerError> {
        let doc = async_graphql::parser::parse_query(&request.query)
            .map_err(|e| rollout_graphql::error_codes::parse_failed(e.into()))?;
        let measured = measure(
            &doc,
            request.operation_name.as_deref(),
            &request.variables,
            &self.model,
        );
        if let Some(cost) = measured {
            if cost.kind != OperationType::Subscription {
                return Err(refusal(
                    "METHOD_NOT_ALLOWED",
                    "only subscriptions run over WebSocket; send queries and mutations to POST /graphql",
                    None,
                ));
            }
            if let Some(limit) = cost.exceeds(&self.limits) {
                return Err(refusal("LIMIT_EXCEEDED", &limit.message, Some(&limit)));
            }
        }
        request.set_parsed_query(doc);
        Ok(request)
    }
}

/// Frees a subscription's place when its stream is dropped (completed, stopped, disconnected).
struct Running(Arc<AtomicUsize>);

impl Drop for Running {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Executor for Subscriptions {
    /// Not used by the WebSocket protocols, which stream every operation: answers with what the
    /// stream would yield first.
    async fn execute(&self, request: async_graphql::Request) -> async_graphql::Response {
        self.execute_stream(request, None)
            .next()
            .await
            .unwrap_or_default()
    }

    fn execute_stream(
        &self,
        request: async_graphql::Request,
        session_data: Option<Arc<Data>>,
    ) -> BoxStream<'static, async_graphql::Response> {
        let refused = |error| {
            stream::once(future::ready(async_graphql::Response::from_errors(vec![
                error,
            ])))
            .boxed()
        };
        let request = match self.admit(request) {
            Ok(request) => request,
            Err(error) => return refused(error),
        };
        if self.running.fetch_add(1, Ordering::SeqCst) >= MAX_SUBSCRIPTIONS {
            self.running.fetch_sub(1, Ordering::SeqCst);
            let limit = format!(
                "at most {MAX_SUBSCRIPTIONS} subscriptions may run at once on one connection"
            );
            return refused(refusal("TOO_MANY_SUBSCRIPTIONS", &limit, None));
        }
        let running = Running(self.running.clone());
        (self.stream)(request, session_data)
            .map(move |response| {
                let _held = &running;
                response
            })
            .boxed()
    }
}

/// A request error with `extensions.code` (and the limit's name and value, for a limit).
fn refusal(code: &str, message: &str, limit: Option<&LimitExceeded>) -> ServerError {
    let mut extensions = ErrorExtensionValues::default();
    extensions.set("code", code);
    if let Some(limit) = limit {
        extensions.set("limit", limit.setting);
        extensions.set("max", limit.max);
    }
    let mut error = ServerError::new(message, None);
    error.extensions = Some(extensions);
    error
}

#[cfg(test)]
mod tests {
    use async_graphql::futures_util::FutureExt;

    use super::*;

    fn executor() -> Subscriptions {
        let model = CostModel::from_sdl(
            "type Query { a: Int } type Subscription { tick(first: Int = 10): [Tick] }
             type Tick { n: Int deeper: Tick }",
        )
        .unwrap();
        let never: StreamFn = Arc::new(|_, _| stream::pending().boxed());
        let limits = Limits {
            max_depth: 3,
            ..Limits::default()
        };
        Subscriptions::new(never, Arc::new(model), limits)
    }

    /// The error code of a refused operation's only response.
    fn refused_code(executor: &Subscriptions, query: &str) -> String {
        let mut responses = executor.execute_stream(async_graphql::Request::new(query), None);
        let response = responses
            .next()
            .now_or_never()
            .flatten()
            .expect("a refusal answers at once");
        let error = &response.errors[0];
        let code = error.extensions.as_ref().unwrap().get("code").unwrap();
        code.clone()
            .into_json()
            .unwrap()
            .as_str()
            .unwrap()
            .to_owned()
    }

    #[test]
    fn only_subscriptions_within_the_limits_run() {
        let executor = executor();
        assert_eq!(refused_code(&executor, "{ a }"), "METHOD_NOT_ALLOWED");
        assert_eq!(
            refused_code(&executor, "mutation { a }"),
            "METHOD_NOT_ALLOWED"
        );
        assert_eq!(
            refused_code(
                &executor,
                "subscription { tick { deeper { deeper { n } } } }"
            ),
            "LIMIT_EXCEEDED"
        );
        let mut admitted = executor.execute_stream(
            async_graphql::Request::new("subscription { tick { n } }"),
            None,
        );
        assert!(
            admitted.next().now_or_never().is_none(),
            "it runs and waits"
        );
        assert_eq!(executor.running.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn a_connection_runs_a_bounded_number_of_subscriptions() {
        let executor = executor();
        let start = || {
            executor.execute_stream(
                async_graphql::Request::new("subscription { tick { n } }"),
                None,
            )
        };
        let mut running: Vec<_> = (0..MAX_SUBSCRIPTIONS).map(|_| start()).collect();
        assert_eq!(
            refused_code(&executor, "subscription { tick { n } }"),
            "TOO_MANY_SUBSCRIPTIONS"
        );
        running.pop();
        assert_eq!(
            executor.running.load(Ordering::SeqCst),
            MAX_SUBSCRIPTIONS - 1
        );
        let mut again = start();
        assert!(
            again.next().now_or_never().is_none(),
            "a stopped subscription frees its place"
        );
    }
}
