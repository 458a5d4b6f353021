//! Target-quarter history: appending changes (one, or many with one `UNNEST` statement per
//! chunk for bulk loads) and reading the history of a batch of procedures in one statement. The
//! identity column is the order: two changes of one procedure may share an instant.

use rollout_domain::ProcedureId;
use rollout_domain::target::TargetChange;
use rollout_store::{StoreError, StoreResult};
use sqlx::postgres::{PgBindIterExt, PgRow};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use crate::errors;
use crate::rows::{self, get, parsed_opt};
use rollout_domain::FiscalQuarter;

/// Rows per statement, as in [`crate::bulk`].
const CHUNK: usize = 5_000;

/// Appends `changes` in order, in the caller's transaction. `NotFound { entity: "procedure" }`
/// when one names a procedure that does not exist.
pub(crate) async fn insert(conn: &mut PgConnection, changes: &[&TargetChange]) -> StoreResult<u64> {
    let mut inserted = 0;
    for chunk in changes.chunks(CHUNK) {
        let c = || chunk.iter().copied();
        // WITH ORDINALITY keeps the input order in the identity values.
        inserted += sqlx::query(
            "INSERT INTO target_changes (procedure_id, from_quarter, to_quarter, at, actor, reason) \
             SELECT p, f, t, a, w, r FROM UNNEST($1::uuid[], $2::text[], $3::text[], \
             $4::timestamptz[], $5::text[], $6::text[]) WITH ORDINALITY AS u(p, f, t, a, w, r, n) \
             ORDER BY n",
        )
        .bind(c().map(|c| c.procedure_id.as_uuid()).bind_iter())
        .bind(c().map(|c| c.from.as_ref().map(rows::quarter_key)).bind_iter())
        .bind(c().map(|c| c.to.as_ref().map(rows::quarter_key)).bind_iter())
        .bind(c().map(|c| c.at).bind_iter())
        .bind(c().map(|c| c.actor.as_str()).bind_iter())
        .bind(c().map(|c| c.reason.as_deref()).bind_iter())
        .execute(&mut *conn)
        .await
        .map_err(errors::write("insert target changes", errors::from_detail))?
        .rows_affected();
    }
    Ok(inserted)
}

fn decode(row: &PgRow) -> Result<TargetChange, StoreError> {
    const T: &str = "target_changes";
    Ok(TargetChange {
        procedure_id: ProcedureId(get(row, "procedure_id")?),
        from: parsed_opt(row, T, "from_quarter", FiscalQuarter::parse)?,
        to: parsed_opt(row, T, "to_quarter", FiscalQuarter::parse)?,
        at: get(row, "at")?,
        actor: get(row, "actor")?,
        reason: get(row, "reason")?,
    })
}

/// Every change of each of `procedures`, oldest first per procedure, in one statement.
pub(crate) async fn for_procedures(
    pool: &PgPool,
    procedures: &[ProcedureId],
) -> StoreResult<Vec<TargetChange>> {
    if procedures.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<Uuid> = procedures.iter().map(|p| p.as_uuid()).collect();
    let found = sqlx::query(
        "SELECT procedure_id, from_quarter, to_quarter, at, actor, reason FROM target_changes \
         WHERE procedure_id = ANY($1) ORDER BY procedure_id, id",
    )
    .bind(ids)
    .fetch_all(pool)
    .await
    .map_err(errors::db("load target changes"))?;
    rows::all(&found, decode)
}
