//! Writing evidence on the caller's connection (inside its transaction): hearings with their
//! outcomes, user tests and tasks as `INSERT ... SELECT FROM UNNEST(...)`, one array parameter
//! per column (one row from a batch, thousands from a bulk load, the same statement), the
//! task's compare-and-set, and claiming a hearing's idempotency key. Lists of strings travel as
//! JSON (UNNEST cannot take an array of arrays of different lengths) and are stored as text[].
//! Violations are mapped by constraint name ([`crate::errors`]).

use rollout_domain::hearing::Hearing;
use rollout_domain::task::Task;
use rollout_domain::user_test::UserTest;
use rollout_domain::{HearingId, IdempotencyKey};
use rollout_store::{StoreError, StoreResult};
use sqlx::postgres::PgBindIterExt;
use sqlx::{AssertSqlSafe, PgConnection};

use super::rows::{self as evidence_rows, TASK_COLUMNS};
use crate::errors::{self, not_found};
use crate::rows;

/// Rows per statement, as in [`crate::bulk`].
const CHUNK: usize = 5_000;

/// Inserts `hearings` and their outcomes (position = index in `outcomes`).
pub(crate) async fn insert_hearings(
    conn: &mut PgConnection,
    hearings: &[&Hearing],
) -> StoreResult<u64> {
    let mut inserted = 0;
    for chunk in hearings.chunks(CHUNK) {
        let h = || chunk.iter().copied();
        inserted += sqlx::query(
            "INSERT INTO hearings (id, bureau_id, held_on, kind, title, attendees, notes, \
             created_by, created_at) \
             SELECT id, b, d, k, t, \
             ARRAY(SELECT e FROM jsonb_array_elements_text(a) WITH ORDINALITY AS x(e, i) \
             ORDER BY i), n, c, at \
             FROM UNNEST($1::uuid[], $2::uuid[], $3::date[], $4::text[], $5::text[], \
             $6::text[]::jsonb[], $7::text[], $8::uuid[], $9::timestamptz[]) \
             AS u(id, b, d, k, t, a, n, c, at)",
        )
        .bind(h().map(|h| h.id.as_uuid()).bind_iter())
        .bind(h().map(|h| h.bureau_id.as_uuid()).bind_iter())
        .bind(h().map(|h| h.held_on).bind_iter())
        .bind(h().map(|h| h.kind.as_str()).bind_iter())
        .bind(h().map(|h| h.title.as_str()).bind_iter())
        .bind(
            h().map(|h| evidence_rows::json_list(&h.attendees))
                .bind_iter(),
        )
        .bind(h().map(|h| h.notes.as_deref()).bind_iter())
        .bind(h().map(|h| h.created_by.as_uuid()).bind_iter())
        .bind(h().map(|h| h.created_at).bind_iter())
        .execute(&mut *conn)
        .await
        .map_err(errors::write("insert hearings", errors::from_detail))?
        .rows_affected();
    }
    let outcomes: Vec<_> = hearings
        .iter()
        .flat_map(|h| {
            h.outcomes
                .iter()
                .enumerate()
                .map(move |(i, o)| (h.id, i, o))
        })
        .collect();
    for chunk in outcomes.chunks(CHUNK) {
        let o = || chunk.iter();
        let position = |i: usize| i32::try_from(i).unwrap_or(i32::MAX);
        inserted += sqlx::query(
            "INSERT INTO hearing_outcomes (hearing_id, position, procedure_id, decision, \
             agreed_target_quarter, agreed_platform, issues, next_step, applied, \
             transition_record_id, approval_request_id) \
             SELECT * FROM UNNEST($1::uuid[], $2::integer[], $3::uuid[], $4::text[], \
             $5::text[], $6::text[], $7::text[], $8::text[], $9::boolean[], $10::uuid[], \
             $11::uuid[])",
        )
        .bind(o().map(|(h, _, _)| h.as_uuid()).bind_iter())
        .bind(o().map(|(_, i, _)| position(*i)).bind_iter())
        .bind(o().map(|(_, _, o)| o.procedure_id.as_uuid()).bind_iter())
        .bind(o().map(|(_, _, o)| o.decision.as_str()).bind_iter())
        .bind(
            o().map(|(_, _, o)| o.agreed_target_quarter.as_ref().map(rows::quarter_key))
                .bind_iter(),
        )
        .bind(
            o().map(|(_, _, o)| o.agreed_platform.map(|p| p.as_str()))
                .bind_iter(),
        )
        .bind(o().map(|(_, _, o)| o.issues.as_deref()).bind_iter())
        .bind(o().map(|(_, _, o)| o.next_step.as_deref()).bind_iter())
        .bind(o().map(|(_, _, o)| o.applied).bind_iter())
        .bind(
            o().map(|(_, _, o)| o.record_id.map(|r| r.as_uuid()))
                .bind_iter(),
        )
        .bind(
            o().map(|(_, _, o)| o.approval_request_id.map(|r| r.as_uuid()))
                .bind_iter(),
        )
        .execute(&mut *conn)
        .await
        .map_err(errors::write(
            "insert hearing outcomes",
            errors::from_detail,
        ))?
        .rows_affected();
    }
    Ok(inserted)
}

