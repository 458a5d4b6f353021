//! Bulk loading for imports and demo data: bureaus, procedures, their histories and target
//! changes in one transaction each, with one audit entry for the whole load, all or nothing.
//! Rows go in as
//! multi-row `INSERT ... SELECT FROM UNNEST(...)` statements, one array parameter per column, in
//! chunks: 28,000 procedures with ~110,000 history records take a few dozen round trips instead
//! of 140,000. COPY would be a little faster but reports constraint violations less precisely,
//! and the chunked inserts are already well inside the few-seconds budget. No workflow rule is
//! applied here; the caller vouches for the data.

use std::collections::HashSet;
use std::hash::Hash;

use rollout_domain::audit::AuditEntry;
use rollout_domain::{Bureau, Procedure, TransitionRecord};
use rollout_store::{ProcedureSeed, StoreError, StoreResult};
use sqlx::postgres::PgBindIterExt;
use sqlx::{PgConnection, PgPool};

use crate::rows;
use crate::{audit, errors};

fn duplicate(entity: &'static str, key: impl ToString) -> StoreError {
    StoreError::Duplicate {
        entity,
        key: key.to_string(),
    }
}

/// Rows per statement: large enough that round trips do not dominate, small enough that one
/// message stays a few megabytes.
const CHUNK: usize = 5_000;

/// The first key that occurs twice in `keys`. Repeats inside one batch are refused before any
/// SQL runs, so that the key named is the first repeat in input order on both backends (the
/// server would name whichever row it happened to check second).
fn first_repeat<K: Eq + Hash + Clone>(keys: impl IntoIterator<Item = K>) -> Option<K> {
    let mut seen = HashSet::new();
    keys.into_iter().find(|k| !seen.insert(k.clone()))
}

pub(crate) async fn insert_bureaus(
    pool: &PgPool,
    bureaus: &[Bureau],
    entry: &AuditEntry,
) -> StoreResult<u64> {
    if let Some(code) = first_repeat(bureaus.iter().map(|b| &b.code)) {
        return Err(duplicate("bureau", code));
    }
    if let Some(id) = first_repeat(bureaus.iter().map(|b| b.id)) {
        return Err(duplicate("bureau", id));
    }
    let mut tx = pool.begin().await.map_err(errors::db("begin"))?;
    let mut inserted = 0;
    for chunk in bureaus.chunks(CHUNK) {
        inserted += sqlx::query(
            "INSERT INTO bureaus (id, code, name_ja, name_en) \
             SELECT * FROM UNNEST($1::uuid[], $2::text[], $3::text[], $4::text[])",
        )
        .bind(chunk.iter().map(|b| b.id.as_uuid()).bind_iter())
        .bind(chunk.iter().map(|b| b.code.as_str()).bind_iter())
        .bind(chunk.iter().map(|b| b.name_ja.as_str()).bind_iter())
        .bind(chunk.iter().map(|b| b.name_en.as_str()).bind_iter())
        .execute(&mut *tx)
        .await
        .map_err(errors::write("insert bureaus", errors::from_detail))?
        .rows_affected();
    }
    audit::insert(&mut *tx, entry).await?;
    tx.commit().await.map_err(errors::db("commit"))?;
    Ok(inserted)
}

pub(crate) async fn insert_procedures(
    pool: &PgPool,
    seeds: &[ProcedureSeed],
    entry: &AuditEntry,
) -> StoreResult<u64> {
    if let Some(code) = first_repeat(seeds.iter().map(|s| &s.procedure.code)) {
        return Err(duplicate("procedure", code));
    }
    if let Some(id) = first_repeat(seeds.iter().map(|s| s.procedure.id)) {
        return Err(duplicate("procedure", id));
    }
    let mut tx = pool.begin().await.map_err(errors::db("begin"))?;
    let mut inserted = 0;
    for chunk in seeds.chunks(CHUNK) {
        inserted += insert_procedure_rows(&mut tx, chunk).await?;
    }
    let records: Vec<&TransitionRecord> = seeds.iter().flat_map(|s| &s.history).collect();
    for chunk in records.chunks(CHUNK) {
        insert_records(&mut tx, chunk).await?;
    }
    let changes: Vec<_> = seeds.iter().flat_map(|s| &s.target_changes).collect();
    crate::evidence::target::insert(&mut tx, &changes).await?;
    audit::insert(&mut *tx, entry).await?;
    tx.commit().await.map_err(errors::db("commit"))?;
    refresh_statistics(pool).await;
    Ok(inserted)
}

