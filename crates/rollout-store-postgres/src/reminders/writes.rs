//! Writing reminder rules, their scheduling step, firings, notifications, deliveries, the
//! quiet-period record, snoozes, languages and webhook endpoints on the caller's connection
//! (inside its transaction; the reminder arms of `Write` in `crate::evidence`). Inserts of many
//! rows are `INSERT ... SELECT FROM UNNEST(...)`, one array parameter per column; updates are
//! compare-and-sets (on `version`, or on the lease attempt and cursor). Violations are mapped by
//! constraint name ([`crate::errors`]).

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use rollout_domain::reminders::{
    Delivery, DeliveryTarget, Firing, Language, Notification, ReminderRule, Snooze, WebhookEndpoint,
};
use rollout_domain::{DeliveryId, ReminderRuleId, UserId};
use rollout_store::reminder_codec::{
    firing_key, holiday_policy_key, lines_json, misfire_policy_key,
};
use rollout_store::{StoreError, StoreResult};
use sqlx::postgres::PgBindIterExt;
use sqlx::{AssertSqlSafe, PgConnection};
use uuid::Uuid;

use super::rows::{DELIVERY_COLUMNS, ENDPOINT_COLUMNS, FIRING_COLUMNS};
use crate::blockers::writes::mismatch;
use crate::errors::{self, not_found};

/// Rows per statement, as in [`crate::bulk`].
const CHUNK: usize = 5_000;

fn channels(r: &ReminderRule) -> Vec<&'static str> {
    r.channels.iter().map(|c| c.name()).collect()
}

/// A single write names its own key in a `Duplicate`: the rule's name for the name key, else
/// its id.
fn rule_key(r: &ReminderRule) -> impl FnOnce(&str) -> Option<String> + '_ {
    move |constraint| match constraint {
        "reminder_rules_name_key" => Some(r.name.clone()),
        "reminder_rules_pkey" => Some(r.id.to_string()),
        _ => None,
    }
}

pub(crate) async fn insert_rule(conn: &mut PgConnection, r: &ReminderRule) -> StoreResult<()> {
    let bureaus: Vec<Uuid> = r.scope.bureaus.iter().map(|b| b.as_uuid()).collect();
    let users: Vec<Uuid> = r.recipients.users.iter().map(|u| u.as_uuid()).collect();
    sqlx::query(
        "INSERT INTO reminder_rules (id, name, schedule, time_zone, kind, kind_days, \
         scope_bureaus, scope_states, priority_only, rcpt_assignee, rcpt_coordinators, \
         rcpt_office, rcpt_users, channels, holiday_policy, misfire_policy, quiet_days, enabled, \
         version, cursor_at, last_fired_at, last_tick_at, missed_ticks, created_by, created_at, \
         updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, \
         $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26)",
    )
    .bind(r.id.as_uuid())
    .bind(r.name.as_str())
    .bind(r.schedule.as_str())
    .bind(r.time_zone.as_str())
    .bind(r.kind.name())
    .bind(r.kind.days().map(|d| d as i32))
    .bind(bureaus)
    .bind(&r.scope.states)
    .bind(r.scope.priority_only)
    .bind(r.recipients.assignee)
    .bind(r.recipients.bureau_coordinators)
    .bind(r.recipients.project_office)
    .bind(users)
    .bind(channels(r))
    .bind(holiday_policy_key(r.holiday_policy))
    .bind(misfire_policy_key(r.misfire_policy))
    .bind(r.quiet_days as i32)
    .bind(r.enabled)
    .bind(r.version)
    .bind(r.cursor)
    .bind(r.last_fired_at)
    .bind(r.last_tick)
    .bind(r.missed_ticks)
    .bind(r.created_by.map(|u| u.as_uuid()))
    .bind(r.created_at)
    .bind(r.updated_at)
    .execute(&mut *conn)
    .await
    .map_err(errors::write("insert reminder rule", rule_key(r)))?;
    Ok(())
}

