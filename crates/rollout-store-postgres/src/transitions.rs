//! Applying planned transitions (compare-and-set, history record, idempotency claim and audit
//! entry in one statement, hence one transaction and one round trip), idempotency look-ups and history pages (one procedure's, or the
//! first pages of many in one statement). Which transition is
//! allowed is decided by the domain engine before this module is called; nothing here checks
//! the workflow.
//!
//! Concurrency relies on READ COMMITTED row locks: two transactions updating the same procedure
//! serialise on the row, and the second re-evaluates `version = $expected` against the committed
//! row, matches nothing and reports a conflict. No explicit `FOR UPDATE` or retry loop is needed.

use rollout_domain::audit::AuditEntry;
use rollout_domain::workflow::PlannedTransition;
use rollout_domain::{IdempotencyKey, Procedure, ProcedureId};
use rollout_store::{
    HistoryCursor, IdempotencyClaim, IdempotencyHit, Page, PageRequest, StoreResult,
    TransitionWrite, first_pages,
};
use sqlx::{PgConnection, PgPool, Postgres, QueryBuilder, Row};

use crate::procedures::{cas_failure, push_record_insert, record_key};
use crate::rows::{self, procedure_columns, record_columns};
use crate::{audit, errors, paging};

pub(crate) async fn apply(pool: &PgPool, write: &TransitionWrite) -> StoreResult<Procedure> {
    // One statement would be its own transaction, one round trip instead of three; but then the
    // row it returns would be decoded after the commit, and a use case that answers with an
    // error must have written nothing. BEGIN and COMMIT keep that; the writes stay one statement.
    let mut tx = pool.begin().await.map_err(errors::db("begin"))?;
    let updated = apply_in(&mut tx, write).await?;
    tx.commit().await.map_err(errors::db("commit"))?;
    Ok(updated)
}

/// The whole of a transition in one statement, on the caller's connection (inside its
/// transaction, if it has one): compare-and-set, history record, idempotency claim and audit
/// entry as data-modifying common table expressions, each insert reading `FROM moved` so that
/// nothing is inserted unless the compare-and-set matched. Any violation (the record's unique
/// `(procedure_id, procedure_version)`, the owner's idempotency key) fails the whole statement,
/// so nothing is half-written. Shared with the vote that completes an approval, so that a
/// conflict there rolls the vote back too.
pub(crate) async fn apply_in(
    conn: &mut PgConnection,
    write: &TransitionWrite,
) -> StoreResult<Procedure> {
    apply_plan_in(
        conn,
        &write.plan,
        write.idempotency.as_ref(),
        Some(&write.audit),
    )
    .await
}

/// [`apply_in`] with the idempotency claim and the audit entry each optional: a batch carries
/// its entries as writes of their own.
pub(crate) async fn apply_plan_in(
    conn: &mut PgConnection,
    plan: &PlannedTransition,
    idempotency: Option<&IdempotencyClaim>,
    entry: Option<&AuditEntry>,
) -> StoreResult<Procedure> {
    let id = plan.record.procedure_id;
    let mut q = QueryBuilder::<Postgres>::new("WITH moved AS (UPDATE procedures SET state = ");
    q.push_bind(&plan.to_state)
        .push(", released_on = ")
        .push_bind(plan.released_on)
        .push(", version = ")
        .push_bind(plan.expected_version + 1)
        .push(", updated_at = ")
        .push_bind(plan.record.at)
        .push(" WHERE id = ")
        .push_bind(id.as_uuid())
        .push(" AND version = ")
        .push_bind(plan.expected_version)
        .push(concat!(
            " RETURNING ",
            procedure_columns!(),
            "), record AS ("
        ));
    push_record_insert(&mut q, &plan.record, " FROM moved)");
    if let Some(claim) = idempotency {
        q.push(
            ", claim AS (INSERT INTO idempotency_keys (owner, key, fingerprint, record_id, \
             created_at) SELECT ",
        )
        .push_bind(&claim.owner)
        .push(", ")
        .push_bind(claim.key.as_str())
        .push(", ")
        .push_bind(&claim.fingerprint)
        .push(", ")
        .push_bind(plan.record.id.as_uuid())
        .push(", ")
        .push_bind(plan.record.at)
        .push(" FROM moved)");
    }
    if let Some(entry) = entry {
        q.push(", entry AS (");
        audit::push_insert(&mut q, entry, " FROM moved)");
    }
    q.push(concat!(" SELECT ", procedure_columns!(), " FROM moved"));
    let row = q
        .build()
        .fetch_optional(&mut *conn)
        .await
        .map_err(errors::write("apply transition", |constraint| {
            match (constraint, idempotency, entry) {
                ("idempotency_keys_pkey", Some(claim), _) => Some(claim.key.as_str().to_owned()),
                (c, _, Some(entry)) if c.starts_with("audit_log_") => audit::violated_key(entry, c),
                (c, _, _) => record_key(&plan.record, c),
            }
        }))?;
    let Some(row) = row else {
        return Err(cas_failure(&mut *conn, id, plan.expected_version).await);
    };
    rows::procedure(&row)
}

