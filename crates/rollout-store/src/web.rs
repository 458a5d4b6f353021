//! Server-side sessions of the web dashboard and the language a person reads it in (issue 14):
//! the reads a request needs (its session by the hash of the cookie's secret, its user's
//! language) and the administrator's list of a user's live sessions.
//!
//! Sessions are written through the atomic batch, with their audit entry:
//! [`crate::Write::InsertWebSession`] (which also deletes the user's long-expired sessions),
//! [`crate::Write::RevokeWebSession`] and [`crate::Write::RevokeUserWebSessions`]. The language
//! is the reminders' per-person setting ([`crate::Write::SetLanguage`]): one preference, read by
//! the dashboard and the reminder digests alike. Whether a session may be used is the domain's
//! rule ([`WebSession::is_live`]); the store only filters on it for the list, with the `now` it
//! is given.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rollout_domain::UserId;
use rollout_domain::reminders::Language;
use rollout_domain::web_session::WebSession;

use crate::StoreResult;

/// How long an expired session is kept before the housekeeping of
/// [`crate::Write::InsertWebSession`] deletes it: long enough to tell "your session expired"
/// from "unknown session" for a while, and to see recent sign-ins in the table.
pub const EXPIRED_SESSION_RETENTION: chrono::TimeDelta = chrono::TimeDelta::days(7);

/// The reads of the web dashboard's sessions and preferences.
#[async_trait]
pub trait WebStore: Send + Sync {
    /// The session whose secret hashes to `id_hash`, live or not.
    async fn web_session(&self, id_hash: &str) -> StoreResult<Option<WebSession>>;

    /// The language `user` chose; `None` when they never chose one (or are unknown).
    async fn user_language(&self, user: UserId) -> StoreResult<Option<Language>>;

    /// The sessions of `user` live at `now` (not revoked, expiring after `now`), newest first
    /// (by `created_at`, then `id_hash`).
    async fn web_sessions_of(
        &self,
        user: UserId,
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<WebSession>>;
}
