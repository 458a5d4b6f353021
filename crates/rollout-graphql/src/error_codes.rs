//! Every GraphQL error a client can see carries a stable `extensions.code`, including those that
//! async-graphql itself raises before or while executing (a document that does not parse, an
//! unknown field, a fragment cycle, an argument or variable that does not coerce to its type).
//!
//! Errors raised by rollout's own resolvers already have their code (see `errors`), and a refused
//! `Date`, `DateTime` or `FiscalQuarter` is explained by `scalars::explain`, called from here;
//! this module fills in the missing ones, once, as an async-graphql extension on the schema, so that
//! HTTP, WebSocket subscriptions and direct execution all agree. async-graphql does not tell its
//! error kinds apart except by message, so the classification reads the message prefixes of the
//! pinned version (7.2); `tests/api/error_codes.rs` fails if an upgrade changes them.
//!
//! The codes (documented in the README):
//! - `GRAPHQL_PARSE_FAILED`: the document is not GraphQL, or nests deeper than the parser's 32
//!   levels (which is where a fragment cycle ends up);
//! - `GRAPHQL_VALIDATION_FAILED`: the document does not fit the schema (unknown field or type,
//!   unused or undeclared variable, no operation can be selected, a subscription sent where only
//!   queries and mutations run);
//! - `VALIDATION`: a value given for an argument or variable cannot be coerced to its type (an
//!   `Int` over 2^31 - 1, `1.5` for an `Int`, a missing required variable, a malformed `Date`),
//!   the same code the use cases give bad input;
//! - `INTERNAL`: anything else without a code, which would be a bug; it is logged.
//!
//! Every error a response carries is also counted here ([`count`], the Prometheus counter
//! `rollout_graphql_errors_total{code, kind}`), once the code is final; mutation payload errors
//! are counted where they are made (`errors::payload_errors`), and refusals the HTTP endpoint
//! answers before execution by the server.

use std::sync::Arc;

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextParseQuery, NextRequest, NextSubscribe,
    NextValidation,
};
use async_graphql::futures_util::StreamExt;
use async_graphql::futures_util::stream::BoxStream;
use async_graphql::parser::types::ExecutableDocument;
use async_graphql::{Response, ServerError, ServerResult, ValidationResult, Variables};

/// The document does not parse.
pub const GRAPHQL_PARSE_FAILED: &str = "GRAPHQL_PARSE_FAILED";
/// The document does not validate against the schema.
pub const GRAPHQL_VALIDATION_FAILED: &str = "GRAPHQL_VALIDATION_FAILED";
/// An input value does not coerce to its type.
pub const VALIDATION: &str = "VALIDATION";
/// An error without a code that none of the above explains.
pub const INTERNAL: &str = "INTERNAL";

/// The counter of errors given to clients, by code and by kind of error.
pub const ERRORS_METRIC: &str = "rollout_graphql_errors_total";

/// What kind of error a counted code was: a GraphQL error in the response's `errors`
/// (`error`), a mutation payload's user error (`payload`), or a refusal of the HTTP endpoint
/// before anything ran (`refused`: authentication, limits, media types, timeouts).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    Error,
    Payload,
    Refused,
}

impl ErrorKind {
    pub const ALL: [ErrorKind; 3] = [Self::Error, Self::Payload, Self::Refused];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Error => "error",
            Self::Payload => "payload",
            Self::Refused => "refused",
        }
    }
}

/// The longest code kept as a label value; codes are rollout's own constants, so anything
/// longer (or not in `UPPER_SNAKE_CASE`) would be a bug, counted as `OTHER` rather than
/// letting a label's cardinality grow.
const MAX_CODE_LEN: usize = 40;

/// `code` as a label value: itself when it has the shape of a stable code, `OTHER` otherwise.
pub fn code_label(code: &str) -> &str {
    let shaped = (1..=MAX_CODE_LEN).contains(&code.len())
        && code.bytes().all(|b| b.is_ascii_uppercase() || b == b'_');
    if shaped { code } else { "OTHER" }
}

/// Counts one error given to a client (a no-op unless the process installed a recorder).
pub fn count(kind: ErrorKind, code: &str) {
    metrics::counter!(
        ERRORS_METRIC,
        "code" => code_label(code).to_owned(),
        "kind" => kind.as_str()
    )
    .increment(1);
}

fn code_of(error: &ServerError) -> Option<&str> {
    match error.extensions.as_ref()?.get("code")? {
        async_graphql::Value::String(code) => Some(code.as_str()),
        _ => None,
    }
}

/// Message prefixes async-graphql 7.2 uses for input coercion failures.
const COERCION_PREFIXES: [&str; 2] = ["Failed to parse \"", "Invalid value for argument"];

fn has_code(error: &ServerError) -> bool {
    error
        .extensions
        .as_ref()
        .is_some_and(|extensions| extensions.get("code").is_some())
}

fn set_code(error: &mut ServerError, code: &str) {
    error
        .extensions
        .get_or_insert_with(Default::default)
        .set("code", code);
}

