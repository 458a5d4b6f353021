//! Reading hearings with their outcomes (in position order): by id and by batch in one statement
//! (a LEFT JOIN folded in Rust), the hearings of a batch of procedures in one statement, the
//! keyset-paginated listing (the page, then its outcomes: two statements, and a third for the
//! total when asked), and idempotency-key look-ups.

use std::collections::HashMap;

use rollout_domain::hearing::{Hearing, HearingOutcome};
use rollout_domain::{HearingId, IdempotencyKey, ProcedureId};
use rollout_store::{HearingCursor, HearingFilter, HearingKeyHit, Page, PageRequest, StoreResult};
use sqlx::{AssertSqlSafe, PgPool, Postgres, QueryBuilder, Row};
use uuid::Uuid;

use super::rows::{self as evidence_rows, HEARING_COLUMNS, OUTCOME_COLUMNS, fold_hearings};
use crate::rows::{self, get};
use crate::{errors, paging};

pub(crate) async fn by_ids(pool: &PgPool, ids: &[HearingId]) -> StoreResult<Vec<Hearing>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<Uuid> = ids.iter().map(|id| id.as_uuid()).collect();
    let found = sqlx::query(AssertSqlSafe(format!(
        "SELECT {HEARING_COLUMNS}, {OUTCOME_COLUMNS} FROM hearings h \
         LEFT JOIN hearing_outcomes o ON o.hearing_id = h.id WHERE h.id = ANY($1) \
         ORDER BY h.id, o.position"
    )))
    .bind(ids)
    .fetch_all(pool)
    .await
    .map_err(errors::db("load hearings"))?;
    Ok(fold_hearings(&found, |_| Ok(()))?
        .into_iter()
        .map(|(_, h)| h)
        .collect())
}

pub(crate) async fn for_procedures(
    pool: &PgPool,
    procedures: &[ProcedureId],
) -> StoreResult<Vec<(ProcedureId, Hearing)>> {
    if procedures.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<Uuid> = procedures.iter().map(|id| id.as_uuid()).collect();
    let found = sqlx::query(AssertSqlSafe(format!(
        "SELECT x.procedure_id AS for_procedure, {HEARING_COLUMNS}, {OUTCOME_COLUMNS} \
         FROM (SELECT DISTINCT hearing_id, procedure_id FROM hearing_outcomes \
         WHERE procedure_id = ANY($1)) x JOIN hearings h ON h.id = x.hearing_id \
         LEFT JOIN hearing_outcomes o ON o.hearing_id = h.id \
         ORDER BY x.procedure_id, h.held_on, h.id, o.position"
    )))
    .bind(ids)
    .fetch_all(pool)
    .await
    .map_err(errors::db("load hearings of procedures"))?;
    Ok(
        fold_hearings(&found, |row| get::<Uuid>(row, "for_procedure"))?
            .into_iter()
            .map(|(p, h)| (ProcedureId(p), h))
            .collect(),
    )
}

/// Appends ` WHERE ...` for `filter` over the alias `h`.
fn push_filter(q: &mut QueryBuilder<Postgres>, filter: &HearingFilter) {
    q.push(" WHERE TRUE");
    if !filter.bureau_ids.is_empty() {
        let ids: Vec<Uuid> = filter.bureau_ids.iter().map(|id| id.as_uuid()).collect();
        q.push(" AND h.bureau_id = ANY(").push_bind(ids).push(")");
    }
    if let Some(from) = filter.held_from {
        q.push(" AND h.held_on >= ").push_bind(from);
    }
    if let Some(to) = filter.held_to {
        q.push(" AND h.held_on <= ").push_bind(to);
    }
    if let Some(procedure) = filter.procedure_id {
        q.push(
            " AND EXISTS (SELECT 1 FROM hearing_outcomes x WHERE x.hearing_id = h.id \
             AND x.procedure_id = ",
        )
        .push_bind(procedure.as_uuid())
        .push(")");
    }
    if let Some(kind) = filter.kind {
        q.push(" AND h.kind = ").push_bind(kind.as_str());
    }
}

pub(crate) async fn list(
    pool: &PgPool,
    filter: &HearingFilter,
    page: &PageRequest<HearingCursor>,
) -> StoreResult<Page<Hearing>> {
    let mut items =
        QueryBuilder::<Postgres>::new(format!("SELECT {HEARING_COLUMNS} FROM hearings h"));
    push_filter(&mut items, filter);
    if let Some(cursor) = &page.after {
        items
            .push(" AND (h.held_on, h.id) < (")
            .push_bind(cursor.held_on)
            .push(", ")
            .push_bind(cursor.id.as_uuid())
            .push(")");
    }
    items
        .push(" ORDER BY h.held_on DESC, h.id DESC LIMIT ")
        .push_bind(page.fetch_limit());
    let mut count = QueryBuilder::<Postgres>::new("SELECT COUNT(*) FROM hearings h");
    push_filter(&mut count, filter);
    let (found, total) = paging::fetch(
        pool,
        items.build(),
        page.with_total.then(|| count.build_query_scalar()),
        "list hearings",
    )
    .await?;
    let hearings = rows::all(&found, evidence_rows::hearing)?;
    let mut page = Page::from_overfetch(hearings, page, total);
    attach_outcomes(pool, &mut page.items).await?;
    Ok(page)
}

/// Loads the outcomes of `hearings` in one statement and puts them in place, in position order.
async fn attach_outcomes(pool: &PgPool, hearings: &mut [Hearing]) -> StoreResult<()> {
    if hearings.is_empty() {
        return Ok(());
    }
    let ids: Vec<Uuid> = hearings.iter().map(|h| h.id.as_uuid()).collect();
    let found = sqlx::query(AssertSqlSafe(format!(
        "SELECT {OUTCOME_COLUMNS} FROM hearing_outcomes o WHERE o.hearing_id = ANY($1) \
         ORDER BY o.hearing_id, o.position"
    )))
    .bind(ids)
    .fetch_all(pool)
    .await
    .map_err(errors::db("load hearing outcomes"))?;
    let mut by_hearing: HashMap<HearingId, Vec<HearingOutcome>> = HashMap::new();
    for row in &found {
        let hearing = HearingId(get(row, "o_hearing_id")?);
        if let Some(outcome) = evidence_rows::outcome(row)? {
            by_hearing.entry(hearing).or_default().push(outcome);
        }
    }
    for h in hearings {
        h.outcomes = by_hearing.remove(&h.id).unwrap_or_default();
    }
    Ok(())
}

pub(crate) async fn key_hit(
    pool: &PgPool,
    owner: &str,
    key: &IdempotencyKey,
) -> StoreResult<Option<HearingKeyHit>> {
    let found = sqlx::query(
        "SELECT idempotency_fingerprint, id FROM hearings \
         WHERE idempotency_owner = $1 AND idempotency_key = $2",
    )
    .bind(owner)
    .bind(key.as_str())
    .fetch_optional(pool)
    .await
    .map_err(errors::db("load hearing idempotency key"))?;
    found
        .map(|row| {
            Ok(HearingKeyHit {
                fingerprint: row
                    .try_get("idempotency_fingerprint")
                    .map_err(errors::db("idempotency_fingerprint"))?,
                hearing: HearingId(get(&row, "id")?),
            })
        })
        .transpose()
}
