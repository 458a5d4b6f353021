//! The audit trail's entry: who did what to which thing, with the state before and after. Entries
//! are only ever appended, in the same transaction as the change they describe; denied attempts
//! are recorded too. `before`/`after` are JSON text made by the app layer, so the domain needs no
//! serialisation of its own.

use chrono::{DateTime, Utc};

use crate::{AuditEntryId, UserId};

/// How the attempt ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AuditOutcome {
    Success,
    /// No valid credentials.
    Unauthenticated,
    /// Valid credentials, not allowed.
    Forbidden,
}

impl AuditOutcome {
    pub const ALL: &'static [AuditOutcome] =
        &[Self::Success, Self::Unauthenticated, Self::Forbidden];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Success => "SUCCESS",
            Self::Unauthenticated => "UNAUTHENTICATED",
            Self::Forbidden => "FORBIDDEN",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL
            .iter()
            .copied()
            .find(|o| o.as_str().eq_ignore_ascii_case(raw.trim()))
    }
}

/// One audit entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub id: AuditEntryId,
    pub at: DateTime<Utc>,
    /// The authenticated user, if any.
    pub actor_id: Option<UserId>,
    /// How the actor is shown: their e-mail address, or "anonymous".
    pub actor: String,
    /// When the actor acted as someone's substitute: whom they stood in for.
    pub on_behalf_of: Option<UserId>,
    /// Dotted verb, e.g. `procedure.transition`, `approval.approve`, `token.create`.
    pub action: String,
    /// `Procedure`, `Bureau`, `User`, `ApiToken`, `ApprovalRequest`, `Delegation`, …
    pub target_type: String,
    pub target_id: Option<String>,
    pub before: Option<String>,
    pub after: Option<String>,
    pub outcome: AuditOutcome,
    pub request_id: Option<String>,
    pub client_addr: Option<String>,
}
