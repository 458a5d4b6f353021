//! Writing evidence inside the caller's write transaction: hearings with their outcomes, user
//! tests and tasks as multi-row INSERTs (one row from a batch, thousands from a bulk load), the
//! task's compare-and-set, and claiming a hearing's idempotency key. Each failure is named: a
//! taken id or key is `Duplicate`, a missing reference `NotFound` naming the first missing row
//! (looked up after the failed statement, which SQLite undoes by itself).

use rollout_domain::hearing::Hearing;
use rollout_domain::task::Task;
use rollout_domain::user_test::UserTest;
use rollout_domain::{HearingId, IdempotencyKey};
use rollout_store::{StoreError, StoreResult};
use sqlx::{AssertSqlSafe, QueryBuilder, Sqlite, SqliteConnection};
use uuid::Uuid;

use super::rows::{TASK_COLUMNS, TaskRow, USER_TEST_COLUMNS, json_list};
use crate::errors::{self, UniqueKey, ctx};
use crate::refs::{self, Ref};
use crate::rows::{day, instant, uuid};

/// Rows per multi-row INSERT: at most 15 bound values each, far below SQLite's limit.
const CHUNK: usize = 500;

fn reference(entity: &'static str, table: &'static str, id: Uuid) -> Ref {
    Ref { entity, table, id }
}

/// Inserts `hearings` and their outcomes (position = index in `outcomes`).
pub(crate) async fn insert_hearings(
    conn: &mut SqliteConnection,
    hearings: &[&Hearing],
) -> StoreResult<u64> {
    let mut inserted = 0;
    for chunk in hearings.chunks(CHUNK) {
        let mut qb = QueryBuilder::<Sqlite>::new(
            "INSERT INTO hearings (id, bureau_id, held_on, kind, title, attendees, notes, \
             created_by, created_at) ",
        );
        qb.push_values(chunk, |mut row, h| {
            row.push_bind(uuid(h.id.0))
                .push_bind(uuid(h.bureau_id.0))
                .push_bind(day(h.held_on))
                .push_bind(h.kind.as_str())
                .push_bind(h.title.clone())
                .push_bind(json_list(&h.attendees))
                .push_bind(h.notes.clone())
                .push_bind(uuid(h.created_by.0))
                .push_bind(instant(h.created_at));
        });
        if let Err(e) = qb.build().execute(&mut *conn).await {
            if errors::unique_violation(&e) == Some(UniqueKey::HearingId) {
                let ids: Vec<String> = chunk.iter().map(|h| uuid(h.id.0)).collect();
                return Err(errors::duplicate(
                    "hearing",
                    first_taken(conn, "hearings", &ids).await,
                ));
            }
            let references: Vec<Ref> = chunk
                .iter()
                .flat_map(|h| [Ref::bureau(h.bureau_id.0), Ref::user(h.created_by.0)])
                .collect();
            return Err(refs::missing(conn, e, "insert hearings", &references).await);
        }
        inserted += chunk.len() as u64;
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
        let mut qb = QueryBuilder::<Sqlite>::new(
            "INSERT INTO hearing_outcomes (hearing_id, position, procedure_id, decision, \
             agreed_target_quarter, agreed_platform, issues, next_step, applied, \
             transition_record_id, approval_request_id) ",
        );
        qb.push_values(chunk, |mut row, (hearing, position, o)| {
            row.push_bind(uuid(hearing.0))
                .push_bind(*position as i64)
                .push_bind(uuid(o.procedure_id.0))
                .push_bind(o.decision.as_str())
                .push_bind(o.agreed_target_quarter.map(|q| q.to_string()))
                .push_bind(o.agreed_platform.map(|p| p.as_str()))
                .push_bind(o.issues.clone())
                .push_bind(o.next_step.clone())
                .push_bind(i64::from(o.applied))
                .push_bind(o.record_id.map(|r| uuid(r.0)))
                .push_bind(o.approval_request_id.map(|r| uuid(r.0)));
        });
        if let Err(e) = qb.build().execute(&mut *conn).await {
            let references: Vec<Ref> = chunk
                .iter()
                .flat_map(|(hearing, _, o)| {
                    [
                        Some(reference("hearing", "hearings", hearing.0)),
                        Some(Ref::procedure(o.procedure_id.0)),
                        o.record_id
                            .map(|r| reference("transition record", "transition_records", r.0)),
                        o.approval_request_id
                            .map(|r| reference("approval request", "approval_requests", r.0)),
                    ]
                })
                .flatten()
                .collect();
            return Err(refs::missing(conn, e, "insert hearing outcomes", &references).await);
        }
        inserted += chunk.len() as u64;
    }
    Ok(inserted)
}

