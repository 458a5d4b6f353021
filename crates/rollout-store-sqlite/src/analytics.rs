//! Analytics on SQLite ([`rollout_store::AnalyticsStore`]): the stamp, the load of every
//! procedure's facts (four statements on the reader pool, whatever the number of procedures),
//! frozen quarter snapshots, and the two writes of a batch (a field revision, a snapshot).

use async_trait::async_trait;
use rollout_domain::analytics::{FieldRevision, RevisedField, StateChange, TargetMove};
use rollout_domain::{FiscalQuarter, ProcedureId};
use rollout_store::analytics_codec::{assemble_facts, figures_from_json, figures_to_json};
use rollout_store::{AnalyticsStamp, AnalyticsStore, QuarterSnapshot, StoreResult};
use sqlx::{AssertSqlSafe, SqliteConnection};

use crate::SqliteStore;
use crate::errors::{ctx, duplicate};
use crate::refs::{self, Ref};
use crate::rows::{
    PROCEDURE_COLUMNS, ProcedureRow, corrupt, decode_all, instant, parse_instant, parse_uuid,
    parse_with, uuid,
};

type ChangeRow = (String, String, Option<String>, String);
type RevisionRow = (
    String,
    String,
    Option<String>,
    Option<String>,
    String,
    String,
    Option<String>,
);
type MoveRow = (String, Option<String>, Option<String>, String);

fn quarter(column: &str, raw: Option<String>) -> StoreResult<Option<FiscalQuarter>> {
    raw.map(|r| parse_with(column, &r, FiscalQuarter::parse))
        .transpose()
}

#[async_trait]
impl AnalyticsStore for SqliteStore {
    #[tracing::instrument(name = "store.analytics_stamp", skip(self))]
    async fn analytics_stamp(&self) -> StoreResult<AnalyticsStamp> {
        let (procedures, version_sum): (i64, i64) =
            sqlx::query_as("SELECT count(*), coalesce(sum(version), 0) FROM procedures")
                .fetch_one(&self.reader)
                .await
                .map_err(ctx("read the analytics stamp"))?;
        Ok(AnalyticsStamp {
            procedures,
            version_sum,
        })
    }

    #[tracing::instrument(name = "store.analytics_facts", skip(self))]
    async fn analytics_facts(&self) -> StoreResult<Vec<rollout_domain::analytics::ProcedureFacts>> {
        // One read transaction, so the four reads see the same state.
        let mut tx = self
            .reader
            .begin()
            .await
            .map_err(ctx("begin the analytics read"))?;
        let sql = format!("SELECT {PROCEDURE_COLUMNS} FROM procedures ORDER BY code");
        let procedures: Vec<ProcedureRow> = sqlx::query_as(AssertSqlSafe(sql))
            .fetch_all(&mut *tx)
            .await
            .map_err(ctx("load procedures"))?;
        let changes: Vec<ChangeRow> = sqlx::query_as(
            "SELECT procedure_id, to_state, comment, at FROM transition_records \
             ORDER BY procedure_id, procedure_version",
        )
        .fetch_all(&mut *tx)
        .await
        .map_err(ctx("load state changes"))?;
        let revisions: Vec<RevisionRow> = sqlx::query_as(
            "SELECT procedure_id, field, old_value, new_value, at, actor, reason \
             FROM field_revisions ORDER BY procedure_id, id",
        )
        .fetch_all(&mut *tx)
        .await
        .map_err(ctx("load field revisions"))?;
        let moves: Vec<MoveRow> = sqlx::query_as(
            "SELECT procedure_id, from_quarter, to_quarter, at FROM target_changes \
             ORDER BY procedure_id, id",
        )
        .fetch_all(&mut *tx)
        .await
        .map_err(ctx("load target changes"))?;
        drop(tx);
        let procedures = decode_all(procedures, ProcedureRow::into_domain)?;
        let changes = decode_all(changes, |(id, to, comment, at)| {
            Ok((
                ProcedureId(parse_uuid("transition_records.procedure_id", &id)?),
                StateChange {
                    at: parse_instant("transition_records.at", &at)?,
                    to,
                    comment,
                },
            ))
        })?;
        let revisions = decode_all(revisions, |(id, field, old, new, at, actor, reason)| {
            Ok(FieldRevision {
                procedure_id: ProcedureId(parse_uuid("field_revisions.procedure_id", &id)?),
                field: RevisedField::parse(&field)
                    .ok_or_else(|| corrupt("field_revisions.field", &field))?,
                old,
                new,
                at: parse_instant("field_revisions.at", &at)?,
                actor,
                reason,
            })
        })?;
        let moves = decode_all(moves, |(id, from, to, at)| {
            Ok((
                ProcedureId(parse_uuid("target_changes.procedure_id", &id)?),
                TargetMove {
                    at: parse_instant("target_changes.at", &at)?,
                    from: quarter("target_changes.from_quarter", from)?,
                    to: quarter("target_changes.to_quarter", to)?,
                },
            ))
        })?;
        Ok(assemble_facts(procedures, changes, revisions, moves))
    }

