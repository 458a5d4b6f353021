//! Workflow transitions: the atomic apply (compare-and-set on the version, history record,
//! idempotency claim, audit entry), reusable inside a vote's transaction; idempotency lookups;
//! and a procedure's history, in version order, alone or the first pages of many at once.

use rollout_domain::workflow::PlannedTransition;
use rollout_domain::{
    IdempotencyKey, Procedure, ProcedureId, TransitionRecord, TransitionRecordId,
};
use rollout_store::{
    HistoryCursor, IdempotencyClaim, IdempotencyHit, Page, PageRequest, StoreResult,
    TransitionWrite, first_pages,
};
use sqlx::{AssertSqlSafe, FromRow, QueryBuilder, Sqlite, SqliteConnection, SqlitePool};

use crate::bulk::record_insert;
use crate::errors::{self, UniqueKey, ctx};
use crate::procedures::version_mismatch;
use crate::rows::{
    PROCEDURE_COLUMNS, ProcedureRow, RECORD_COLUMNS, RecordParams, RecordRow, day, decode_all,
    instant, uuid,
};
use crate::{audit, begin_write, commit, paging};

pub(crate) async fn apply(writer: &SqlitePool, write: &TransitionWrite) -> StoreResult<Procedure> {
    let mut tx = begin_write(writer).await?;
    let procedure = apply_in(&mut tx, write).await?;
    commit(tx).await?;
    Ok(procedure)
}

/// Everything `apply_transition` writes, inside the caller's transaction: the compare-and-set,
/// the history record as planned (naming the approval request when a vote applies it), the
/// idempotency claim and the write's audit entry. The caller commits, or drops the transaction
/// on error.
pub(crate) async fn apply_in(
    conn: &mut SqliteConnection,
    write: &TransitionWrite,
) -> StoreResult<Procedure> {
    let procedure = apply_plan_in(conn, &write.plan, write.idempotency.as_ref()).await?;
    audit::insert(conn, &write.audit).await?;
    Ok(procedure)
}

/// [`apply_in`] without the audit entry, for a batch that carries its entries as writes of
/// their own: the compare-and-set, the history record and the idempotency claim, if any.
pub(crate) async fn apply_plan_in(
    conn: &mut SqliteConnection,
    plan: &PlannedTransition,
    idempotency: Option<&IdempotencyClaim>,
) -> StoreResult<Procedure> {
    let id = plan.record.procedure_id;
    let sql = format!(
        "UPDATE procedures SET state = ?, released_on = ?, version = version + 1, updated_at = ? \
         WHERE id = ? AND version = ? RETURNING {PROCEDURE_COLUMNS}"
    );
    let row: Option<ProcedureRow> = sqlx::query_as(AssertSqlSafe(sql))
        .bind(plan.to_state.as_str())
        .bind(plan.released_on.map(day))
        .bind(instant(plan.record.at))
        .bind(uuid(id.0))
        .bind(i64::from(plan.expected_version))
        .fetch_optional(&mut *conn)
        .await
        .map_err(ctx("apply transition"))?;
    let Some(row) = row else {
        return Err(version_mismatch(conn, id, plan.expected_version).await);
    };
    record_insert([RecordParams::from(&plan.record)])
        .build()
        .execute(&mut *conn)
        .await
        .map_err(ctx("insert transition record"))?;
    if let Some(claim) = idempotency {
        sqlx::query(
            "INSERT INTO idempotency_keys (owner, key, fingerprint, record_id, created_at) \
             VALUES (?, ?, ?, ?, ?)",
        )
        .bind(claim.owner.as_str())
        .bind(claim.key.as_str())
        .bind(claim.fingerprint.as_str())
        .bind(uuid(plan.record.id.0))
        .bind(instant(plan.record.at))
        .execute(&mut *conn)
        .await
        .map_err(|e| match errors::unique_violation(&e) {
            Some(UniqueKey::IdempotencyKey) => {
                errors::duplicate("idempotency key", claim.key.as_str())
            }
            _ => errors::from_sqlx("insert idempotency key", e),
        })?;
    }
    row.into_domain()
}

/// An idempotency row joined with the record it points at.
#[derive(Debug, FromRow)]
struct HitRow {
    fingerprint: String,
    #[sqlx(flatten)]
    record: RecordRow,
}

