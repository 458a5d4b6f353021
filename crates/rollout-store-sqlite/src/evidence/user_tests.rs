//! Reading user tests: by id, every test of a batch of procedures (oldest first) in one
//! statement, and the verdict the `user_test_passed` guard needs: per procedure, the latest test
//! recorded at or after its latest history record (the one that put it in its current state).

use rollout_domain::user_test::{UserTest, UserTestVerdict};
use rollout_domain::{ProcedureId, UserTestId};
use rollout_store::StoreResult;
use sqlx::{AssertSqlSafe, QueryBuilder, Sqlite, SqlitePool};

use super::rows::{USER_TEST_COLUMNS, UserTestRow};
use crate::errors::ctx;
use crate::rows::{decode_all, parse_key, parse_uuid, uuid};

pub(crate) async fn get(reader: &SqlitePool, id: UserTestId) -> StoreResult<Option<UserTest>> {
    let sql = format!("SELECT {USER_TEST_COLUMNS} FROM user_tests WHERE id = ?");
    let row: Option<UserTestRow> = sqlx::query_as(AssertSqlSafe(sql))
        .bind(uuid(id.0))
        .fetch_optional(reader)
        .await
        .map_err(ctx("load user test"))?;
    row.map(UserTestRow::into_domain).transpose()
}

pub(crate) async fn for_procedures(
    reader: &SqlitePool,
    procedures: &[ProcedureId],
) -> StoreResult<Vec<UserTest>> {
    if procedures.is_empty() {
        return Ok(Vec::new());
    }
    let mut qb = QueryBuilder::<Sqlite>::new(format!(
        "SELECT {USER_TEST_COLUMNS} FROM user_tests WHERE procedure_id IN ("
    ));
    let mut list = qb.separated(", ");
    for id in procedures {
        list.push_bind(uuid(id.0));
    }
    qb.push(") ORDER BY procedure_id, created_at, id");
    let rows: Vec<UserTestRow> = qb
        .build_query_as()
        .fetch_all(reader)
        .await
        .map_err(ctx("load user tests"))?;
    decode_all(rows, UserTestRow::into_domain)
}

/// One statement: the procedure's latest record is found by its version (the true order of a
/// history, see `HistoryCursor`), and the tests are ranked per procedure, newest first.
pub(crate) async fn latest_verdicts(
    reader: &SqlitePool,
    procedures: &[ProcedureId],
) -> StoreResult<Vec<(ProcedureId, UserTestVerdict)>> {
    if procedures.is_empty() {
        return Ok(Vec::new());
    }
    let mut qb = QueryBuilder::<Sqlite>::new(
        "SELECT procedure_id, verdict FROM (SELECT t.procedure_id, t.verdict, \
         ROW_NUMBER() OVER (PARTITION BY t.procedure_id ORDER BY t.created_at DESC, t.id DESC) \
         AS n FROM user_tests t WHERE t.procedure_id IN (",
    );
    let mut list = qb.separated(", ");
    for id in procedures {
        list.push_bind(uuid(id.0));
    }
    qb.push(
        ") AND t.created_at >= (SELECT r.at FROM transition_records r \
         WHERE r.procedure_id = t.procedure_id ORDER BY r.procedure_version DESC LIMIT 1)) \
         WHERE n = 1",
    );
    let rows: Vec<(String, String)> = qb
        .build_query_as()
        .fetch_all(reader)
        .await
        .map_err(ctx("load latest user test verdicts"))?;
    rows.into_iter()
        .map(|(procedure, verdict)| {
            Ok((
                ProcedureId(parse_uuid("user_tests.procedure_id", &procedure)?),
                parse_key("user_tests.verdict", &verdict, UserTestVerdict::parse)?,
            ))
        })
        .collect()
}
