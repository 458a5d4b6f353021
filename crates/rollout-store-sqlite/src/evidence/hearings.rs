//! Reading hearings with their outcomes (in position order): by id and by batch in one statement
//! (a LEFT JOIN folded in Rust), the hearings of a batch of procedures in one statement, the
//! keyset-paginated listing (the page, then its outcomes: two statements, and a third for the
//! total when asked), and idempotency-key look-ups.

use std::collections::HashMap;

use rollout_domain::hearing::{Hearing, HearingOutcome};
use rollout_domain::{HearingId, IdempotencyKey, ProcedureId};
use rollout_store::{HearingCursor, HearingFilter, HearingKeyHit, Page, PageRequest, StoreResult};
use sqlx::{FromRow, QueryBuilder, Sqlite, SqlitePool};

use super::rows::{
    HEARING_COLUMNS, HearingRow, JoinedRow, OUTCOME_COLUMNS, OutcomeRow, fold_hearings,
};
use crate::errors::ctx;
use crate::paging;
use crate::rows::{day, decode_all, parse_uuid, uuid};

pub(crate) async fn by_ids(reader: &SqlitePool, ids: &[HearingId]) -> StoreResult<Vec<Hearing>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut qb = QueryBuilder::<Sqlite>::new(format!(
        "SELECT {HEARING_COLUMNS}, {OUTCOME_COLUMNS} FROM hearings h \
         LEFT JOIN hearing_outcomes o ON o.hearing_id = h.id WHERE h.id IN ("
    ));
    let mut list = qb.separated(", ");
    for id in ids {
        list.push_bind(uuid(id.0));
    }
    qb.push(") ORDER BY h.id, o.position");
    let rows: Vec<JoinedRow> = qb
        .build_query_as()
        .fetch_all(reader)
        .await
        .map_err(ctx("load hearings"))?;
    Ok(fold_hearings(rows, |r| ((), r))?
        .into_iter()
        .map(|(_, h)| h)
        .collect())
}

#[derive(Debug, FromRow)]
struct ForProcedureRow {
    for_procedure: String,
    #[sqlx(flatten)]
    joined: JoinedRow,
}

pub(crate) async fn for_procedures(
    reader: &SqlitePool,
    procedures: &[ProcedureId],
) -> StoreResult<Vec<(ProcedureId, Hearing)>> {
    if procedures.is_empty() {
        return Ok(Vec::new());
    }
    let mut qb = QueryBuilder::<Sqlite>::new(format!(
        "SELECT x.procedure_id AS for_procedure, {HEARING_COLUMNS}, {OUTCOME_COLUMNS} \
         FROM (SELECT DISTINCT hearing_id, procedure_id FROM hearing_outcomes \
         WHERE procedure_id IN ("
    ));
    let mut list = qb.separated(", ");
    for id in procedures {
        list.push_bind(uuid(id.0));
    }
    qb.push(
        ")) x JOIN hearings h ON h.id = x.hearing_id \
         LEFT JOIN hearing_outcomes o ON o.hearing_id = h.id \
         ORDER BY x.procedure_id, h.held_on, h.id, o.position",
    );
    let rows: Vec<ForProcedureRow> = qb
        .build_query_as()
        .fetch_all(reader)
        .await
        .map_err(ctx("load hearings of procedures"))?;
    fold_hearings(rows, |r| (r.for_procedure, r.joined))?
        .into_iter()
        .map(|(raw, h)| {
            let id = parse_uuid("hearing_outcomes.procedure_id", &raw)?;
            Ok((ProcedureId(id), h))
        })
        .collect()
}