pub(crate) async fn idempotency_hit(
    pool: &PgPool,
    owner: &str,
    key: &IdempotencyKey,
) -> StoreResult<Option<IdempotencyHit>> {
    // The two tables share no column names, so the record columns need no qualifier.
    let found = sqlx::query(concat!(
        "SELECT fingerprint, ",
        record_columns!(),
        " FROM idempotency_keys JOIN transition_records ON transition_records.id = record_id \
         WHERE owner = $1 AND key = $2"
    ))
    .bind(owner)
    .bind(key.as_str())
    .fetch_optional(pool)
    .await
    .map_err(errors::db("load idempotency key"))?;
    found
        .map(|row| {
            Ok(IdempotencyHit {
                fingerprint: row
                    .try_get("fingerprint")
                    .map_err(errors::db("fingerprint"))?,
                record: rows::record(&row)?,
            })
        })
        .transpose()
}

pub(crate) async fn record(
    pool: &PgPool,
    id: rollout_domain::TransitionRecordId,
) -> StoreResult<Option<rollout_domain::TransitionRecord>> {
    let found = sqlx::query(concat!(
        "SELECT ",
        record_columns!(),
        " FROM transition_records WHERE id = $1"
    ))
    .bind(id.as_uuid())
    .fetch_optional(pool)
    .await
    .map_err(errors::db("load transition record"))?;
    found.map(|row| rows::record(&row)).transpose()
}

pub(crate) async fn records_by_ids(
    pool: &PgPool,
    ids: &[rollout_domain::TransitionRecordId],
) -> StoreResult<Vec<rollout_domain::TransitionRecord>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<uuid::Uuid> = ids.iter().map(|id| id.as_uuid()).collect();
    let found = sqlx::query(concat!(
        "SELECT ",
        record_columns!(),
        " FROM transition_records WHERE id = ANY($1)"
    ))
    .bind(&ids)
    .fetch_all(pool)
    .await
    .map_err(errors::db("load transition records"))?;
    found.iter().map(rows::record).collect()
}

pub(crate) async fn history(
    pool: &PgPool,
    procedure: ProcedureId,
    page: &PageRequest<HistoryCursor>,
) -> StoreResult<Page<rollout_domain::TransitionRecord>> {
    let mut q = QueryBuilder::<Postgres>::new(concat!(
        "SELECT ",
        record_columns!(),
        " FROM transition_records WHERE procedure_id = "
    ));
    q.push_bind(procedure.as_uuid());
    if let Some(after) = &page.after {
        q.push(" AND procedure_version > ")
            .push_bind(after.procedure_version);
    }
    q.push(" ORDER BY procedure_version LIMIT ")
        .push_bind(page.fetch_limit());
    let count = page.with_total.then(|| {
        sqlx::query_scalar("SELECT COUNT(*) FROM transition_records WHERE procedure_id = $1")
            .bind(procedure.as_uuid())
    });
    let (found, total_count) = paging::fetch(pool, q.build(), count, "load history").await?;
    Ok(Page::from_overfetch(
        rows::all(&found, rows::record)?,
        page,
        total_count,
    ))
}

/// The first page of each procedure's history in one statement: a row number per procedure
/// (the window) cut at the page's fetch limit, and each procedure's count alongside, so the
/// pages and their totals are one snapshot.
pub(crate) async fn histories(
    pool: &PgPool,
    procedures: &[ProcedureId],
    page: &PageRequest<HistoryCursor>,
) -> StoreResult<Vec<(ProcedureId, Page<rollout_domain::TransitionRecord>)>> {
    if procedures.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<uuid::Uuid> = procedures.iter().map(|p| p.as_uuid()).collect();
    let found = sqlx::query(concat!(
        "SELECT ",
        record_columns!(),
        ", total FROM (SELECT ",
        record_columns!(),
        ", ROW_NUMBER() OVER (PARTITION BY procedure_id ORDER BY procedure_version) AS n, \
         COUNT(*) OVER (PARTITION BY procedure_id) AS total \
         FROM transition_records WHERE procedure_id = ANY($1)) r \
         WHERE n <= $2 ORDER BY procedure_id, procedure_version"
    ))
    .bind(ids)
    .bind(page.fetch_limit())
    .fetch_all(pool)
    .await
    .map_err(errors::db("load histories"))?;
    let mut counted = Vec::with_capacity(found.len());
    for row in &found {
        let record = rows::record(row)?;
        let total: i64 = row.try_get("total").map_err(errors::db("load histories"))?;
        counted.push((record.procedure_id, record, total));
    }
    Ok(first_pages(counted, page))
}
