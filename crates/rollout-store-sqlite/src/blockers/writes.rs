//! Writing law changes, their status history, milestones and dependencies inside the caller's
//! write transaction, and the graph version's compare-and-set. Inserts are multi-row (one row
//! from a batch, thousands from a bulk load, the same code); updates are compare-and-sets on
//! `version`. Failures are named: a taken id, code or active edge is `Duplicate`, a missing
//! reference `NotFound` (looked up after the failed statement, which SQLite undoes by itself).

use rollout_domain::blockers::{
    BlockerRef, Dependency, LawChange, LawChangeStatusChange, Milestone,
};
use rollout_domain::{DependencyId, UserId};
use rollout_store::{StoreError, StoreResult, dependency_key};
use sqlx::{AssertSqlSafe, QueryBuilder, Sqlite, SqliteConnection};
use uuid::Uuid;

use super::rows::{DEPENDENCY_COLUMNS, HISTORY_COLUMNS, LAW_CHANGE_COLUMNS, MILESTONE_COLUMNS};
use crate::errors::{self, UniqueKey, ctx};
use crate::refs::{self, Ref};
use crate::rows::{day, instant, parse_i32, uuid};

/// Rows per multi-row INSERT: at most 18 bound values each, far below SQLite's limit.
const CHUNK: usize = 500;

fn law_change_ref(id: Uuid) -> Ref {
    Ref {
        entity: "law change",
        table: "law_changes",
        id,
    }
}

/// The first of `values` stored in `table.column`, else the first repeated within `values`
/// (a bulk load naming the same key twice), else empty: the key a `Duplicate` names.
pub(crate) async fn taken_key(
    conn: &mut SqliteConnection,
    table: &str,
    column: &str,
    values: &[String],
) -> String {
    let sql = format!(
        "SELECT {column} FROM {table} WHERE {column} IN (SELECT value FROM json_each(?)) LIMIT 1"
    );
    let stored: Option<String> = sqlx::query_scalar(AssertSqlSafe(sql))
        .bind(serde_json::Value::from(values.to_vec()).to_string())
        .fetch_optional(&mut *conn)
        .await
        .ok()
        .flatten();
    stored
        .or_else(|| {
            let mut seen = std::collections::HashSet::new();
            values.iter().find(|v| !seen.insert(v.as_str())).cloned()
        })
        .unwrap_or_default()
}

pub(crate) async fn insert_law_changes(
    conn: &mut SqliteConnection,
    items: &[&LawChange],
) -> StoreResult<u64> {
    for chunk in items.chunks(CHUNK) {
        let mut qb =
            QueryBuilder::<Sqlite>::new(format!("INSERT INTO law_changes ({LAW_CHANGE_COLUMNS}) "));
        qb.push_values(chunk, |mut row, l| {
            row.push_bind(uuid(l.id.0))
                .push_bind(l.code.clone())
                .push_bind(l.title_ja.clone())
                .push_bind(l.title_en.clone())
                .push_bind(l.level.as_str())
                .push_bind(l.ministry_ja.clone())
                .push_bind(l.ministry_en.clone())
                .push_bind(l.law_name.clone())
                .push_bind(l.article.clone())
                .push_bind(uuid(l.owner_bureau_id.0))
                .push_bind(l.status.as_str())
                .push_bind(l.requested_on.map(day))
                .push_bind(l.expected_effective_on.map(day))
                .push_bind(l.enacted_on.map(day))
                .push_bind(l.notes.clone())
                .push_bind(i64::from(l.version))
                .push_bind(instant(l.created_at))
                .push_bind(instant(l.updated_at));
        });
        if let Err(e) = qb.build().execute(&mut *conn).await {
            let (column, values): (&str, Vec<String>) = match errors::unique_violation(&e) {
                Some(UniqueKey::LawChangeCode) => {
                    ("code", chunk.iter().map(|l| l.code.clone()).collect())
                }
                Some(UniqueKey::LawChangeId) => {
                    ("id", chunk.iter().map(|l| uuid(l.id.0)).collect())
                }
                _ => {
                    let references: Vec<Ref> = chunk
                        .iter()
                        .map(|l| Ref::bureau(l.owner_bureau_id.0))
                        .collect();
                    return Err(refs::missing(conn, e, "insert law changes", &references).await);
                }
            };
            let key = taken_key(conn, "law_changes", column, &values).await;
            return Err(errors::duplicate("law change", key));
        }
    }
    Ok(items.len() as u64)
}

