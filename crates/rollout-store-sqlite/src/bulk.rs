//! Bulk loading (import, demo data): bureaus and procedures with their histories and target
//! changes, each batch in one write transaction with one audit entry for the batch, all or
//! nothing; plus `is_empty` and the multi-row INSERT builders the single-row writes reuse.
//!
//! Speed comes from multi-row INSERTs in fixed-size chunks: every full chunk has the same SQL
//! text, so the connection's statement cache prepares it once, and one transaction means one
//! fsync. Constraint failures are diagnosed after the fact (the failed statement is undone but
//! the transaction is still usable in SQLite), so the common path pays for no pre-checks.

use std::collections::HashSet;

use rollout_domain::Bureau;
use rollout_domain::audit::AuditEntry;
use rollout_store::{ProcedureSeed, StoreError, StoreResult};
use sqlx::{AssertSqlSafe, QueryBuilder, Sqlite, SqliteConnection, SqlitePool};

use crate::errors::{self, UniqueKey, ctx};
use crate::rows::{PROCEDURE_COLUMNS, ProcedureParams, RECORD_COLUMNS, RecordParams, uuid};
use crate::{audit, begin_write, commit};

/// Rows per multi-row INSERT: 16 × 200 and 11 × 300 bound values, far below SQLite's limit.
/// Anything from 50 to 500 rows measured the same (28,000 procedures with 112,000 records in
/// about 2.5 s in a debug build); row-at-a-time statements are what would be slow.
const PROCEDURE_CHUNK: usize = 200;
const RECORD_CHUNK: usize = 300;
const BUREAU_CHUNK: usize = 500;

/// `INSERT INTO procedures (...) VALUES (...), ...` for `rows`; the caller may append more.
pub(crate) fn procedure_insert(
    rows: impl IntoIterator<Item = ProcedureParams>,
) -> QueryBuilder<Sqlite> {
    let mut qb = QueryBuilder::new(format!(
        "INSERT INTO procedures ({PROCEDURE_COLUMNS}, search_text) "
    ));
    qb.push_values(rows, |mut row, p| {
        row.push_bind(p.id)
            .push_bind(p.code)
            .push_bind(p.name)
            .push_bind(p.name_en)
            .push_bind(p.bureau_id)
            .push_bind(p.category)
            .push_bind(p.authority)
            .push_bind(p.annual_applications)
            .push_bind(p.process_count)
            .push_bind(p.platform)
            .push_bind(p.target_quarter)
            .push_bind(p.released_on)
            .push_bind(p.state)
            .push_bind(p.version)
            .push_bind(p.created_at)
            .push_bind(p.updated_at)
            .push_bind(p.search_text);
    });
    qb
}

/// `INSERT INTO transition_records (...) VALUES (...), ...` for `rows`.
pub(crate) fn record_insert(rows: impl IntoIterator<Item = RecordParams>) -> QueryBuilder<Sqlite> {
    let mut qb = QueryBuilder::new(format!(
        "INSERT INTO transition_records ({RECORD_COLUMNS}) "
    ));
    qb.push_values(rows, |mut row, r| {
        row.push_bind(r.id)
            .push_bind(r.procedure_id)
            .push_bind(r.from_state)
            .push_bind(r.to_state)
            .push_bind(r.transition)
            .push_bind(r.actor)
            .push_bind(r.comment)
            .push_bind(r.at)
            .push_bind(r.workflow_version)
            .push_bind(r.procedure_version)
            .push_bind(r.approval_request_id);
    });
    qb
}

/// The first key that occurs twice in `keys`.
fn first_repeat<K: Eq + std::hash::Hash>(keys: impl IntoIterator<Item = K>) -> Option<K> {
    let mut seen = HashSet::new();
    keys.into_iter().find_map(|k| {
        if seen.contains(&k) {
            Some(k)
        } else {
            seen.insert(k);
            None
        }
    })
}

/// Which of `values` exist (or, with `exist == false`, are missing) in `table.column`: the first
/// such value, to name in an error. Run after a failed statement, inside the same transaction.
async fn first_where(
    conn: &mut SqliteConnection,
    table: &str,
    column: &str,
    values: &[String],
    exist: bool,
) -> Option<String> {
    let sql = format!("SELECT 1 FROM {table} WHERE {column} = ?");
    for value in values {
        let found = sqlx::query(AssertSqlSafe(sql.as_str()))
            .bind(value.as_str())
            .fetch_optional(&mut *conn)
            .await
            .ok()?
            .is_some();
        if found == exist {
            return Some(value.clone());
        }
    }
    None
}

