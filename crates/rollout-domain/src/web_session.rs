//! Server-side sessions of the web dashboard (issue 14): the stored shape of a signed-in browser
//! and the rule for when it may be used. The cookie holds a random secret; only its SHA-256 hash
//! is stored ([`WebSession::id_hash`]), so a copy of the database cannot be replayed as a
//! cookie. Making secrets and hashing them needs randomness and a digest, so it happens in
//! `rollout_auth`; storing, listing and revoking are the app's and the store's.

use chrono::{DateTime, Utc};

use crate::UserId;

/// A signed-in browser.
#[derive(Clone, PartialEq, Eq)]
pub struct WebSession {
    /// Lower-case hex SHA-256 of the cookie's secret: the session's key.
    pub id_hash: String,
    pub user_id: UserId,
    /// The value every form of this session must echo back (synchroniser token against
    /// cross-site request forgery). Random, and never shown in `Debug`.
    pub csrf_token: String,
    pub created_at: DateTime<Utc>,
    /// Fixed when the session opens: a session is not extended by use.
    pub expires_at: DateTime<Utc>,
    /// Set by sign-out or by an administrator's revocation; never cleared.
    pub revoked_at: Option<DateTime<Utc>>,
    /// The address the session was opened from, for the administrator's list.
    pub client_addr: Option<String>,
}

impl WebSession {
    /// Whether the session may be used at `now`: not revoked, and `now` before its expiry.
    pub fn is_live(&self, now: DateTime<Utc>) -> bool {
        self.revoked_at.is_none() && now < self.expires_at
    }
}

impl std::fmt::Debug for WebSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebSession")
            .field("id_hash", &self.id_hash)
            .field("user_id", &self.user_id)
            .field("csrf_token", &"[redacted]")
            .field("created_at", &self.created_at)
            .field("expires_at", &self.expires_at)
            .field("revoked_at", &self.revoked_at)
            .field("client_addr", &self.client_addr)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeDelta;
    use uuid::Uuid;

    fn session(now: DateTime<Utc>) -> WebSession {
        WebSession {
            id_hash: "ab".repeat(32),
            user_id: UserId(Uuid::nil()),
            csrf_token: "csrf-secret".into(),
            created_at: now,
            expires_at: now + TimeDelta::hours(8),
            revoked_at: None,
            client_addr: Some("192.0.2.1".into()),
        }
    }

    #[test]
    fn live_until_expired_or_revoked() {
        let now = DateTime::UNIX_EPOCH + TimeDelta::days(100);
        let mut s = session(now);
        assert!(s.is_live(now));
        assert!(s.is_live(s.expires_at - TimeDelta::microseconds(1)));
        assert!(
            !s.is_live(s.expires_at),
            "the expiry instant is already too late"
        );
        s.revoked_at = Some(now);
        assert!(!s.is_live(now));
    }

    #[test]
    fn debug_hides_the_csrf_token() {
        let shown = format!("{:?}", session(DateTime::UNIX_EPOCH));
        assert!(!shown.contains("csrf-secret"), "{shown}");
        assert!(shown.contains("[redacted]"));
    }
}