/// Replaces every field but the id, code and creation time if the version is still `expected`.
pub(crate) async fn update_law_change(
    conn: &mut SqliteConnection,
    l: &LawChange,
    expected: i32,
) -> StoreResult<()> {
    let done = sqlx::query(
        "UPDATE law_changes SET title_ja = ?, title_en = ?, level = ?, ministry_ja = ?, \
         ministry_en = ?, law_name = ?, article = ?, owner_bureau_id = ?, status = ?, \
         requested_on = ?, expected_effective_on = ?, enacted_on = ?, notes = ?, version = ?, \
         updated_at = ? WHERE id = ? AND version = ?",
    )
    .bind(l.title_ja.as_str())
    .bind(l.title_en.as_deref())
    .bind(l.level.as_str())
    .bind(l.ministry_ja.as_deref())
    .bind(l.ministry_en.as_deref())
    .bind(l.law_name.as_deref())
    .bind(l.article.as_deref())
    .bind(uuid(l.owner_bureau_id.0))
    .bind(l.status.as_str())
    .bind(l.requested_on.map(day))
    .bind(l.expected_effective_on.map(day))
    .bind(l.enacted_on.map(day))
    .bind(l.notes.as_deref())
    .bind(i64::from(l.version))
    .bind(instant(l.updated_at))
    .bind(uuid(l.id.0))
    .bind(i64::from(expected))
    .execute(&mut *conn)
    .await;
    match done {
        Ok(done) if done.rows_affected() == 1 => Ok(()),
        Ok(_) => Err(mismatch(conn, "law change", "law_changes", l.id.0, expected).await),
        Err(e) => {
            let references = [Ref::bureau(l.owner_bureau_id.0)];
            Err(refs::missing(conn, e, "update law change", &references).await)
        }
    }
}

/// Why a compare-and-set on `table` matched no row: `NotFound`, or `Conflict` with the version
/// stored.
pub(crate) async fn mismatch(
    conn: &mut SqliteConnection,
    entity: &'static str,
    table: &'static str,
    id: Uuid,
    expected: i32,
) -> StoreError {
    let sql = format!("SELECT version FROM {table} WHERE id = ?");
    let stored: Result<Option<i64>, _> = sqlx::query_scalar(AssertSqlSafe(sql))
        .bind(uuid(id))
        .fetch_optional(conn)
        .await;
    match stored {
        Ok(None) => errors::not_found(entity, id),
        Ok(Some(actual)) => match parse_i32(&format!("{table}.version"), actual) {
            Ok(actual) => StoreError::Conflict { expected, actual },
            Err(corrupt) => corrupt,
        },
        Err(e) => ctx("read the stored version")(e),
    }
}

pub(crate) async fn insert_history(
    conn: &mut SqliteConnection,
    items: &[&LawChangeStatusChange],
) -> StoreResult<u64> {
    for chunk in items.chunks(CHUNK) {
        let mut qb = QueryBuilder::<Sqlite>::new(format!(
            "INSERT INTO law_change_history ({HISTORY_COLUMNS}) "
        ));
        qb.push_values(chunk, |mut row, h| {
            row.push_bind(uuid(h.id.0))
                .push_bind(uuid(h.law_change_id.0))
                .push_bind(h.from_status.map(|s| s.as_str()))
                .push_bind(h.to_status.as_str())
                .push_bind(h.on.map(day))
                .push_bind(h.reason.clone())
                .push_bind(h.actor.clone())
                .push_bind(h.actor_id.map(|u| uuid(u.0)))
                .push_bind(instant(h.at));
        });
        if let Err(e) = qb.build().execute(&mut *conn).await {
            if errors::unique_violation(&e) == Some(UniqueKey::LawChangeHistoryId) {
                let ids: Vec<String> = chunk.iter().map(|h| uuid(h.id.0)).collect();
                let key = taken_key(conn, "law_change_history", "id", &ids).await;
                return Err(errors::duplicate("law change status change", key));
            }
            let references: Vec<Ref> = chunk
                .iter()
                .flat_map(|h| {
                    [
                        Some(law_change_ref(h.law_change_id.0)),
                        h.actor_id.map(|u| Ref::user(u.0)),
                    ]
                })
                .flatten()
                .collect();
            return Err(refs::missing(conn, e, "insert law change history", &references).await);
        }
    }
    Ok(items.len() as u64)
}