/// Records `owner`'s idempotency key on `hearing`, inserted earlier in the transaction.
pub(crate) async fn claim_hearing_key(
    conn: &mut PgConnection,
    owner: &str,
    key: &IdempotencyKey,
    fingerprint: &str,
    hearing: HearingId,
) -> StoreResult<()> {
    let done = sqlx::query(
        "UPDATE hearings SET idempotency_owner = $1, idempotency_key = $2, \
         idempotency_fingerprint = $3 WHERE id = $4",
    )
    .bind(owner)
    .bind(key.as_str())
    .bind(fingerprint)
    .bind(hearing.as_uuid())
    .execute(&mut *conn)
    .await
    .map_err(errors::write("claim hearing idempotency key", |_| {
        Some(key.as_str().to_owned())
    }))?;
    if done.rows_affected() == 0 {
        return Err(not_found("hearing", hearing));
    }
    Ok(())
}

pub(crate) async fn insert_user_tests(
    conn: &mut PgConnection,
    tests: &[&UserTest],
) -> StoreResult<u64> {
    let mut inserted = 0;
    for chunk in tests.chunks(CHUNK) {
        let t = || chunk.iter().copied();
        inserted += sqlx::query(
            "INSERT INTO user_tests (id, procedure_id, held_on, participants, tasks_attempted, \
             tasks_completed, median_minutes, sus_score, findings, verdict, recorded_by, \
             created_at) \
             SELECT id, p, d, n, a, c, m, s, \
             ARRAY(SELECT e FROM jsonb_array_elements_text(f) WITH ORDINALITY AS x(e, i) \
             ORDER BY i), v, r, at \
             FROM UNNEST($1::uuid[], $2::uuid[], $3::date[], $4::integer[], $5::integer[], \
             $6::integer[], $7::double precision[], $8::double precision[], \
             $9::text[]::jsonb[], $10::text[], $11::uuid[], $12::timestamptz[]) \
             AS u(id, p, d, n, a, c, m, s, f, v, r, at)",
        )
        .bind(t().map(|t| t.id.as_uuid()).bind_iter())
        .bind(t().map(|t| t.procedure_id.as_uuid()).bind_iter())
        .bind(t().map(|t| t.held_on).bind_iter())
        .bind(t().map(|t| t.participants).bind_iter())
        .bind(t().map(|t| t.tasks_attempted).bind_iter())
        .bind(t().map(|t| t.tasks_completed).bind_iter())
        .bind(t().map(|t| t.median_minutes).bind_iter())
        .bind(t().map(|t| t.sus_score).bind_iter())
        .bind(
            t().map(|t| evidence_rows::json_list(&t.findings))
                .bind_iter(),
        )
        .bind(t().map(|t| t.verdict.as_str()).bind_iter())
        .bind(t().map(|t| t.recorded_by.as_uuid()).bind_iter())
        .bind(t().map(|t| t.created_at).bind_iter())
        .execute(&mut *conn)
        .await
        .map_err(errors::write("insert user tests", errors::from_detail))?
        .rows_affected();
    }
    Ok(inserted)
}

