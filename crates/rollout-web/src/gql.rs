//! Running one GraphQL operation in-process for a page: the server's schema, the session's
//! actor in the request data, the JSON result back. Errors keep the API's stable codes
//! (`extensions.code`), so a page says FORBIDDEN, NOT_FOUND or VALIDATION exactly where the
//! API would.

use std::sync::Arc;

use async_graphql::{Request, Response, Variables};
use futures::future::BoxFuture;
use rollout_app::Actor;
use serde_json::Value;

/// Executes a request against the server's schema (`schema.execute`).
pub type Executor = Arc<dyn Fn(Request) -> BoxFuture<'static, Response> + Send + Sync>;

/// A top-level GraphQL error, as the API reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GqlError {
    pub code: String,
    pub message: String,
}

impl GqlError {
    pub fn internal(message: impl Into<String>) -> Self {
        Self {
            code: "INTERNAL".into(),
            message: message.into(),
        }
    }
}

/// Runs `query` with `variables` as `actor`: the `data` object, or the first error (a page
/// either has all it asked for or shows why not).
pub async fn run(
    execute: &Executor,
    actor: &Actor,
    query: &str,
    variables: Value,
) -> Result<Value, GqlError> {
    let request = Request::new(query)
        .variables(Variables::from_json(variables))
        .data(actor.clone());
    let response = execute(request).await;
    if let Some(error) = response.errors.first() {
        let code = error
            .extensions
            .as_ref()
            .and_then(|e| e.get("code"))
            .and_then(|v| match v {
                async_graphql::Value::String(s) => Some(s.clone()),
                async_graphql::Value::Enum(e) => Some(e.to_string()),
                _ => None,
            })
            .unwrap_or_else(|| "INTERNAL".to_owned());
        return Err(GqlError {
            code,
            message: error.message.clone(),
        });
    }
    response
        .data
        .into_json()
        .map_err(|e| GqlError::internal(format!("unreadable GraphQL result: {e}")))
}