/// The first of `ids` stored in `table`, to name in a `Duplicate` (empty if none is).
async fn first_taken(conn: &mut SqliteConnection, table: &'static str, ids: &[String]) -> String {
    let sql = format!("SELECT 1 FROM {table} WHERE id = ?");
    for id in ids {
        if let Ok(Some(_)) = sqlx::query(AssertSqlSafe(sql.as_str()))
            .bind(id.as_str())
            .fetch_optional(&mut *conn)
            .await
        {
            return id.clone();
        }
    }
    String::new()
}

/// Records `owner`'s idempotency key on `hearing`, inserted earlier in the transaction.
pub(crate) async fn claim_hearing_key(
    conn: &mut SqliteConnection,
    owner: &str,
    key: &IdempotencyKey,
    fingerprint: &str,
    hearing: HearingId,
) -> StoreResult<()> {
    let done = sqlx::query(
        "UPDATE hearings SET idempotency_owner = ?, idempotency_key = ?, \
         idempotency_fingerprint = ? WHERE id = ?",
    )
    .bind(owner)
    .bind(key.as_str())
    .bind(fingerprint)
    .bind(uuid(hearing.0))
    .execute(&mut *conn)
    .await
    .map_err(|e| match errors::unique_violation(&e) {
        Some(UniqueKey::HearingKey) => errors::duplicate("idempotency key", key.as_str()),
        _ => errors::from_sqlx("claim hearing idempotency key", e),
    })?;
    if done.rows_affected() == 0 {
        return Err(errors::not_found("hearing", hearing));
    }
    Ok(())
}

pub(crate) async fn insert_user_tests(
    conn: &mut SqliteConnection,
    tests: &[&UserTest],
) -> StoreResult<u64> {
    for chunk in tests.chunks(CHUNK) {
        let mut qb =
            QueryBuilder::<Sqlite>::new(format!("INSERT INTO user_tests ({USER_TEST_COLUMNS}) "));
        qb.push_values(chunk, |mut row, t| {
            row.push_bind(uuid(t.id.0))
                .push_bind(uuid(t.procedure_id.0))
                .push_bind(day(t.held_on))
                .push_bind(i64::from(t.participants))
                .push_bind(i64::from(t.tasks_attempted))
                .push_bind(i64::from(t.tasks_completed))
                .push_bind(t.median_minutes)
                .push_bind(t.sus_score)
                .push_bind(json_list(&t.findings))
                .push_bind(t.verdict.as_str())
                .push_bind(uuid(t.recorded_by.0))
                .push_bind(instant(t.created_at));
        });
        if let Err(e) = qb.build().execute(&mut *conn).await {
            if errors::unique_violation(&e) == Some(UniqueKey::UserTestId) {
                let ids: Vec<String> = chunk.iter().map(|t| uuid(t.id.0)).collect();
                let taken = first_taken(conn, "user_tests", &ids).await;
                return Err(errors::duplicate("user test", taken));
            }
            let references: Vec<Ref> = chunk
                .iter()
                .flat_map(|t| [Ref::procedure(t.procedure_id.0), Ref::user(t.recorded_by.0)])
                .collect();
            return Err(refs::missing(conn, e, "insert user tests", &references).await);
        }
    }
    Ok(tests.len() as u64)
}

/// What a task refers to, in the order a `NotFound` names them.
fn task_refs(t: &Task) -> impl Iterator<Item = Ref> {
    [
        Some(Ref::bureau(t.bureau_id.0)),
        t.procedure_id.map(|p| Ref::procedure(p.0)),
        t.assignee_id.map(|u| Ref::user(u.0)),
        Some(Ref::user(t.created_by.0)),
        t.hearing_id.map(|h| reference("hearing", "hearings", h.0)),
    ]
    .into_iter()
    .flatten()
}

