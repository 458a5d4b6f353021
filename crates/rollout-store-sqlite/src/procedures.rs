//! Single procedures: creation with its creation record, the optimistic update (each with its
//! audit entry in the same transaction), and lookups by
//! id, code and batches of either. Listing and counting live in [`crate::listing`].

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use rollout_domain::audit::AuditEntry;
use rollout_domain::{
    Platform, Procedure, ProcedureCode, ProcedureId, ProcedurePatch, TransitionRecord,
};
use rollout_store::{StoreError, StoreResult};
use sqlx::{AssertSqlSafe, QueryBuilder, Sqlite, SqliteConnection, SqlitePool};

use crate::bulk::{procedure_insert, record_insert};
use crate::bureaus::IN_CHUNK;
use crate::errors::{self, UniqueKey, ctx};
use crate::rows::{
    PROCEDURE_COLUMNS, ProcedureParams, ProcedureRow, RecordParams, day, decode_all, instant, uuid,
};
use crate::{audit, begin_write, commit};

pub(crate) async fn create(
    writer: &SqlitePool,
    procedure: Procedure,
    creation: TransitionRecord,
    entry: &AuditEntry,
) -> StoreResult<Procedure> {
    let mut tx = begin_write(writer).await?;
    let stored = create_in(&mut tx, &procedure, &creation).await?;
    audit::insert(&mut tx, entry).await?;
    commit(tx).await?;
    Ok(stored)
}

/// The procedure row and its creation record, inside the caller's write transaction; the row as
/// stored, decoded (so that a row which cannot be read back is never committed).
pub(crate) async fn create_in(
    conn: &mut SqliteConnection,
    procedure: &Procedure,
    creation: &TransitionRecord,
) -> StoreResult<Procedure> {
    let mut insert = procedure_insert([ProcedureParams::from(procedure)]);
    insert.push(format!(" RETURNING {PROCEDURE_COLUMNS}"));
    let row: ProcedureRow = insert
        .build_query_as()
        .fetch_one(&mut *conn)
        .await
        .map_err(|e| match errors::unique_violation(&e) {
            Some(UniqueKey::ProcedureCode) => errors::duplicate("procedure", &procedure.code),
            Some(UniqueKey::ProcedureId) => errors::duplicate("procedure", procedure.id),
            _ if errors::is_foreign_key_violation(&e) => {
                errors::not_found("bureau", procedure.bureau_id)
            }
            _ => errors::from_sqlx("insert procedure", e),
        })?;
    record_insert([RecordParams::from(creation)])
        .build()
        .execute(&mut *conn)
        .await
        .map_err(ctx("insert creation record"))?;
    row.into_domain()
}

pub(crate) async fn update(
    writer: &SqlitePool,
    id: ProcedureId,
    expected_version: i32,
    patch: &ProcedurePatch,
    now: DateTime<Utc>,
    entry: &AuditEntry,
) -> StoreResult<Procedure> {
    let mut tx = begin_write(writer).await?;
    let updated = update_in(&mut tx, id, expected_version, patch, now).await?;
    audit::insert(&mut tx, entry).await?;
    commit(tx).await?;
    Ok(updated)
}

/// The compare-and-set patch inside the caller's write transaction: the row as updated, decoded
/// (so that a row which cannot be read back is never committed), or `Conflict`/`NotFound`.
pub(crate) async fn update_in(
    conn: &mut SqliteConnection,
    id: ProcedureId,
    expected_version: i32,
    patch: &ProcedurePatch,
    now: DateTime<Utc>,
) -> StoreResult<Procedure> {
    let mut qb = QueryBuilder::<Sqlite>::new("UPDATE procedures SET ");
    let mut set = qb.separated(", ");
    if let Some(v) = &patch.name {
        set.push("name = ").push_bind_unseparated(v.clone());
    }
    if let Some(v) = &patch.name_en {
        set.push("name_en = ").push_bind_unseparated(v.clone());
    }
    if let Some(v) = patch.bureau_id {
        set.push("bureau_id = ").push_bind_unseparated(uuid(v.0));
    }
    if let Some(v) = patch.category {
        set.push("category = ").push_bind_unseparated(v.as_str());
    }
    if let Some(v) = patch.authority {
        set.push("authority = ").push_bind_unseparated(v.as_str());
    }
    if let Some(v) = patch.annual_applications {
        set.push("annual_applications = ").push_bind_unseparated(v);
    }
    if let Some(v) = patch.process_count {
        set.push("process_count = ")
            .push_bind_unseparated(i64::from(v));
    }
    if let Some(v) = patch.platform {
        set.push("platform = ")
            .push_bind_unseparated(v.map(Platform::as_str));
    }
    if let Some(v) = patch.target_quarter {
        set.push("target_quarter = ")
            .push_bind_unseparated(v.map(|q| q.to_string()));
    }
    if let Some(v) = patch.released_on {
        set.push("released_on = ").push_bind_unseparated(v.map(day));
    }
    set.push("version = version + 1");
    set.push("updated_at = ")
        .push_bind_unseparated(instant(now));
    qb.push(" WHERE id = ")
        .push_bind(uuid(id.0))
        .push(" AND version = ")
        .push_bind(i64::from(expected_version))
        .push(format!(" RETURNING {PROCEDURE_COLUMNS}"));

    let row: Option<ProcedureRow> = qb
        .build_query_as()
        .fetch_optional(&mut *conn)
        .await
        .map_err(|e| match patch.bureau_id {
            Some(bureau) if errors::is_foreign_key_violation(&e) => {
                errors::not_found("bureau", bureau)
            }
            _ => errors::from_sqlx("update procedure", e),
        })?;
    let Some(row) = row else {
        return Err(version_mismatch(conn, id, expected_version).await);
    };
    let updated = row.into_domain()?;
    if patch.name.is_some() || patch.name_en.is_some() {
        set_search_text(conn, id, &updated.search_text()).await?;
    }
    Ok(updated)
}