pub(crate) async fn insert_milestones(
    conn: &mut SqliteConnection,
    items: &[&Milestone],
) -> StoreResult<u64> {
    for chunk in items.chunks(CHUNK) {
        let mut qb =
            QueryBuilder::<Sqlite>::new(format!("INSERT INTO milestones ({MILESTONE_COLUMNS}) "));
        qb.push_values(chunk, |mut row, m| {
            row.push_bind(uuid(m.id.0))
                .push_bind(m.name.clone())
                .push_bind(m.platform.map(|p| p.as_str()))
                .push_bind(m.planned_on.map(day))
                .push_bind(m.status.as_str())
                .push_bind(m.done_on.map(day))
                .push_bind(m.notes.clone())
                .push_bind(i64::from(m.version))
                .push_bind(instant(m.created_at))
                .push_bind(instant(m.updated_at));
        });
        if let Err(e) = qb.build().execute(&mut *conn).await {
            if errors::unique_violation(&e) == Some(UniqueKey::MilestoneId) {
                let ids: Vec<String> = chunk.iter().map(|m| uuid(m.id.0)).collect();
                let key = taken_key(conn, "milestones", "id", &ids).await;
                return Err(errors::duplicate("milestone", key));
            }
            return Err(errors::from_sqlx("insert milestones", e));
        }
    }
    Ok(items.len() as u64)
}

pub(crate) async fn update_milestone(
    conn: &mut SqliteConnection,
    m: &Milestone,
    expected: i32,
) -> StoreResult<()> {
    let done = sqlx::query(
        "UPDATE milestones SET name = ?, platform = ?, planned_on = ?, status = ?, done_on = ?, \
         notes = ?, version = ?, updated_at = ? WHERE id = ? AND version = ?",
    )
    .bind(m.name.as_str())
    .bind(m.platform.map(|p| p.as_str()))
    .bind(m.planned_on.map(day))
    .bind(m.status.as_str())
    .bind(m.done_on.map(day))
    .bind(m.notes.as_deref())
    .bind(i64::from(m.version))
    .bind(instant(m.updated_at))
    .bind(uuid(m.id.0))
    .bind(i64::from(expected))
    .execute(&mut *conn)
    .await
    .map_err(ctx("update milestone"))?;
    if done.rows_affected() == 1 {
        return Ok(());
    }
    Err(mismatch(conn, "milestone", "milestones", m.id.0, expected).await)
}

/// The table and entity name of what a dependency points at.
fn target(on: BlockerRef) -> (&'static str, &'static str) {
    match on {
        BlockerRef::LawChange(_) => ("law change", "law_changes"),
        BlockerRef::Milestone(_) => ("milestone", "milestones"),
        BlockerRef::Procedure(_) => ("procedure", "procedures"),
    }
}

fn dependency_refs(d: &Dependency) -> impl Iterator<Item = Ref> {
    [
        Some(Ref::procedure(d.procedure_id.0)),
        d.created_by.map(|u| Ref::user(u.0)),
        d.removed_by.map(|u| Ref::user(u.0)),
    ]
    .into_iter()
    .flatten()
}

