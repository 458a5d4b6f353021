//! Server-side sessions of the web dashboard (issue 14): opening one for a signed-in user,
//! finding the actor behind a session cookie, signing out, and an administrator's list and
//! revocation of a user's sessions.
//!
//! The cookie holds a random secret (`rollout_auth::random_secret`); the store keeps only its
//! SHA-256 (`rollout_auth::hash_secret`, as for API tokens), so neither a copy of the database
//! nor the audit trail holds anything that could be replayed as a cookie. Whether a session may
//! be used is the domain's rule ([`WebSession::is_live`]) on the app's clock. Permissions are the
//! existing ones: having a session needs [`Action::Read`] (so a disabled user or the review
//! intake identity gets none), another user's sessions need [`Action::ManageUsers`]. How the
//! secret travels (cookie flags, CSRF checks) is the web crate's; this module knows no HTTP.

use chrono::{DurationRound, TimeDelta};
use rollout_domain::UserId;
use rollout_domain::authz::Action;
use rollout_domain::bounds;
use rollout_domain::web_session::WebSession;
use rollout_store::Write;
use serde_json::json;
use tracing::instrument;

use crate::audit::Target;
use crate::{Actor, App, AppError, AppResult, RequestMeta};

/// A session just opened, with the secret the cookie carries: the only place the secret
/// exists, as for [`crate::IssuedToken`].
#[derive(Debug, Clone)]
pub struct OpenedSession {
    /// Goes into the cookie: 32 random bytes as unpadded base64url. Never stored, never logged.
    pub secret: rollout_auth::SecretString,
    pub session: WebSession,
}

/// The signed-in user an actor stands for; the system has no session.
fn session_user(actor: &Actor) -> AppResult<UserId> {
    actor.user_id().ok_or_else(|| AppError::Unauthenticated {
        message: "a web session belongs to a signed-in user".into(),
    })
}

fn session_json(s: &WebSession) -> serde_json::Value {
    json!({
        "expiresAt": bounds::utc_text(s.expires_at),
        "clientAddr": s.client_addr,
    })
}

impl App {
    /// Opens a session for an authenticated actor (a user: the system cannot), lasting `ttl`
    /// from now, from the actor's client address. Audited as `session.open` on the user in the
    /// same batch; a user who may not read (disabled, the review intake identity) is refused
    /// and the refusal audited.
    #[instrument(name = "app.open_web_session", skip(self, actor), fields(actor = %actor.label))]
    pub async fn open_web_session(
        &self,
        actor: &Actor,
        ttl: TimeDelta,
    ) -> AppResult<OpenedSession> {
        let user = session_user(actor)?;
        let target = Target::new("User", user);
        self.require(actor, Action::Read, "session.open", &target)
            .await?;
        if ttl <= TimeDelta::zero() {
            return Err(AppError::validation("ttl", "a session must last a while"));
        }
        let now = self.now();
        // Whole microseconds, the precision both stores keep, so the session reads back equal.
        let too_long = || AppError::validation("ttl", "a session cannot last that long");
        let expires_at = now
            .checked_add_signed(ttl)
            .and_then(|t| t.duration_trunc(TimeDelta::microseconds(1)).ok())
            .ok_or_else(too_long)?;
        bounds::check_instant(expires_at).map_err(|_| too_long())?;
        let secret = rollout_auth::random_secret();
        let session = WebSession {
            id_hash: rollout_auth::hash_secret(secret.expose()).0,
            user_id: user,
            csrf_token: rollout_auth::random_secret().expose().to_owned(),
            created_at: now,
            expires_at,
            revoked_at: None,
            client_addr: actor.meta.client_addr.clone(),
        };
        let audit = self.audit_entry(
            actor,
            "session.open",
            &target,
            None,
            Some(session_json(&session)),
        );
        self.store()
            .commit(&[
                Write::InsertWebSession(session.clone()),
                Write::Audit(audit),
            ])
            .await
            .map_err(|e| AppError::from(e.error))?;
        Ok(OpenedSession { secret, session })
    }

