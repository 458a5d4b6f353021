//! Reading and marking in-app notifications: a person's keyset page (newest first, after a
//! (created_at, id) cursor, optionally unread only), one firing's for one person, a batch by
//! ids (one statement, `= ANY($1)`), the unread count, and marking read, always confined to the
//! person's own rows.

use chrono::{DateTime, Utc};
use rollout_domain::reminders::Notification;
use rollout_domain::{FiringId, NotificationId, UserId};
use rollout_store::{NotificationQuery, StoreResult};
use sqlx::{AssertSqlSafe, PgPool};
use uuid::Uuid;

use super::rows::{self as reminder_rows, NOTIFICATION_COLUMNS};
use crate::{errors, rows};

async fn fetch(
    pool: &PgPool,
    query: sqlx::query::Query<'_, sqlx::Postgres, sqlx::postgres::PgArguments>,
) -> StoreResult<Vec<Notification>> {
    let found = query
        .fetch_all(pool)
        .await
        .map_err(errors::db("load notifications"))?;
    rows::all(&found, reminder_rows::notification)
}

pub(crate) async fn page(
    pool: &PgPool,
    query: &NotificationQuery,
) -> StoreResult<Vec<Notification>> {
    let sql = format!(
        "SELECT {NOTIFICATION_COLUMNS} FROM notifications WHERE user_id = $1 \
         AND (NOT $2 OR read_at IS NULL) \
         AND ($3::timestamptz IS NULL OR (created_at, id) < ($3, $4)) \
         ORDER BY created_at DESC, id DESC LIMIT $5"
    );
    let q = sqlx::query(AssertSqlSafe(sql))
        .bind(query.user_id.as_uuid())
        .bind(query.unread_only)
        .bind(query.before.map(|(at, _)| at))
        .bind(query.before.map(|(_, id)| id.as_uuid()))
        .bind(i64::try_from(query.limit).unwrap_or(i64::MAX));
    fetch(pool, q).await
}

pub(crate) async fn of_firing(
    pool: &PgPool,
    firing: FiringId,
    user: UserId,
) -> StoreResult<Vec<Notification>> {
    let sql = format!(
        "SELECT {NOTIFICATION_COLUMNS} FROM notifications WHERE firing_id = $1 AND user_id = $2 \
         ORDER BY created_at DESC, id DESC"
    );
    let q = sqlx::query(AssertSqlSafe(sql))
        .bind(firing.as_uuid())
        .bind(user.as_uuid());
    fetch(pool, q).await
}

pub(crate) async fn by_ids(
    pool: &PgPool,
    ids: &[NotificationId],
) -> StoreResult<Vec<Notification>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<Uuid> = ids.iter().map(|id| id.as_uuid()).collect();
    let sql = format!(
        "SELECT {NOTIFICATION_COLUMNS} FROM notifications WHERE id = ANY($1) \
         ORDER BY created_at DESC, id DESC"
    );
    fetch(pool, sqlx::query(AssertSqlSafe(sql)).bind(ids)).await
}

pub(crate) async fn unread(pool: &PgPool, user: UserId) -> StoreResult<i64> {
    sqlx::query_scalar("SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL")
        .bind(user.as_uuid())
        .fetch_one(pool)
        .await
        .map_err(errors::db("count unread notifications"))
}

pub(crate) async fn mark_read(
    pool: &PgPool,
    user: UserId,
    ids: Option<&[NotificationId]>,
    now: DateTime<Utc>,
) -> StoreResult<u64> {
    if ids.is_some_and(<[NotificationId]>::is_empty) {
        return Ok(0);
    }
    let ids: Option<Vec<Uuid>> = ids.map(|ids| ids.iter().map(|id| id.as_uuid()).collect());
    let done = sqlx::query(
        "UPDATE notifications SET read_at = $1 WHERE user_id = $2 AND read_at IS NULL \
         AND ($3::uuid[] IS NULL OR id = ANY($3))",
    )
    .bind(now)
    .bind(user.as_uuid())
    .bind(ids)
    .execute(pool)
    .await
    .map_err(errors::db("mark notifications read"))?;
    Ok(done.rows_affected())
}
