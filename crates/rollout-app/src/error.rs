//! [`AppError`], the use-case boundary's error, and [`ErrorCode`], the stable codes clients see.
//! Expected failures (bad input, refused transitions, conflicts) carry what the client needs to
//! correct the request; unexpected ones keep their cause for the log and show nothing.

use rollout_domain::workflow::{GuardFailure, TransitionRefused};
use rollout_store::StoreError;

pub type AppResult<T> = Result<T, AppError>;

/// Stable error codes, part of the public API contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    NotFound,
    Validation,
    InvalidTransition,
    GuardFailed,
    VersionConflict,
    Duplicate,
    Forbidden,
    Unauthenticated,
    /// A decision on an approval request that is no longer pending.
    ApprovalClosed,
    /// A dependency that would close a cycle in the dependency graph (the message spells the
    /// cycle out with procedure codes).
    Cycle,
    /// Too many requests of one kind from one identity (user reviews): try again later.
    RateLimited,
    /// Not an expected failure: the database could not be reached.
    Unavailable,
    /// Not an expected failure: a bug. Details are logged, never shown.
    Internal,
}

impl ErrorCode {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::NotFound => "NOT_FOUND",
            Self::Validation => "VALIDATION",
            Self::InvalidTransition => "INVALID_TRANSITION",
            Self::GuardFailed => "GUARD_FAILED",
            Self::VersionConflict => "VERSION_CONFLICT",
            Self::Duplicate => "DUPLICATE",
            Self::Forbidden => "FORBIDDEN",
            Self::Unauthenticated => "UNAUTHENTICATED",
            Self::ApprovalClosed => "APPROVAL_CLOSED",
            Self::Cycle => "CYCLE",
            Self::RateLimited => "RATE_LIMITED",
            Self::Unavailable => "UNAVAILABLE",
            Self::Internal => "INTERNAL",
        }
    }
}

/// One problem with one input field; `path` names the field as the client wrote it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub path: Vec<String>,
    pub message: String,
}

/// One of several expected failures of one request, each with its own code and path (the
/// outcomes of a hearing: a stale version in one, a refused move in another).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub code: ErrorCode,
    pub path: Vec<String>,
    pub message: String,
}

/// Why a use case did not succeed.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Several expected failures found together; nothing was written. Never empty.
    #[error("{} problems with the request", .0.len())]
    Problems(Vec<Problem>),
    #[error("invalid input")]
    Validation(Vec<FieldError>),
    #[error("{entity} {key} not found")]
    NotFound { entity: &'static str, key: String },
    #[error("{message}")]
    InvalidTransition { message: String },
    #[error("guards failed")]
    GuardFailed(Vec<GuardFailure>),
    #[error("version conflict: expected {expected}, current {actual}")]
    VersionConflict { expected: i32, actual: i32 },
    #[error("{message}")]
    Duplicate { path: Vec<String>, message: String },
    #[error("{message}")]
    Forbidden { message: String },
    #[error("{message}")]
    Unauthenticated { message: String },
    #[error("{message}")]
    ApprovalClosed { message: String },
    /// A dependency refused because it would close a cycle; `path` names the input field.
    #[error("{message}")]
    Cycle { path: Vec<String>, message: String },
    /// Over a per-identity limit; nothing was written. `retry_after_secs` says when one more
    /// request will be accepted.
    #[error("{message}")]
    RateLimited {
        message: String,
        retry_after_secs: u64,
    },
    #[error("database unavailable")]
    Unavailable(#[source] StoreError),
    #[error("internal error")]
    Internal(#[source] StoreError),
}

impl AppError {
    pub fn validation(field: &str, message: impl Into<String>) -> Self {
        Self::Validation(vec![FieldError {
            path: vec![field.to_owned()],
            message: message.into(),
        }])
    }

    pub fn code(&self) -> ErrorCode {
        match self {
            Self::Validation(_) => ErrorCode::Validation,
            Self::Problems(p) => p.first().map_or(ErrorCode::Validation, |p| p.code),
            Self::NotFound { .. } => ErrorCode::NotFound,
            Self::InvalidTransition { .. } => ErrorCode::InvalidTransition,
            Self::GuardFailed(_) => ErrorCode::GuardFailed,
            Self::VersionConflict { .. } => ErrorCode::VersionConflict,
            Self::Duplicate { .. } => ErrorCode::Duplicate,
            Self::Forbidden { .. } => ErrorCode::Forbidden,
            Self::Unauthenticated { .. } => ErrorCode::Unauthenticated,
            Self::ApprovalClosed { .. } => ErrorCode::ApprovalClosed,
            Self::Cycle { .. } => ErrorCode::Cycle,
            Self::RateLimited { .. } => ErrorCode::RateLimited,
            Self::Unavailable(_) => ErrorCode::Unavailable,
            Self::Internal(_) => ErrorCode::Internal,
        }
    }

    /// Whether this is a failure the client caused and can correct (reported in payloads), as
    /// opposed to one of ours (reported as a GraphQL error without details).
    pub fn is_expected(&self) -> bool {
        !matches!(self, Self::Unavailable(_) | Self::Internal(_))
    }

    /// The client-facing problems: one per field or guard, each with a path where there is one.
    pub fn user_errors(&self) -> Vec<FieldError> {
        let one = |path: &[&str], message: String| {
            vec![FieldError {
                path: path.iter().map(|s| (*s).to_owned()).collect(),
                message,
            }]
        };
        match self {
            Self::Validation(errors) => errors.clone(),
            Self::Problems(problems) => problems
                .iter()
                .map(|p| FieldError {
                    path: p.path.clone(),
                    message: p.message.clone(),
                })
                .collect(),
            Self::GuardFailed(failures) => failures
                .iter()
                .map(|f| FieldError {
                    path: vec!["guards".to_owned(), f.guard.name().to_owned()],
                    message: f.message.clone(),
                })
                .collect(),
            Self::Duplicate { path, message } | Self::Cycle { path, message } => {
                vec![FieldError {
                    path: path.clone(),
                    message: message.clone(),
                }]
            }
            Self::InvalidTransition { .. } => one(&["to"], self.to_string()),
            Self::VersionConflict { .. } => one(&["expectedVersion"], self.to_string()),
            other => one(&[], other.to_string()),
        }
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound { entity, key } => Self::NotFound { entity, key },
            StoreError::Conflict { expected, actual } => Self::VersionConflict { expected, actual },
            StoreError::Duplicate { entity, key } => Self::Duplicate {
                path: Vec::new(),
                message: format!("{entity} {key} already exists"),
            },
            e @ StoreError::Unavailable(_) => Self::Unavailable(e),
            e @ StoreError::Internal { .. } => Self::Internal(e),
        }
    }
}

impl From<TransitionRefused> for AppError {
    fn from(e: TransitionRefused) -> Self {
        match e {
            TransitionRefused::GuardsFailed(f) => Self::GuardFailed(f),
            other => Self::InvalidTransition {
                message: other.to_string(),
            },
        }
    }
}
