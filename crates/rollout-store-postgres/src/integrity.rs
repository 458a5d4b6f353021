//! The PostgreSQL side of `rollout verify` ([`rollout_store::integrity`]): each check is one
//! statement returning `(subject, detail)` rows, all run in one REPEATABLE READ, read-only
//! transaction so that they judge one snapshot while replicas keep writing. The statements are
//! the SQLite ones but for the JSON operator, the uuid-to-text comparison with the audit trail's
//! `target_id` and the timestamp type.

use rollout_store::StoreResult;
use rollout_store::integrity::{self, COUNTED_TABLES, IntegrityReport, REFERENCES};
use sqlx::{AssertSqlSafe, PgConnection, PgPool};

use crate::begin_snapshot;
use crate::errors::db as ctx;

/// The history checks, in the order they run; `{limit}` and `{bulk}` are filled by
/// [`integrity::fill`].
const HISTORY_CHECKS: &[(&str, &str)] = &[
    (
        integrity::VERSION_BEHIND_HISTORY,
        "SELECT p.code, 'version ' || p.version || ' is below ' || MAX(r.procedure_version) \
         || ', the version its latest history record reached' \
         FROM procedures p JOIN transition_records r ON r.procedure_id = p.id \
         GROUP BY p.id, p.code, p.version HAVING MAX(r.procedure_version) > p.version \
         ORDER BY p.code LIMIT {limit}",
    ),
    (
        integrity::STATE_DIFFERS_FROM_HISTORY,
        "SELECT p.code, 'state ' || p.state || ', but its latest history record (version ' \
         || r.procedure_version || ') moved it to ' || r.to_state \
         FROM procedures p JOIN transition_records r ON r.procedure_id = p.id \
         WHERE r.procedure_version = (SELECT MAX(procedure_version) FROM transition_records \
                                      WHERE procedure_id = p.id) \
         AND r.to_state <> p.state ORDER BY p.code LIMIT {limit}",
    ),
    (
        integrity::HISTORY_WITHOUT_CREATION,
        "SELECT code, detail FROM ( \
         SELECT p.code, 'no creation record (no from state) at version 1' AS detail \
         FROM procedures p WHERE NOT EXISTS (SELECT 1 FROM transition_records r \
             WHERE r.procedure_id = p.id AND r.procedure_version = 1 AND r.from_state IS NULL) \
         UNION ALL \
         SELECT p.code, 'a record without a from state at version ' || r.procedure_version \
         FROM transition_records r JOIN procedures p ON p.id = r.procedure_id \
         WHERE r.from_state IS NULL AND r.procedure_version <> 1) AS s \
         ORDER BY 1, 2 LIMIT {limit}",
    ),
    (
        integrity::HISTORY_CHAIN_BROKEN,
        "SELECT p.code, 'the record at version ' || c.procedure_version || ' starts from ' \
         || c.from_state || ', but the record before it moved it to ' || c.prev \
         FROM (SELECT procedure_id, procedure_version, from_state, LAG(to_state) OVER \
               (PARTITION BY procedure_id ORDER BY procedure_version) AS prev \
               FROM transition_records) c JOIN procedures p ON p.id = c.procedure_id \
         WHERE c.from_state <> c.prev ORDER BY p.code, c.procedure_version LIMIT {limit}",
    ),
    (
        integrity::TRANSITION_UNAUDITED,
        "SELECT p.code, 'transition ' || r.transition || ' to ' || r.to_state || ' (version ' \
         || r.procedure_version || ', ' || r.at || ') has no procedure.transition audit entry' \
         FROM transition_records r JOIN procedures p ON p.id = r.procedure_id \
         WHERE r.from_state IS NOT NULL \
         AND NOT EXISTS (SELECT 1 FROM audit_log a WHERE a.target_type = 'Procedure' \
             AND a.target_id = r.procedure_id::text AND a.action = 'procedure.transition' \
             AND a.outcome = 'SUCCESS' \
             AND a.after -> 'version' = to_jsonb(r.procedure_version)) \
         AND NOT (r.at <= COALESCE((SELECT MAX(at) FROM audit_log WHERE action IN ({bulk})), '-infinity') \
             AND NOT EXISTS (SELECT 1 FROM audit_log a WHERE a.target_type = 'Procedure' \
                 AND a.target_id = r.procedure_id::text AND a.action = 'procedure.create')) \
         ORDER BY p.code, r.procedure_version LIMIT {limit}",
    ),
];

async fn rows(conn: &mut PgConnection, sql: String) -> StoreResult<Vec<(String, String)>> {
    sqlx::query_as(AssertSqlSafe(sql))
        .fetch_all(&mut *conn)
        .await
        .map_err(ctx("run an integrity check"))
}

pub(crate) async fn check(pool: &PgPool) -> StoreResult<IntegrityReport> {
    let mut tx = begin_snapshot(pool).await?;
    let mut report = IntegrityReport::default();
    for table in COUNTED_TABLES {
        let n: i64 = sqlx::query_scalar(AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}")))
            .fetch_one(&mut *tx)
            .await
            .map_err(ctx("count rows"))?;
        report.checked.push(((*table).to_owned(), n));
    }
    for (key, sql) in HISTORY_CHECKS {
        report.add(key, rows(&mut tx, integrity::fill(sql)).await?);
    }
    for r in REFERENCES {
        let when = r
            .when
            .map(|(column, value)| format!(" AND t.{column} = '{value}'"))
            .unwrap_or_default();
        let sql = format!(
            "SELECT CAST(t.{c} AS TEXT), CAST(COUNT(*) AS TEXT) FROM {t} t \
             WHERE t.{c} IS NOT NULL{when} \
             AND NOT EXISTS (SELECT 1 FROM {target} x WHERE x.id = t.{c}) \
             GROUP BY t.{c} ORDER BY 1 LIMIT {{limit}}",
            c = r.column,
            t = r.table,
            target = r.target,
        );
        let found = rows(&mut tx, integrity::fill(&sql))
            .await?
            .into_iter()
            .map(|row| r.finding(row))
            .collect();
        report.add(&r.key(), found);
    }
    tx.rollback().await.map_err(ctx("end read transaction"))?;
    Ok(report)
}
