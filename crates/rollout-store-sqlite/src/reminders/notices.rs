//! Reading and marking in-app notifications: a person's keyset page (newest first, after a
//! (created_at, id) cursor, optionally unread only), one firing's for one person, a batch by
//! ids (one statement, ids as a JSON array), the unread count, and marking read, always
//! confined to the person's own rows.

use chrono::{DateTime, Utc};
use rollout_domain::reminders::Notification;
use rollout_domain::{FiringId, NotificationId, UserId};
use rollout_store::{NotificationQuery, StoreResult};
use sqlx::{QueryBuilder, Sqlite, SqlitePool};

use super::rows::{NOTIFICATION_COLUMNS, NotificationRow};
use crate::blockers::ids_json;
use crate::errors::ctx;
use crate::rows::{decode_all, instant, uuid};

async fn fetch(
    reader: &SqlitePool,
    mut qb: QueryBuilder<Sqlite>,
) -> StoreResult<Vec<Notification>> {
    let rows: Vec<NotificationRow> = qb
        .build_query_as()
        .fetch_all(reader)
        .await
        .map_err(ctx("load notifications"))?;
    decode_all(rows, NotificationRow::into_domain)
}

fn select() -> QueryBuilder<Sqlite> {
    QueryBuilder::new(format!(
        "SELECT {NOTIFICATION_COLUMNS} FROM notifications WHERE "
    ))
}

pub(crate) async fn page(
    reader: &SqlitePool,
    query: &NotificationQuery,
) -> StoreResult<Vec<Notification>> {
    let mut qb = select();
    qb.push("user_id = ").push_bind(uuid(query.user_id.0));
    if query.unread_only {
        qb.push(" AND read_at IS NULL");
    }
    if let Some((at, id)) = query.before {
        qb.push(" AND (created_at, id) < (")
            .push_bind(instant(at))
            .push(", ")
            .push_bind(uuid(id.0))
            .push(")");
    }
    qb.push(" ORDER BY created_at DESC, id DESC LIMIT ")
        .push_bind(i64::try_from(query.limit).unwrap_or(i64::MAX));
    fetch(reader, qb).await
}

pub(crate) async fn of_firing(
    reader: &SqlitePool,
    firing: FiringId,
    user: UserId,
) -> StoreResult<Vec<Notification>> {
    let mut qb = select();
    qb.push("firing_id = ")
        .push_bind(uuid(firing.0))
        .push(" AND user_id = ")
        .push_bind(uuid(user.0))
        .push(" ORDER BY created_at DESC, id DESC");
    fetch(reader, qb).await
}

pub(crate) async fn by_ids(
    reader: &SqlitePool,
    ids: &[NotificationId],
) -> StoreResult<Vec<Notification>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut qb = select();
    qb.push("id IN (SELECT value FROM json_each(")
        .push_bind(ids_json(ids.iter().map(|id| id.0)))
        .push(")) ORDER BY created_at DESC, id DESC");
    fetch(reader, qb).await
}

pub(crate) async fn unread(reader: &SqlitePool, user: UserId) -> StoreResult<i64> {
    sqlx::query_scalar("SELECT COUNT(*) FROM notifications WHERE user_id = ? AND read_at IS NULL")
        .bind(uuid(user.0))
        .fetch_one(reader)
        .await
        .map_err(ctx("count unread notifications"))
}

pub(crate) async fn mark_read(
    writer: &SqlitePool,
    user: UserId,
    ids: Option<&[NotificationId]>,
    now: DateTime<Utc>,
) -> StoreResult<u64> {
    if ids.is_some_and(<[NotificationId]>::is_empty) {
        return Ok(0);
    }
    let mut qb = QueryBuilder::<Sqlite>::new("UPDATE notifications SET read_at = ");
    qb.push_bind(instant(now))
        .push(" WHERE user_id = ")
        .push_bind(uuid(user.0))
        .push(" AND read_at IS NULL");
    if let Some(ids) = ids {
        qb.push(" AND id IN (SELECT value FROM json_each(")
            .push_bind(ids_json(ids.iter().map(|id| id.0)))
            .push("))");
    }
    let done = qb
        .build()
        .execute(writer)
        .await
        .map_err(ctx("mark notifications read"))?;
    Ok(done.rows_affected())
}
