//! Storage of users and API tokens. Every write carries its audit entry, inserted in the same
//! transaction.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rollout_domain::audit::AuditEntry;
use rollout_domain::identity::{Email, User};
use rollout_domain::token::{ApiToken, TokenHash};
use rollout_domain::{TokenId, UserId};

use crate::StoreResult;

/// Users and their API tokens.
#[async_trait]
pub trait IdentityStore: Send + Sync {
    /// `Duplicate { entity: "user", key: email }` when the address is taken; `NotFound` for an
    /// unknown bureau.
    async fn create_user(&self, user: &User, audit: &AuditEntry) -> StoreResult<User>;
    /// Replaces the stored user with `user` (same id): role, bureau, name, e-mail, disabled.
    async fn update_user(&self, user: &User, audit: &AuditEntry) -> StoreResult<User>;
    async fn user(&self, id: UserId) -> StoreResult<Option<User>>;
    async fn user_by_email(&self, email: &Email) -> StoreResult<Option<User>>;
    /// The users among `ids` that exist, in no particular order.
    async fn users_by_ids(&self, ids: &[UserId]) -> StoreResult<Vec<User>>;
    /// All users, ordered by e-mail address.
    async fn list_users(&self) -> StoreResult<Vec<User>>;
    async fn count_users(&self) -> StoreResult<i64>;

    /// Stores a token and the hash of its secret. `Duplicate { entity: "token" }` if the hash
    /// exists (a collision of 256-bit secrets means a broken generator: refuse, never overwrite).
    async fn create_token(
        &self,
        token: &ApiToken,
        hash: &TokenHash,
        audit: &AuditEntry,
    ) -> StoreResult<ApiToken>;
    /// The token with this secret hash and its user.
    async fn token_by_hash(&self, hash: &TokenHash) -> StoreResult<Option<(ApiToken, User)>>;
    async fn token(&self, id: TokenId) -> StoreResult<Option<ApiToken>>;
    /// Records uses (`last_used_at`), in one statement, at most one per token. Not audited (it
    /// would double every request's writes); best effort: an unknown token is skipped.
    async fn touch_tokens(&self, uses: &[(TokenId, DateTime<Utc>)]) -> StoreResult<()>;
    /// Tokens of one user, or of everybody when `None`, newest first.
    async fn list_tokens(&self, user: Option<UserId>) -> StoreResult<Vec<ApiToken>>;
    /// Sets `revoked_at` if not yet revoked (revoking twice keeps the first time).
    async fn revoke_token(
        &self,
        id: TokenId,
        at: DateTime<Utc>,
        audit: &AuditEntry,
    ) -> StoreResult<ApiToken>;
}