    #[tracing::instrument(name = "store.quarter_snapshot", skip(self), fields(quarter = %quarter))]
    async fn quarter_snapshot(
        &self,
        quarter: FiscalQuarter,
    ) -> StoreResult<Option<QuarterSnapshot>> {
        let row: Option<(String, String, String)> = sqlx::query_as(
            "SELECT figures, frozen_at, frozen_by FROM quarter_snapshots WHERE quarter = ?",
        )
        .bind(quarter.to_string())
        .fetch_optional(&self.reader)
        .await
        .map_err(ctx("load a quarter snapshot"))?;
        row.map(|(figures, at, by)| {
            Ok(QuarterSnapshot {
                figures: figures_from_json(&figures)
                    .ok_or_else(|| corrupt("quarter_snapshots.figures", &figures))?,
                frozen_at: parse_instant("quarter_snapshots.frozen_at", &at)?,
                frozen_by: by,
            })
        })
        .transpose()
    }
}

/// Appends a field revision in the batch's transaction.
pub(crate) async fn insert_revision(
    conn: &mut SqliteConnection,
    r: &FieldRevision,
) -> StoreResult<()> {
    let done = sqlx::query(
        "INSERT INTO field_revisions \
         (procedure_id, field, old_value, new_value, at, actor, reason) \
         VALUES (?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(uuid(r.procedure_id.0))
    .bind(r.field.as_str())
    .bind(r.old.as_deref())
    .bind(r.new.as_deref())
    .bind(instant(r.at))
    .bind(&r.actor)
    .bind(r.reason.as_deref())
    .execute(&mut *conn)
    .await;
    if let Err(e) = done {
        let references = [Ref::procedure(r.procedure_id.0)];
        return Err(refs::missing(conn, e, "insert a field revision", &references).await);
    }
    Ok(())
}

/// Stores a quarter snapshot; `Duplicate` when that quarter is frozen already.
pub(crate) async fn freeze(conn: &mut SqliteConnection, s: &QuarterSnapshot) -> StoreResult<()> {
    let done = sqlx::query(
        "INSERT INTO quarter_snapshots (quarter, figures, frozen_at, frozen_by) \
         VALUES (?, ?, ?, ?) ON CONFLICT (quarter) DO NOTHING",
    )
    .bind(s.figures.quarter.to_string())
    .bind(figures_to_json(&s.figures))
    .bind(instant(s.frozen_at))
    .bind(&s.frozen_by)
    .execute(&mut *conn)
    .await
    .map_err(ctx("freeze a quarter"))?;
    if done.rows_affected() == 0 {
        return Err(duplicate("quarter snapshot", s.figures.quarter));
    }
    Ok(())
}
