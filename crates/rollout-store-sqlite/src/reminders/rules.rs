//! Writing a reminder rule's definition and its scheduling state inside the caller's write
//! transaction: the rule's insert and compare-and-set update (on `version`), the scheduler's
//! cursor step (a compare-and-set on the lease attempt and the cursor) and the firing whose
//! unique (rule, tick) key makes a tick fire once. The rows a firing leaves are written by
//! [`super::writes`].

use chrono::{DateTime, Utc};
use rollout_domain::ReminderRuleId;
use rollout_domain::reminders::{Firing, ReminderRule};
use rollout_store::reminder_codec::{firing_key, holiday_policy_key, misfire_policy_key};
use rollout_store::{StoreError, StoreResult};
use sqlx::{Sqlite, SqliteConnection};

use super::rows::FIRING_COLUMNS;
use super::writes::{rule_ref, strings_json};
use crate::blockers::writes::mismatch;
use crate::errors::{self, UniqueKey, ctx};
use crate::refs::{self, Ref};
use crate::rows::{instant, parse_i32, uuid};

/// The definition columns a rule's insert and update both write, in [`RULE_DEFINITION`] order.
const RULE_DEFINITION: [&str; 18] = [
    "name",
    "schedule",
    "time_zone",
    "kind",
    "kind_days",
    "scope_bureaus",
    "scope_states",
    "priority_only",
    "rcpt_assignee",
    "rcpt_coordinators",
    "rcpt_office",
    "rcpt_users",
    "channels",
    "holiday_policy",
    "misfire_policy",
    "quiet_days",
    "enabled",
    "version",
];

fn bind_definition<'q>(
    q: sqlx::query::Query<'q, Sqlite, sqlx::sqlite::SqliteArguments>,
    r: &'q ReminderRule,
) -> sqlx::query::Query<'q, Sqlite, sqlx::sqlite::SqliteArguments> {
    q.bind(r.name.as_str())
        .bind(r.schedule.as_str())
        .bind(r.time_zone.as_str())
        .bind(r.kind.name())
        .bind(r.kind.days().map(i64::from))
        .bind(strings_json(&r.scope.bureaus, |b| uuid(b.0)))
        .bind(strings_json(&r.scope.states, String::clone))
        .bind(r.scope.priority_only)
        .bind(r.recipients.assignee)
        .bind(r.recipients.bureau_coordinators)
        .bind(r.recipients.project_office)
        .bind(strings_json(&r.recipients.users, |u| uuid(u.0)))
        .bind(strings_json(&r.channels, |c| c.name().to_owned()))
        .bind(holiday_policy_key(r.holiday_policy))
        .bind(misfire_policy_key(r.misfire_policy))
        .bind(i64::from(r.quiet_days))
        .bind(r.enabled)
        .bind(i64::from(r.version))
}

async fn rule_error(conn: &mut SqliteConnection, r: &ReminderRule, e: sqlx::Error) -> StoreError {
    match errors::unique_violation(&e) {
        Some(UniqueKey::ReminderRuleName) => errors::duplicate("reminder rule", &r.name),
        Some(UniqueKey::ReminderRuleId) => errors::duplicate("reminder rule", r.id),
        _ => {
            let by: Vec<Ref> = r.created_by.map(|u| Ref::user(u.0)).into_iter().collect();
            refs::missing(conn, e, "write reminder rule", &by).await
        }
    }
}

pub(crate) async fn insert_rule(conn: &mut SqliteConnection, r: &ReminderRule) -> StoreResult<()> {
    let sql = format!(
        "INSERT INTO reminder_rules (id, {}, cursor_at, last_fired_at, last_tick_at, \
         missed_ticks, created_by, created_at, updated_at) VALUES (?{})",
        RULE_DEFINITION.join(", "),
        ", ?".repeat(RULE_DEFINITION.len() + 7)
    );
    let q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(uuid(r.id.0));
    let done = bind_definition(q, r)
        .bind(instant(r.cursor))
        .bind(r.last_fired_at.map(instant))
        .bind(r.last_tick.map(instant))
        .bind(r.missed_ticks)
        .bind(r.created_by.map(|u| uuid(u.0)))
        .bind(instant(r.created_at))
        .bind(instant(r.updated_at))
        .execute(&mut *conn)
        .await;
    match done {
        Ok(_) => Ok(()),
        Err(e) => Err(rule_error(conn, r, e).await),
    }
}