/// Replaces the definition under `expected`; with `reset_cursor` the cursor moves there and the
/// lease is dropped under a new attempt number, so an evaluation in flight cannot advance the
/// rule past the reset. Missed ticks and the last firing stay: they are history.
pub(crate) async fn update_rule(
    conn: &mut PgConnection,
    r: &ReminderRule,
    expected: i32,
    reset_cursor: Option<DateTime<Utc>>,
) -> StoreResult<()> {
    let bureaus: Vec<Uuid> = r.scope.bureaus.iter().map(|b| b.as_uuid()).collect();
    let users: Vec<Uuid> = r.recipients.users.iter().map(|u| u.as_uuid()).collect();
    let done = sqlx::query(
        "UPDATE reminder_rules SET name = $1, schedule = $2, time_zone = $3, kind = $4, \
         kind_days = $5, scope_bureaus = $6, scope_states = $7, priority_only = $8, \
         rcpt_assignee = $9, rcpt_coordinators = $10, rcpt_office = $11, rcpt_users = $12, \
         channels = $13, holiday_policy = $14, misfire_policy = $15, quiet_days = $16, \
         enabled = $17, version = $18, updated_at = $19, \
         cursor_at = COALESCE($20, cursor_at), \
         lease_until = CASE WHEN $20::timestamptz IS NULL THEN lease_until END, \
         lease_attempt = lease_attempt + CASE WHEN $20::timestamptz IS NULL THEN 0 ELSE 1 END \
         WHERE id = $21 AND version = $22",
    )
    .bind(r.name.as_str())
    .bind(r.schedule.as_str())
    .bind(r.time_zone.as_str())
    .bind(r.kind.name())
    .bind(r.kind.days().map(|d| d as i32))
    .bind(bureaus)
    .bind(&r.scope.states)
    .bind(r.scope.priority_only)
    .bind(r.recipients.assignee)
    .bind(r.recipients.bureau_coordinators)
    .bind(r.recipients.project_office)
    .bind(users)
    .bind(channels(r))
    .bind(holiday_policy_key(r.holiday_policy))
    .bind(misfire_policy_key(r.misfire_policy))
    .bind(r.quiet_days as i32)
    .bind(r.enabled)
    .bind(r.version)
    .bind(r.updated_at)
    .bind(reset_cursor)
    .bind(r.id.as_uuid())
    .bind(expected)
    .execute(&mut *conn)
    .await
    .map_err(errors::write("update reminder rule", rule_key(r)))?;
    if done.rows_affected() == 1 {
        return Ok(());
    }
    Err(mismatch(
        conn,
        "reminder rule",
        "reminder_rules",
        r.id.as_uuid(),
        expected,
    )
    .await)
}

/// The scheduler's step (see `Write::AdvanceRuleCursor`). When nothing matched: `NotFound` for
/// an unknown rule, `Conflict { expected: attempt, actual: <stored attempt> }` when another
/// claim took the rule, and `Conflict { expected: attempt, actual: -1 }` when the attempt is
/// still ours but the cursor is no longer `from`.
pub(crate) async fn advance_cursor(
    conn: &mut PgConnection,
    rule: ReminderRuleId,
    attempt: i32,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    missed: i64,
    fired: Option<(DateTime<Utc>, DateTime<Utc>)>,
) -> StoreResult<()> {
    let done = sqlx::query(
        "UPDATE reminder_rules SET cursor_at = $1, missed_ticks = missed_ticks + $2, \
         last_tick_at = COALESCE($3, last_tick_at), last_fired_at = COALESCE($4, last_fired_at), \
         lease_until = NULL WHERE id = $5 AND lease_attempt = $6 AND cursor_at = $7",
    )
    .bind(to)
    .bind(missed)
    .bind(fired.map(|(tick, _)| tick))
    .bind(fired.map(|(_, at)| at))
    .bind(rule.as_uuid())
    .bind(attempt)
    .bind(from)
    .execute(&mut *conn)
    .await
    .map_err(errors::db("advance rule cursor"))?;
    if done.rows_affected() == 1 {
        return Ok(());
    }
    let stored: Option<i32> =
        sqlx::query_scalar("SELECT lease_attempt FROM reminder_rules WHERE id = $1")
            .bind(rule.as_uuid())
            .fetch_optional(&mut *conn)
            .await
            .map_err(errors::db("read the rule's lease"))?;
    let Some(stored) = stored else {
        return Err(not_found("reminder rule", rule));
    };
    let actual = if stored == attempt { -1 } else { stored };
    Err(StoreError::Conflict {
        expected: attempt,
        actual,
    })
}

pub(crate) async fn insert_firing(conn: &mut PgConnection, f: &Firing) -> StoreResult<()> {
    sqlx::query(AssertSqlSafe(format!(
        "INSERT INTO reminder_firings ({FIRING_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
    )))
    .bind(f.id.as_uuid())
    .bind(f.rule_id.as_uuid())
    .bind(f.tick_at)
    .bind(f.fired_at)
    .bind(f.items)
    .bind(f.recipients)
    .bind(f.deliveries)
    .bind(f.attempt)
    .execute(&mut *conn)
    .await
    .map_err(errors::write(
        "insert firing",
        |constraint| match constraint {
            "reminder_firings_rule_id_tick_at_key" => Some(firing_key(f)),
            "reminder_firings_pkey" => Some(f.id.to_string()),
            _ => None,
        },
    ))?;
    Ok(())
}

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
