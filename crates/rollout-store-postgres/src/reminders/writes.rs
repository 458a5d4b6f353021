//! Writing what a firing leaves (notifications, deliveries, the quiet-period record) and the
//! other reminder rows (snoozes, languages, webhook endpoints, an operator's retry of a dead
//! delivery) on the caller's connection, inside its transaction: the reminder arms of `Write`
//! in `crate::evidence`, rules and firings aside ([`super::rules`]). Inserts of many rows are
//! `INSERT ... SELECT FROM UNNEST(...)`, one array parameter per column; updates are
//! compare-and-sets on `version`. Violations are mapped by constraint name ([`crate::errors`]).

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use rollout_domain::reminders::{
    Delivery, DeliveryTarget, Language, Notification, Snooze, WebhookEndpoint,
};
use rollout_domain::{DeliveryId, ReminderRuleId, UserId};
use rollout_store::StoreResult;
use rollout_store::reminder_codec::lines_json;
use sqlx::postgres::PgBindIterExt;
use sqlx::{AssertSqlSafe, PgConnection};
use uuid::Uuid;

use super::rows::{DELIVERY_COLUMNS, ENDPOINT_COLUMNS};
use crate::blockers::writes::mismatch;
use crate::errors::{self, not_found};

/// Rows per statement, as in [`crate::bulk`].
const CHUNK: usize = 5_000;

pub(crate) async fn insert_notifications(
    conn: &mut PgConnection,
    items: &[Notification],
) -> StoreResult<()> {
    for chunk in items.chunks(CHUNK) {
        let n = || chunk.iter();
        sqlx::query(
            "INSERT INTO notifications (id, user_id, rule_id, firing_id, kind, language, subject, \
             body, lines, created_at, read_at) \
             SELECT id, u, r, f, k, lang, s, b, l::jsonb, c, rd \
             FROM UNNEST($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::text[], $6::text[], \
             $7::text[], $8::text[], $9::text[], $10::timestamptz[], $11::timestamptz[]) \
             AS t(id, u, r, f, k, lang, s, b, l, c, rd)",
        )
        .bind(n().map(|n| n.id.as_uuid()).bind_iter())
        .bind(n().map(|n| n.user_id.as_uuid()).bind_iter())
        .bind(n().map(|n| n.rule_id.as_uuid()).bind_iter())
        .bind(n().map(|n| n.firing_id.as_uuid()).bind_iter())
        .bind(n().map(|n| n.kind.as_str()).bind_iter())
        .bind(n().map(|n| n.language.as_str()).bind_iter())
        .bind(n().map(|n| n.subject.as_str()).bind_iter())
        .bind(n().map(|n| n.body.as_str()).bind_iter())
        .bind(n().map(|n| lines_json(&n.lines)).bind_iter())
        .bind(n().map(|n| n.created_at).bind_iter())
        .bind(n().map(|n| n.read_at).bind_iter())
        .execute(&mut *conn)
        .await
        .map_err(errors::write("insert notifications", errors::from_detail))?;
    }
    Ok(())
}

fn endpoint_of(d: &Delivery) -> Option<Uuid> {
    match &d.target {
        DeliveryTarget::Webhook { endpoint, .. } => Some(endpoint.as_uuid()),
        DeliveryTarget::Email { .. } => None,
    }
}

pub(crate) async fn insert_deliveries(
    conn: &mut PgConnection,
    items: &[Delivery],
) -> StoreResult<()> {
    let email = |d: &Delivery| match &d.target {
        DeliveryTarget::Email {
            to,
            to_name,
            subject,
            ..
        } => (Some(to.clone()), to_name.clone(), Some(subject.clone())),
        DeliveryTarget::Webhook { .. } => (None, None, None),
    };
    let body_and_event = |d: &Delivery| match &d.target {
        DeliveryTarget::Email { body, .. } => (body.clone(), None),
        DeliveryTarget::Webhook {
            payload,
            event_type,
            ..
        } => (payload.clone(), Some(event_type.clone())),
    };
    for chunk in items.chunks(CHUNK) {
        let d = || chunk.iter();
        sqlx::query(AssertSqlSafe(format!(
            "INSERT INTO deliveries ({DELIVERY_COLUMNS}) \
             SELECT * FROM UNNEST($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], \
             $6::text[], $7::text[], $8::uuid[], $9::text[], $10::text[], $11::integer[], \
             $12::timestamptz[], $13::timestamptz[], $14::text[], $15::timestamptz[], \
             $16::timestamptz[])"
        )))
        .bind(d().map(|d| d.id.as_uuid()).bind_iter())
        .bind(d().map(|d| d.firing_id.map(|f| f.as_uuid())).bind_iter())
        .bind(d().map(|d| d.channel()).bind_iter())
        .bind(d().map(|d| email(d).0).bind_iter())
        .bind(d().map(|d| email(d).1).bind_iter())
        .bind(d().map(|d| email(d).2).bind_iter())
        .bind(d().map(|d| body_and_event(d).0).bind_iter())
        .bind(d().map(endpoint_of).bind_iter())
        .bind(d().map(|d| body_and_event(d).1).bind_iter())
        .bind(d().map(|d| d.status.as_str()).bind_iter())
        .bind(d().map(|d| d.attempts).bind_iter())
        .bind(d().map(|d| d.next_attempt_at).bind_iter())
        .bind(d().map(|d| d.lease_until).bind_iter())
        .bind(d().map(|d| d.last_error.as_deref()).bind_iter())
        .bind(d().map(|d| d.created_at).bind_iter())
        .bind(d().map(|d| d.delivered_at).bind_iter())
        .execute(&mut *conn)
        .await
        .map_err(errors::write("insert deliveries", errors::from_detail))?;
    }
    Ok(())
}