/// Replaces the definition under `expected`; with `reset_cursor` the cursor moves there and the
/// lease is dropped under a new attempt number, so an evaluation in flight cannot advance the
/// rule past the reset. Missed ticks and the last firing stay: they are history.
pub(crate) async fn update_rule(
    conn: &mut SqliteConnection,
    r: &ReminderRule,
    expected: i32,
    reset_cursor: Option<DateTime<Utc>>,
) -> StoreResult<()> {
    let sets: Vec<String> = RULE_DEFINITION.iter().map(|c| format!("{c} = ?")).collect();
    let reset = if reset_cursor.is_some() {
        ", cursor_at = ?, lease_until = NULL, lease_attempt = lease_attempt + 1"
    } else {
        ""
    };
    let sql = format!(
        "UPDATE reminder_rules SET {}, updated_at = ?{reset} WHERE id = ? AND version = ?",
        sets.join(", ")
    );
    let mut q =
        bind_definition(sqlx::query(sqlx::AssertSqlSafe(sql)), r).bind(instant(r.updated_at));
    if let Some(cursor) = reset_cursor {
        q = q.bind(instant(cursor));
    }
    let done = q
        .bind(uuid(r.id.0))
        .bind(i64::from(expected))
        .execute(&mut *conn)
        .await;
    match done {
        Ok(done) if done.rows_affected() == 1 => Ok(()),
        Ok(_) => Err(mismatch(conn, "reminder rule", "reminder_rules", r.id.0, expected).await),
        Err(e) => Err(rule_error(conn, r, e).await),
    }
}

/// The scheduler's step (see `Write::AdvanceRuleCursor`). When nothing matched: `NotFound` for
/// an unknown rule, `Conflict { expected: attempt, actual: <stored attempt> }` when another
/// claim took the rule, and `Conflict { expected: attempt, actual: -1 }` when the attempt is
/// still ours but the cursor is no longer `from`.
pub(crate) async fn advance_cursor(
    conn: &mut SqliteConnection,
    rule: ReminderRuleId,
    attempt: i32,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    missed: i64,
    fired: Option<(DateTime<Utc>, DateTime<Utc>)>,
) -> StoreResult<()> {
    let done = sqlx::query(
        "UPDATE reminder_rules SET cursor_at = ?, missed_ticks = missed_ticks + ?, \
         last_tick_at = COALESCE(?, last_tick_at), last_fired_at = COALESCE(?, last_fired_at), \
         lease_until = NULL WHERE id = ? AND lease_attempt = ? AND cursor_at = ?",
    )
    .bind(instant(to))
    .bind(missed)
    .bind(fired.map(|(tick, _)| instant(tick)))
    .bind(fired.map(|(_, at)| instant(at)))
    .bind(uuid(rule.0))
    .bind(i64::from(attempt))
    .bind(instant(from))
    .execute(&mut *conn)
    .await
    .map_err(ctx("advance rule cursor"))?;
    if done.rows_affected() == 1 {
        return Ok(());
    }
    let stored: Option<i64> =
        sqlx::query_scalar("SELECT lease_attempt FROM reminder_rules WHERE id = ?")
            .bind(uuid(rule.0))
            .fetch_optional(&mut *conn)
            .await
            .map_err(ctx("read the rule's lease"))?;
    let Some(stored) = stored else {
        return Err(errors::not_found("reminder rule", rule));
    };
    let stored = parse_i32("reminder_rules.lease_attempt", stored)?;
    let actual = if stored == attempt { -1 } else { stored };
    Err(StoreError::Conflict {
        expected: attempt,
        actual,
    })
}

pub(crate) async fn insert_firing(conn: &mut SqliteConnection, f: &Firing) -> StoreResult<()> {
    let done = sqlx::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO reminder_firings ({FIRING_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
    )))
    .bind(uuid(f.id.0))
    .bind(uuid(f.rule_id.0))
    .bind(instant(f.tick_at))
    .bind(instant(f.fired_at))
    .bind(f.items)
    .bind(f.recipients)
    .bind(f.deliveries)
    .bind(i64::from(f.attempt))
    .execute(&mut *conn)
    .await;
    let Err(e) = done else { return Ok(()) };
    Err(match errors::unique_violation(&e) {
        Some(UniqueKey::FiringTick) => errors::duplicate("firing", firing_key(f)),
        Some(UniqueKey::FiringId) => errors::duplicate("firing", f.id),
        _ => refs::missing(conn, e, "insert firing", &[rule_ref(f.rule_id.0)]).await,
    })
}
