//! Writing a reminder rule's definition and its scheduling state on the caller's connection
//! (inside its transaction): the rule's insert and compare-and-set update (on `version`), the
//! scheduler's cursor step (a compare-and-set on the lease attempt and the cursor) and the
//! firing whose unique (rule, tick) key makes a tick fire once. The rows a firing leaves are
//! written by [`super::writes`].

use chrono::{DateTime, Utc};
use rollout_domain::ReminderRuleId;
use rollout_domain::reminders::{Firing, ReminderRule};
use rollout_store::reminder_codec::{firing_key, holiday_policy_key, misfire_policy_key};
use rollout_store::{StoreError, StoreResult};
use sqlx::{AssertSqlSafe, PgConnection};
use uuid::Uuid;

use super::rows::FIRING_COLUMNS;
use crate::blockers::writes::mismatch;
use crate::errors::{self, not_found};

/// Day counts as PostgreSQL `integer`s. The domain bounds them far below `i32::MAX` (kinds to
/// ten years); were one larger it would saturate rather than wrap.
fn small(days: u32) -> i32 {
    i32::try_from(days).unwrap_or(i32::MAX)
}

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

type PgQuery<'q> = sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments>;

/// Binds the definition columns in the order both statements list them (name … version).
fn bind_definition<'q>(q: PgQuery<'q>, r: &'q ReminderRule) -> PgQuery<'q> {
    let bureaus: Vec<Uuid> = r.scope.bureaus.iter().map(|b| b.as_uuid()).collect();
    let users: Vec<Uuid> = r.recipients.users.iter().map(|u| u.as_uuid()).collect();
    q.bind(r.name.as_str())
        .bind(r.schedule.as_str())
        .bind(r.time_zone.as_str())
        .bind(r.kind.name())
        .bind(r.kind.days().map(small))
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
        .bind(small(r.quiet_days))
        .bind(r.enabled)
        .bind(r.version)
}

pub(crate) async fn insert_rule(conn: &mut PgConnection, r: &ReminderRule) -> StoreResult<()> {
    let insert = sqlx::query(
        "INSERT INTO reminder_rules (id, name, schedule, time_zone, kind, kind_days, \
         scope_bureaus, scope_states, priority_only, rcpt_assignee, rcpt_coordinators, \
         rcpt_office, rcpt_users, channels, holiday_policy, misfire_policy, quiet_days, enabled, \
         version, cursor_at, last_fired_at, last_tick_at, missed_ticks, created_by, created_at, \
         updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, \
         $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26)",
    )
    .bind(r.id.as_uuid());
    bind_definition(insert, r)
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
    let update = sqlx::query(
        "UPDATE reminder_rules SET name = $1, schedule = $2, time_zone = $3, kind = $4, \
         kind_days = $5, scope_bureaus = $6, scope_states = $7, priority_only = $8, \
         rcpt_assignee = $9, rcpt_coordinators = $10, rcpt_office = $11, rcpt_users = $12, \
         channels = $13, holiday_policy = $14, misfire_policy = $15, quiet_days = $16, \
         enabled = $17, version = $18, updated_at = $19, \
         cursor_at = COALESCE($20, cursor_at), \
         lease_until = CASE WHEN $20::timestamptz IS NULL THEN lease_until END, \
         lease_attempt = lease_attempt + CASE WHEN $20::timestamptz IS NULL THEN 0 ELSE 1 END \
         WHERE id = $21 AND version = $22",
    );
    let done = bind_definition(update, r)
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
