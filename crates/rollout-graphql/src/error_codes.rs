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
    response.errors.iter_mut().for_each(fill);
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
