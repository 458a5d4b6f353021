//! Reading law changes (by id, code and batch, the keyset listing by code, the status history),
//! milestones, dependencies, the narrow procedure facts, procedure ids by listing filter and
//! the lead-time samples. Batch reads are one statement whatever the number of ids
//! (`= ANY($1)` with one array parameter).

use rollout_domain::blockers::{Dependency, LawChange, LawChangeStatusChange, LawLevel, Milestone};
use rollout_domain::{DependencyId, LawChangeId, MilestoneId, ProcedureId};
use rollout_store::{
    LawChangeCursor, LawChangeFilter, LeadSample, Page, PageRequest, ProcedureFacts,
    ProcedureFilter, StoreError, StoreResult,
};
use sqlx::postgres::PgRow;
use sqlx::{AssertSqlSafe, PgPool, Postgres, QueryBuilder};
use uuid::Uuid;

use super::rows::{
    self as blocker_rows, DEPENDENCY_COLUMNS, FACTS_COLUMNS, HISTORY_COLUMNS, LAW_CHANGE_COLUMNS,
    MILESTONE_COLUMNS,
};
use crate::listing::{like_pattern, push_filter};
use crate::{errors, paging, rows};

/// `SELECT <columns> FROM <table>`, with ` WHERE <column> = ANY(<ids>)` when ids are given.
fn select(
    columns: &str,
    table: &str,
    column: &str,
    ids: Option<Vec<Uuid>>,
) -> QueryBuilder<Postgres> {
    let mut q = QueryBuilder::<Postgres>::new(format!("SELECT {columns} FROM {table}"));
    if let Some(ids) = ids {
        q.push(format_args!(" WHERE {column} = ANY("))
            .push_bind(ids)
            .push(")");
    }
    q
}

async fn fetch<T>(
    pool: &PgPool,
    mut q: QueryBuilder<Postgres>,
    what: &'static str,
    decode: fn(&PgRow) -> Result<T, StoreError>,
) -> StoreResult<Vec<T>> {
    let found = q.build().fetch_all(pool).await.map_err(errors::db(what))?;
    rows::all(&found, decode)
}

fn uuids<I: Copy>(ids: Option<&[I]>, uuid: fn(&I) -> Uuid) -> Option<Vec<Uuid>> {
    ids.map(|ids| ids.iter().map(uuid).collect())
}

pub(crate) async fn law_changes(
    pool: &PgPool,
    ids: Option<&[LawChangeId]>,
) -> StoreResult<Vec<LawChange>> {
    let q = select(
        LAW_CHANGE_COLUMNS,
        "law_changes",
        "id",
        uuids(ids, LawChangeId::as_uuid),
    );
    fetch(pool, q, "load law changes", blocker_rows::law_change).await
}

pub(crate) async fn law_change_by_code(
    pool: &PgPool,
    code: &str,
) -> StoreResult<Option<LawChange>> {
    let row = sqlx::query(AssertSqlSafe(format!(
        "SELECT {LAW_CHANGE_COLUMNS} FROM law_changes WHERE code = $1"
    )))
    .bind(code)
    .fetch_optional(pool)
    .await
    .map_err(errors::db("load law change by code"))?;
    row.as_ref().map(blocker_rows::law_change).transpose()
}

/// Appends ` WHERE ...` for `filter`.
fn push_law_change_filter(q: &mut QueryBuilder<Postgres>, filter: &LawChangeFilter) {
    q.push(" WHERE TRUE");
    let push_any = |q: &mut QueryBuilder<Postgres>, column: &str, keys: Vec<&'static str>| {
        if !keys.is_empty() {
            q.push(format_args!(" AND {column} = ANY("))
                .push_bind(keys)
                .push(")");
        }
    };
    push_any(
        q,
        "status",
        filter.statuses.iter().map(|s| s.as_str()).collect(),
    );
    push_any(
        q,
        "level",
        filter.levels.iter().map(|l| l.as_str()).collect(),
    );
    if !filter.owner_bureau_ids.is_empty() {
        let owners: Vec<Uuid> = filter
            .owner_bureau_ids
            .iter()
            .map(|b| b.as_uuid())
            .collect();
        q.push(" AND owner_bureau_id = ANY(")
            .push_bind(owners)
            .push(")");
    }
    if let Some(national) = filter.national {
        let levels = LawLevel::ALL
            .iter()
            .filter(|l| l.is_national() == national)
            .map(|l| l.as_str());
        push_any(q, "level", levels.collect());
    }
    if let Some(search) = &filter.search {
        let pattern = like_pattern(search.trim());
        q.push(" AND (code ILIKE ")
            .push_bind(pattern.clone())
            .push(" OR title_ja ILIKE ")
            .push_bind(pattern.clone())
            .push(" OR title_en ILIKE ")
            .push_bind(pattern)
            .push(")");
    }
}

