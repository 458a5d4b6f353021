//! Reading user tests: by id, every test of a batch of procedures (oldest first) in one
//! statement, and the verdict the `user_test_passed` guard needs: per procedure, the latest test
//! recorded at or after its latest history record (the one that put it in its current state).

use rollout_domain::user_test::{UserTest, UserTestVerdict};
use rollout_domain::{ProcedureId, UserTestId};
use rollout_store::StoreResult;
use sqlx::{AssertSqlSafe, PgPool};
use uuid::Uuid;

use super::rows::{self as evidence_rows, USER_TEST_COLUMNS};
use crate::errors;
use crate::rows::{self, get, keyed, parsed};

pub(crate) async fn get_one(pool: &PgPool, id: UserTestId) -> StoreResult<Option<UserTest>> {
    let found = sqlx::query(AssertSqlSafe(format!(
        "SELECT {USER_TEST_COLUMNS} FROM user_tests WHERE id = $1"
    )))
    .bind(id.as_uuid())
    .fetch_optional(pool)
    .await
    .map_err(errors::db("load user test"))?;
    found.as_ref().map(evidence_rows::user_test).transpose()
}

pub(crate) async fn for_procedures(
    pool: &PgPool,
    procedures: &[ProcedureId],
) -> StoreResult<Vec<UserTest>> {
    if procedures.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<Uuid> = procedures.iter().map(|id| id.as_uuid()).collect();
    let found = sqlx::query(AssertSqlSafe(format!(
        "SELECT {USER_TEST_COLUMNS} FROM user_tests WHERE procedure_id = ANY($1) \
         ORDER BY procedure_id, created_at, id"
    )))
    .bind(ids)
    .fetch_all(pool)
    .await
    .map_err(errors::db("load user tests"))?;
    rows::all(&found, evidence_rows::user_test)
}

/// One statement: the procedure's latest record is found by its version (the true order of a
/// history, see `HistoryCursor`), and the latest test since then per procedure by DISTINCT ON.
pub(crate) async fn latest_verdicts(
    pool: &PgPool,
    procedures: &[ProcedureId],
) -> StoreResult<Vec<(ProcedureId, UserTestVerdict)>> {
    if procedures.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<Uuid> = procedures.iter().map(|id| id.as_uuid()).collect();
    let found = sqlx::query(
        "SELECT DISTINCT ON (t.procedure_id) t.procedure_id, t.verdict FROM user_tests t \
         WHERE t.procedure_id = ANY($1) AND t.created_at >= (SELECT r.at FROM \
         transition_records r WHERE r.procedure_id = t.procedure_id \
         ORDER BY r.procedure_version DESC LIMIT 1) \
         ORDER BY t.procedure_id, t.created_at DESC, t.id DESC",
    )
    .bind(ids)
    .fetch_all(pool)
    .await
    .map_err(errors::db("load latest user test verdicts"))?;
    found
        .iter()
        .map(|row| {
            Ok((
                ProcedureId(get(row, "procedure_id")?),
                parsed(row, "user_tests", "verdict", keyed(UserTestVerdict::parse))?,
            ))
        })
        .collect()
}
