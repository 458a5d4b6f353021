//! Users: creation and whole-row replacement (each with its audit entry in the same
//! transaction), and the lookups by id, e-mail address and batch, the ordered listing and the
//! count. Whether a role and a bureau fit together is the domain's rule, not checked here.

use rollout_domain::audit::AuditEntry;
use rollout_domain::identity::{Email, Role, User};
use rollout_domain::{BureauId, UserId};
use rollout_store::{StoreError, StoreResult};
use sqlx::{
    AssertSqlSafe, FromRow, QueryBuilder, Sqlite, SqliteConnection, SqliteExecutor, SqlitePool,
};

use crate::audit;
use crate::bureaus::IN_CHUNK;
use crate::errors::{self, UniqueKey, ctx};
use crate::refs::{self, Ref};
use crate::rows::{decode_all, instant, parse_instant, parse_key, parse_uuid, parse_with, uuid};
use crate::{begin_write, commit};

pub(crate) const USER_COLUMNS: &str =
    "id, display_name, email, role, bureau_id, disabled, created_at";

#[derive(Debug, FromRow)]
pub(crate) struct UserRow {
    pub(crate) id: String,
    pub(crate) display_name: String,
    pub(crate) email: String,
    pub(crate) role: String,
    pub(crate) bureau_id: Option<String>,
    pub(crate) disabled: bool,
    pub(crate) created_at: String,
}

impl UserRow {
    pub(crate) fn into_domain(self) -> StoreResult<User> {
        Ok(User {
            id: UserId(parse_uuid("users.id", &self.id)?),
            display_name: self.display_name,
            email: parse_with("users.email", &self.email, Email::parse)?,
            role: parse_key("users.role", &self.role, Role::parse)?,
            bureau_id: self
                .bureau_id
                .map(|raw| parse_uuid("users.bureau_id", &raw).map(BureauId))
                .transpose()?,
            disabled: self.disabled,
            created_at: parse_instant("users.created_at", &self.created_at)?,
        })
    }
}

/// Maps a failed insert or update of `user`: a taken address, a reused id, an unknown bureau.
async fn write_error(conn: &mut SqliteConnection, user: &User, e: sqlx::Error) -> StoreError {
    match errors::unique_violation(&e) {
        Some(UniqueKey::UserEmail) => errors::duplicate("user", &user.email),
        Some(UniqueKey::UserId) => errors::duplicate("user", user.id),
        _ => {
            let bureau: Vec<Ref> = user
                .bureau_id
                .map(|b| Ref::bureau(b.0))
                .into_iter()
                .collect();
            refs::missing(conn, e, "write user", &bureau).await
        }
    }
}

pub(crate) async fn create(
    writer: &SqlitePool,
    user: &User,
    entry: &AuditEntry,
) -> StoreResult<User> {
    let sql = format!(
        "INSERT INTO users ({USER_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING {USER_COLUMNS}"
    );
    let mut tx = begin_write(writer).await?;
    let inserted: Result<UserRow, _> = sqlx::query_as(AssertSqlSafe(sql))
        .bind(uuid(user.id.0))
        .bind(user.display_name.as_str())
        .bind(user.email.as_str())
        .bind(user.role.as_str())
        .bind(user.bureau_id.map(|b| uuid(b.0)))
        .bind(user.disabled)
        .bind(instant(user.created_at))
        .fetch_one(&mut *tx)
        .await;
    let row = match inserted {
        Ok(row) => row,
        Err(e) => return Err(write_error(&mut tx, user, e).await),
    };
    audit::insert(&mut tx, entry).await?;
    // Decoded before the commit, so that a row which cannot be read back is never written.
    let stored = row.into_domain()?;
    commit(tx).await?;
    Ok(stored)
}

pub(crate) async fn update(
    writer: &SqlitePool,
    user: &User,
    entry: &AuditEntry,
) -> StoreResult<User> {
    let sql = format!(
        "UPDATE users SET display_name = ?, email = ?, role = ?, bureau_id = ?, disabled = ? \
         WHERE id = ? RETURNING {USER_COLUMNS}"
    );
    let mut tx = begin_write(writer).await?;
    let updated: Result<Option<UserRow>, _> = sqlx::query_as(AssertSqlSafe(sql))
        .bind(user.display_name.as_str())
        .bind(user.email.as_str())
        .bind(user.role.as_str())
        .bind(user.bureau_id.map(|b| uuid(b.0)))
        .bind(user.disabled)
        .bind(uuid(user.id.0))
        .fetch_optional(&mut *tx)
        .await;
    let row = match updated {
        Ok(Some(row)) => row,
        Ok(None) => return Err(errors::not_found("user", user.id)),
        Err(e) => return Err(write_error(&mut tx, user, e).await),
    };
    audit::insert(&mut tx, entry).await?;
    // Decoded before the commit, so that a row which cannot be read back is never written.
    let stored = row.into_domain()?;
    commit(tx).await?;
    Ok(stored)
}

/// One user by id, on any executor (a read pool or a transaction).
pub(crate) async fn get<'e>(
    executor: impl SqliteExecutor<'e>,
    id: UserId,
) -> StoreResult<Option<User>> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = ?");
    let row: Option<UserRow> = sqlx::query_as(AssertSqlSafe(sql))
        .bind(uuid(id.0))
        .fetch_optional(executor)
        .await
        .map_err(ctx("load user"))?;
    row.map(UserRow::into_domain).transpose()
}

pub(crate) async fn by_email(reader: &SqlitePool, email: &Email) -> StoreResult<Option<User>> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE email = ?");
    let row: Option<UserRow> = sqlx::query_as(AssertSqlSafe(sql))
        .bind(email.as_str())
        .fetch_optional(reader)
        .await
        .map_err(ctx("load user by e-mail"))?;
    row.map(UserRow::into_domain).transpose()
}

pub(crate) async fn by_ids(reader: &SqlitePool, ids: &[UserId]) -> StoreResult<Vec<User>> {
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(IN_CHUNK) {
        let mut qb =
            QueryBuilder::<Sqlite>::new(format!("SELECT {USER_COLUMNS} FROM users WHERE id IN ("));
        let mut list = qb.separated(", ");
        for id in chunk {
            list.push_bind(uuid(id.0));
        }
        qb.push(")");
        let rows: Vec<UserRow> = qb
            .build_query_as()
            .fetch_all(reader)
            .await
            .map_err(ctx("load users by id"))?;
        out.extend(decode_all(rows, UserRow::into_domain)?);
    }
    Ok(out)
}

pub(crate) async fn list(reader: &SqlitePool) -> StoreResult<Vec<User>> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users ORDER BY email, id");
    let rows: Vec<UserRow> = sqlx::query_as(AssertSqlSafe(sql))
        .fetch_all(reader)
        .await
        .map_err(ctx("list users"))?;
    decode_all(rows, UserRow::into_domain)
}

pub(crate) async fn count(reader: &SqlitePool) -> StoreResult<i64> {
    sqlx::query_scalar("SELECT COUNT(*) FROM users")
        .fetch_one(reader)
        .await
        .map_err(ctx("count users"))
}