/// Appends ` WHERE ...` for `filter` over the alias `h`.
fn push_filter(qb: &mut QueryBuilder<Sqlite>, filter: &HearingFilter) {
    qb.push(" WHERE TRUE");
    if !filter.bureau_ids.is_empty() {
        qb.push(" AND h.bureau_id IN (");
        let mut list = qb.separated(", ");
        for id in &filter.bureau_ids {
            list.push_bind(uuid(id.0));
        }
        qb.push(")");
    }
    if let Some(from) = filter.held_from {
        qb.push(" AND h.held_on >= ").push_bind(day(from));
    }
    if let Some(to) = filter.held_to {
        qb.push(" AND h.held_on <= ").push_bind(day(to));
    }
    if let Some(procedure) = filter.procedure_id {
        qb.push(
            " AND EXISTS (SELECT 1 FROM hearing_outcomes x WHERE x.hearing_id = h.id \
             AND x.procedure_id = ",
        )
        .push_bind(uuid(procedure.0))
        .push(")");
    }
    if let Some(kind) = filter.kind {
        qb.push(" AND h.kind = ").push_bind(kind.as_str());
    }
}

pub(crate) async fn list(
    reader: &SqlitePool,
    filter: &HearingFilter,
    page: &PageRequest<HearingCursor>,
) -> StoreResult<Page<Hearing>> {
    let mut items =
        QueryBuilder::<Sqlite>::new(format!("SELECT {HEARING_COLUMNS} FROM hearings h"));
    push_filter(&mut items, filter);
    if let Some(cursor) = &page.after {
        items
            .push(" AND (h.held_on, h.id) < (")
            .push_bind(day(cursor.held_on))
            .push(", ")
            .push_bind(uuid(cursor.id.0))
            .push(")");
    }
    items
        .push(" ORDER BY h.held_on DESC, h.id DESC LIMIT ")
        .push_bind(page.fetch_limit());
    let mut count = QueryBuilder::<Sqlite>::new("SELECT COUNT(*) FROM hearings h");
    push_filter(&mut count, filter);
    let (rows, total) = paging::fetch(
        reader,
        items.build_query_as::<HearingRow>(),
        page.with_total.then(|| count.build_query_scalar()),
        "list hearings",
    )
    .await?;
    let hearings = decode_all(rows, HearingRow::into_domain)?;
    let mut page = Page::from_overfetch(hearings, page, total);
    attach_outcomes(reader, &mut page.items).await?;
    Ok(page)
}

/// Loads the outcomes of `hearings` in one statement and puts them in place, in position order.
async fn attach_outcomes(reader: &SqlitePool, hearings: &mut [Hearing]) -> StoreResult<()> {
    if hearings.is_empty() {
        return Ok(());
    }
    let mut qb = QueryBuilder::<Sqlite>::new(format!(
        "SELECT {OUTCOME_COLUMNS} FROM hearing_outcomes o WHERE o.hearing_id IN ("
    ));
    let mut list = qb.separated(", ");
    for h in hearings.iter() {
        list.push_bind(uuid(h.id.0));
    }
    qb.push(") ORDER BY o.hearing_id, o.position");
    let rows: Vec<OutcomeRow> = qb
        .build_query_as()
        .fetch_all(reader)
        .await
        .map_err(ctx("load hearing outcomes"))?;
    let mut by_hearing: HashMap<HearingId, Vec<HearingOutcome>> = HashMap::new();
    for row in rows {
        let raw = row.hearing_id().unwrap_or_default().to_owned();
        let hearing = HearingId(parse_uuid("hearing_outcomes.hearing_id", &raw)?);
        if let Some(outcome) = row.into_domain()? {
            by_hearing.entry(hearing).or_default().push(outcome);
        }
    }
    for h in hearings {
        h.outcomes = by_hearing.remove(&h.id).unwrap_or_default();
    }
    Ok(())
}

pub(crate) async fn key_hit(
    reader: &SqlitePool,
    owner: &str,
    key: &IdempotencyKey,
) -> StoreResult<Option<HearingKeyHit>> {
    let row: Option<(String, String)> = sqlx::query_as(
        "SELECT idempotency_fingerprint, id FROM hearings \
         WHERE idempotency_owner = ? AND idempotency_key = ?",
    )
    .bind(owner)
    .bind(key.as_str())
    .fetch_optional(reader)
    .await
    .map_err(ctx("load hearing idempotency key"))?;
    row.map(|(fingerprint, id)| {
        Ok(HearingKeyHit {
            fingerprint,
            hearing: HearingId(parse_uuid("hearings.id", &id)?),
        })
    })
    .transpose()
}
