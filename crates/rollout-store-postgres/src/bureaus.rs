//! Bureau reads and single-row writes. Bulk loading lives in [`crate::bulk`]; bureaus are never
//! updated or deleted by rollout (reorganisations move procedures, not bureau rows).

use rollout_domain::audit::AuditEntry;
use rollout_domain::{Bureau, BureauCode, BureauId, NewBureau};
use rollout_store::StoreResult;
use sqlx::PgPool;
use uuid::Uuid;

use crate::rows::{self, bureau_columns};
use crate::{audit, errors};

pub(crate) async fn create(
    pool: &PgPool,
    id: BureauId,
    new: NewBureau,
    entry: &AuditEntry,
) -> StoreResult<Bureau> {
    let mut tx = pool.begin().await.map_err(errors::db("begin"))?;
    let row = sqlx::query(concat!(
        "INSERT INTO bureaus (",
        bureau_columns!(),
        ") VALUES ($1, $2, $3, $4) RETURNING ",
        bureau_columns!()
    ))
    .bind(id.as_uuid())
    .bind(new.code.as_str())
    .bind(&new.name_ja)
    .bind(&new.name_en)
    .fetch_one(&mut *tx)
    .await
    .map_err(errors::write("insert bureau", |_| {
        Some(new.code.as_str().to_owned())
    }))?;
    let stored = rows::bureau(&row)?;
    audit::insert(&mut *tx, entry).await?;
    tx.commit().await.map_err(errors::db("commit"))?;
    Ok(stored)
}

pub(crate) async fn list(pool: &PgPool) -> StoreResult<Vec<Bureau>> {
    let found = sqlx::query(concat!(
        "SELECT ",
        bureau_columns!(),
        " FROM bureaus ORDER BY code"
    ))
    .fetch_all(pool)
    .await
    .map_err(errors::db("list bureaus"))?;
    rows::all(&found, rows::bureau)
}

pub(crate) async fn by_ids(pool: &PgPool, ids: &[BureauId]) -> StoreResult<Vec<Bureau>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<Uuid> = ids.iter().map(BureauId::as_uuid).collect();
    let found = sqlx::query(concat!(
        "SELECT ",
        bureau_columns!(),
        " FROM bureaus WHERE id = ANY($1)"
    ))
    .bind(ids)
    .fetch_all(pool)
    .await
    .map_err(errors::db("load bureaus by id"))?;
    rows::all(&found, rows::bureau)
}

pub(crate) async fn by_code(pool: &PgPool, code: &BureauCode) -> StoreResult<Option<Bureau>> {
    let found = sqlx::query(concat!(
        "SELECT ",
        bureau_columns!(),
        " FROM bureaus WHERE code = $1"
    ))
    .bind(code.as_str())
    .fetch_optional(pool)
    .await
    .map_err(errors::db("load bureau by code"))?;
    found.as_ref().map(rows::bureau).transpose()
}
