//! The one mapping from [`AppError`] to what a GraphQL client sees.
//!
//! Expected failures of mutations become payload [`UserError`]s (one per field or guard, with a
//! stable code and the input path). Expected failures of queries (a bad `first`, id or cursor,
//! a FORBIDDEN read, a request without an actor) become GraphQL errors carrying
//! `extensions.code`. Unexpected failures (the database is down,
//! a bug) are logged here with their whole cause chain and reach the client only as
//! "internal error"/"database unavailable" with code INTERNAL/UNAVAILABLE: no detail leaks.
//! Resolvers never build client-facing errors any other way.

use std::error::Error as _;

use async_graphql::{Enum, ErrorExtensions, SimpleObject};
use rollout_app::AppError;
use rollout_store::StoreError;

/// Stable codes of expected failures, part of the API contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum ErrorCode {
    #[graphql(name = "NOT_FOUND")]
    NotFound,
    #[graphql(name = "VALIDATION")]
    Validation,
    #[graphql(name = "INVALID_TRANSITION")]
    InvalidTransition,
    #[graphql(name = "GUARD_FAILED")]
    GuardFailed,
    #[graphql(name = "VERSION_CONFLICT")]
    VersionConflict,
    #[graphql(name = "DUPLICATE")]
    Duplicate,
    #[graphql(name = "FORBIDDEN")]
    Forbidden,
    #[graphql(name = "UNAUTHENTICATED")]
    Unauthenticated,
    /// A decision on an approval request that is no longer pending.
    #[graphql(name = "APPROVAL_CLOSED")]
    ApprovalClosed,
    /// A dependency that would close a cycle; the message spells the cycle out.
    #[graphql(name = "CYCLE")]
    Cycle,
    /// Over a per-identity limit (user reviews); nothing was written, try again later.
    #[graphql(name = "RATE_LIMITED")]
    RateLimited,
}

impl ErrorCode {
    /// `None` for the codes of unexpected failures, which never appear in payloads.
    fn from_app(code: rollout_app::ErrorCode) -> Option<Self> {
        use rollout_app::ErrorCode as C;
        Some(match code {
            C::NotFound => Self::NotFound,
            C::Validation => Self::Validation,
            C::InvalidTransition => Self::InvalidTransition,
            C::GuardFailed => Self::GuardFailed,
            C::VersionConflict => Self::VersionConflict,
            C::Duplicate => Self::Duplicate,
            C::Forbidden => Self::Forbidden,
            C::Unauthenticated => Self::Unauthenticated,
            C::ApprovalClosed => Self::ApprovalClosed,
            C::Cycle => Self::Cycle,
            C::RateLimited => Self::RateLimited,
            C::Unavailable | C::Internal => return None,
        })
    }
}

/// An expected failure of a mutation; nothing was written.
#[derive(Debug, Clone, PartialEq, Eq, SimpleObject)]
pub struct UserError {
    pub code: ErrorCode,
    pub message: String,
    /// The input field (or `["guards", name]`) the error is about; null when it is about the
    /// request as a whole.
    pub path: Option<Vec<String>>,
}

impl UserError {
    pub(crate) fn new(code: ErrorCode, path: &[&str], message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            path: (!path.is_empty()).then(|| path.iter().map(|s| (*s).to_owned()).collect()),
        }
    }
}

/// Payload errors for a failed mutation. `id_field` is the input field holding the id of the
/// thing acted on, so that NOT_FOUND points at it. Unexpected failures are returned as `Err`
/// (the GraphQL error to raise), already logged.
pub(crate) fn payload_errors(
    e: &AppError,
    id_field: &str,
) -> async_graphql::Result<Vec<UserError>> {
    let Some(code) = ErrorCode::from_app(e.code()).filter(|_| e.is_expected()) else {
        return Err(unexpected(e));
    };
    Ok(user_errors(e, code, id_field))
}

/// The payload errors of an expected failure, each counted as it is made.
fn user_errors(e: &AppError, code: ErrorCode, id_field: &str) -> Vec<UserError> {
    let payload = |code: rollout_app::ErrorCode| {
        crate::error_codes::count(crate::error_codes::ErrorKind::Payload, code.as_str());
    };
    if let AppError::Problems(problems) = e {
        return problems
            .iter()
            .filter_map(|p| {
                let code = ErrorCode::from_app(p.code)?;
                payload(p.code);
                Some(UserError {
                    code,
                    message: p.message.clone(),
                    path: (!p.path.is_empty()).then(|| p.path.clone()),
                })
            })
            .collect();
    }
    e.user_errors()
        .into_iter()
        .map(|f| {
            payload(e.code());
            let path = match (&f.path[..], code) {
                ([], ErrorCode::NotFound) => Some(vec![id_field.to_owned()]),
                ([], _) => None,
                (p, _) => Some(p.to_vec()),
            };
            UserError {
                code,
                message: f.message,
                path,
            }
        })
        .collect()
}

