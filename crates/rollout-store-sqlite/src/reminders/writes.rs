//! Writing what a firing leaves (notifications, deliveries, the quiet-period record) and the
//! other reminder rows (snoozes, languages, webhook endpoints, an operator's retry of a dead
//! delivery) inside the caller's write transaction: the reminder arms of `Write` in
//! `crate::evidence`, rules and firings aside ([`super::rules`]). Multi-row inserts go in
//! chunks; updates are compare-and-sets on `version`. Failures are named as in
//! [`crate::blockers::writes`]: a taken key is `Duplicate`, a missing reference `NotFound`.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use rollout_domain::reminders::{Delivery, Language, Notification, Snooze, WebhookEndpoint};
use rollout_domain::{DeliveryId, ReminderRuleId, UserId};
use rollout_store::StoreResult;
use rollout_store::reminder_codec::lines_json;
use sqlx::{QueryBuilder, Sqlite, SqliteConnection};
use uuid::Uuid;

use super::rows::{DELIVERY_COLUMNS, ENDPOINT_COLUMNS, NOTIFICATION_COLUMNS, target_columns};
use crate::blockers::writes::mismatch;
use crate::errors::{self, UniqueKey, ctx};
use crate::refs::{self, Ref};
use crate::rows::{day, instant, uuid};

/// Rows per multi-row INSERT: at most 16 bound values each, far below SQLite's limit.
const CHUNK: usize = 500;
/// Rows per quiet-period upsert (4 values each).
const REMINDED_CHUNK: usize = 2_000;

pub(crate) fn rule_ref(id: Uuid) -> Ref {
    Ref {
        entity: "reminder rule",
        table: "reminder_rules",
        id,
    }
}

fn firing_ref(id: Uuid) -> Ref {
    Ref {
        entity: "firing",
        table: "reminder_firings",
        id,
    }
}

fn endpoint_ref(id: Uuid) -> Ref {
    Ref {
        entity: "webhook endpoint",
        table: "webhook_endpoints",
        id,
    }
}

pub(crate) fn strings_json<T>(items: &[T], f: impl Fn(&T) -> String) -> String {
    serde_json::Value::from(items.iter().map(f).collect::<Vec<_>>()).to_string()
}

pub(crate) async fn insert_notifications(
    conn: &mut SqliteConnection,
    items: &[Notification],
) -> StoreResult<()> {
    for chunk in items.chunks(CHUNK) {
        let mut qb = QueryBuilder::<Sqlite>::new(format!(
            "INSERT INTO notifications ({NOTIFICATION_COLUMNS}) "
        ));
        qb.push_values(chunk, |mut row, n| {
            row.push_bind(uuid(n.id.0))
                .push_bind(uuid(n.user_id.0))
                .push_bind(uuid(n.rule_id.0))
                .push_bind(uuid(n.firing_id.0))
                .push_bind(n.kind.clone())
                .push_bind(n.language.as_str())
                .push_bind(n.subject.clone())
                .push_bind(n.body.clone())
                .push_bind(lines_json(&n.lines))
                .push_bind(instant(n.created_at))
                .push_bind(n.read_at.map(instant));
        });
        if let Err(e) = qb.build().execute(&mut *conn).await {
            if errors::unique_violation(&e) == Some(UniqueKey::NotificationId) {
                let ids: Vec<String> = chunk.iter().map(|n| uuid(n.id.0)).collect();
                let key = crate::blockers::writes::taken_key(conn, "notifications", "id", &ids);
                return Err(errors::duplicate("notification", key.await));
            }
            let references: Vec<Ref> = chunk
                .iter()
                .flat_map(|n| {
                    [
                        Ref::user(n.user_id.0),
                        rule_ref(n.rule_id.0),
                        firing_ref(n.firing_id.0),
                    ]
                })
                .collect();
            return Err(refs::missing(conn, e, "insert notifications", &references).await);
        }
    }
    Ok(())
}

