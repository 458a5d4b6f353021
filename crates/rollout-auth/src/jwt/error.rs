//! Why a JWT was refused, or why the verifier could not be built. Every variant means
//! "unauthenticated" to a client; the distinction exists for the server's log, so messages
//! name the cause without echoing signatures or whole tokens.

use chrono::{DateTime, Utc};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JwtError {
    /// Not three base64url parts, or a header or payload that is not a JSON object.
    #[error("malformed token: {0}")]
    Malformed(String),
    /// The header's `alg` is `none`, not configured, or does not fit the key it names.
    #[error("algorithm not accepted: {0}")]
    UnsupportedAlgorithm(String),
    /// No signing key has the header's `kid` (after a refetch, for a URL source).
    #[error("no signing key matches kid {}", .0.as_deref().map_or("(none given)".to_owned(), |k| format!("{k:?}")))]
    UnknownKey(Option<String>),
    #[error("the signature does not verify")]
    BadSignature,
    #[error("the token expired at {0}")]
    Expired(DateTime<Utc>),
    #[error("the token is not valid before {0}")]
    NotYetValid(DateTime<Utc>),
    /// Holds the token's `iss`, to spot a misconfigured issuer in the log.
    #[error("the token was issued by {0:?}, not by the configured issuer")]
    WrongIssuer(String),
    #[error("the token is not addressed to the configured audience")]
    WrongAudience,
    /// Holds the claim's name.
    #[error("the token has no {0:?} claim")]
    MissingClaim(String),
    #[error("claim {claim:?} is invalid: {reason}")]
    InvalidClaim { claim: String, reason: String },
    /// The JWK Set could not be read, fetched or parsed.
    #[error("signing keys unavailable: {0}")]
    KeySource(String),
    /// Raised only while building a verifier, never for a token.
    #[error("invalid [oidc] configuration: {0}")]
    Config(String),
}

impl JwtError {
    /// A stable, low-cardinality name for logs and metrics.
    pub const fn code(&self) -> &'static str {
        match self {
            Self::Malformed(_) => "malformed",
            Self::UnsupportedAlgorithm(_) => "unsupported_algorithm",
            Self::UnknownKey(_) => "unknown_key",
            Self::BadSignature => "bad_signature",
            Self::Expired(_) => "expired",
            Self::NotYetValid(_) => "not_yet_valid",
            Self::WrongIssuer(_) => "wrong_issuer",
            Self::WrongAudience => "wrong_audience",
            Self::MissingClaim(_) => "missing_claim",
            Self::InvalidClaim { .. } => "invalid_claim",
            Self::KeySource(_) => "key_source",
            Self::Config(_) => "config",
        }
    }

    pub(crate) fn invalid(claim: &str, reason: impl Into<String>) -> Self {
        Self::InvalidClaim {
            claim: claim.to_owned(),
            reason: reason.into(),
        }
    }
}
