//! Bureaus: single creation (with its audit entry), listing by code, and the batch getter for data loaders. Bulk
//! insertion lives in [`crate::bulk`].

use rollout_domain::audit::AuditEntry;
use rollout_domain::{Bureau, BureauCode, BureauId, NewBureau};
use rollout_store::StoreResult;
use sqlx::{AssertSqlSafe, QueryBuilder, Sqlite, SqlitePool};

use crate::errors::{self, UniqueKey, ctx};
use crate::rows::{BUREAU_COLUMNS, BureauRow, decode_all, uuid};
use crate::{audit, begin_write, commit};

/// Largest `IN (...)` list per statement: well under SQLite's 32,766 bound variables, and small
/// enough that one slow chunk does not hold a reader for long.
pub(crate) const IN_CHUNK: usize = 500;

pub(crate) async fn create(
    writer: &SqlitePool,
    id: BureauId,
    new: NewBureau,
    entry: &AuditEntry,
) -> StoreResult<Bureau> {
    let bureau = Bureau {
        id,
        code: new.code,
        name_ja: new.name_ja,
        name_en: new.name_en,
    };
    let mut tx = begin_write(writer).await?;
    sqlx::query("INSERT INTO bureaus (id, code, name_ja, name_en) VALUES (?, ?, ?, ?)")
        .bind(uuid(id.0))
        .bind(bureau.code.as_str())
        .bind(&bureau.name_ja)
        .bind(&bureau.name_en)
        .execute(&mut *tx)
        .await
        .map_err(|e| match errors::unique_violation(&e) {
            Some(UniqueKey::BureauCode) => errors::duplicate("bureau", &bureau.code),
            Some(UniqueKey::BureauId) => errors::duplicate("bureau", id),
            _ => errors::from_sqlx("insert bureau", e),
        })?;
    audit::insert(&mut tx, entry).await?;
    commit(tx).await?;
    Ok(bureau)
}

pub(crate) async fn list(reader: &SqlitePool) -> StoreResult<Vec<Bureau>> {
    let sql = format!("SELECT {BUREAU_COLUMNS} FROM bureaus ORDER BY code");
    let rows: Vec<BureauRow> = sqlx::query_as(AssertSqlSafe(sql))
        .fetch_all(reader)
        .await
        .map_err(ctx("list bureaus"))?;
    decode_all(rows, BureauRow::into_domain)
}

pub(crate) async fn by_ids(reader: &SqlitePool, ids: &[BureauId]) -> StoreResult<Vec<Bureau>> {
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(IN_CHUNK) {
        let mut qb = QueryBuilder::<Sqlite>::new(format!(
            "SELECT {BUREAU_COLUMNS} FROM bureaus WHERE id IN ("
        ));
        let mut list = qb.separated(", ");
        for id in chunk {
            list.push_bind(uuid(id.0));
        }
        qb.push(")");
        let rows: Vec<BureauRow> = qb
            .build_query_as()
            .fetch_all(reader)
            .await
            .map_err(ctx("load bureaus by id"))?;
        out.extend(decode_all(rows, BureauRow::into_domain)?);
    }
    Ok(out)
}

pub(crate) async fn by_code(reader: &SqlitePool, code: &BureauCode) -> StoreResult<Option<Bureau>> {
    let sql = format!("SELECT {BUREAU_COLUMNS} FROM bureaus WHERE code = ?");
    let row: Option<BureauRow> = sqlx::query_as(AssertSqlSafe(sql))
        .bind(code.as_str())
        .fetch_optional(reader)
        .await
        .map_err(ctx("load bureau by code"))?;
    row.map(BureauRow::into_domain).transpose()
}
