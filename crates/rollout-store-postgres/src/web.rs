//! Web sessions and the language preference on PostgreSQL ([`rollout_store::WebStore`], issue
//! 14): the three reads, the three session writes the batch applies inside its transaction, and
//! the row decoding. A taken hash or a missing user is named by the violated constraint
//! (`web_sessions_pkey`, `web_sessions_user_id_fkey`); the language is the reminders'
//! `user_preferences` row.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rollout_domain::UserId;
use rollout_domain::reminders::Language;
use rollout_domain::web_session::WebSession;
use rollout_store::{EXPIRED_SESSION_RETENTION, StoreResult, WebStore};
use sqlx::postgres::PgRow;
use sqlx::{AssertSqlSafe, PgConnection};

use crate::PgStore;
use crate::errors;
use crate::rows::{self, get};

const COLUMNS: &str =
    "id_hash, user_id, csrf_token, created_at, expires_at, revoked_at, client_addr";

#[async_trait]
impl WebStore for PgStore {
    #[tracing::instrument(name = "store.web_session", skip_all)]
    async fn web_session(&self, id_hash: &str) -> StoreResult<Option<WebSession>> {
        let found = sqlx::query(AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM web_sessions WHERE id_hash = $1"
        )))
        .bind(id_hash)
        .fetch_optional(&self.pool)
        .await
        .map_err(errors::db("load web session"))?;
        found.as_ref().map(session).transpose()
    }

    #[tracing::instrument(name = "store.user_language", skip(self), fields(user = %user))]
    async fn user_language(&self, user: UserId) -> StoreResult<Option<Language>> {
        let raw: Option<String> =
            sqlx::query_scalar("SELECT language FROM user_preferences WHERE user_id = $1")
                .bind(user.as_uuid())
                .fetch_optional(&self.pool)
                .await
                .map_err(errors::db("load user language"))?;
        raw.map(|raw| {
            Language::parse(&raw).ok_or_else(|| rows::corrupt("user_preferences", "language", &raw))
        })
        .transpose()
    }

    #[tracing::instrument(name = "store.web_sessions_of", skip(self), fields(user = %user))]
    async fn web_sessions_of(
        &self,
        user: UserId,
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<WebSession>> {
        let found = sqlx::query(AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM web_sessions WHERE user_id = $1 AND revoked_at IS NULL \
             AND expires_at > $2 ORDER BY created_at DESC, id_hash DESC"
        )))
        .bind(user.as_uuid())
        .bind(now)
        .fetch_all(&self.pool)
        .await
        .map_err(errors::db("list web sessions"))?;
        rows::all(&found, session)
    }
}

/// Deletes the user's long-expired sessions, then inserts `s`, inside the batch's transaction.
pub(crate) async fn insert_session(conn: &mut PgConnection, s: &WebSession) -> StoreResult<()> {
    sqlx::query("DELETE FROM web_sessions WHERE user_id = $1 AND expires_at < $2")
        .bind(s.user_id.as_uuid())
        .bind(s.created_at - EXPIRED_SESSION_RETENTION)
        .execute(&mut *conn)
        .await
        .map_err(errors::db("delete expired web sessions"))?;
    sqlx::query(AssertSqlSafe(format!(
        "INSERT INTO web_sessions ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)"
    )))
    .bind(s.id_hash.as_str())
    .bind(s.user_id.as_uuid())
    .bind(s.csrf_token.as_str())
    .bind(s.created_at)
    .bind(s.expires_at)
    .bind(s.revoked_at)
    .bind(s.client_addr.as_deref())
    .execute(&mut *conn)
    .await
    // The key is the user's id either way: the hash stands for a secret and is never echoed.
    .map_err(errors::write("insert web session", |_| {
        Some(s.user_id.to_string())
    }))?;
    Ok(())
}

/// Revokes one session unless it is revoked already; `NotFound` when there is no such session.
pub(crate) async fn revoke_session(
    conn: &mut PgConnection,
    id_hash: &str,
    at: DateTime<Utc>,
) -> StoreResult<()> {
    let done = sqlx::query(
        "UPDATE web_sessions SET revoked_at = COALESCE(revoked_at, $1) WHERE id_hash = $2",
    )
    .bind(at)
    .bind(id_hash)
    .execute(&mut *conn)
    .await
    .map_err(errors::db("revoke web session"))?;
    if done.rows_affected() == 0 {
        // Named without its hash, which stands for a secret.
        return Err(errors::not_found("web session", ""));
    }
    Ok(())
}

/// Revokes every session of `user` live at `at`.
pub(crate) async fn revoke_user_sessions(
    conn: &mut PgConnection,
    user: UserId,
    at: DateTime<Utc>,
) -> StoreResult<()> {
    sqlx::query(
        "UPDATE web_sessions SET revoked_at = $1 \
         WHERE user_id = $2 AND revoked_at IS NULL AND expires_at > $1",
    )
    .bind(at)
    .bind(user.as_uuid())
    .execute(&mut *conn)
    .await
    .map_err(errors::db("revoke a user's web sessions"))?;
    Ok(())
}

fn session(row: &PgRow) -> StoreResult<WebSession> {
    Ok(WebSession {
        id_hash: get(row, "id_hash")?,
        user_id: UserId(get(row, "user_id")?),
        csrf_token: get(row, "csrf_token")?,
        created_at: get(row, "created_at")?,
        expires_at: get(row, "expires_at")?,
        revoked_at: get(row, "revoked_at")?,
        client_addr: get(row, "client_addr")?,
    })
}
