//! Web sessions and the language preference on SQLite ([`rollout_store::WebStore`], issue 14):
//! the three reads, the three session writes the batch applies inside its transaction, and the
//! row decoding. Instants are the fixed-width UTC text of `rows::instant`, so comparing them as
//! text compares them in time; the language is the reminders' `user_preferences` row.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rollout_domain::UserId;
use rollout_domain::reminders::Language;
use rollout_domain::web_session::WebSession;
use rollout_store::{EXPIRED_SESSION_RETENTION, StoreResult, WebStore};
use sqlx::{AssertSqlSafe, FromRow, SqliteConnection};

use crate::SqliteStore;
use crate::errors::{self, UniqueKey, ctx};
use crate::refs::{self, Ref};
use crate::rows::{decode_all, instant, parse_instant, parse_key, parse_uuid, uuid};

const COLUMNS: &str =
    "id_hash, user_id, csrf_token, created_at, expires_at, revoked_at, client_addr";

#[async_trait]
impl WebStore for SqliteStore {
    #[tracing::instrument(name = "store.web_session", skip_all)]
    async fn web_session(&self, id_hash: &str) -> StoreResult<Option<WebSession>> {
        let row: Option<SessionRow> = sqlx::query_as(AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM web_sessions WHERE id_hash = ?"
        )))
        .bind(id_hash)
        .fetch_optional(&self.reader)
        .await
        .map_err(ctx("load web session"))?;
        row.map(SessionRow::into_domain).transpose()
    }

    #[tracing::instrument(name = "store.user_language", skip(self), fields(user = %user))]
    async fn user_language(&self, user: UserId) -> StoreResult<Option<Language>> {
        let raw: Option<String> =
            sqlx::query_scalar("SELECT language FROM user_preferences WHERE user_id = ?")
                .bind(uuid(user.0))
                .fetch_optional(&self.reader)
                .await
                .map_err(ctx("load user language"))?;
        raw.map(|raw| parse_key("user_preferences.language", &raw, Language::parse))
            .transpose()
    }

    #[tracing::instrument(name = "store.web_sessions_of", skip(self), fields(user = %user))]
    async fn web_sessions_of(
        &self,
        user: UserId,
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<WebSession>> {
        let rows: Vec<SessionRow> = sqlx::query_as(AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM web_sessions WHERE user_id = ? AND revoked_at IS NULL \
             AND expires_at > ? ORDER BY created_at DESC, id_hash DESC"
        )))
        .bind(uuid(user.0))
        .bind(instant(now))
        .fetch_all(&self.reader)
        .await
        .map_err(ctx("list web sessions"))?;
        decode_all(rows, SessionRow::into_domain)
    }
}

/// Deletes the user's long-expired sessions, then inserts `s`, inside the batch's transaction.
pub(crate) async fn insert_session(conn: &mut SqliteConnection, s: &WebSession) -> StoreResult<()> {
    sqlx::query("DELETE FROM web_sessions WHERE user_id = ? AND expires_at < ?")
        .bind(uuid(s.user_id.0))
        .bind(instant(s.created_at - EXPIRED_SESSION_RETENTION))
        .execute(&mut *conn)
        .await
        .map_err(ctx("delete expired web sessions"))?;
    let done = sqlx::query(AssertSqlSafe(format!(
        "INSERT INTO web_sessions ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)"
    )))
    .bind(s.id_hash.as_str())
    .bind(uuid(s.user_id.0))
    .bind(s.csrf_token.as_str())
    .bind(instant(s.created_at))
    .bind(instant(s.expires_at))
    .bind(s.revoked_at.map(instant))
    .bind(s.client_addr.as_deref())
    .execute(&mut *conn)
    .await;
    match done {
        Ok(_) => Ok(()),
        // The key is the user's id: the hash stands for a secret and is never echoed.
        Err(e) => match errors::unique_violation(&e) {
            Some(UniqueKey::WebSessionHash) => Err(errors::duplicate("web session", s.user_id)),
            _ => {
                let owner = [Ref::user(s.user_id.0)];
                Err(refs::missing(conn, e, "insert web session", &owner).await)
            }
        },
    }
}

/// Revokes one session unless it is revoked already; `NotFound` when there is no such session.
pub(crate) async fn revoke_session(
    conn: &mut SqliteConnection,
    id_hash: &str,
    at: DateTime<Utc>,
) -> StoreResult<()> {
    let done = sqlx::query(
        "UPDATE web_sessions SET revoked_at = COALESCE(revoked_at, ?) WHERE id_hash = ?",
    )
    .bind(instant(at))
    .bind(id_hash)
    .execute(&mut *conn)
    .await
    .map_err(ctx("revoke web session"))?;
    if done.rows_affected() == 0 {
        // Named without its hash, which stands for a secret.
        return Err(errors::not_found("web session", ""));
    }
    Ok(())
}

/// Revokes every session of `user` live at `at`.
pub(crate) async fn revoke_user_sessions(
    conn: &mut SqliteConnection,
    user: UserId,
    at: DateTime<Utc>,
) -> StoreResult<()> {
    sqlx::query(
        "UPDATE web_sessions SET revoked_at = ?1 \
         WHERE user_id = ?2 AND revoked_at IS NULL AND expires_at > ?1",
    )
    .bind(instant(at))
    .bind(uuid(user.0))
    .execute(&mut *conn)
    .await
    .map_err(ctx("revoke a user's web sessions"))?;
    Ok(())
}

#[derive(Debug, FromRow)]
struct SessionRow {
    id_hash: String,
    user_id: String,
    csrf_token: String,
    created_at: String,
    expires_at: String,
    revoked_at: Option<String>,
    client_addr: Option<String>,
}

impl SessionRow {
    fn into_domain(self) -> StoreResult<WebSession> {
        Ok(WebSession {
            user_id: UserId(parse_uuid("web_sessions.user_id", &self.user_id)?),
            created_at: parse_instant("web_sessions.created_at", &self.created_at)?,
            expires_at: parse_instant("web_sessions.expires_at", &self.expires_at)?,
            revoked_at: self
                .revoked_at
                .map(|raw| parse_instant("web_sessions.revoked_at", &raw))
                .transpose()?,
            id_hash: self.id_hash,
            csrf_token: self.csrf_token,
            client_addr: self.client_addr,
        })
    }
}
