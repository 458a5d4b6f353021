//! [`IdentityStore`] for [`SqliteStore`]: tracing spans around the statements in [`crate::users`]
//! and [`crate::tokens`]. Nothing is decided here.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rollout_domain::audit::AuditEntry;
use rollout_domain::identity::{Email, User};
use rollout_domain::token::{ApiToken, TokenHash};
use rollout_domain::{TokenId, UserId};
use rollout_store::{IdentityStore, StoreResult};

use crate::{SqliteStore, tokens, users};

#[async_trait]
impl IdentityStore for SqliteStore {
    #[tracing::instrument(name = "store.create_user", skip(self, user, audit), fields(user_id = %user.id))]
    async fn create_user(&self, user: &User, audit: &AuditEntry) -> StoreResult<User> {
        users::create(&self.writer, user, audit).await
    }

    #[tracing::instrument(name = "store.update_user", skip(self, user, audit), fields(user_id = %user.id))]
    async fn update_user(&self, user: &User, audit: &AuditEntry) -> StoreResult<User> {
        users::update(&self.writer, user, audit).await
    }

    #[tracing::instrument(name = "store.user", skip(self), fields(user_id = %id))]
    async fn user(&self, id: UserId) -> StoreResult<Option<User>> {
        users::get(&self.reader, id).await
    }

    #[tracing::instrument(name = "store.user_by_email", skip(self, email))]
    async fn user_by_email(&self, email: &Email) -> StoreResult<Option<User>> {
        users::by_email(&self.reader, email).await
    }

    #[tracing::instrument(name = "store.users_by_ids", skip(self, ids), fields(count = ids.len()))]
    async fn users_by_ids(&self, ids: &[UserId]) -> StoreResult<Vec<User>> {
        users::by_ids(&self.reader, ids).await
    }

    #[tracing::instrument(name = "store.list_users", skip(self))]
    async fn list_users(&self) -> StoreResult<Vec<User>> {
        users::list(&self.reader).await
    }

    #[tracing::instrument(name = "store.count_users", skip(self))]
    async fn count_users(&self) -> StoreResult<i64> {
        users::count(&self.reader).await
    }

    // The hash never reaches a span: it is as good as the secret for finding the token.
    #[tracing::instrument(name = "store.create_token", skip(self, token, hash, audit), fields(token_id = %token.id))]
    async fn create_token(
        &self,
        token: &ApiToken,
        hash: &TokenHash,
        audit: &AuditEntry,
    ) -> StoreResult<ApiToken> {
        tokens::create(&self.writer, token, hash, audit).await
    }

    #[tracing::instrument(name = "store.token_by_hash", skip(self, hash))]
    async fn token_by_hash(&self, hash: &TokenHash) -> StoreResult<Option<(ApiToken, User)>> {
        tokens::by_hash(&self.reader, hash).await
    }

    #[tracing::instrument(name = "store.token", skip(self), fields(token_id = %id))]
    async fn token(&self, id: TokenId) -> StoreResult<Option<ApiToken>> {
        tokens::get(&self.reader, id).await
    }

    #[tracing::instrument(name = "store.touch_tokens", skip_all, fields(count = uses.len()))]
    async fn touch_tokens(&self, uses: &[(TokenId, DateTime<Utc>)]) -> StoreResult<()> {
        tokens::touch(&self.writer, uses).await
    }

    #[tracing::instrument(name = "store.list_tokens", skip(self))]
    async fn list_tokens(&self, user: Option<UserId>) -> StoreResult<Vec<ApiToken>> {
        tokens::list(&self.reader, user).await
    }

    #[tracing::instrument(name = "store.revoke_token", skip(self, at, audit), fields(token_id = %id))]
    async fn revoke_token(
        &self,
        id: TokenId,
        at: DateTime<Utc>,
        audit: &AuditEntry,
    ) -> StoreResult<ApiToken> {
        tokens::revoke(&self.writer, id, at, audit).await
    }
}
