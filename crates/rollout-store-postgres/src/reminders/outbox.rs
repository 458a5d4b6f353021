//! The delivery outbox and the rule lease on PostgreSQL: claims, completion and failure under
//! the attempt number a claim gave, the listings, the outbox's figures, and webhook endpoints.
//! A claim is one `UPDATE ... RETURNING`: deliveries are picked with `FOR UPDATE SKIP LOCKED`,
//! so replicas claiming at once take disjoint rows instead of queueing; a rule's claim
//! re-checks its lease after waiting for the row, so only one of two racing claims wins.

use chrono::{DateTime, Utc};
use rollout_domain::reminders::{Delivery, DeliveryStatus, WebhookEndpoint};
use rollout_domain::{DeliveryId, ReminderRuleId, WebhookEndpointId};
use rollout_store::{OutboxStats, StoreResult};
use sqlx::{AssertSqlSafe, PgPool};

use super::rows::{self as reminder_rows, DELIVERY_COLUMNS, ENDPOINT_COLUMNS};
use crate::{errors, rows};

fn limit(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

pub(crate) async fn claim_rule(
    pool: &PgPool,
    id: ReminderRuleId,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
) -> StoreResult<Option<i32>> {
    sqlx::query_scalar(
        "UPDATE reminder_rules SET lease_attempt = lease_attempt + 1, lease_until = $1 \
         WHERE id = $2 AND (lease_until IS NULL OR lease_until <= $3) RETURNING lease_attempt",
    )
    .bind(lease_until)
    .bind(id.as_uuid())
    .bind(now)
    .fetch_optional(pool)
    .await
    .map_err(errors::db("claim reminder rule"))
}

pub(crate) async fn release_rule(
    pool: &PgPool,
    id: ReminderRuleId,
    attempt: i32,
) -> StoreResult<()> {
    sqlx::query(
        "UPDATE reminder_rules SET lease_until = NULL WHERE id = $1 AND lease_attempt = $2",
    )
    .bind(id.as_uuid())
    .bind(attempt)
    .execute(pool)
    .await
    .map_err(errors::db("release reminder rule"))?;
    Ok(())
}

/// Oldest due first; RETURNING gives no order, so the claimed rows are sorted here.
pub(crate) async fn claim_deliveries(
    pool: &PgPool,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
    n: usize,
) -> StoreResult<Vec<Delivery>> {
    let sql = format!(
        "UPDATE deliveries SET attempts = attempts + 1, lease_until = $2 \
         WHERE id IN (SELECT id FROM deliveries WHERE status = 'PENDING' \
           AND next_attempt_at <= $1 AND (lease_until IS NULL OR lease_until <= $1) \
           ORDER BY next_attempt_at, id LIMIT $3 FOR UPDATE SKIP LOCKED) \
         RETURNING {DELIVERY_COLUMNS}"
    );
    let found = sqlx::query(AssertSqlSafe(sql))
        .bind(now)
        .bind(lease_until)
        .bind(limit(n))
        .fetch_all(pool)
        .await
        .map_err(errors::db("claim deliveries"))?;
    let mut claimed = rows::all(&found, reminder_rows::delivery)?;
    claimed.sort_by_key(|d| (d.next_attempt_at, d.id));
    Ok(claimed)
}

pub(crate) async fn complete_delivery(
    pool: &PgPool,
    id: DeliveryId,
    attempt: i32,
    now: DateTime<Utc>,
) -> StoreResult<bool> {
    let done = sqlx::query(
        "UPDATE deliveries SET status = 'DELIVERED', delivered_at = $1, lease_until = NULL \
         WHERE id = $2 AND attempts = $3 AND status = 'PENDING'",
    )
    .bind(now)
    .bind(id.as_uuid())
    .bind(attempt)
    .execute(pool)
    .await
    .map_err(errors::db("complete delivery"))?;
    Ok(done.rows_affected() == 1)
}

pub(crate) async fn fail_delivery(
    pool: &PgPool,
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
        "UPDATE deliveries SET status = $1, next_attempt_at = COALESCE($2, next_attempt_at), \
         last_error = $3, lease_until = NULL \
         WHERE id = $4 AND attempts = $5 AND status = 'PENDING'",
    )
    .bind(status.as_str())
    .bind(retry_at)
    .bind(error)
    .bind(id.as_uuid())
    .bind(attempt)
    .execute(pool)
    .await
    .map_err(errors::db("fail delivery"))?;
    Ok(done.rows_affected() == 1)
}

pub(crate) async fn delivery(pool: &PgPool, id: DeliveryId) -> StoreResult<Option<Delivery>> {
    let sql = format!("SELECT {DELIVERY_COLUMNS} FROM deliveries WHERE id = $1");
    let row = sqlx::query(AssertSqlSafe(sql))
        .bind(id.as_uuid())
        .fetch_optional(pool)
        .await
        .map_err(errors::db("load delivery"))?;
    row.as_ref().map(reminder_rows::delivery).transpose()
}

pub(crate) async fn deliveries(
    pool: &PgPool,
    status: Option<DeliveryStatus>,
    n: usize,
) -> StoreResult<Vec<Delivery>> {
    let sql = format!(
        "SELECT {DELIVERY_COLUMNS} FROM deliveries WHERE ($1::text IS NULL OR status = $1) \
         ORDER BY created_at DESC, id DESC LIMIT $2"
    );
    let found = sqlx::query(AssertSqlSafe(sql))
        .bind(status.map(DeliveryStatus::as_str))
        .bind(limit(n))
        .fetch_all(pool)
        .await
        .map_err(errors::db("list deliveries"))?;
    rows::all(&found, reminder_rows::delivery)
}

/// Four index lookups on (status, next_attempt_at), not a scan of every delivery ever sent.
pub(crate) async fn stats(pool: &PgPool) -> StoreResult<OutboxStats> {
    let (pending, oldest_pending_at, next_attempt_at, dead) = sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM deliveries WHERE status = 'PENDING'), \
         (SELECT MIN(created_at) FROM deliveries WHERE status = 'PENDING'), \
         (SELECT MIN(next_attempt_at) FROM deliveries WHERE status = 'PENDING'), \
         (SELECT COUNT(*) FROM deliveries WHERE status = 'DEAD')",
    )
    .fetch_one(pool)
    .await
    .map_err(errors::db("read outbox figures"))?;
    Ok(OutboxStats {
        pending,
        oldest_pending_at,
        next_attempt_at,
        dead,
    })
}

pub(crate) async fn endpoints(
    pool: &PgPool,
    id: Option<WebhookEndpointId>,
) -> StoreResult<Vec<WebhookEndpoint>> {
    let sql = format!(
        "SELECT {ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE ($1::uuid IS NULL OR id = $1) \
         ORDER BY created_at, id"
    );
    let found = sqlx::query(AssertSqlSafe(sql))
        .bind(id.map(|id| id.as_uuid()))
        .fetch_all(pool)
        .await
        .map_err(errors::db("load webhook endpoints"))?;
    rows::all(&found, reminder_rows::endpoint)
}