pub(crate) async fn insert_tasks(conn: &mut PgConnection, tasks: &[&Task]) -> StoreResult<u64> {
    let mut inserted = 0;
    for chunk in tasks.chunks(CHUNK) {
        let t = || chunk.iter().copied();
        inserted += sqlx::query(AssertSqlSafe(format!(
            "INSERT INTO tasks ({TASK_COLUMNS}) \
             SELECT * FROM UNNEST($1::uuid[], $2::text[], $3::text[], $4::uuid[], $5::uuid[], \
             $6::uuid[], $7::date[], $8::text[], $9::text[], $10::timestamptz[], $11::uuid[], \
             $12::uuid[], $13::integer[], $14::timestamptz[], $15::timestamptz[])"
        )))
        .bind(t().map(|t| t.id.as_uuid()).bind_iter())
        .bind(t().map(|t| t.title.as_str()).bind_iter())
        .bind(t().map(|t| t.description.as_deref()).bind_iter())
        .bind(t().map(|t| t.procedure_id.map(|p| p.as_uuid())).bind_iter())
        .bind(t().map(|t| t.bureau_id.as_uuid()).bind_iter())
        .bind(t().map(|t| t.assignee_id.map(|u| u.as_uuid())).bind_iter())
        .bind(t().map(|t| t.due_on).bind_iter())
        .bind(t().map(|t| t.status.as_str()).bind_iter())
        .bind(t().map(|t| t.completion_note.as_deref()).bind_iter())
        .bind(t().map(|t| t.completed_at).bind_iter())
        .bind(t().map(|t| t.hearing_id.map(|h| h.as_uuid())).bind_iter())
        .bind(t().map(|t| t.created_by.as_uuid()).bind_iter())
        .bind(t().map(|t| t.version).bind_iter())
        .bind(t().map(|t| t.created_at).bind_iter())
        .bind(t().map(|t| t.updated_at).bind_iter())
        .execute(&mut *conn)
        .await
        .map_err(errors::write("insert tasks", errors::from_detail))?
        .rows_affected();
    }
    Ok(inserted)
}

/// Replaces the task's fields (all but its id, author and creation time) if its version is
/// still `expected`; the row as stored is decoded before the caller commits.
pub(crate) async fn update_task(
    conn: &mut PgConnection,
    t: &Task,
    expected: i32,
) -> StoreResult<Task> {
    let row = sqlx::query(AssertSqlSafe(format!(
        "UPDATE tasks SET title = $1, description = $2, procedure_id = $3, bureau_id = $4, \
         assignee_id = $5, due_on = $6, status = $7, completion_note = $8, completed_at = $9, \
         hearing_id = $10, version = $11, updated_at = $12 WHERE id = $13 AND version = $14 \
         RETURNING {TASK_COLUMNS}"
    )))
    .bind(t.title.as_str())
    .bind(t.description.as_deref())
    .bind(t.procedure_id.map(|p| p.as_uuid()))
    .bind(t.bureau_id.as_uuid())
    .bind(t.assignee_id.map(|u| u.as_uuid()))
    .bind(t.due_on)
    .bind(t.status.as_str())
    .bind(t.completion_note.as_deref())
    .bind(t.completed_at)
    .bind(t.hearing_id.map(|h| h.as_uuid()))
    .bind(t.version)
    .bind(t.updated_at)
    .bind(t.id.as_uuid())
    .bind(expected)
    .fetch_optional(&mut *conn)
    .await
    .map_err(errors::write("update task", errors::from_detail))?;
    if let Some(row) = row {
        return evidence_rows::task(&row);
    }
    let stored: Option<i32> = sqlx::query_scalar("SELECT version FROM tasks WHERE id = $1")
        .bind(t.id.as_uuid())
        .fetch_optional(&mut *conn)
        .await
        .map_err(errors::db("read task version"))?;
    Err(match stored {
        Some(actual) => StoreError::Conflict { expected, actual },
        None => not_found("task", t.id),
    })
}
