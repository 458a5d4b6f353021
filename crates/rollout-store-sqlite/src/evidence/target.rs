//! Target-quarter history: appending changes (one, or many in multi-row chunks for bulk loads)
//! and reading the history of a batch of procedures in one statement. The row id is the order:
//! two changes of one procedure may share an instant.

use rollout_domain::target::TargetChange;
use rollout_domain::{FiscalQuarter, ProcedureId};
use rollout_store::StoreResult;
use sqlx::{FromRow, QueryBuilder, Sqlite, SqliteConnection, SqlitePool};

use crate::errors::ctx;
use crate::refs::{self, Ref};
use crate::rows::{decode_all, instant, parse_instant, parse_uuid, parse_with, uuid};

/// Rows per multi-row INSERT (6 bound values each).
const CHUNK: usize = 500;

const COLUMNS: &str = "procedure_id, from_quarter, to_quarter, at, actor, reason";

/// Appends `changes` in order, in the caller's transaction. `NotFound { entity: "procedure" }`
/// names the first change whose procedure does not exist.
pub(crate) async fn insert(
    conn: &mut SqliteConnection,
    changes: &[&TargetChange],
) -> StoreResult<u64> {
    for chunk in changes.chunks(CHUNK) {
        let mut qb =
            QueryBuilder::<Sqlite>::new(format!("INSERT INTO target_changes ({COLUMNS}) "));
        qb.push_values(chunk, |mut row, c| {
            row.push_bind(uuid(c.procedure_id.0))
                .push_bind(c.from.map(|q| q.to_string()))
                .push_bind(c.to.map(|q| q.to_string()))
                .push_bind(instant(c.at))
                .push_bind(c.actor.clone())
                .push_bind(c.reason.clone());
        });
        if let Err(e) = qb.build().execute(&mut *conn).await {
            let references: Vec<Ref> = chunk
                .iter()
                .map(|c| Ref::procedure(c.procedure_id.0))
                .collect();
            return Err(refs::missing(conn, e, "insert target changes", &references).await);
        }
    }
    Ok(changes.len() as u64)
}

#[derive(Debug, FromRow)]
struct ChangeRow {
    procedure_id: String,
    from_quarter: Option<String>,
    to_quarter: Option<String>,
    at: String,
    actor: String,
    reason: Option<String>,
}

impl ChangeRow {
    fn into_domain(self) -> StoreResult<TargetChange> {
        let quarter = |column: &str, raw: Option<String>| {
            raw.map(|raw| parse_with(column, &raw, FiscalQuarter::parse))
                .transpose()
        };
        Ok(TargetChange {
            procedure_id: ProcedureId(parse_uuid(
                "target_changes.procedure_id",
                &self.procedure_id,
            )?),
            from: quarter("target_changes.from_quarter", self.from_quarter)?,
            to: quarter("target_changes.to_quarter", self.to_quarter)?,
            at: parse_instant("target_changes.at", &self.at)?,
            actor: self.actor,
            reason: self.reason,
        })
    }
}

/// Every change of each of `procedures`, oldest first per procedure, in one statement.
pub(crate) async fn for_procedures(
    reader: &SqlitePool,
    procedures: &[ProcedureId],
) -> StoreResult<Vec<TargetChange>> {
    if procedures.is_empty() {
        return Ok(Vec::new());
    }
    let mut qb = QueryBuilder::<Sqlite>::new(format!(
        "SELECT {COLUMNS} FROM target_changes WHERE procedure_id IN ("
    ));
    let mut list = qb.separated(", ");
    for id in procedures {
        list.push_bind(uuid(id.0));
    }
    qb.push(") ORDER BY procedure_id, id");
    let rows: Vec<ChangeRow> = qb
        .build_query_as()
        .fetch_all(reader)
        .await
        .map_err(ctx("load target changes"))?;
    decode_all(rows, ChangeRow::into_domain)
}