pub(crate) async fn insert_bureaus(
    writer: &SqlitePool,
    bureaus: &[Bureau],
    entry: &AuditEntry,
) -> StoreResult<u64> {
    if let Some(code) = first_repeat(bureaus.iter().map(|b| &b.code)) {
        return Err(errors::duplicate("bureau", code));
    }
    if let Some(id) = first_repeat(bureaus.iter().map(|b| b.id)) {
        return Err(errors::duplicate("bureau", id));
    }
    let mut tx = begin_write(writer).await?;
    for chunk in bureaus.chunks(BUREAU_CHUNK) {
        let mut qb =
            QueryBuilder::<Sqlite>::new("INSERT INTO bureaus (id, code, name_ja, name_en) ");
        qb.push_values(chunk, |mut row, b| {
            row.push_bind(uuid(b.id.0))
                .push_bind(b.code.as_str().to_owned())
                .push_bind(b.name_ja.clone())
                .push_bind(b.name_en.clone());
        });
        if let Err(e) = qb.build().execute(&mut *tx).await {
            let (column, values): (_, Vec<String>) = match errors::unique_violation(&e) {
                Some(UniqueKey::BureauCode) => {
                    ("code", chunk.iter().map(|b| b.code.to_string()).collect())
                }
                Some(UniqueKey::BureauId) => ("id", chunk.iter().map(|b| uuid(b.id.0)).collect()),
                _ => return Err(errors::from_sqlx("insert bureaus", e)),
            };
            let key = first_where(&mut tx, "bureaus", column, &values, true).await;
            return Err(errors::duplicate("bureau", key.unwrap_or_default()));
        }
    }
    audit::insert(&mut tx, entry).await?;
    commit(tx).await?;
    Ok(bureaus.len() as u64)
}

pub(crate) async fn insert_procedures(
    writer: &SqlitePool,
    seeds: &[ProcedureSeed],
    entry: &AuditEntry,
) -> StoreResult<u64> {
    if let Some(code) = first_repeat(seeds.iter().map(|s| &s.procedure.code)) {
        return Err(errors::duplicate("procedure", code));
    }
    if let Some(id) = first_repeat(seeds.iter().map(|s| s.procedure.id)) {
        return Err(errors::duplicate("procedure", id));
    }
    let mut tx = begin_write(writer).await?;
    for chunk in seeds.chunks(PROCEDURE_CHUNK) {
        let params = chunk.iter().map(|s| ProcedureParams::from(&s.procedure));
        if let Err(e) = procedure_insert(params).build().execute(&mut *tx).await {
            return Err(procedure_failure(&mut tx, chunk, e).await);
        }
    }
    let records: Vec<_> = seeds.iter().flat_map(|s| &s.history).collect();
    for chunk in records.chunks(RECORD_CHUNK) {
        let params = chunk.iter().map(|r| RecordParams::from(*r));
        if let Err(e) = record_insert(params).build().execute(&mut *tx).await {
            if !errors::is_foreign_key_violation(&e) {
                return Err(errors::from_sqlx("insert transition records", e));
            }
            let ids: Vec<String> = chunk.iter().map(|r| uuid(r.procedure_id.0)).collect();
            let key = first_where(&mut tx, "procedures", "id", &ids, false).await;
            return Err(errors::not_found("procedure", key.unwrap_or_default()));
        }
    }
    let changes: Vec<_> = seeds.iter().flat_map(|s| &s.target_changes).collect();
    crate::evidence::target::insert(&mut tx, &changes).await?;
    audit::insert(&mut tx, entry).await?;
    commit(tx).await?;
    Ok(seeds.len() as u64)
}

/// Names the procedure or bureau behind a failed chunk insert.
async fn procedure_failure(
    conn: &mut SqliteConnection,
    chunk: &[ProcedureSeed],
    e: sqlx::Error,
) -> StoreError {
    let values = |key: fn(&ProcedureSeed) -> String| chunk.iter().map(key).collect::<Vec<_>>();
    match errors::unique_violation(&e) {
        Some(UniqueKey::ProcedureCode) => {
            let codes = values(|s| s.procedure.code.to_string());
            let key = first_where(conn, "procedures", "code", &codes, true).await;
            errors::duplicate("procedure", key.unwrap_or_default())
        }
        Some(UniqueKey::ProcedureId) => {
            let ids = values(|s| uuid(s.procedure.id.0));
            let key = first_where(conn, "procedures", "id", &ids, true).await;
            errors::duplicate("procedure", key.unwrap_or_default())
        }
        _ if errors::is_foreign_key_violation(&e) => {
            let bureaus = values(|s| uuid(s.procedure.bureau_id.0));
            let key = first_where(conn, "bureaus", "id", &bureaus, false).await;
            errors::not_found("bureau", key.unwrap_or_default())
        }
        _ => errors::from_sqlx("insert procedures", e),
    }
}

pub(crate) async fn is_empty(reader: &SqlitePool) -> StoreResult<bool> {
    sqlx::query_scalar(
        "SELECT NOT EXISTS (SELECT 1 FROM bureaus) AND NOT EXISTS (SELECT 1 FROM procedures)",
    )
    .fetch_one(reader)
    .await
    .map_err(ctx("check whether the database is empty"))
}