pub(crate) async fn idempotency_hit(
    reader: &SqlitePool,
    owner: &str,
    key: &IdempotencyKey,
) -> StoreResult<Option<IdempotencyHit>> {
    let columns = RECORD_COLUMNS
        .split(", ")
        .map(|c| format!("r.{c}"))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "SELECT k.fingerprint, {columns} FROM idempotency_keys k \
         JOIN transition_records r ON r.id = k.record_id WHERE k.owner = ? AND k.key = ?"
    );
    let row: Option<HitRow> = sqlx::query_as(AssertSqlSafe(sql))
        .bind(owner)
        .bind(key.as_str())
        .fetch_optional(reader)
        .await
        .map_err(ctx("load idempotency key"))?;
    row.map(|hit| {
        Ok(IdempotencyHit {
            fingerprint: hit.fingerprint,
            record: hit.record.into_domain()?,
        })
    })
    .transpose()
}

pub(crate) async fn record(
    reader: &SqlitePool,
    id: TransitionRecordId,
) -> StoreResult<Option<TransitionRecord>> {
    let sql = format!("SELECT {RECORD_COLUMNS} FROM transition_records WHERE id = ?");
    let row: Option<RecordRow> = sqlx::query_as(AssertSqlSafe(sql))
        .bind(uuid(id.0))
        .fetch_optional(reader)
        .await
        .map_err(ctx("load transition record"))?;
    row.map(RecordRow::into_domain).transpose()
}

pub(crate) async fn records_by_ids(
    reader: &SqlitePool,
    ids: &[TransitionRecordId],
) -> StoreResult<Vec<TransitionRecord>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = QueryBuilder::<Sqlite>::new(format!(
        "SELECT {RECORD_COLUMNS} FROM transition_records WHERE id IN ("
    ));
    let mut list = q.separated(", ");
    for id in ids {
        list.push_bind(uuid(id.0));
    }
    q.push(")");
    let rows: Vec<RecordRow> = q
        .build_query_as()
        .fetch_all(reader)
        .await
        .map_err(ctx("load transition records"))?;
    rows.into_iter().map(RecordRow::into_domain).collect()
}

pub(crate) async fn history(
    reader: &SqlitePool,
    procedure: ProcedureId,
    page: &PageRequest<HistoryCursor>,
) -> StoreResult<Page<TransitionRecord>> {
    let procedure_id = uuid(procedure.0);
    let mut items_query = QueryBuilder::<Sqlite>::new(format!(
        "SELECT {RECORD_COLUMNS} FROM transition_records WHERE procedure_id = "
    ));
    items_query.push_bind(procedure_id.clone());
    if let Some(cursor) = &page.after {
        items_query
            .push(" AND procedure_version > ")
            .push_bind(i64::from(cursor.procedure_version));
    }
    let limit = page.fetch_limit();
    items_query
        .push(" ORDER BY procedure_version LIMIT ")
        .push_bind(limit);

    let count = page.with_total.then(|| {
        sqlx::query_scalar("SELECT COUNT(*) FROM transition_records WHERE procedure_id = ?")
            .bind(procedure_id)
    });
    let (rows, total_count) = paging::fetch(
        reader,
        items_query.build_query_as::<RecordRow>(),
        count,
        "load history",
    )
    .await?;

    let items = decode_all(rows, RecordRow::into_domain)?;
    Ok(Page::from_overfetch(items, page, total_count))
}

/// A record with its procedure's number of records, as [`histories`] reads it.
#[derive(FromRow)]
struct CountedRecordRow {
    #[sqlx(flatten)]
    record: RecordRow,
    total: i64,
}

/// The first page of each procedure's history in one statement: a row number per procedure
/// (the window) cut at the page's fetch limit, and each procedure's count alongside, so the
/// pages and their totals are one snapshot.
pub(crate) async fn histories(
    reader: &SqlitePool,
    procedures: &[ProcedureId],
    page: &PageRequest<HistoryCursor>,
) -> StoreResult<Vec<(ProcedureId, Page<TransitionRecord>)>> {
    if procedures.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = QueryBuilder::<Sqlite>::new(format!(
        "SELECT {RECORD_COLUMNS}, total FROM (SELECT {RECORD_COLUMNS}, \
         ROW_NUMBER() OVER (PARTITION BY procedure_id ORDER BY procedure_version) AS n, \
         COUNT(*) OVER (PARTITION BY procedure_id) AS total \
         FROM transition_records WHERE procedure_id IN ("
    ));
    let mut ids = q.separated(", ");
    for id in procedures {
        ids.push_bind(uuid(id.0));
    }
    q.push(")) WHERE n <= ")
        .push_bind(page.fetch_limit())
        .push(" ORDER BY procedure_id, procedure_version");
    let rows: Vec<CountedRecordRow> = q
        .build_query_as()
        .fetch_all(reader)
        .await
        .map_err(ctx("load histories"))?;
    let mut counted = Vec::with_capacity(rows.len());
    for row in rows {
        let record = row.record.into_domain()?;
        counted.push((record.procedure_id, record, row.total));
    }
    Ok(first_pages(counted, page))
}
