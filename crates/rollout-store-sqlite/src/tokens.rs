//! API tokens: creation (the secret's hash is stored, never read back), the look-up by hash with
//! the owning user, recording a use, newest-first listings and revocation that keeps the first
//! time. Whether a token may be used now (expiry, revocation) is the domain's rule.

use chrono::{DateTime, Utc};
use rollout_domain::audit::AuditEntry;
use rollout_domain::identity::User;
use rollout_domain::token::{ApiToken, TokenHash};
use rollout_domain::{TokenId, UserId};
use rollout_store::StoreResult;
use sqlx::{AssertSqlSafe, FromRow, QueryBuilder, Sqlite, SqlitePool};

use crate::errors::{self, UniqueKey, ctx};
use crate::refs::{self, Ref};
use crate::rows::{decode_all, instant, parse_instant, parse_uuid, uuid};
use crate::users::UserRow;
use crate::{audit, begin_write, commit};

const TOKEN_COLUMNS: &str =
    "id, user_id, name, prefix, created_at, expires_at, last_used_at, revoked_at";

#[derive(Debug, FromRow)]
struct TokenRow {
    id: String,
    user_id: String,
    name: String,
    prefix: String,
    created_at: String,
    expires_at: Option<String>,
    last_used_at: Option<String>,
    revoked_at: Option<String>,
}

impl TokenRow {
    fn into_domain(self) -> StoreResult<ApiToken> {
        let optional = |column: &str, raw: Option<String>| {
            raw.map(|raw| parse_instant(column, &raw)).transpose()
        };
        Ok(ApiToken {
            id: TokenId(parse_uuid("api_tokens.id", &self.id)?),
            user_id: UserId(parse_uuid("api_tokens.user_id", &self.user_id)?),
            name: self.name,
            prefix: self.prefix,
            created_at: parse_instant("api_tokens.created_at", &self.created_at)?,
            expires_at: optional("api_tokens.expires_at", self.expires_at)?,
            last_used_at: optional("api_tokens.last_used_at", self.last_used_at)?,
            revoked_at: optional("api_tokens.revoked_at", self.revoked_at)?,
        })
    }
}

pub(crate) async fn create(
    writer: &SqlitePool,
    token: &ApiToken,
    hash: &TokenHash,
    entry: &AuditEntry,
) -> StoreResult<ApiToken> {
    let sql = format!(
        "INSERT INTO api_tokens ({TOKEN_COLUMNS}, secret_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) \
         RETURNING {TOKEN_COLUMNS}"
    );
    let mut tx = begin_write(writer).await?;
    let inserted: Result<TokenRow, _> = sqlx::query_as(AssertSqlSafe(sql))
        .bind(uuid(token.id.0))
        .bind(uuid(token.user_id.0))
        .bind(token.name.as_str())
        .bind(token.prefix.as_str())
        .bind(instant(token.created_at))
        .bind(token.expires_at.map(instant))
        .bind(token.last_used_at.map(instant))
        .bind(token.revoked_at.map(instant))
        .bind(hash.0.as_str())
        .fetch_one(&mut *tx)
        .await;
    let row = match inserted {
        Ok(row) => row,
        // The key is the new token's id: the hash identifies a secret and is never echoed.
        Err(e) => match errors::unique_violation(&e) {
            Some(UniqueKey::TokenHash | UniqueKey::TokenId) => {
                return Err(errors::duplicate("token", token.id));
            }
            _ => {
                let owner = [Ref::user(token.user_id.0)];
                return Err(refs::missing(&mut tx, e, "insert token", &owner).await);
            }
        },
    };
    audit::insert(&mut tx, entry).await?;
    // Decoded before the commit, so that a row which cannot be read back is never written.
    let stored = row.into_domain()?;
    commit(tx).await?;
    Ok(stored)
}

/// A token joined with its owner. The user's columns are aliased because both tables have
/// `id` and `created_at`.
#[derive(Debug, FromRow)]
struct TokenWithOwner {
    #[sqlx(flatten)]
    token: TokenRow,
    owner_id: String,
    owner_display_name: String,
    owner_email: String,
    owner_role: String,
    owner_bureau_id: Option<String>,
    owner_disabled: bool,
    owner_created_at: String,
}