    /// The actor behind a session cookie's `secret`, with the session (for its CSRF token):
    /// `None` when the session is unknown, revoked or expired, or its user is disabled or gone.
    /// `meta` (the request's id and address) becomes the actor's. Not audited: a stale cookie
    /// is ordinary, and the caller decides what an anonymous request may see.
    pub async fn web_session_actor(
        &self,
        secret: &str,
        meta: RequestMeta,
    ) -> AppResult<Option<(Actor, WebSession)>> {
        let hash = rollout_auth::hash_secret(secret);
        let Some(session) = self.store().web_session(&hash.0).await? else {
            return Ok(None);
        };
        if !session.is_live(self.now()) {
            return Ok(None);
        }
        Ok(match self.store().user(session.user_id).await? {
            Some(user) if !user.disabled => Some((Actor::user(user, meta), session)),
            _ => None,
        })
    }

    /// Sign-out: revokes the actor's own session `secret`, audited as `session.close`. Signing
    /// out of a session already revoked changes nothing and writes nothing; a session that is
    /// unknown or another user's is `NotFound` (without saying which).
    #[instrument(name = "app.close_web_session", skip(self, actor, secret), fields(actor = %actor.label))]
    pub async fn close_web_session(&self, actor: &Actor, secret: &str) -> AppResult<()> {
        let user = session_user(actor)?;
        let hash = rollout_auth::hash_secret(secret).0;
        let not_found = || AppError::NotFound {
            entity: "web session",
            key: String::new(),
        };
        let session = self
            .store()
            .web_session(&hash)
            .await?
            .filter(|s| s.user_id == user)
            .ok_or_else(not_found)?;
        if session.revoked_at.is_some() {
            return Ok(());
        }
        let now = self.now();
        let audit = self.audit_entry(
            actor,
            "session.close",
            &Target::new("User", user),
            Some(session_json(&session)),
            None,
        );
        self.store()
            .commit(&[
                Write::RevokeWebSession {
                    id_hash: hash,
                    at: now,
                },
                Write::Audit(audit),
            ])
            .await
            .map_err(|e| AppError::from(e.error))
    }

    /// Revokes every live session of `user` (an administrator's "sign out everywhere"), audited
    /// as `session.revoke_all` with the count; returns how many were live when read. With none
    /// live nothing is written. Admins only: anyone else is refused, and the refusal audited.
    #[instrument(name = "app.revoke_web_sessions", skip(self, actor), fields(actor = %actor.label, user = %user))]
    pub async fn revoke_web_sessions(&self, actor: &Actor, user: UserId) -> AppResult<u64> {
        let target = Target::new("User", user);
        self.require(actor, Action::ManageUsers, "session.revoke_all", &target)
            .await?;
        if self.store().user(user).await?.is_none() {
            return Err(AppError::NotFound {
                entity: "user",
                key: user.to_string(),
            });
        }
        let now = self.now();
        // A session opened between this read and the commit is revoked too, but not counted:
        // the count is what the administrator saw, the revocation covers everything live.
        let live = self.store().web_sessions_of(user, now).await?.len() as u64;
        if live == 0 {
            return Ok(0);
        }
        let audit = self.audit_entry(
            actor,
            "session.revoke_all",
            &target,
            None,
            Some(json!({ "revoked": live })),
        );
        self.store()
            .commit(&[
                Write::RevokeUserWebSessions { user, at: now },
                Write::Audit(audit),
            ])
            .await
            .map_err(|e| AppError::from(e.error))?;
        Ok(live)
    }

    /// The live sessions of `user`, newest first: the user's own, or anyone's for an admin
    /// (a read: refused without an audit entry).
    pub async fn web_sessions_of(&self, actor: &Actor, user: UserId) -> AppResult<Vec<WebSession>> {
        if actor.user_id() != Some(user) {
            self.require_quietly(actor, Action::ManageUsers)?;
        }
        Ok(self.store().web_sessions_of(user, self.now()).await?)
    }
}

#[cfg(test)]
#[path = "web_sessions_tests.rs"]
mod tests;
