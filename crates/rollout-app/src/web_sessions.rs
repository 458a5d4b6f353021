//! The web dashboard's sessions (issue 14): opening one for an authenticated person, finding
//! the actor of a cookie, signing out, and an administrator ending all of a person's sessions.
//! The cookie carries a random secret; the store keeps only its SHA-256 (as API tokens), so a
//! copy of the database opens no session. Each session has its own CSRF token. Opening and
//! closing are audited in the same batch as the write (`session.open`, `session.close`,
//! `session.revoke_all`). The language a person reads the dashboard in is the one they read
//! reminders in (`set_my_language`): one preference.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rollout_domain::UserId;
use rollout_domain::authz::Action;
use rollout_domain::identity::Role;
use rollout_domain::reminders::Language;
use rollout_domain::web_session::WebSession;
use rollout_store::Write;
use serde_json::json;

use crate::audit::Target;
use crate::{Actor, App, AppError, AppResult, RequestMeta};

/// A session just opened: `secret` goes into the cookie and is never stored.
#[derive(Debug, Clone)]
pub struct OpenedSession {
    pub secret: String,
    pub session: WebSession,
}

/// 32 random bytes from the operating system's generator (two v4 UUIDs: 244 random bits),
/// base64url.
fn random_secret() -> String {
    let mut bytes = [0u8; 32];
    bytes[..16].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
    bytes[16..].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
    URL_SAFE_NO_PAD.encode(bytes)
}

fn hash(secret: &str) -> String {
    rollout_auth::hash_secret(secret).0
}

impl App {
    /// Opens a session of `ttl` for `actor` (a person; the system and the review intake
    /// service cannot sign in to the dashboard).
    pub async fn open_web_session(
        &self,
        actor: &Actor,
        ttl: chrono::Duration,
    ) -> AppResult<OpenedSession> {
        let Some(user) = &actor.user else {
            return Err(AppError::Unauthenticated {
                message: "only a person can sign in to the dashboard".into(),
            });
        };
        if user.role == Role::ReviewIntake || user.disabled {
            return Err(AppError::Forbidden {
                message: format!("{} cannot use the dashboard", user.role.as_str()),
            });
        }
        let now = self.now();
        let secret = random_secret();
        let session = WebSession {
            id_hash: hash(&secret),
            user_id: user.id,
            csrf_token: random_secret(),
            created_at: now,
            expires_at: now + ttl,
            revoked_at: None,
            client_addr: actor.meta.client_addr.clone(),
        };
        let audit = self.audit_entry(
            actor,
            "session.open",
            &Target::new("User", user.id.0),
            None,
            Some(json!({ "expiresAt": rollout_domain::bounds::utc_text(session.expires_at) })),
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

    /// The actor of the session whose cookie holds `secret`, with the session; `None` when it
    /// is unknown, revoked or expired, or its person is disabled or gone.
    pub async fn web_session_actor(
        &self,
        secret: &str,
        meta: RequestMeta,
    ) -> AppResult<Option<(Actor, WebSession)>> {
        let Some(session) = self.store().web_session(&hash(secret)).await? else {
            return Ok(None);
        };
        if !session.is_live(self.now()) {
            return Ok(None);
        }
        match self.store().user(session.user_id).await? {
            Some(user) if !user.disabled => Ok(Some((Actor::user(user, meta), session))),
            _ => Ok(None),
        }
    }

    /// Signs out: revokes the session whose cookie holds `secret`.
    pub async fn close_web_session(&self, actor: &Actor, secret: &str) -> AppResult<()> {
        let id_hash = hash(secret);
        let target = match actor.user_id() {
            Some(user) => Target::new("User", user.0),
            None => Target::kind("User"),
        };
        let audit = self.audit_entry(actor, "session.close", &target, None, None);
        self.store()
            .commit(&[
                Write::RevokeWebSession {
                    id_hash,
                    at: self.now(),
                },
                Write::Audit(audit),
            ])
            .await
            .map_err(|e| AppError::from(e.error))?;
        Ok(())
    }

    /// Ends every live session of `user` (administrators only); how many there were.
    pub async fn revoke_web_sessions(&self, actor: &Actor, user: UserId) -> AppResult<usize> {
        let target = Target::new("User", user.0);
        self.require(actor, Action::ManageUsers, "session.revoke_all", &target)
            .await?;
        let now = self.now();
        let live = self.store().web_sessions_of(user, now).await?.len();
        let audit = self.audit_entry(
            actor,
            "session.revoke_all",
            &target,
            None,
            Some(json!({ "sessions": live })),
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

    /// The live sessions of `user`, for an administrator.
    pub async fn web_sessions_of(&self, actor: &Actor, user: UserId) -> AppResult<Vec<WebSession>> {
        self.require_quietly(actor, Action::ManageUsers)?;
        Ok(self.store().web_sessions_of(user, self.now()).await?)
    }

    /// The language `user` chose, if any (one point read per page).
    pub async fn language_of(&self, user: UserId) -> AppResult<Option<Language>> {
        Ok(self.store().user_language(user).await?)
    }
}
