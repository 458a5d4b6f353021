//! Users and API tokens. Each write runs in one transaction with its audit entry. Who may do
//! what is `rollout_domain::authz`'s business and how secrets are generated and hashed the app
//! layer's; this module stores and finds, keyed by id, e-mail address or secret hash.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rollout_domain::audit::AuditEntry;
use rollout_domain::identity::{Email, User};
use rollout_domain::token::{ApiToken, TokenHash};
use rollout_domain::{TokenId, UserId};
use rollout_store::{IdentityStore, StoreResult};
use uuid::Uuid;

use crate::errors::{self, not_found};
use crate::rows::{self, joined_token_columns, owner_columns, token_columns, user_columns};
use crate::{PgStore, audit};

fn user_key(user: &User) -> impl FnOnce(&str) -> Option<String> + '_ {
    |constraint| {
        Some(match constraint {
            "users_pkey" => user.id.to_string(),
            "users_bureau_id_fkey" => user.bureau_id.map(|b| b.to_string()).unwrap_or_default(),
            _ => user.email.as_str().to_owned(),
        })
    }
}

#[async_trait]
impl IdentityStore for PgStore {
    #[tracing::instrument(name = "store.create_user", skip(self, user, audit), fields(user_id = %user.id))]
    async fn create_user(&self, user: &User, audit: &AuditEntry) -> StoreResult<User> {
        let mut tx = self.pool.begin().await.map_err(errors::db("begin"))?;
        let row = sqlx::query(concat!(
            "INSERT INTO users (",
            user_columns!(),
            ") VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ",
            user_columns!()
        ))
        .bind(user.id.as_uuid())
        .bind(&user.display_name)
        .bind(user.email.as_str())
        .bind(user.role.as_str())
        .bind(user.bureau_id.map(|b| b.as_uuid()))
        .bind(user.disabled)
        .bind(user.created_at)
        .fetch_one(&mut *tx)
        .await
        .map_err(errors::write("insert user", user_key(user)))?;
        let stored = rows::user(&row)?;
        audit::insert(&mut *tx, audit).await?;
        tx.commit().await.map_err(errors::db("commit"))?;
        Ok(stored)
    }

    #[tracing::instrument(name = "store.update_user", skip(self, user, audit), fields(user_id = %user.id))]
    async fn update_user(&self, user: &User, audit: &AuditEntry) -> StoreResult<User> {
        let mut tx = self.pool.begin().await.map_err(errors::db("begin"))?;
        // `created_at` is the one field a replacement keeps.
        let row = sqlx::query(concat!(
            "UPDATE users SET display_name = $2, email = $3, role = $4, bureau_id = $5, \
             disabled = $6 WHERE id = $1 RETURNING ",
            user_columns!()
        ))
        .bind(user.id.as_uuid())
        .bind(&user.display_name)
        .bind(user.email.as_str())
        .bind(user.role.as_str())
        .bind(user.bureau_id.map(|b| b.as_uuid()))
        .bind(user.disabled)
        .fetch_optional(&mut *tx)
        .await
        .map_err(errors::write("update user", user_key(user)))?;
        let stored = rows::user(&row.ok_or_else(|| not_found("user", user.id))?)?;
        audit::insert(&mut *tx, audit).await?;
        tx.commit().await.map_err(errors::db("commit"))?;
        Ok(stored)
    }

    #[tracing::instrument(name = "store.user", skip(self), fields(user_id = %id))]
    async fn user(&self, id: UserId) -> StoreResult<Option<User>> {
        let found = sqlx::query(concat!(
            "SELECT ",
            user_columns!(),
            " FROM users WHERE id = $1"
        ))
        .bind(id.as_uuid())
        .fetch_optional(&self.pool)
        .await
        .map_err(errors::db("load user"))?;
        found.as_ref().map(rows::user).transpose()
    }

    #[tracing::instrument(name = "store.user_by_email", skip(self, email))]
    async fn user_by_email(&self, email: &Email) -> StoreResult<Option<User>> {
        let found = sqlx::query(concat!(
            "SELECT ",
            user_columns!(),
            " FROM users WHERE email = $1"
        ))
        .bind(email.as_str())
        .fetch_optional(&self.pool)
        .await
        .map_err(errors::db("load user by e-mail"))?;
        found.as_ref().map(rows::user).transpose()
    }