pub(crate) async fn insert_deliveries(
    conn: &mut SqliteConnection,
    items: &[Delivery],
) -> StoreResult<()> {
    for chunk in items.chunks(CHUNK) {
        let mut qb =
            QueryBuilder::<Sqlite>::new(format!("INSERT INTO deliveries ({DELIVERY_COLUMNS}) "));
        qb.push_values(chunk, |mut row, d| {
            let (channel, to, to_name, subject, body, endpoint, event) = target_columns(d);
            row.push_bind(uuid(d.id.0))
                .push_bind(d.firing_id.map(|f| uuid(f.0)))
                .push_bind(channel)
                .push_bind(to.map(str::to_owned))
                .push_bind(to_name.map(str::to_owned))
                .push_bind(subject.map(str::to_owned))
                .push_bind(body.to_owned())
                .push_bind(endpoint)
                .push_bind(event.map(str::to_owned))
                .push_bind(d.status.as_str())
                .push_bind(i64::from(d.attempts))
                .push_bind(instant(d.next_attempt_at))
                .push_bind(d.lease_until.map(instant))
                .push_bind(d.last_error.clone())
                .push_bind(instant(d.created_at))
                .push_bind(d.delivered_at.map(instant));
        });
        if let Err(e) = qb.build().execute(&mut *conn).await {
            if errors::unique_violation(&e) == Some(UniqueKey::DeliveryId) {
                let ids: Vec<String> = chunk.iter().map(|d| uuid(d.id.0)).collect();
                let key = crate::blockers::writes::taken_key(conn, "deliveries", "id", &ids);
                return Err(errors::duplicate("delivery", key.await));
            }
            let references: Vec<Ref> = chunk
                .iter()
                .flat_map(|d| {
                    let endpoint = match &d.target {
                        rollout_domain::reminders::DeliveryTarget::Webhook { endpoint, .. } => {
                            Some(endpoint_ref(endpoint.0))
                        }
                        rollout_domain::reminders::DeliveryTarget::Email { .. } => None,
                    };
                    [d.firing_id.map(|f| firing_ref(f.0)), endpoint]
                })
                .flatten()
                .collect();
            return Err(refs::missing(conn, e, "insert deliveries", &references).await);
        }
    }
    Ok(())
}

/// Upserts (rule, person, item) → `at`, never moving a stored instant back. Repeated entries
/// are sent once.
pub(crate) async fn record_reminded(
    conn: &mut SqliteConnection,
    rule: ReminderRuleId,
    at: DateTime<Utc>,
    entries: &[(UserId, String)],
) -> StoreResult<()> {
    let mut seen = HashSet::new();
    let unique: Vec<&(UserId, String)> = entries.iter().filter(|e| seen.insert(*e)).collect();
    let (rule_id, at) = (uuid(rule.0), instant(at));
    for chunk in unique.chunks(REMINDED_CHUNK) {
        let mut qb = QueryBuilder::<Sqlite>::new(
            "INSERT INTO reminded_items (rule_id, user_id, item_key, last_at) ",
        );
        qb.push_values(chunk, |mut row, (user, key)| {
            row.push_bind(rule_id.clone())
                .push_bind(uuid(user.0))
                .push_bind(key.clone())
                .push_bind(at.clone());
        });
        qb.push(
            " ON CONFLICT (rule_id, user_id, item_key) DO UPDATE \
             SET last_at = MAX(reminded_items.last_at, excluded.last_at)",
        );
        if let Err(e) = qb.build().execute(&mut *conn).await {
            let mut references = vec![rule_ref(rule.0)];
            references.extend(chunk.iter().map(|(u, _)| Ref::user(u.0)));
            return Err(refs::missing(conn, e, "record reminded items", &references).await);
        }
    }
    Ok(())
}

