//! Analytics on PostgreSQL ([`rollout_store::AnalyticsStore`]): the stamp, the load of every
//! procedure's facts (four statements in one repeatable-read snapshot, whatever the number of
//! procedures), frozen quarter snapshots, and the two writes of a batch (a field revision, a
//! snapshot).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rollout_domain::analytics::{
    FieldRevision, ProcedureFacts, RevisedField, StateChange, TargetMove,
};
use rollout_domain::{FiscalQuarter, ProcedureId};
use rollout_store::analytics_codec::{assemble_facts, figures_from_json, figures_to_json};
use rollout_store::{AnalyticsStamp, AnalyticsStore, QuarterSnapshot, StoreError, StoreResult};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::rows::{self, corrupt, procedure_columns};
use crate::{PgStore, errors};

type ChangeRow = (Uuid, String, Option<String>, DateTime<Utc>);
type RevisionRow = (
    Uuid,
    String,
    Option<String>,
    Option<String>,
    DateTime<Utc>,
    String,
    Option<String>,
);
type MoveRow = (Uuid, Option<String>, Option<String>, DateTime<Utc>);

fn quarter(column: &str, raw: Option<String>) -> Result<Option<FiscalQuarter>, StoreError> {
    raw.map(|r| FiscalQuarter::parse(&r).map_err(|_| corrupt("target_changes", column, &r)))
        .transpose()
}

#[async_trait]
impl AnalyticsStore for PgStore {
    #[tracing::instrument(name = "store.analytics_stamp", skip(self))]
    async fn analytics_stamp(&self) -> StoreResult<AnalyticsStamp> {
        let (procedures, version_sum): (i64, i64) =
            sqlx::query_as("SELECT count(*), coalesce(sum(version), 0)::bigint FROM procedures")
                .fetch_one(&self.pool)
                .await
                .map_err(errors::db("read the analytics stamp"))?;
        Ok(AnalyticsStamp {
            procedures,
            version_sum,
        })
    }

    #[tracing::instrument(name = "store.analytics_facts", skip(self))]
    async fn analytics_facts(&self) -> StoreResult<Vec<ProcedureFacts>> {
        let mut tx = self
            .pool
            .begin()
            .await
            .map_err(errors::db("begin the analytics read"))?;
        sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            .execute(&mut *tx)
            .await
            .map_err(errors::db("begin the analytics read"))?;
        let procedures = sqlx::query(concat!(
            "SELECT ",
            procedure_columns!(),
            " FROM procedures ORDER BY code"
        ))
        .fetch_all(&mut *tx)
        .await
        .map_err(errors::db("load procedures"))?;
        let changes: Vec<ChangeRow> = sqlx::query_as(
            "SELECT procedure_id, to_state, comment, at FROM transition_records \
             ORDER BY procedure_id, procedure_version",
        )
        .fetch_all(&mut *tx)
        .await
        .map_err(errors::db("load state changes"))?;
        let revisions: Vec<RevisionRow> = sqlx::query_as(
            "SELECT procedure_id, field, old_value, new_value, at, actor, reason \
             FROM field_revisions ORDER BY procedure_id, id",
        )
        .fetch_all(&mut *tx)
        .await
        .map_err(errors::db("load field revisions"))?;
        let moves: Vec<MoveRow> = sqlx::query_as(
            "SELECT procedure_id, from_quarter, to_quarter, at FROM target_changes \
             ORDER BY procedure_id, id",
        )
        .fetch_all(&mut *tx)
        .await
        .map_err(errors::db("load target changes"))?;
        tx.commit()
            .await
            .map_err(errors::db("end the analytics read"))?;
        let procedures = rows::all(&procedures, rows::procedure)?;
        let changes = changes
            .into_iter()
            .map(|(id, to, comment, at)| (ProcedureId(id), StateChange { at, to, comment }))
            .collect();
        let revisions = revisions
            .into_iter()
            .map(|(id, field, old, new, at, actor, reason)| {
                Ok(FieldRevision {
                    procedure_id: ProcedureId(id),
                    field: RevisedField::parse(&field)
                        .ok_or_else(|| corrupt("field_revisions", "field", &field))?,
                    old,
                    new,
                    at,
                    actor,
                    reason,
                })
            })
            .collect::<StoreResult<Vec<_>>>()?;
        let moves = moves
            .into_iter()
            .map(|(id, from, to, at)| {
                Ok((
                    ProcedureId(id),
                    TargetMove {
                        at,
                        from: quarter("from_quarter", from)?,
                        to: quarter("to_quarter", to)?,
                    },
                ))
            })
            .collect::<StoreResult<Vec<_>>>()?;
        Ok(assemble_facts(procedures, changes, revisions, moves))
    }

    #[tracing::instrument(name = "store.quarter_snapshot", skip(self), fields(quarter = %quarter))]
    async fn quarter_snapshot(
        &self,
        quarter: FiscalQuarter,
    ) -> StoreResult<Option<QuarterSnapshot>> {
        let row: Option<(String, DateTime<Utc>, String)> = sqlx::query_as(
            "SELECT figures::text, frozen_at, frozen_by FROM quarter_snapshots WHERE quarter = $1",
        )
        .bind(rows::quarter_key(&quarter))
        .fetch_optional(&self.pool)
        .await
        .map_err(errors::db("load a quarter snapshot"))?;
        row.map(|(figures, frozen_at, frozen_by)| {
            Ok(QuarterSnapshot {
                figures: figures_from_json(&figures)
                    .ok_or_else(|| corrupt("quarter_snapshots", "figures", &figures))?,
                frozen_at,
                frozen_by,
            })
        })
        .transpose()
    }
}

/// Appends a field revision in the batch's transaction.
pub(crate) async fn insert_revision(conn: &mut PgConnection, r: &FieldRevision) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO field_revisions \
         (procedure_id, field, old_value, new_value, at, actor, reason) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(r.procedure_id.as_uuid())
    .bind(r.field.as_str())
    .bind(r.old.as_deref())
    .bind(r.new.as_deref())
    .bind(r.at)
    .bind(&r.actor)
    .bind(r.reason.as_deref())
    .execute(&mut *conn)
    .await
    .map_err(errors::write(
        "insert a field revision",
        errors::from_detail,
    ))?;
    Ok(())
}

/// Stores a quarter snapshot; `Duplicate` when that quarter is frozen already.
pub(crate) async fn freeze(conn: &mut PgConnection, s: &QuarterSnapshot) -> StoreResult<()> {
    let done = sqlx::query(
        "INSERT INTO quarter_snapshots (quarter, figures, frozen_at, frozen_by) \
         VALUES ($1, $2::jsonb, $3, $4) ON CONFLICT (quarter) DO NOTHING",
    )
    .bind(rows::quarter_key(&s.figures.quarter))
    .bind(figures_to_json(&s.figures))
    .bind(s.frozen_at)
    .bind(&s.frozen_by)
    .execute(&mut *conn)
    .await
    .map_err(errors::db("freeze a quarter"))?;
    if done.rows_affected() == 0 {
        return Err(StoreError::Duplicate {
            entity: "quarter snapshot",
            key: s.figures.quarter.to_string(),
        });
    }
    Ok(())
}