    #[tracing::instrument(name = "store.users_by_ids", skip(self, ids), fields(count = ids.len()))]
    async fn users_by_ids(&self, ids: &[UserId]) -> StoreResult<Vec<User>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<Uuid> = ids.iter().map(UserId::as_uuid).collect();
        let found = sqlx::query(concat!(
            "SELECT ",
            user_columns!(),
            " FROM users WHERE id = ANY($1)"
        ))
        .bind(ids)
        .fetch_all(&self.pool)
        .await
        .map_err(errors::db("load users by id"))?;
        rows::all(&found, rows::user)
    }

    #[tracing::instrument(name = "store.list_users", skip(self))]
    async fn list_users(&self) -> StoreResult<Vec<User>> {
        let found = sqlx::query(concat!(
            "SELECT ",
            user_columns!(),
            " FROM users ORDER BY email"
        ))
        .fetch_all(&self.pool)
        .await
        .map_err(errors::db("list users"))?;
        rows::all(&found, rows::user)
    }

    #[tracing::instrument(name = "store.count_users", skip(self))]
    async fn count_users(&self) -> StoreResult<i64> {
        sqlx::query_scalar("SELECT COUNT(*) FROM users")
            .fetch_one(&self.pool)
            .await
            .map_err(errors::db("count users"))
    }

    #[tracing::instrument(name = "store.create_token", skip(self, token, hash, audit), fields(token_id = %token.id))]
    async fn create_token(
        &self,
        token: &ApiToken,
        hash: &TokenHash,
        audit: &AuditEntry,
    ) -> StoreResult<ApiToken> {
        let mut tx = self.pool.begin().await.map_err(errors::db("begin"))?;
        let row = sqlx::query(concat!(
            "INSERT INTO api_tokens (",
            token_columns!(),
            ", secret_hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING ",
            token_columns!()
        ))
        .bind(token.id.as_uuid())
        .bind(token.user_id.as_uuid())
        .bind(&token.name)
        .bind(&token.prefix)
        .bind(token.created_at)
        .bind(token.expires_at)
        .bind(token.last_used_at)
        .bind(token.revoked_at)
        .bind(&hash.0)
        .fetch_one(&mut *tx)
        .await
        // Never the hash as the key: errors are logged, and the hash is a credential's digest.
        .map_err(errors::write("insert token", |constraint| {
            Some(match constraint {
                "api_tokens_user_id_fkey" => token.user_id.to_string(),
                _ => token.id.to_string(),
            })
        }))?;
        let stored = rows::token(&row)?;
        audit::insert(&mut *tx, audit).await?;
        tx.commit().await.map_err(errors::db("commit"))?;
        Ok(stored)
    }

    #[tracing::instrument(name = "store.token_by_hash", skip(self, hash))]
    async fn token_by_hash(&self, hash: &TokenHash) -> StoreResult<Option<(ApiToken, User)>> {
        let found = sqlx::query(concat!(
            "SELECT ",
            joined_token_columns!(),
            ", ",
            owner_columns!(),
            " FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.secret_hash = $1"
        ))
        .bind(&hash.0)
        .fetch_optional(&self.pool)
        .await
        .map_err(errors::db("load token by hash"))?;
        found
            .map(|row| Ok((rows::token(&row)?, rows::owner(&row)?)))
            .transpose()
    }

    #[tracing::instrument(name = "store.token", skip(self), fields(token_id = %id))]
    async fn token(&self, id: TokenId) -> StoreResult<Option<ApiToken>> {
        let found = sqlx::query(concat!(
            "SELECT ",
            token_columns!(),
            " FROM api_tokens WHERE id = $1"
        ))
        .bind(id.as_uuid())
        .fetch_optional(&self.pool)
        .await
        .map_err(errors::db("load token"))?;
        found.as_ref().map(rows::token).transpose()
    }

    /// The last call wins, as on SQLite. An unknown token is not an error: the use was recorded
    /// as far as it can be.
    #[tracing::instrument(name = "store.touch_tokens", skip_all, fields(count = uses.len()))]
    async fn touch_tokens(&self, uses: &[(TokenId, DateTime<Utc>)]) -> StoreResult<()> {
        if uses.is_empty() {
            return Ok(());
        }
        let ids: Vec<uuid::Uuid> = uses.iter().map(|(id, _)| id.as_uuid()).collect();
        let ats: Vec<DateTime<Utc>> = uses.iter().map(|(_, at)| *at).collect();
        sqlx::query(
            "UPDATE api_tokens SET last_used_at = u.at \
             FROM unnest($1::uuid[], $2::timestamptz[]) AS u(id, at) WHERE api_tokens.id = u.id",
        )
        .bind(ids)
        .bind(ats)
        .execute(&self.pool)
        .await
        .map_err(errors::db("record token use"))?;
        Ok(())
    }

    #[tracing::instrument(name = "store.list_tokens", skip(self))]
    async fn list_tokens(&self, user: Option<UserId>) -> StoreResult<Vec<ApiToken>> {
        let found = sqlx::query(concat!(
            "SELECT ",
            token_columns!(),
            " FROM api_tokens WHERE $1::uuid IS NULL OR user_id = $1 \
             ORDER BY created_at DESC, id DESC"
        ))
        .bind(user.map(|u| u.as_uuid()))
        .fetch_all(&self.pool)
        .await
        .map_err(errors::db("list tokens"))?;
        rows::all(&found, rows::token)
    }

    #[tracing::instrument(name = "store.revoke_token", skip(self, at, audit), fields(token_id = %id))]
    async fn revoke_token(
        &self,
        id: TokenId,
        at: DateTime<Utc>,
        audit: &AuditEntry,
    ) -> StoreResult<ApiToken> {
        let mut tx = self.pool.begin().await.map_err(errors::db("begin"))?;
        let row = sqlx::query(concat!(
            "UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, $2) WHERE id = $1 RETURNING ",
            token_columns!()
        ))
        .bind(id.as_uuid())
        .bind(at)
        .fetch_optional(&mut *tx)
        .await
        .map_err(errors::db("revoke token"))?;
        let stored = rows::token(&row.ok_or_else(|| not_found("token", id))?)?;
        audit::insert(&mut *tx, audit).await?;
        tx.commit().await.map_err(errors::db("commit"))?;
        Ok(stored)
    }
}
