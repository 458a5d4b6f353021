//! Single-procedure writes (create with its creation record, optimistic patch) and point reads.
//! State changes are absent on purpose: they go through [`crate::transitions`] so that every one
//! leaves a history record. Listing and counting live in [`crate::listing`].

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use rollout_domain::audit::AuditEntry;
use rollout_domain::{Procedure, ProcedureCode, ProcedureId, ProcedurePatch, TransitionRecord};
use rollout_store::{StoreError, StoreResult};
use sqlx::postgres::PgExecutor;
use sqlx::{PgConnection, PgPool, Postgres, QueryBuilder};
use uuid::Uuid;

use crate::rows::{self, procedure_columns, record_columns};
use crate::{audit, errors};

pub(crate) async fn create(
    pool: &PgPool,
    procedure: Procedure,
    creation: TransitionRecord,
    entry: &AuditEntry,
) -> StoreResult<Procedure> {
    let mut tx = pool.begin().await.map_err(errors::db("begin"))?;
    let stored = create_in(&mut tx, &procedure, &creation).await?;
    audit::insert(&mut *tx, entry).await?;
    tx.commit().await.map_err(errors::db("commit"))?;
    Ok(stored)
}

/// The procedure row and its creation record on the caller's connection (inside its
/// transaction); the row as stored, decoded before the caller commits.
pub(crate) async fn create_in(
    conn: &mut PgConnection,
    procedure: &Procedure,
    creation: &TransitionRecord,
) -> StoreResult<Procedure> {
    let row = sqlx::query(concat!(
        "INSERT INTO procedures (",
        procedure_columns!(),
        ", search_text) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) \
         RETURNING ",
        procedure_columns!()
    ))
    .bind(procedure.id.as_uuid())
    .bind(procedure.code.as_str())
    .bind(&procedure.name)
    .bind(&procedure.name_en)
    .bind(procedure.bureau_id.as_uuid())
    .bind(procedure.category.as_str())
    .bind(procedure.authority.as_str())
    .bind(procedure.annual_applications)
    .bind(procedure.process_count)
    .bind(procedure.platform.map(|p| p.as_str()))
    .bind(procedure.target_quarter.as_ref().map(rows::quarter_key))
    .bind(procedure.released_on)
    .bind(&procedure.state)
    .bind(procedure.version)
    .bind(procedure.created_at)
    .bind(procedure.updated_at)
    .bind(procedure.search_text())
    .fetch_one(&mut *conn)
    .await
    .map_err(errors::write("insert procedure", |constraint| {
        Some(match constraint {
            "procedures_bureau_id_fkey" => procedure.bureau_id.to_string(),
            "procedures_pkey" => procedure.id.to_string(),
            _ => procedure.code.as_str().to_owned(),
        })
    }))?;
    let stored = rows::procedure(&row)?;
    insert_record(&mut *conn, creation).await?;
    Ok(stored)
}

/// Inserts one history record: a creation's. A transition inserts its record inside its single
/// statement ([`crate::transitions`]), with [`push_record_insert`].
async fn insert_record(
    executor: impl PgExecutor<'_>,
    record: &TransitionRecord,
) -> StoreResult<()> {
    let mut q = QueryBuilder::new("");
    push_record_insert(&mut q, record, "");
    q.build()
        .execute(executor)
        .await
        .map_err(errors::write("insert transition record", |constraint| {
            record_key(record, constraint)
        }))?;
    Ok(())
}

/// Pushes `INSERT INTO transition_records (...) SELECT <the record's values, bound> <source>`:
/// with an empty `source` one plain insert; with ` FROM <cte>` an insert that happens only when
/// that common table expression has a row (a transition's single statement).
pub(crate) fn push_record_insert(
    q: &mut QueryBuilder<Postgres>,
    record: &TransitionRecord,
    source: &str,
) {
    q.push(concat!(
        "INSERT INTO transition_records (",
        record_columns!(),
        ") SELECT "
    ));
    let mut values = q.separated(", ");
    values.push_bind(record.id.as_uuid());
    values.push_bind(record.procedure_id.as_uuid());
    values.push_bind(&record.from_state);
    values.push_bind(&record.to_state);
    values.push_bind(&record.transition);
    values.push_bind(&record.actor);
    values.push_bind(&record.comment);
    values.push_bind(record.at);
    values.push_bind(&record.workflow_version);
    values.push_bind(record.procedure_version);
    values.push_bind(record.approval_request_id.map(|r| r.as_uuid()));
    q.push(source);
}

