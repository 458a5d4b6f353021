//! Writing law changes, their status history, milestones and dependencies on the caller's
//! connection (inside its transaction), and the graph version's compare-and-set. Inserts are
//! `INSERT ... SELECT FROM UNNEST(...)`, one array parameter per column (one row from a batch,
//! thousands from a bulk load, the same statement); updates are compare-and-sets on `version`.
//! Violations are mapped by constraint name ([`crate::errors`]).

use chrono::{DateTime, Utc};
use rollout_domain::blockers::{
    BlockerRef, Dependency, LawChange, LawChangeStatusChange, Milestone,
};
use rollout_domain::{DependencyId, UserId};
use rollout_store::{StoreError, StoreResult, dependency_key, graph_version_conflict};
use sqlx::postgres::PgBindIterExt;
use sqlx::{AssertSqlSafe, PgConnection};
use uuid::Uuid;

use super::rows::{DEPENDENCY_COLUMNS, HISTORY_COLUMNS, LAW_CHANGE_COLUMNS, MILESTONE_COLUMNS};
use crate::errors::{self, not_found};

/// Rows per statement, as in [`crate::bulk`].
const CHUNK: usize = 5_000;

/// The key a single-row insert names in a `Duplicate`: its id, or `other` for its other key.
fn single_key<'a>(
    items_len: usize,
    id: impl FnOnce() -> String + 'a,
    other: impl FnOnce(&str) -> Option<String> + 'a,
) -> impl FnOnce(&str) -> Option<String> + 'a {
    move |constraint| {
        if items_len != 1 {
            return None;
        }
        if constraint.ends_with("_pkey") {
            Some(id())
        } else {
            other(constraint)
        }
    }
}

pub(crate) async fn insert_law_changes(
    conn: &mut PgConnection,
    items: &[&LawChange],
) -> StoreResult<u64> {
    let mut inserted = 0;
    for chunk in items.chunks(CHUNK) {
        let l = || chunk.iter().copied();
        let key = single_key(
            chunk.len(),
            || chunk[0].id.to_string(),
            |c| (c == "law_changes_code_key").then(|| chunk[0].code.clone()),
        );
        inserted += sqlx::query(AssertSqlSafe(format!(
            "INSERT INTO law_changes ({LAW_CHANGE_COLUMNS}) \
             SELECT * FROM UNNEST($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], \
             $6::text[], $7::text[], $8::text[], $9::text[], $10::uuid[], $11::text[], \
             $12::date[], $13::date[], $14::date[], $15::text[], $16::integer[], \
             $17::timestamptz[], $18::timestamptz[])"
        )))
        .bind(l().map(|l| l.id.as_uuid()).bind_iter())
        .bind(l().map(|l| l.code.as_str()).bind_iter())
        .bind(l().map(|l| l.title_ja.as_str()).bind_iter())
        .bind(l().map(|l| l.title_en.as_deref()).bind_iter())
        .bind(l().map(|l| l.level.as_str()).bind_iter())
        .bind(l().map(|l| l.ministry_ja.as_deref()).bind_iter())
        .bind(l().map(|l| l.ministry_en.as_deref()).bind_iter())
        .bind(l().map(|l| l.law_name.as_deref()).bind_iter())
        .bind(l().map(|l| l.article.as_deref()).bind_iter())
        .bind(l().map(|l| l.owner_bureau_id.as_uuid()).bind_iter())
        .bind(l().map(|l| l.status.as_str()).bind_iter())
        .bind(l().map(|l| l.requested_on).bind_iter())
        .bind(l().map(|l| l.expected_effective_on).bind_iter())
        .bind(l().map(|l| l.enacted_on).bind_iter())
        .bind(l().map(|l| l.notes.as_deref()).bind_iter())
        .bind(l().map(|l| l.version).bind_iter())
        .bind(l().map(|l| l.created_at).bind_iter())
        .bind(l().map(|l| l.updated_at).bind_iter())
        .execute(&mut *conn)
        .await
        .map_err(errors::write("insert law changes", key))?
        .rows_affected();
    }
    Ok(inserted)
}