/// Every authenticated request comes here, so it is one statement and no transaction: each
/// statement, BEGIN and COMMIT is a round trip to SQLite's worker thread (BENCHMARKS.md, F3).
pub(crate) async fn by_hash(
    reader: &SqlitePool,
    hash: &TokenHash,
) -> StoreResult<Option<(ApiToken, User)>> {
    let sql = "SELECT t.id, t.user_id, t.name, t.prefix, t.created_at, t.expires_at, \
               t.last_used_at, t.revoked_at, u.id AS owner_id, \
               u.display_name AS owner_display_name, u.email AS owner_email, \
               u.role AS owner_role, u.bureau_id AS owner_bureau_id, \
               u.disabled AS owner_disabled, u.created_at AS owner_created_at \
               FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.secret_hash = ?";
    let row: Option<TokenWithOwner> = sqlx::query_as(sql)
        .bind(hash.0.as_str())
        .fetch_optional(reader)
        .await
        .map_err(ctx("load token by hash"))?;
    let Some(row) = row else {
        return Ok(None);
    };
    let owner = UserRow {
        id: row.owner_id,
        display_name: row.owner_display_name,
        email: row.owner_email,
        role: row.owner_role,
        bureau_id: row.owner_bureau_id,
        disabled: row.owner_disabled,
        created_at: row.owner_created_at,
    };
    Ok(Some((row.token.into_domain()?, owner.into_domain()?)))
}

pub(crate) async fn get(reader: &SqlitePool, id: TokenId) -> StoreResult<Option<ApiToken>> {
    let sql = format!("SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE id = ?");
    let row: Option<TokenRow> = sqlx::query_as(AssertSqlSafe(sql))
        .bind(uuid(id.0))
        .fetch_optional(reader)
        .await
        .map_err(ctx("load token"))?;
    row.map(TokenRow::into_domain).transpose()
}

/// One autocommitted statement: a use is not audited, and an unknown id changes nothing.
/// One statement for all `uses` (the caller sends at most a thousand, well under SQLite's
/// limit of bound parameters).
pub(crate) async fn touch(
    writer: &SqlitePool,
    uses: &[(TokenId, DateTime<Utc>)],
) -> StoreResult<()> {
    if uses.is_empty() {
        return Ok(());
    }
    // SQLite names the columns of a VALUES list column1, column2.
    let mut q =
        QueryBuilder::<Sqlite>::new("UPDATE api_tokens SET last_used_at = u.column2 FROM (");
    q.push_values(uses, |mut row, (id, at)| {
        row.push_bind(uuid(id.0)).push_bind(instant(*at));
    });
    q.push(") AS u WHERE api_tokens.id = u.column1");
    q.build()
        .execute(writer)
        .await
        .map(drop)
        .map_err(ctx("record token use"))
}

pub(crate) async fn list(reader: &SqlitePool, user: Option<UserId>) -> StoreResult<Vec<ApiToken>> {
    let sql = format!(
        "SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE ?1 IS NULL OR user_id = ?1 \
         ORDER BY created_at DESC, id DESC"
    );
    let rows: Vec<TokenRow> = sqlx::query_as(AssertSqlSafe(sql))
        .bind(user.map(|u| uuid(u.0)))
        .fetch_all(reader)
        .await
        .map_err(ctx("list tokens"))?;
    decode_all(rows, TokenRow::into_domain)
}

pub(crate) async fn revoke(
    writer: &SqlitePool,
    id: TokenId,
    at: DateTime<Utc>,
    entry: &AuditEntry,
) -> StoreResult<ApiToken> {
    let sql = format!(
        "UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ? \
         RETURNING {TOKEN_COLUMNS}"
    );
    let mut tx = begin_write(writer).await?;
    let row: Option<TokenRow> = sqlx::query_as(AssertSqlSafe(sql))
        .bind(instant(at))
        .bind(uuid(id.0))
        .fetch_optional(&mut *tx)
        .await
        .map_err(ctx("revoke token"))?;
    let Some(row) = row else {
        return Err(errors::not_found("token", id));
    };
    audit::insert(&mut tx, entry).await?;
    // Decoded before the commit, so that a row which cannot be read back is never written.
    let stored = row.into_domain()?;
    commit(tx).await?;
    Ok(stored)
}
