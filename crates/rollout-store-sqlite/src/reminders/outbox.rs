//! The delivery outbox and the rule lease on SQLite: claims, completion and failure under the
//! attempt number a claim gave, the listings, the outbox's figures, and webhook endpoints. Every
//! claim is one `UPDATE ... RETURNING` on the writer connection: the single writer serialises
//! them, so two claims never take the same row (PostgreSQL needs `SKIP LOCKED` for that).

use chrono::{DateTime, Utc};
use rollout_domain::reminders::{Delivery, DeliveryStatus, WebhookEndpoint};
use rollout_domain::{DeliveryId, ReminderRuleId, WebhookEndpointId};
use rollout_store::{OutboxStats, StoreResult};
use sqlx::{AssertSqlSafe, SqlitePool};

use super::rows::{DELIVERY_COLUMNS, DeliveryRow, ENDPOINT_COLUMNS, EndpointRow, opt_instant};
use crate::errors::ctx;
use crate::rows::{decode_all, instant, parse_i32, uuid};

fn limit(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

pub(crate) async fn claim_rule(
    writer: &SqlitePool,
    id: ReminderRuleId,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
) -> StoreResult<Option<i32>> {
    let attempt: Option<i64> = sqlx::query_scalar(
        "UPDATE reminder_rules SET lease_attempt = lease_attempt + 1, lease_until = ?1 \
         WHERE id = ?2 AND (lease_until IS NULL OR lease_until <= ?3) RETURNING lease_attempt",
    )
    .bind(instant(lease_until))
    .bind(uuid(id.0))
    .bind(instant(now))
    .fetch_optional(writer)
    .await
    .map_err(ctx("claim reminder rule"))?;
    attempt
        .map(|a| parse_i32("reminder_rules.lease_attempt", a))
        .transpose()
}

pub(crate) async fn release_rule(
    writer: &SqlitePool,
    id: ReminderRuleId,
    attempt: i32,
) -> StoreResult<()> {
    sqlx::query("UPDATE reminder_rules SET lease_until = NULL WHERE id = ? AND lease_attempt = ?")
        .bind(uuid(id.0))
        .bind(i64::from(attempt))
        .execute(writer)
        .await
        .map_err(ctx("release reminder rule"))?;
    Ok(())
}

/// Oldest due first; RETURNING gives no order, so the claimed rows are sorted here.
pub(crate) async fn claim_deliveries(
    writer: &SqlitePool,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
    n: usize,
) -> StoreResult<Vec<Delivery>> {
    let sql = format!(
        "UPDATE deliveries SET attempts = attempts + 1, lease_until = ?1 \
         WHERE id IN (SELECT id FROM deliveries WHERE status = 'PENDING' \
           AND next_attempt_at <= ?2 AND (lease_until IS NULL OR lease_until <= ?2) \
           ORDER BY next_attempt_at, id LIMIT ?3) \
         RETURNING {DELIVERY_COLUMNS}"
    );
    let rows: Vec<DeliveryRow> = sqlx::query_as(AssertSqlSafe(sql))
        .bind(instant(lease_until))
        .bind(instant(now))
        .bind(limit(n))
        .fetch_all(writer)
        .await
        .map_err(ctx("claim deliveries"))?;
    let mut claimed = decode_all(rows, DeliveryRow::into_domain)?;
    claimed.sort_by_key(|d| (d.next_attempt_at, d.id));
    Ok(claimed)
}

pub(crate) async fn complete_delivery(
    writer: &SqlitePool,
    id: DeliveryId,
    attempt: i32,
    now: DateTime<Utc>,
) -> StoreResult<bool> {
    let done = sqlx::query(
        "UPDATE deliveries SET status = 'DELIVERED', delivered_at = ?, lease_until = NULL \
         WHERE id = ? AND attempts = ? AND status = 'PENDING'",
    )
    .bind(instant(now))
    .bind(uuid(id.0))
    .bind(i64::from(attempt))
    .execute(writer)
    .await
    .map_err(ctx("complete delivery"))?;
    Ok(done.rows_affected() == 1)
}

pub(crate) async fn fail_delivery(
    writer: &SqlitePool,
    id: DeliveryId,
    attempt: i32,
    error: &str,
    retry_at: Option<DateTime<Utc>>,
) -> StoreResult<bool> {
    let status = match retry_at {
        Some(_) => DeliveryStatus::Pending,
        None => DeliveryStatus::Dead,
    };
    let done = sqlx::query(
        "UPDATE deliveries SET status = ?, next_attempt_at = COALESCE(?, next_attempt_at), \
         last_error = ?, lease_until = NULL WHERE id = ? AND attempts = ? AND status = 'PENDING'",
    )
    .bind(status.as_str())
    .bind(retry_at.map(instant))
    .bind(error)
    .bind(uuid(id.0))
    .bind(i64::from(attempt))
    .execute(writer)
    .await
    .map_err(ctx("fail delivery"))?;
    Ok(done.rows_affected() == 1)
}

pub(crate) async fn delivery(reader: &SqlitePool, id: DeliveryId) -> StoreResult<Option<Delivery>> {
    let sql = format!("SELECT {DELIVERY_COLUMNS} FROM deliveries WHERE id = ?");
    let row: Option<DeliveryRow> = sqlx::query_as(AssertSqlSafe(sql))
        .bind(uuid(id.0))
        .fetch_optional(reader)
        .await
        .map_err(ctx("load delivery"))?;
    row.map(DeliveryRow::into_domain).transpose()
}

pub(crate) async fn deliveries(
    reader: &SqlitePool,
    status: Option<DeliveryStatus>,
    n: usize,
) -> StoreResult<Vec<Delivery>> {
    let filter = if status.is_some() {
        " WHERE status = ?"
    } else {
        ""
    };
    let sql = format!(
        "SELECT {DELIVERY_COLUMNS} FROM deliveries{filter} \
         ORDER BY created_at DESC, id DESC LIMIT ?"
    );
    let mut q = sqlx::query_as::<_, DeliveryRow>(AssertSqlSafe(sql));
    if let Some(status) = status {
        q = q.bind(status.as_str());
    }
    let rows = q
        .bind(limit(n))
        .fetch_all(reader)
        .await
        .map_err(ctx("list deliveries"))?;
    decode_all(rows, DeliveryRow::into_domain)
}

/// Four index lookups on (status, next_attempt_at), not a scan of every delivery ever sent.
pub(crate) async fn stats(reader: &SqlitePool) -> StoreResult<OutboxStats> {
    let (pending, oldest, next, dead): (i64, Option<String>, Option<String>, i64) = sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM deliveries WHERE status = 'PENDING'), \
             (SELECT MIN(created_at) FROM deliveries WHERE status = 'PENDING'), \
             (SELECT MIN(next_attempt_at) FROM deliveries WHERE status = 'PENDING'), \
             (SELECT COUNT(*) FROM deliveries WHERE status = 'DEAD')",
    )
    .fetch_one(reader)
    .await
    .map_err(ctx("read outbox figures"))?;
    Ok(OutboxStats {
        pending,
        oldest_pending_at: opt_instant("deliveries.created_at", oldest)?,
        next_attempt_at: opt_instant("deliveries.next_attempt_at", next)?,
        dead,
    })
}

pub(crate) async fn endpoints(
    reader: &SqlitePool,
    id: Option<WebhookEndpointId>,
) -> StoreResult<Vec<WebhookEndpoint>> {
    let filter = if id.is_some() { " WHERE id = ?" } else { "" };
    let sql =
        format!("SELECT {ENDPOINT_COLUMNS} FROM webhook_endpoints{filter} ORDER BY created_at, id");
    let mut q = sqlx::query_as::<_, EndpointRow>(AssertSqlSafe(sql));
    if let Some(id) = id {
        q = q.bind(uuid(id.0));
    }
    let rows = q
        .fetch_all(reader)
        .await
        .map_err(ctx("load webhook endpoints"))?;
    decode_all(rows, EndpointRow::into_domain)
}