/// After a bulk load the tables have no statistics and no visibility map until autovacuum
/// comes round, a minute or more later: the planner then guesses row counts and `COUNT(*)`
/// cannot use index-only scans, which made the summary and list pages 3-4x slower exactly when
/// a freshly imported programme is first looked at (BENCHMARKS.md, F1). VACUUM only visits
/// pages not yet marked all-visible, so repeated loads pay for their new rows only. It must run
/// outside a transaction. A failure (say, a role that does not own the tables) only loses the
/// speed-up, so it is logged, not returned.
async fn refresh_statistics(pool: &PgPool) {
    if let Err(e) = sqlx::query("VACUUM (ANALYZE) procedures, transition_records")
        .execute(pool)
        .await
    {
        tracing::warn!(error = %e, "could not refresh table statistics after a bulk load");
    }
}

async fn insert_procedure_rows(
    conn: &mut PgConnection,
    chunk: &[ProcedureSeed],
) -> StoreResult<u64> {
    let p = || chunk.iter().map(|s| &s.procedure);
    let done = sqlx::query(
        "INSERT INTO procedures (id, code, name, name_en, bureau_id, category, authority, \
         annual_applications, process_count, platform, target_quarter, released_on, state, \
         version, created_at, updated_at, search_text) \
         SELECT * FROM UNNEST($1::uuid[], $2::text[], $3::text[], $4::text[], $5::uuid[], \
         $6::text[], $7::text[], $8::bigint[], $9::integer[], $10::text[], $11::text[], \
         $12::date[], $13::text[], $14::integer[], $15::timestamptz[], $16::timestamptz[], \
         $17::text[])",
    )
    .bind(p().map(|p| p.id.as_uuid()).bind_iter())
    .bind(p().map(|p| p.code.as_str()).bind_iter())
    .bind(p().map(|p| p.name.as_str()).bind_iter())
    .bind(p().map(|p| p.name_en.as_deref()).bind_iter())
    .bind(p().map(|p| p.bureau_id.as_uuid()).bind_iter())
    .bind(p().map(|p| p.category.as_str()).bind_iter())
    .bind(p().map(|p| p.authority.as_str()).bind_iter())
    .bind(p().map(|p| p.annual_applications).bind_iter())
    .bind(p().map(|p| p.process_count).bind_iter())
    .bind(p().map(|p| p.platform.map(|v| v.as_str())).bind_iter())
    .bind(
        p().map(|p| p.target_quarter.as_ref().map(rows::quarter_key))
            .bind_iter(),
    )
    .bind(p().map(|p| p.released_on).bind_iter())
    .bind(p().map(|p| p.state.as_str()).bind_iter())
    .bind(p().map(|p| p.version).bind_iter())
    .bind(p().map(|p| p.created_at).bind_iter())
    .bind(p().map(|p| p.updated_at).bind_iter())
    .bind(p().map(Procedure::search_text).bind_iter())
    .execute(conn)
    .await
    .map_err(errors::write("insert procedures", errors::from_detail))?;
    Ok(done.rows_affected())
}

async fn insert_records(conn: &mut PgConnection, chunk: &[&TransitionRecord]) -> StoreResult<()> {
    let r = || chunk.iter().copied();
    sqlx::query(
        "INSERT INTO transition_records (id, procedure_id, from_state, to_state, transition, \
         actor, comment, at, workflow_version, procedure_version, approval_request_id) \
         SELECT * FROM UNNEST($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], \
         $6::text[], $7::text[], $8::timestamptz[], $9::text[], $10::integer[], $11::uuid[])",
    )
    .bind(r().map(|r| r.id.as_uuid()).bind_iter())
    .bind(r().map(|r| r.procedure_id.as_uuid()).bind_iter())
    .bind(r().map(|r| r.from_state.as_deref()).bind_iter())
    .bind(r().map(|r| r.to_state.as_str()).bind_iter())
    .bind(r().map(|r| r.transition.as_str()).bind_iter())
    .bind(r().map(|r| r.actor.as_str()).bind_iter())
    .bind(r().map(|r| r.comment.as_deref()).bind_iter())
    .bind(r().map(|r| r.at).bind_iter())
    .bind(r().map(|r| r.workflow_version.as_str()).bind_iter())
    .bind(r().map(|r| r.procedure_version).bind_iter())
    .bind(
        r().map(|r| r.approval_request_id.map(|a| a.as_uuid()))
            .bind_iter(),
    )
    .execute(conn)
    .await
    .map_err(errors::write(
        "insert transition records",
        errors::from_detail,
    ))?;
    Ok(())
}

pub(crate) async fn is_empty(pool: &PgPool) -> StoreResult<bool> {
    sqlx::query_scalar(
        "SELECT NOT EXISTS (SELECT 1 FROM bureaus) AND NOT EXISTS (SELECT 1 FROM procedures)",
    )
    .fetch_one(pool)
    .await
    .map_err(errors::db("check emptiness"))
}