pub(crate) async fn snooze(conn: &mut SqliteConnection, s: &Snooze) -> StoreResult<()> {
    let done = sqlx::query(
        "INSERT INTO snoozes (user_id, item_key, until_on, created_at) VALUES (?, ?, ?, ?) \
         ON CONFLICT (user_id, item_key) DO UPDATE \
         SET until_on = excluded.until_on, created_at = excluded.created_at",
    )
    .bind(uuid(s.user_id.0))
    .bind(s.item_key.as_str())
    .bind(day(s.until))
    .bind(instant(s.created_at))
    .execute(&mut *conn)
    .await;
    match done {
        Ok(_) => Ok(()),
        Err(e) => Err(refs::missing(conn, e, "snooze", &[Ref::user(s.user_id.0)]).await),
    }
}

pub(crate) async fn set_language(
    conn: &mut SqliteConnection,
    user: UserId,
    language: Language,
) -> StoreResult<()> {
    let done = sqlx::query(
        "INSERT INTO user_preferences (user_id, language) VALUES (?, ?) \
         ON CONFLICT (user_id) DO UPDATE SET language = excluded.language",
    )
    .bind(uuid(user.0))
    .bind(language.as_str())
    .execute(&mut *conn)
    .await;
    match done {
        Ok(_) => Ok(()),
        Err(e) => Err(refs::missing(conn, e, "set language", &[Ref::user(user.0)]).await),
    }
}

pub(crate) async fn insert_endpoint(
    conn: &mut SqliteConnection,
    w: &WebhookEndpoint,
) -> StoreResult<()> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO webhook_endpoints ({ENDPOINT_COLUMNS}) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    )))
    .bind(uuid(w.id.0))
    .bind(w.url.as_str())
    .bind(w.description.as_deref())
    .bind(strings_json(&w.event_types, String::clone))
    .bind(w.secret.as_str())
    .bind(w.previous_secret.as_deref())
    .bind(w.previous_secret_expires_at.map(instant))
    .bind(w.enabled)
    .bind(instant(w.created_at))
    .bind(instant(w.updated_at))
    .bind(i64::from(w.version))
    .execute(&mut *conn)
    .await
    .map_err(|e| match errors::unique_violation(&e) {
        Some(UniqueKey::WebhookEndpointId) => errors::duplicate("webhook endpoint", w.id),
        _ => errors::from_sqlx("insert webhook endpoint", e),
    })?;
    Ok(())
}

pub(crate) async fn update_endpoint(
    conn: &mut SqliteConnection,
    w: &WebhookEndpoint,
    expected: i32,
) -> StoreResult<()> {
    let done = sqlx::query(
        "UPDATE webhook_endpoints SET url = ?, description = ?, event_types = ?, secret = ?, \
         previous_secret = ?, previous_secret_expires_at = ?, enabled = ?, updated_at = ?, \
         version = ? WHERE id = ? AND version = ?",
    )
    .bind(w.url.as_str())
    .bind(w.description.as_deref())
    .bind(strings_json(&w.event_types, String::clone))
    .bind(w.secret.as_str())
    .bind(w.previous_secret.as_deref())
    .bind(w.previous_secret_expires_at.map(instant))
    .bind(w.enabled)
    .bind(instant(w.updated_at))
    .bind(i64::from(w.version))
    .bind(uuid(w.id.0))
    .bind(i64::from(expected))
    .execute(&mut *conn)
    .await
    .map_err(ctx("update webhook endpoint"))?;
    if done.rows_affected() == 1 {
        return Ok(());
    }
    Err(mismatch(
        conn,
        "webhook endpoint",
        "webhook_endpoints",
        w.id.0,
        expected,
    )
    .await)
}

pub(crate) async fn retry_delivery(
    conn: &mut SqliteConnection,
    id: DeliveryId,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    let done = sqlx::query(
        "UPDATE deliveries SET status = 'PENDING', next_attempt_at = ?, lease_until = NULL \
         WHERE id = ? AND status = 'DEAD'",
    )
    .bind(instant(now))
    .bind(uuid(id.0))
    .execute(&mut *conn)
    .await
    .map_err(ctx("retry delivery"))?;
    if done.rows_affected() == 1 {
        Ok(())
    } else {
        Err(errors::not_found("delivery", id))
    }
}