/// Replaces every field but the id, code and creation time if the version is still `expected`.
pub(crate) async fn update_law_change(
    conn: &mut PgConnection,
    l: &LawChange,
    expected: i32,
) -> StoreResult<()> {
    let done = sqlx::query(
        "UPDATE law_changes SET title_ja = $1, title_en = $2, level = $3, ministry_ja = $4, \
         ministry_en = $5, law_name = $6, article = $7, owner_bureau_id = $8, status = $9, \
         requested_on = $10, expected_effective_on = $11, enacted_on = $12, notes = $13, \
         version = $14, updated_at = $15 WHERE id = $16 AND version = $17",
    )
    .bind(l.title_ja.as_str())
    .bind(l.title_en.as_deref())
    .bind(l.level.as_str())
    .bind(l.ministry_ja.as_deref())
    .bind(l.ministry_en.as_deref())
    .bind(l.law_name.as_deref())
    .bind(l.article.as_deref())
    .bind(l.owner_bureau_id.as_uuid())
    .bind(l.status.as_str())
    .bind(l.requested_on)
    .bind(l.expected_effective_on)
    .bind(l.enacted_on)
    .bind(l.notes.as_deref())
    .bind(l.version)
    .bind(l.updated_at)
    .bind(l.id.as_uuid())
    .bind(expected)
    .execute(&mut *conn)
    .await
    .map_err(errors::write("update law change", |_| {
        Some(l.owner_bureau_id.to_string())
    }))?;
    if done.rows_affected() == 1 {
        return Ok(());
    }
    Err(mismatch(conn, "law change", "law_changes", l.id.as_uuid(), expected).await)
}