pub(crate) async fn list_law_changes(
    pool: &PgPool,
    filter: &LawChangeFilter,
    page: &PageRequest<LawChangeCursor>,
) -> StoreResult<Page<LawChange>> {
    let mut items =
        QueryBuilder::<Postgres>::new(format!("SELECT {LAW_CHANGE_COLUMNS} FROM law_changes"));
    push_law_change_filter(&mut items, filter);
    if let Some(cursor) = &page.after {
        items.push(" AND code > ").push_bind(cursor.code.clone());
    }
    items
        .push(" ORDER BY code LIMIT ")
        .push_bind(page.fetch_limit());
    let mut count = QueryBuilder::<Postgres>::new("SELECT COUNT(*) FROM law_changes");
    push_law_change_filter(&mut count, filter);
    let (found, total) = paging::fetch(
        pool,
        items.build(),
        page.with_total.then(|| count.build_query_scalar()),
        "list law changes",
    )
    .await?;
    let items = rows::all(&found, blocker_rows::law_change)?;
    Ok(Page::from_overfetch(items, page, total))
}

pub(crate) async fn history(
    pool: &PgPool,
    ids: Option<&[LawChangeId]>,
) -> StoreResult<Vec<LawChangeStatusChange>> {
    let ids = uuids(ids, LawChangeId::as_uuid);
    let mut q = select(HISTORY_COLUMNS, "law_change_history", "law_change_id", ids);
    q.push(" ORDER BY at, id");
    fetch(pool, q, "load law change history", blocker_rows::history).await
}

/// The given milestones, or every one (by planned date, none last, then name and id).
pub(crate) async fn milestones(
    pool: &PgPool,
    ids: Option<&[MilestoneId]>,
) -> StoreResult<Vec<Milestone>> {
    let ids = uuids(ids, MilestoneId::as_uuid);
    let mut q = select(MILESTONE_COLUMNS, "milestones", "id", ids);
    // Bytewise names, as SQLite orders them.
    q.push(" ORDER BY planned_on NULLS LAST, name COLLATE \"C\", id");
    fetch(pool, q, "load milestones", blocker_rows::milestone).await
}

/// The given dependencies, or every one ever recorded (by creation time, then id).
pub(crate) async fn dependencies(
    pool: &PgPool,
    ids: Option<&[DependencyId]>,
) -> StoreResult<Vec<Dependency>> {
    let ids = uuids(ids, DependencyId::as_uuid);
    let mut q = select(DEPENDENCY_COLUMNS, "dependencies", "id", ids);
    q.push(" ORDER BY created_at, id");
    fetch(pool, q, "load dependencies", blocker_rows::dependency).await
}

pub(crate) async fn procedure_facts(
    pool: &PgPool,
    ids: Option<&[ProcedureId]>,
) -> StoreResult<Vec<ProcedureFacts>> {
    let q = select(
        FACTS_COLUMNS,
        "procedures",
        "id",
        uuids(ids, ProcedureId::as_uuid),
    );
    fetch(pool, q, "load procedure facts", blocker_rows::facts).await
}

pub(crate) async fn procedure_ids(
    pool: &PgPool,
    filter: &ProcedureFilter,
) -> StoreResult<Vec<ProcedureId>> {
    let mut q = QueryBuilder::<Postgres>::new("SELECT id FROM procedures");
    push_filter(&mut q, filter);
    let ids: Vec<Uuid> = q
        .build_query_scalar()
        .fetch_all(pool)
        .await
        .map_err(errors::db("list procedure ids"))?;
    Ok(ids.into_iter().map(ProcedureId).collect())
}

/// One statement: for each finished procedure, its latest record entering `scheduled` (by
/// procedure version, the true order of a history) and the latest record entering a done
/// state after that one.
pub(crate) async fn lead_samples(
    pool: &PgPool,
    scheduled_state: &str,
    done_states: &[String],
) -> StoreResult<Vec<LeadSample>> {
    let found = sqlx::query(
        "WITH finished AS (SELECT id, platform FROM procedures \
           WHERE released_on IS NOT NULL AND state = ANY($1)), \
         scheduled AS (SELECT f.id, f.platform, MAX(r.procedure_version) AS version \
           FROM finished f JOIN transition_records r ON r.procedure_id = f.id \
           WHERE r.to_state = $2 GROUP BY f.id, f.platform), \
         released AS (SELECT s.id, s.platform, s.version AS scheduled_version, \
           (SELECT MAX(r.procedure_version) FROM transition_records r \
             WHERE r.procedure_id = s.id AND r.procedure_version > s.version \
             AND r.to_state = ANY($1)) AS version \
           FROM scheduled s) \
         SELECT x.platform, s.at AS scheduled_at, d.at AS released_at FROM released x \
         JOIN transition_records s ON s.procedure_id = x.id \
           AND s.procedure_version = x.scheduled_version \
         JOIN transition_records d ON d.procedure_id = x.id AND d.procedure_version = x.version",
    )
    .bind(done_states)
    .bind(scheduled_state)
    .fetch_all(pool)
    .await
    .map_err(errors::db("load lead-time samples"))?;
    rows::all(&found, blocker_rows::lead)
}