/// The GraphQL error a query resolver raises for a failed use case or store read.
pub(crate) fn graphql_error(e: &AppError) -> async_graphql::Error {
    if !e.is_expected() {
        return unexpected(e);
    }
    let message = e
        .user_errors()
        .into_iter()
        .map(|f| f.message)
        .collect::<Vec<_>>()
        .join("; ");
    coded(message, e.code().as_str())
}

pub(crate) fn store_error(e: StoreError) -> async_graphql::Error {
    graphql_error(&AppError::from(e))
}

/// A query argument the client got wrong (bad `first`, id, cursor or filter value).
pub(crate) fn validation(message: impl Into<String>) -> async_graphql::Error {
    coded(message.into(), "VALIDATION")
}

/// A request that carries no actor: the server did not authenticate it.
pub(crate) fn unauthenticated() -> async_graphql::Error {
    coded(
        "this request is not authenticated".to_owned(),
        rollout_app::ErrorCode::Unauthenticated.as_str(),
    )
}

/// A fault on our side that has no [`AppError`] (missing schema data, a stored state the
/// workflow does not define); logged, shown as INTERNAL.
pub(crate) fn internal(context: impl Into<String>) -> async_graphql::Error {
    unexpected(&AppError::Internal(StoreError::corrupt(context)))
}

fn coded(message: String, code: &'static str) -> async_graphql::Error {
    async_graphql::Error::new(message).extend_with(|_, ext| ext.set("code", code))
}

fn unexpected(e: &AppError) -> async_graphql::Error {
    let mut chain = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        chain.push_str(": ");
        chain.push_str(&cause.to_string());
        source = cause.source();
    }
    let code = e.code().as_str();
    tracing::error!(code, error = %chain, "request failed unexpectedly");
    let message = match e {
        AppError::Unavailable(_) => "database unavailable",
        _ => "internal error",
    };
    coded(message.to_owned(), code)
}

#[cfg(test)]
mod tests {
    use super::*;
    use async_graphql::Value;

    fn code_of(e: &async_graphql::Error) -> Option<Value> {
        e.extensions.as_ref().and_then(|x| x.get("code")).cloned()
    }

    #[test]
    fn expected_failures_become_payload_errors_with_paths() {
        let e = AppError::NotFound {
            entity: "procedure",
            key: "x".into(),
        };
        let errors = payload_errors(&e, "procedureId").unwrap();
        assert_eq!(
            errors,
            [UserError::new(
                ErrorCode::NotFound,
                &["procedureId"],
                "procedure x not found"
            )]
        );
        let conflict = AppError::VersionConflict {
            expected: 1,
            actual: 2,
        };
        let errors = payload_errors(&conflict, "id").unwrap();
        assert_eq!(errors[0].code, ErrorCode::VersionConflict);
        assert_eq!(errors[0].path, Some(vec!["expectedVersion".to_owned()]));
    }

    #[test]
    fn permission_and_approval_failures_keep_their_codes() {
        let cases = [
            (
                AppError::Forbidden {
                    message: "VIEWER may not change this procedure".into(),
                },
                ErrorCode::Forbidden,
            ),
            (
                AppError::Unauthenticated {
                    message: "unknown token".into(),
                },
                ErrorCode::Unauthenticated,
            ),
            (
                AppError::ApprovalClosed {
                    message: "the request is already closed (REJECTED)".into(),
                },
                ErrorCode::ApprovalClosed,
            ),
        ];
        for (e, code) in cases {
            let errors = payload_errors(&e, "id").unwrap();
            assert_eq!(errors, [UserError::new(code, &[], e.to_string())]);
            let err = graphql_error(&e);
            assert_eq!(code_of(&err), Some(Value::from(e.code().as_str())));
        }
        assert_eq!(
            code_of(&unauthenticated()),
            Some(Value::from("UNAUTHENTICATED"))
        );
    }

    #[test]
    fn unexpected_failures_hide_their_cause() {
        let io = std::io::Error::other("connection refused by 10.0.0.5");
        let e = AppError::Unavailable(StoreError::Unavailable(Box::new(io)));
        let err = payload_errors(&e, "id").unwrap_err();
        assert_eq!(err.message, "database unavailable");
        assert_eq!(code_of(&err), Some(Value::from("UNAVAILABLE")));

        let e = AppError::Internal(StoreError::corrupt("bad row in procedures"));
        let err = graphql_error(&e);
        assert_eq!(err.message, "internal error");
        assert_eq!(code_of(&err), Some(Value::from("INTERNAL")));
    }

    #[test]
    fn expected_query_failures_carry_their_code() {
        let e = AppError::validation("first", "first must be at most 500");
        let err = graphql_error(&e);
        assert_eq!(err.message, "first must be at most 500");
        assert_eq!(code_of(&err), Some(Value::from("VALIDATION")));
    }
}