pub(crate) async fn insert_tasks(conn: &mut SqliteConnection, tasks: &[&Task]) -> StoreResult<u64> {
    for chunk in tasks.chunks(CHUNK) {
        let mut qb = QueryBuilder::<Sqlite>::new(format!("INSERT INTO tasks ({TASK_COLUMNS}) "));
        qb.push_values(chunk, |mut row, t| {
            row.push_bind(uuid(t.id.0))
                .push_bind(t.title.clone())
                .push_bind(t.description.clone())
                .push_bind(t.procedure_id.map(|p| uuid(p.0)))
                .push_bind(uuid(t.bureau_id.0))
                .push_bind(t.assignee_id.map(|u| uuid(u.0)))
                .push_bind(t.due_on.map(day))
                .push_bind(t.status.as_str())
                .push_bind(t.completion_note.clone())
                .push_bind(t.completed_at.map(instant))
                .push_bind(t.hearing_id.map(|h| uuid(h.0)))
                .push_bind(uuid(t.created_by.0))
                .push_bind(i64::from(t.version))
                .push_bind(instant(t.created_at))
                .push_bind(instant(t.updated_at));
        });
        if let Err(e) = qb.build().execute(&mut *conn).await {
            if errors::unique_violation(&e) == Some(UniqueKey::TaskId) {
                let ids: Vec<String> = chunk.iter().map(|t| uuid(t.id.0)).collect();
                return Err(errors::duplicate(
                    "task",
                    first_taken(conn, "tasks", &ids).await,
                ));
            }
            let references: Vec<Ref> = chunk.iter().flat_map(|t| task_refs(t)).collect();
            return Err(refs::missing(conn, e, "insert tasks", &references).await);
        }
    }
    Ok(tasks.len() as u64)
}

/// Replaces the task's fields (all but its id, author and creation time) if its version is
/// still `expected`; the row as stored is decoded before the caller commits.
pub(crate) async fn update_task(
    conn: &mut SqliteConnection,
    t: &Task,
    expected: i32,
) -> StoreResult<Task> {
    let sql = format!(
        "UPDATE tasks SET title = ?, description = ?, procedure_id = ?, bureau_id = ?, \
         assignee_id = ?, due_on = ?, status = ?, completion_note = ?, completed_at = ?, \
         hearing_id = ?, version = ?, updated_at = ? WHERE id = ? AND version = ? \
         RETURNING {TASK_COLUMNS}"
    );
    let updated: Result<Option<TaskRow>, _> = sqlx::query_as(AssertSqlSafe(sql))
        .bind(t.title.as_str())
        .bind(t.description.as_deref())
        .bind(t.procedure_id.map(|p| uuid(p.0)))
        .bind(uuid(t.bureau_id.0))
        .bind(t.assignee_id.map(|u| uuid(u.0)))
        .bind(t.due_on.map(day))
        .bind(t.status.as_str())
        .bind(t.completion_note.as_deref())
        .bind(t.completed_at.map(instant))
        .bind(t.hearing_id.map(|h| uuid(h.0)))
        .bind(i64::from(t.version))
        .bind(instant(t.updated_at))
        .bind(uuid(t.id.0))
        .bind(i64::from(expected))
        .fetch_optional(&mut *conn)
        .await;
    let row = match updated {
        Ok(Some(row)) => row,
        Ok(None) => return Err(task_mismatch(conn, t, expected).await),
        Err(e) => {
            let references: Vec<Ref> = task_refs(t).collect();
            return Err(refs::missing(conn, e, "update task", &references).await);
        }
    };
    row.into_domain()
}

/// Why the task's compare-and-set matched no row: `NotFound`, or `Conflict` with the version
/// stored.
async fn task_mismatch(conn: &mut SqliteConnection, t: &Task, expected: i32) -> StoreError {
    let stored: Result<Option<i64>, _> =
        sqlx::query_scalar("SELECT version FROM tasks WHERE id = ?")
            .bind(uuid(t.id.0))
            .fetch_optional(conn)
            .await;
    match stored {
        Ok(None) => errors::not_found("task", t.id),
        Ok(Some(actual)) => match i32::try_from(actual) {
            Ok(actual) => StoreError::Conflict { expected, actual },
            Err(_) => {
                StoreError::corrupt(format!("corrupt value {actual} in column tasks.version"))
            }
        },
        Err(e) => ctx("read task version")(e),
    }
}