async fn set_search_text(
    conn: &mut SqliteConnection,
    id: ProcedureId,
    text: &str,
) -> StoreResult<()> {
    sqlx::query("UPDATE procedures SET search_text = ? WHERE id = ?")
        .bind(text)
        .bind(uuid(id.0))
        .execute(conn)
        .await
        .map_err(ctx("update search text"))?;
    Ok(())
}

/// Rows filled per write transaction by [`fill_search_text`], so that the writer is never held
/// for long.
const FILL_BATCH: i64 = 1_000;

/// Computes `search_text` for rows written before it existed (migration 0004), in batches, in
/// Rust: SQLite has no NFKC. Idempotent: only NULL rows are read, and a second run finds none.
pub(crate) async fn fill_search_text(writer: &SqlitePool) -> StoreResult<u64> {
    let mut filled = 0;
    loop {
        let mut tx = begin_write(writer).await?;
        let rows: Vec<(String, String, String, Option<String>)> = sqlx::query_as(
            "SELECT id, code, name, name_en FROM procedures WHERE search_text IS NULL LIMIT ?",
        )
        .bind(FILL_BATCH)
        .fetch_all(&mut *tx)
        .await
        .map_err(ctx("read procedures without search text"))?;
        if rows.is_empty() {
            commit(tx).await?;
            return Ok(filled);
        }
        for (id, code, name, name_en) in &rows {
            let text = rollout_domain::procedure::search_text(code, name, name_en.as_deref());
            sqlx::query("UPDATE procedures SET search_text = ? WHERE id = ?")
                .bind(text)
                .bind(id)
                .execute(&mut *tx)
                .await
                .map_err(ctx("fill search text"))?;
        }
        commit(tx).await?;
        filled += rows.len() as u64;
    }
}

/// Why a compare-and-set on `version` matched no row, read inside the same write transaction so
/// that the answer is the state the update saw: `NotFound`, or `Conflict` with the stored version.
pub(crate) async fn version_mismatch(
    conn: &mut SqliteConnection,
    id: ProcedureId,
    expected: i32,
) -> StoreError {
    let stored: Result<Option<i64>, _> =
        sqlx::query_scalar("SELECT version FROM procedures WHERE id = ?")
            .bind(uuid(id.0))
            .fetch_optional(conn)
            .await;
    match stored {
        Ok(None) => errors::not_found("procedure", id),
        Ok(Some(actual)) => match i32::try_from(actual) {
            Ok(actual) => StoreError::Conflict { expected, actual },
            Err(_) => StoreError::corrupt(format!(
                "corrupt value {actual} in column procedures.version"
            )),
        },
        Err(e) => errors::from_sqlx("read procedure version", e),
    }
}

pub(crate) async fn get(reader: &SqlitePool, id: ProcedureId) -> StoreResult<Option<Procedure>> {
    let sql = format!("SELECT {PROCEDURE_COLUMNS} FROM procedures WHERE id = ?");
    let row: Option<ProcedureRow> = sqlx::query_as(AssertSqlSafe(sql))
        .bind(uuid(id.0))
        .fetch_optional(reader)
        .await
        .map_err(ctx("load procedure"))?;
    row.map(ProcedureRow::into_domain).transpose()
}

pub(crate) async fn by_code(
    reader: &SqlitePool,
    code: &ProcedureCode,
) -> StoreResult<Option<Procedure>> {
    let sql = format!("SELECT {PROCEDURE_COLUMNS} FROM procedures WHERE code = ?");
    let row: Option<ProcedureRow> = sqlx::query_as(AssertSqlSafe(sql))
        .bind(code.as_str())
        .fetch_optional(reader)
        .await
        .map_err(ctx("load procedure by code"))?;
    row.map(ProcedureRow::into_domain).transpose()
}

pub(crate) async fn by_ids(
    reader: &SqlitePool,
    ids: &[ProcedureId],
) -> StoreResult<Vec<Procedure>> {
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(IN_CHUNK) {
        let mut qb = QueryBuilder::<Sqlite>::new(format!(
            "SELECT {PROCEDURE_COLUMNS} FROM procedures WHERE id IN ("
        ));
        let mut list = qb.separated(", ");
        for id in chunk {
            list.push_bind(uuid(id.0));
        }
        qb.push(")");
        let rows: Vec<ProcedureRow> = qb
            .build_query_as()
            .fetch_all(reader)
            .await
            .map_err(ctx("load procedures by id"))?;
        out.extend(decode_all(rows, ProcedureRow::into_domain)?);
    }
    Ok(out)
}

pub(crate) async fn existing_codes(
    reader: &SqlitePool,
    codes: &[ProcedureCode],
) -> StoreResult<Vec<ProcedureCode>> {
    let mut out = Vec::new();
    for chunk in codes.chunks(IN_CHUNK) {
        let mut qb = QueryBuilder::<Sqlite>::new("SELECT code FROM procedures WHERE code IN (");
        let mut list = qb.separated(", ");
        for code in chunk {
            list.push_bind(code.as_str().to_owned());
        }
        qb.push(")");
        let found: HashSet<String> = qb
            .build_query_scalar()
            .fetch_all(reader)
            .await
            .map_err(ctx("look up procedure codes"))?
            .into_iter()
            .collect();
        // The stored codes are among the caller's, so hand back the caller's values.
        out.extend(chunk.iter().filter(|c| found.contains(c.as_str())).cloned());
    }
    Ok(out)
}