fn is_coercion(message: &str) -> bool {
    // `Variable x is not defined.` is a missing variable value; the validation rules quote the
    // name (`Variable "$x" is never used`) and are about the document.
    COERCION_PREFIXES
        .iter()
        .any(|prefix| message.starts_with(prefix))
        || (message.starts_with("Variable ") && !message.starts_with("Variable \""))
}

/// Gives a parse error its code (for callers that parse the document themselves).
pub fn parse_failed(mut error: ServerError) -> ServerError {
    if !has_code(&error) {
        set_code(&mut error, GRAPHQL_PARSE_FAILED);
    }
    error
}

/// Gives a document validation error its code: coercion failures of literal values are
/// `VALIDATION`, everything else `GRAPHQL_VALIDATION_FAILED`.
fn validation_failed(mut error: ServerError) -> ServerError {
    if !has_code(&error) {
        let code = if is_coercion(&error.message) {
            VALIDATION
        } else {
            GRAPHQL_VALIDATION_FAILED
        };
        set_code(&mut error, code);
    }
    error
}

/// Fills in the code of an error that reached the response without one.
fn fill(error: &mut ServerError) {
    if has_code(error) {
        return;
    }
    let code = if is_coercion(&error.message) {
        VALIDATION
    } else if error.path.is_empty() {
        // Nothing ran: the request as a whole was refused (operation selection, transport).
        GRAPHQL_VALIDATION_FAILED
    } else {
        tracing::error!(message = %error.message, path = ?error.path, "a field error without a code");
        INTERNAL
    };
    set_code(error, code);
}

fn fill_all(mut response: Response) -> Response {
    for error in &mut response.errors {
        fill(error);
        count(ErrorKind::Error, code_of(error).unwrap_or(INTERNAL));
    }
    response
}

/// The schema extension that applies the codes.
#[derive(Debug, Clone, Copy, Default)]
pub struct ErrorCodes;

impl ExtensionFactory for ErrorCodes {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(ErrorCodes)
    }
}

#[async_trait::async_trait]
impl Extension for ErrorCodes {
    async fn request(&self, ctx: &ExtensionContext<'_>, next: NextRequest<'_>) -> Response {
        fill_all(next.run(ctx).await)
    }

    fn subscribe<'s>(
        &self,
        ctx: &ExtensionContext<'_>,
        stream: BoxStream<'s, Response>,
        next: NextSubscribe<'_>,
    ) -> BoxStream<'s, Response> {
        next.run(ctx, stream).map(fill_all).boxed()
    }

    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        next.run(ctx, query, variables).await.map_err(parse_failed)
    }

    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        next.run(ctx).await.map_err(|errors| {
            errors
                .into_iter()
                .map(|e| validation_failed(crate::scalars::explain(e)))
                .collect()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use async_graphql::PathSegment;

    fn code(error: &ServerError) -> Option<String> {
        let extensions = error.extensions.as_ref()?;
        match extensions.get("code")? {
            async_graphql::Value::String(s) => Some(s.clone()),
            _ => None,
        }
    }

    #[test]
    fn code_labels_keep_stable_codes_and_bound_the_rest() {
        for code in [
            "INVALID_TRANSITION",
            "UNAUTHENTICATED",
            "GRAPHQL_PARSE_FAILED",
        ] {
            assert_eq!(code_label(code), code);
        }
        let long = "A".repeat(MAX_CODE_LEN + 1);
        for odd in ["", "lower", "WITH SPACE", "DASH-ED", "Ü", long.as_str()] {
            assert_eq!(code_label(odd), "OTHER", "{odd:?}");
        }
    }

    #[test]
    fn codeless_errors_are_classified_and_coded_ones_kept() {
        let cases = [
            (
                "Failed to parse \"Int\": Only integers from -2147483648 to 2147483647 are accepted.",
                true,
                VALIDATION,
            ),
            (
                "Invalid value for argument \"first\", expected type \"Int\"",
                false,
                VALIDATION,
            ),
            ("Variable f is not defined.", true, VALIDATION),
            (
                "Operation name required in request.",
                false,
                GRAPHQL_VALIDATION_FAILED,
            ),
            ("something else broke", true, INTERNAL),
        ];
        for (message, with_path, expected) in cases {
            let mut error = ServerError::new(message, None);
            if with_path {
                error.path = vec![PathSegment::Field("procedures".into())];
            }
            fill(&mut error);
            assert_eq!(code(&error).as_deref(), Some(expected), "{message}");
        }
        let mut coded = ServerError::new("Failed to parse \"Date\"", None);
        set_code(&mut coded, "FORBIDDEN");
        fill(&mut coded);
        assert_eq!(code(&coded).as_deref(), Some("FORBIDDEN"));
        let unused = validation_failed(ServerError::new("Variable \"$x\" is not used", None));
        assert_eq!(code(&unused).as_deref(), Some(GRAPHQL_VALIDATION_FAILED));
        let unknown = validation_failed(ServerError::new("Unknown field \"nope\"", None));
        assert_eq!(code(&unknown).as_deref(), Some(GRAPHQL_VALIDATION_FAILED));
        let parse = parse_failed(ServerError::new(" --> 1:10", None));
        assert_eq!(code(&parse).as_deref(), Some(GRAPHQL_PARSE_FAILED));
    }
}