/// Upserts (rule, person, item) → `at`, never moving a stored instant back. Repeated entries
/// are sent once (PostgreSQL refuses to update one row twice in a statement).
pub(crate) async fn record_reminded(
    conn: &mut PgConnection,
    rule: ReminderRuleId,
    at: DateTime<Utc>,
    entries: &[(UserId, String)],
) -> StoreResult<()> {
    let mut seen = HashSet::new();
    let unique: Vec<&(UserId, String)> = entries.iter().filter(|e| seen.insert(*e)).collect();
    for chunk in unique.chunks(CHUNK) {
        sqlx::query(
            "INSERT INTO reminded_items (rule_id, user_id, item_key, last_at) \
             SELECT $1, u, k, $2 FROM UNNEST($3::uuid[], $4::text[]) AS t(u, k) \
             ON CONFLICT (rule_id, user_id, item_key) DO UPDATE \
             SET last_at = GREATEST(reminded_items.last_at, EXCLUDED.last_at)",
        )
        .bind(rule.as_uuid())
        .bind(at)
        .bind(chunk.iter().map(|(u, _)| u.as_uuid()).bind_iter())
        .bind(chunk.iter().map(|(_, k)| k.as_str()).bind_iter())
        .execute(&mut *conn)
        .await
        .map_err(errors::write("record reminded items", errors::from_detail))?;
    }
    Ok(())
}

pub(crate) async fn snooze(conn: &mut PgConnection, s: &Snooze) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO snoozes (user_id, item_key, until_on, created_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (user_id, item_key) DO UPDATE \
         SET until_on = EXCLUDED.until_on, created_at = EXCLUDED.created_at",
    )
    .bind(s.user_id.as_uuid())
    .bind(s.item_key.as_str())
    .bind(s.until)
    .bind(s.created_at)
    .execute(&mut *conn)
    .await
    .map_err(errors::write("snooze", |_| Some(s.user_id.to_string())))?;
    Ok(())
}

pub(crate) async fn set_language(
    conn: &mut PgConnection,
    user: UserId,
    language: Language,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO user_preferences (user_id, language) VALUES ($1, $2) \
         ON CONFLICT (user_id) DO UPDATE SET language = EXCLUDED.language",
    )
    .bind(user.as_uuid())
    .bind(language.as_str())
    .execute(&mut *conn)
    .await
    .map_err(errors::write("set language", |_| Some(user.to_string())))?;
    Ok(())
}

pub(crate) async fn insert_endpoint(
    conn: &mut PgConnection,
    w: &WebhookEndpoint,
) -> StoreResult<()> {
    sqlx::query(AssertSqlSafe(format!(
        "INSERT INTO webhook_endpoints ({ENDPOINT_COLUMNS}) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
    )))
    .bind(w.id.as_uuid())
    .bind(w.url.as_str())
    .bind(w.description.as_deref())
    .bind(&w.event_types)
    .bind(w.secret.as_str())
    .bind(w.previous_secret.as_deref())
    .bind(w.previous_secret_expires_at)
    .bind(w.enabled)
    .bind(w.created_at)
    .bind(w.updated_at)
    .bind(w.version)
    .execute(&mut *conn)
    .await
    .map_err(errors::write("insert webhook endpoint", |_| {
        Some(w.id.to_string())
    }))?;
    Ok(())
}

pub(crate) async fn update_endpoint(
    conn: &mut PgConnection,
    w: &WebhookEndpoint,
    expected: i32,
) -> StoreResult<()> {
    let done = sqlx::query(
        "UPDATE webhook_endpoints SET url = $1, description = $2, event_types = $3, secret = $4, \
         previous_secret = $5, previous_secret_expires_at = $6, enabled = $7, updated_at = $8, \
         version = $9 WHERE id = $10 AND version = $11",
    )
    .bind(w.url.as_str())
    .bind(w.description.as_deref())
    .bind(&w.event_types)
    .bind(w.secret.as_str())
    .bind(w.previous_secret.as_deref())
    .bind(w.previous_secret_expires_at)
    .bind(w.enabled)
    .bind(w.updated_at)
    .bind(w.version)
    .bind(w.id.as_uuid())
    .bind(expected)
    .execute(&mut *conn)
    .await
    .map_err(errors::db("update webhook endpoint"))?;
    if done.rows_affected() == 1 {
        return Ok(());
    }
    Err(mismatch(
        conn,
        "webhook endpoint",
        "webhook_endpoints",
        w.id.as_uuid(),
        expected,
    )
    .await)
}

pub(crate) async fn retry_delivery(
    conn: &mut PgConnection,
    id: DeliveryId,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    let done = sqlx::query(
        "UPDATE deliveries SET status = 'PENDING', next_attempt_at = $1, lease_until = NULL \
         WHERE id = $2 AND status = 'DEAD'",
    )
    .bind(now)
    .bind(id.as_uuid())
    .execute(&mut *conn)
    .await
    .map_err(errors::db("retry delivery"))?;
    if done.rows_affected() == 1 {
        Ok(())
    } else {
        Err(not_found("delivery", id))
    }
}