/// The offending value when an insert of `record` violates `constraint`, for [`errors::write`].
pub(crate) fn record_key(record: &TransitionRecord, constraint: &str) -> Option<String> {
    Some(match constraint {
        "transition_records_approval_request_id_fkey" => record
            .approval_request_id
            .map(|r| r.to_string())
            .unwrap_or_default(),
        "transition_records_procedure_id_fkey" => record.procedure_id.to_string(),
        _ => record.id.to_string(),
    })
}

/// What a zero-row compare-and-set means: the procedure is gone, or its version moved on.
pub(crate) async fn cas_failure(
    executor: impl PgExecutor<'_>,
    id: ProcedureId,
    expected: i32,
) -> StoreError {
    let stored = sqlx::query_scalar::<_, i32>("SELECT version FROM procedures WHERE id = $1")
        .bind(id.as_uuid())
        .fetch_optional(executor)
        .await;
    match stored {
        Ok(Some(actual)) => StoreError::Conflict { expected, actual },
        Ok(None) => StoreError::NotFound {
            entity: "procedure",
            key: id.to_string(),
        },
        Err(e) => errors::classify("read procedure version", e),
    }
}

pub(crate) async fn update(
    pool: &PgPool,
    id: ProcedureId,
    expected_version: i32,
    patch: &ProcedurePatch,
    now: DateTime<Utc>,
    entry: &AuditEntry,
) -> StoreResult<Procedure> {
    let mut tx = pool.begin().await.map_err(errors::db("begin"))?;
    let updated = update_in(&mut tx, id, expected_version, patch, now).await?;
    audit::insert(&mut *tx, entry).await?;
    tx.commit().await.map_err(errors::db("commit"))?;
    Ok(updated)
}

/// The compare-and-set patch on the caller's connection (inside its transaction): the row as
/// updated, decoded before the caller commits, or `Conflict`/`NotFound`.
pub(crate) async fn update_in(
    conn: &mut PgConnection,
    id: ProcedureId,
    expected_version: i32,
    patch: &ProcedurePatch,
    now: DateTime<Utc>,
) -> StoreResult<Procedure> {
    let mut q = QueryBuilder::<Postgres>::new("UPDATE procedures SET ");
    let mut set = q.separated(", ");
    if let Some(v) = &patch.name {
        set.push("name = ").push_bind_unseparated(v.as_str());
    }
    if let Some(v) = &patch.name_en {
        set.push("name_en = ").push_bind_unseparated(v.as_deref());
    }
    if let Some(v) = patch.bureau_id {
        set.push("bureau_id = ").push_bind_unseparated(v.as_uuid());
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
        set.push("process_count = ").push_bind_unseparated(v);
    }
    if let Some(v) = patch.platform {
        set.push("platform = ")
            .push_bind_unseparated(v.map(|p| p.as_str()));
    }
    if let Some(v) = &patch.target_quarter {
        set.push("target_quarter = ")
            .push_bind_unseparated(v.as_ref().map(rows::quarter_key));
    }
    if let Some(v) = patch.released_on {
        set.push("released_on = ").push_bind_unseparated(v);
    }
    set.push("version = version + 1");
    set.push("updated_at = ").push_bind_unseparated(now);
    q.push(" WHERE id = ")
        .push_bind(id.as_uuid())
        .push(" AND version = ")
        .push_bind(expected_version)
        .push(concat!(" RETURNING ", procedure_columns!()));

    let bureau = patch.bureau_id.map(|b| b.to_string());
    let row = q
        .build()
        .fetch_optional(&mut *conn)
        .await
        .map_err(errors::write("update procedure", |_| bureau))?;
    let Some(row) = row else {
        return Err(cas_failure(&mut *conn, id, expected_version).await);
    };
    let updated = rows::procedure(&row)?;
    if patch.name.is_some() || patch.name_en.is_some() {
        sqlx::query("UPDATE procedures SET search_text = $1 WHERE id = $2")
            .bind(updated.search_text())
            .bind(id.as_uuid())
            .execute(&mut *conn)
            .await
            .map_err(errors::db("update search text"))?;
    }
    Ok(updated)
}