/// Why a compare-and-set on `table` matched no row: `NotFound`, or `Conflict` with the version
/// stored.
pub(crate) async fn mismatch(
    conn: &mut PgConnection,
    entity: &'static str,
    table: &'static str,
    id: Uuid,
    expected: i32,
) -> StoreError {
    let sql = format!("SELECT version FROM {table} WHERE id = $1");
    let stored: Result<Option<i32>, _> = sqlx::query_scalar(AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(conn)
        .await;
    match stored {
        Ok(Some(actual)) => StoreError::Conflict { expected, actual },
        Ok(None) => not_found(entity, id),
        Err(e) => errors::classify("read the stored version", e),
    }
}

pub(crate) async fn insert_history(
    conn: &mut PgConnection,
    items: &[&LawChangeStatusChange],
) -> StoreResult<u64> {
    let mut inserted = 0;
    for chunk in items.chunks(CHUNK) {
        let h = || chunk.iter().copied();
        inserted += sqlx::query(AssertSqlSafe(format!(
            "INSERT INTO law_change_history ({HISTORY_COLUMNS}) \
             SELECT * FROM UNNEST($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::date[], \
             $6::text[], $7::text[], $8::uuid[], $9::timestamptz[])"
        )))
        .bind(h().map(|h| h.id.as_uuid()).bind_iter())
        .bind(h().map(|h| h.law_change_id.as_uuid()).bind_iter())
        .bind(h().map(|h| h.from_status.map(|s| s.as_str())).bind_iter())
        .bind(h().map(|h| h.to_status.as_str()).bind_iter())
        .bind(h().map(|h| h.on).bind_iter())
        .bind(h().map(|h| h.reason.as_deref()).bind_iter())
        .bind(h().map(|h| h.actor.as_str()).bind_iter())
        .bind(h().map(|h| h.actor_id.map(|u| u.as_uuid())).bind_iter())
        .bind(h().map(|h| h.at).bind_iter())
        .execute(&mut *conn)
        .await
        .map_err(errors::write(
            "insert law change history",
            errors::from_detail,
        ))?
        .rows_affected();
    }
    Ok(inserted)
}

pub(crate) async fn insert_milestones(
    conn: &mut PgConnection,
    items: &[&Milestone],
) -> StoreResult<u64> {
    let mut inserted = 0;
    for chunk in items.chunks(CHUNK) {
        let m = || chunk.iter().copied();
        inserted += sqlx::query(AssertSqlSafe(format!(
            "INSERT INTO milestones ({MILESTONE_COLUMNS}) \
             SELECT * FROM UNNEST($1::uuid[], $2::text[], $3::text[], $4::date[], $5::text[], \
             $6::date[], $7::text[], $8::integer[], $9::timestamptz[], $10::timestamptz[])"
        )))
        .bind(m().map(|m| m.id.as_uuid()).bind_iter())
        .bind(m().map(|m| m.name.as_str()).bind_iter())
        .bind(m().map(|m| m.platform.map(|p| p.as_str())).bind_iter())
        .bind(m().map(|m| m.planned_on).bind_iter())
        .bind(m().map(|m| m.status.as_str()).bind_iter())
        .bind(m().map(|m| m.done_on).bind_iter())
        .bind(m().map(|m| m.notes.as_deref()).bind_iter())
        .bind(m().map(|m| m.version).bind_iter())
        .bind(m().map(|m| m.created_at).bind_iter())
        .bind(m().map(|m| m.updated_at).bind_iter())
        .execute(&mut *conn)
        .await
        .map_err(errors::write("insert milestones", errors::from_detail))?
        .rows_affected();
    }
    Ok(inserted)
}

pub(crate) async fn update_milestone(
    conn: &mut PgConnection,
    m: &Milestone,
    expected: i32,
) -> StoreResult<()> {
    let done = sqlx::query(
        "UPDATE milestones SET name = $1, platform = $2, planned_on = $3, status = $4, \
         done_on = $5, notes = $6, version = $7, updated_at = $8 WHERE id = $9 AND version = $10",
    )
    .bind(m.name.as_str())
    .bind(m.platform.map(|p| p.as_str()))
    .bind(m.planned_on)
    .bind(m.status.as_str())
    .bind(m.done_on)
    .bind(m.notes.as_deref())
    .bind(m.version)
    .bind(m.updated_at)
    .bind(m.id.as_uuid())
    .bind(expected)
    .execute(&mut *conn)
    .await
    .map_err(errors::db("update milestone"))?;
    if done.rows_affected() == 1 {
        return Ok(());
    }
    Err(mismatch(conn, "milestone", "milestones", m.id.as_uuid(), expected).await)
}

/// The entity name and table of what a dependency points at.
fn target(on: BlockerRef) -> (&'static str, &'static str) {
    match on {
        BlockerRef::LawChange(_) => ("law change", "law_changes"),
        BlockerRef::Milestone(_) => ("milestone", "milestones"),
        BlockerRef::Procedure(_) => ("procedure", "procedures"),
    }
}

/// One dependency, from a batch: like [`insert_dependencies`], and also `NotFound` when what it
/// points at does not exist (the column has no foreign key: it points into three tables).
pub(crate) async fn insert_dependency(conn: &mut PgConnection, d: &Dependency) -> StoreResult<()> {
    let (entity, table) = target(d.on);
    let done = sqlx::query(AssertSqlSafe(format!(
        "INSERT INTO dependencies ({DEPENDENCY_COLUMNS}) \
         SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10 \
         WHERE EXISTS (SELECT 1 FROM {table} WHERE id = $4)"
    )))
    .bind(d.id.as_uuid())
    .bind(d.procedure_id.as_uuid())
    .bind(d.on.kind())
    .bind(d.on.uuid())
    .bind(d.reason.as_deref())
    .bind(d.created_by.map(|u| u.as_uuid()))
    .bind(d.created_at)
    .bind(d.removed_at)
    .bind(d.removed_by.map(|u| u.as_uuid()))
    .bind(d.removed_reason.as_deref())
    .execute(&mut *conn)
    .await
    .map_err(errors::write("insert dependency", |constraint| {
        Some(match constraint {
            "dependencies_pkey" => d.id.to_string(),
            "dependencies_one_active" => dependency_key(d),
            "dependencies_procedure_id_fkey" => d.procedure_id.to_string(),
            _ => return None,
        })
    }))?;
    if done.rows_affected() == 1 {
        Ok(())
    } else {
        Err(not_found(entity, d.on.uuid()))
    }
}

/// Dependencies as given (a bulk load vouches for what they point at).
pub(crate) async fn insert_dependencies(
    conn: &mut PgConnection,
    items: &[&Dependency],
) -> StoreResult<u64> {
    let mut inserted = 0;
    for chunk in items.chunks(CHUNK) {
        let d = || chunk.iter().copied();
        inserted += sqlx::query(AssertSqlSafe(format!(
            "INSERT INTO dependencies ({DEPENDENCY_COLUMNS}) \
             SELECT * FROM UNNEST($1::uuid[], $2::uuid[], $3::text[], $4::uuid[], $5::text[], \
             $6::uuid[], $7::timestamptz[], $8::timestamptz[], $9::uuid[], $10::text[])"
        )))
        .bind(d().map(|d| d.id.as_uuid()).bind_iter())
        .bind(d().map(|d| d.procedure_id.as_uuid()).bind_iter())
        .bind(d().map(|d| d.on.kind()).bind_iter())
        .bind(d().map(|d| d.on.uuid()).bind_iter())
        .bind(d().map(|d| d.reason.as_deref()).bind_iter())
        .bind(d().map(|d| d.created_by.map(|u| u.as_uuid())).bind_iter())
        .bind(d().map(|d| d.created_at).bind_iter())
        .bind(d().map(|d| d.removed_at).bind_iter())
        .bind(d().map(|d| d.removed_by.map(|u| u.as_uuid())).bind_iter())
        .bind(d().map(|d| d.removed_reason.as_deref()).bind_iter())
        .execute(&mut *conn)
        .await
        .map_err(errors::write("insert dependencies", errors::from_detail))?
        .rows_affected();
    }
    Ok(inserted)
}

/// Records the removal of an active dependency; `NotFound` when unknown or already removed.
pub(crate) async fn remove_dependency(
    conn: &mut PgConnection,
    id: DependencyId,
    removed_by: Option<UserId>,
    removed_at: DateTime<Utc>,
    reason: Option<&str>,
) -> StoreResult<()> {
    let done = sqlx::query(
        "UPDATE dependencies SET removed_at = $1, removed_by = $2, removed_reason = $3 \
         WHERE id = $4 AND removed_at IS NULL",
    )
    .bind(removed_at)
    .bind(removed_by.map(|u| u.as_uuid()))
    .bind(reason)
    .bind(id.as_uuid())
    .execute(&mut *conn)
    .await
    .map_err(errors::write("remove dependency", |_| {
        removed_by.map(|u| u.to_string())
    }))?;
    if done.rows_affected() == 1 {
        Ok(())
    } else {
        Err(not_found("dependency", id))
    }
}

/// The graph version's compare-and-set: `expected + 1` if it is still `expected`, else
/// `Conflict` with the stored version. The row lock the UPDATE takes is held to the end of the
/// batch, so a second batch planned on the same version waits here, then (re-checking the
/// condition on the committed row) matches nothing. The stored version is read by a statement
/// of its own: under READ COMMITTED it gets a new snapshot, which sees the winner's commit (a
/// subquery of the UPDATE's statement would still see the version before it).
pub(crate) async fn bump_graph_version(conn: &mut PgConnection, expected: i64) -> StoreResult<()> {
    let done =
        sqlx::query("UPDATE graph_version SET version = version + 1 WHERE id = 1 AND version = $1")
            .bind(expected)
            .execute(&mut *conn)
            .await
            .map_err(errors::db("bump the graph version"))?;
    if done.rows_affected() == 1 {
        return Ok(());
    }
    let stored: i64 = sqlx::query_scalar("SELECT version FROM graph_version WHERE id = 1")
        .fetch_one(&mut *conn)
        .await
        .map_err(errors::db("read the graph version"))?;
    Err(graph_version_conflict(expected, stored))
}