/// One dependency, from a batch: like [`insert_dependencies`], and also `NotFound` when what it
/// points at does not exist (the column has no foreign key: it points into three tables).
pub(crate) async fn insert_dependency(
    conn: &mut SqliteConnection,
    d: &Dependency,
) -> StoreResult<()> {
    let (entity, table) = target(d.on);
    let sql = format!(
        "INSERT INTO dependencies ({DEPENDENCY_COLUMNS}) \
         SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM {table} WHERE id = ?)"
    );
    let done = sqlx::query(AssertSqlSafe(sql))
        .bind(uuid(d.id.0))
        .bind(uuid(d.procedure_id.0))
        .bind(d.on.kind())
        .bind(uuid(d.on.uuid()))
        .bind(d.reason.as_deref())
        .bind(d.created_by.map(|u| uuid(u.0)))
        .bind(instant(d.created_at))
        .bind(d.removed_at.map(instant))
        .bind(d.removed_by.map(|u| uuid(u.0)))
        .bind(d.removed_reason.as_deref())
        .bind(uuid(d.on.uuid()))
        .execute(&mut *conn)
        .await;
    match done {
        Ok(done) if done.rows_affected() == 1 => Ok(()),
        Ok(_) => Err(errors::not_found(entity, d.on.uuid())),
        Err(e) => Err(dependency_error(conn, e, std::slice::from_ref(&d)).await),
    }
}

async fn dependency_error(
    conn: &mut SqliteConnection,
    e: sqlx::Error,
    chunk: &[&Dependency],
) -> StoreError {
    match errors::unique_violation(&e) {
        Some(UniqueKey::DependencyId) => {
            let ids: Vec<String> = chunk.iter().map(|d| uuid(d.id.0)).collect();
            errors::duplicate(
                "dependency",
                taken_key(conn, "dependencies", "id", &ids).await,
            )
        }
        Some(UniqueKey::ActiveDependency) => {
            // A single write names its edge; a bulk load names the first edge of the chunk
            // already active, if any (else two rows of the chunk are the same edge).
            let key = match chunk {
                [d] => dependency_key(d),
                _ => String::new(),
            };
            errors::duplicate("dependency", key)
        }
        _ => {
            let references: Vec<Ref> = chunk.iter().flat_map(|d| dependency_refs(d)).collect();
            refs::missing(conn, e, "insert dependencies", &references).await
        }
    }
}

/// Dependencies as given (a bulk load vouches for what they point at).
pub(crate) async fn insert_dependencies(
    conn: &mut SqliteConnection,
    items: &[&Dependency],
) -> StoreResult<u64> {
    for chunk in items.chunks(CHUNK) {
        let mut qb = QueryBuilder::<Sqlite>::new(format!(
            "INSERT INTO dependencies ({DEPENDENCY_COLUMNS}) "
        ));
        qb.push_values(chunk, |mut row, d| {
            row.push_bind(uuid(d.id.0))
                .push_bind(uuid(d.procedure_id.0))
                .push_bind(d.on.kind())
                .push_bind(uuid(d.on.uuid()))
                .push_bind(d.reason.clone())
                .push_bind(d.created_by.map(|u| uuid(u.0)))
                .push_bind(instant(d.created_at))
                .push_bind(d.removed_at.map(instant))
                .push_bind(d.removed_by.map(|u| uuid(u.0)))
                .push_bind(d.removed_reason.clone());
        });
        if let Err(e) = qb.build().execute(&mut *conn).await {
            return Err(dependency_error(conn, e, chunk).await);
        }
    }
    Ok(items.len() as u64)
}

/// Records the removal of an active dependency; `NotFound` when unknown or already removed.
pub(crate) async fn remove_dependency(
    conn: &mut SqliteConnection,
    id: DependencyId,
    removed_by: Option<UserId>,
    removed_at: chrono::DateTime<chrono::Utc>,
    reason: Option<&str>,
) -> StoreResult<()> {
    let done = sqlx::query(
        "UPDATE dependencies SET removed_at = ?, removed_by = ?, removed_reason = ? \
         WHERE id = ? AND removed_at IS NULL",
    )
    .bind(instant(removed_at))
    .bind(removed_by.map(|u| uuid(u.0)))
    .bind(reason)
    .bind(uuid(id.0))
    .execute(&mut *conn)
    .await;
    match done {
        Ok(done) if done.rows_affected() == 1 => Ok(()),
        Ok(_) => Err(errors::not_found("dependency", id)),
        Err(e) => {
            let references: Vec<Ref> = removed_by.map(|u| Ref::user(u.0)).into_iter().collect();
            Err(refs::missing(conn, e, "remove dependency", &references).await)
        }
    }
}