/// Rows filled per statement by [`fill_search_text`].
const FILL_BATCH: i64 = 1_000;

/// Computes `search_text` for rows written before it existed (migration 0004), in batches, in
/// Rust, so that the folding is the domain's and the same as SQLite's. Idempotent: only NULL
/// rows are read, and a second run finds none.
pub(crate) async fn fill_search_text(pool: &PgPool) -> StoreResult<u64> {
    let mut filled = 0;
    loop {
        let rows: Vec<(Uuid, String, String, Option<String>)> = sqlx::query_as(
            "SELECT id, code, name, name_en FROM procedures WHERE search_text IS NULL LIMIT $1",
        )
        .bind(FILL_BATCH)
        .fetch_all(pool)
        .await
        .map_err(errors::db("read procedures without search text"))?;
        if rows.is_empty() {
            return Ok(filled);
        }
        let ids: Vec<Uuid> = rows.iter().map(|r| r.0).collect();
        let texts: Vec<String> = rows
            .iter()
            .map(|(_, code, name, name_en)| {
                rollout_domain::procedure::search_text(code, name, name_en.as_deref())
            })
            .collect();
        let done = sqlx::query(
            "UPDATE procedures p SET search_text = v.text \
             FROM UNNEST($1::uuid[], $2::text[]) AS v(id, text) WHERE p.id = v.id",
        )
        .bind(ids)
        .bind(texts)
        .execute(pool)
        .await
        .map_err(errors::db("fill search text"))?;
        filled += done.rows_affected();
    }
}

pub(crate) async fn by_id(pool: &PgPool, id: ProcedureId) -> StoreResult<Option<Procedure>> {
    let found = sqlx::query(concat!(
        "SELECT ",
        procedure_columns!(),
        " FROM procedures WHERE id = $1"
    ))
    .bind(id.as_uuid())
    .fetch_optional(pool)
    .await
    .map_err(errors::db("load procedure"))?;
    found.as_ref().map(rows::procedure).transpose()
}

pub(crate) async fn by_code(pool: &PgPool, code: &ProcedureCode) -> StoreResult<Option<Procedure>> {
    let found = sqlx::query(concat!(
        "SELECT ",
        procedure_columns!(),
        " FROM procedures WHERE code = $1"
    ))
    .bind(code.as_str())
    .fetch_optional(pool)
    .await
    .map_err(errors::db("load procedure by code"))?;
    found.as_ref().map(rows::procedure).transpose()
}

pub(crate) async fn by_ids(pool: &PgPool, ids: &[ProcedureId]) -> StoreResult<Vec<Procedure>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<Uuid> = ids.iter().map(ProcedureId::as_uuid).collect();
    let found = sqlx::query(concat!(
        "SELECT ",
        procedure_columns!(),
        " FROM procedures WHERE id = ANY($1)"
    ))
    .bind(ids)
    .fetch_all(pool)
    .await
    .map_err(errors::db("load procedures by id"))?;
    rows::all(&found, rows::procedure)
}

pub(crate) async fn existing_codes(
    pool: &PgPool,
    codes: &[ProcedureCode],
) -> StoreResult<Vec<ProcedureCode>> {
    if codes.is_empty() {
        return Ok(Vec::new());
    }
    let raw: Vec<&str> = codes.iter().map(ProcedureCode::as_str).collect();
    let found: HashSet<String> =
        sqlx::query_scalar("SELECT code FROM procedures WHERE code = ANY($1)")
            .bind(raw)
            .fetch_all(pool)
            .await
            .map_err(errors::db("look up procedure codes"))?
            .into_iter()
            .collect();
    // The caller's own values, in the caller's order: the import names them by line.
    Ok(codes
        .iter()
        .filter(|c| found.contains(c.as_str()))
        .cloned()
        .collect())
}
