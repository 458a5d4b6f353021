//! Reading law changes (by id, code and batch, the keyset listing by code, the status history),
//! milestones, dependencies, the narrow procedure facts, procedure ids by listing filter and
//! the lead-time samples. Batch reads bind their ids as one JSON array (`json_each`), so each is
//! one statement whatever the number of ids.

use rollout_domain::blockers::{Dependency, LawChange, LawChangeStatusChange, LawLevel, Milestone};
use rollout_domain::{DependencyId, LawChangeId, MilestoneId, ProcedureId};
use rollout_store::{
    LawChangeCursor, LawChangeFilter, LeadSample, Page, PageRequest, ProcedureFacts,
    ProcedureFilter, StoreResult,
};
use sqlx::sqlite::SqliteRow;
use sqlx::{AssertSqlSafe, FromRow, QueryBuilder, Sqlite, SqlitePool};
use uuid::Uuid;

use super::rows::{
    DEPENDENCY_COLUMNS, DependencyRow, FACTS_COLUMNS, FactsRow, HISTORY_COLUMNS, HistoryRow,
    LAW_CHANGE_COLUMNS, LawChangeRow, LeadRow, MILESTONE_COLUMNS, MilestoneRow, ids_json,
};
use crate::errors::ctx;
use crate::listing::{like_pattern, push_filter};
use crate::paging;
use crate::rows::{decode_all, parse_uuid, uuid};

/// `SELECT <columns> FROM <table>`, with ` WHERE <column> IN (<ids as JSON>)` when ids are
/// given.
fn select(
    columns: &str,
    table: &str,
    column: &str,
    ids: Option<Vec<Uuid>>,
) -> QueryBuilder<Sqlite> {
    let mut qb = QueryBuilder::<Sqlite>::new(format!("SELECT {columns} FROM {table}"));
    if let Some(ids) = ids {
        qb.push(format!(" WHERE {column} IN (SELECT value FROM json_each("))
            .push_bind(ids_json(ids))
            .push("))");
    }
    qb
}

async fn fetch<R, T>(
    reader: &SqlitePool,
    mut qb: QueryBuilder<Sqlite>,
    what: &'static str,
    decode: fn(R) -> StoreResult<T>,
) -> StoreResult<Vec<T>>
where
    R: Send + Unpin + for<'r> FromRow<'r, SqliteRow>,
{
    let rows: Vec<R> = qb
        .build_query_as()
        .fetch_all(reader)
        .await
        .map_err(ctx(what))?;
    decode_all(rows, decode)
}

fn uuids<I: Copy>(ids: Option<&[I]>, uuid: fn(&I) -> Uuid) -> Option<Vec<Uuid>> {
    ids.map(|ids| ids.iter().map(uuid).collect())
}

pub(crate) async fn law_changes(
    reader: &SqlitePool,
    ids: Option<&[LawChangeId]>,
) -> StoreResult<Vec<LawChange>> {
    let ids = uuids(ids, LawChangeId::as_uuid);
    let qb = select(LAW_CHANGE_COLUMNS, "law_changes", "id", ids);
    fetch(reader, qb, "load law changes", LawChangeRow::into_domain).await
}

pub(crate) async fn law_change_by_code(
    reader: &SqlitePool,
    code: &str,
) -> StoreResult<Option<LawChange>> {
    let row: Option<LawChangeRow> = sqlx::query_as(AssertSqlSafe(format!(
        "SELECT {LAW_CHANGE_COLUMNS} FROM law_changes WHERE code = ?"
    )))
    .bind(code)
    .fetch_optional(reader)
    .await
    .map_err(ctx("load law change by code"))?;
    row.map(LawChangeRow::into_domain).transpose()
}

/// Appends ` WHERE ...` for `filter`.
fn push_law_change_filter(qb: &mut QueryBuilder<Sqlite>, filter: &LawChangeFilter) {
    qb.push(" WHERE TRUE");
    let push_in = |qb: &mut QueryBuilder<Sqlite>, column: &str, keys: Vec<String>| {
        if keys.is_empty() {
            return;
        }
        qb.push(format!(" AND {column} IN (SELECT value FROM json_each("))
            .push_bind(serde_json::Value::from(keys).to_string())
            .push("))");
    };
    let statuses = filter.statuses.iter().map(|s| s.as_str().to_owned());
    push_in(qb, "status", statuses.collect());
    let levels = filter.levels.iter().map(|l| l.as_str().to_owned());
    push_in(qb, "level", levels.collect());
    let owners = filter.owner_bureau_ids.iter().map(|b| uuid(b.0));
    push_in(qb, "owner_bureau_id", owners.collect());
    if let Some(national) = filter.national {
        let levels = LawLevel::ALL
            .iter()
            .filter(|l| l.is_national() == national)
            .map(|l| l.as_str().to_owned());
        push_in(qb, "level", levels.collect());
    }
    if let Some(search) = &filter.search {
        // SQLite's LIKE ignores ASCII case; codes and English titles are ASCII.
        let pattern = like_pattern(search.trim());
        qb.push(" AND (code LIKE ")
            .push_bind(pattern.clone())
            .push(" ESCAPE '\\' OR title_ja LIKE ")
            .push_bind(pattern.clone())
            .push(" ESCAPE '\\' OR title_en LIKE ")
            .push_bind(pattern)
            .push(" ESCAPE '\\')");
    }
}

pub(crate) async fn list_law_changes(
    reader: &SqlitePool,
    filter: &LawChangeFilter,
    page: &PageRequest<LawChangeCursor>,
) -> StoreResult<Page<LawChange>> {
    let mut items =
        QueryBuilder::<Sqlite>::new(format!("SELECT {LAW_CHANGE_COLUMNS} FROM law_changes"));
    push_law_change_filter(&mut items, filter);
    if let Some(cursor) = &page.after {
        items.push(" AND code > ").push_bind(cursor.code.clone());
    }
    items
        .push(" ORDER BY code LIMIT ")
        .push_bind(page.fetch_limit());
    let mut count = QueryBuilder::<Sqlite>::new("SELECT COUNT(*) FROM law_changes");
    push_law_change_filter(&mut count, filter);
    let (rows, total) = paging::fetch(
        reader,
        items.build_query_as::<LawChangeRow>(),
        page.with_total.then(|| count.build_query_scalar()),
        "list law changes",
    )
    .await?;
    let items = decode_all(rows, LawChangeRow::into_domain)?;
    Ok(Page::from_overfetch(items, page, total))
}

pub(crate) async fn history(
    reader: &SqlitePool,
    ids: Option<&[LawChangeId]>,
) -> StoreResult<Vec<LawChangeStatusChange>> {
    let ids = uuids(ids, LawChangeId::as_uuid);
    let mut qb = select(HISTORY_COLUMNS, "law_change_history", "law_change_id", ids);
    qb.push(" ORDER BY at, id");
    fetch(
        reader,
        qb,
        "load law change history",
        HistoryRow::into_domain,
    )
    .await
}

/// The given milestones, or every one (by planned date, none last, then name and id).
pub(crate) async fn milestones(
    reader: &SqlitePool,
    ids: Option<&[MilestoneId]>,
) -> StoreResult<Vec<Milestone>> {
    let ids = uuids(ids, MilestoneId::as_uuid);
    let mut qb = select(MILESTONE_COLUMNS, "milestones", "id", ids);
    qb.push(" ORDER BY planned_on IS NULL, planned_on, name, id");
    fetch(reader, qb, "load milestones", MilestoneRow::into_domain).await
}

/// The given dependencies, or every one ever recorded (by creation time, then id).
pub(crate) async fn dependencies(
    reader: &SqlitePool,
    ids: Option<&[DependencyId]>,
) -> StoreResult<Vec<Dependency>> {
    let ids = uuids(ids, DependencyId::as_uuid);
    let mut qb = select(DEPENDENCY_COLUMNS, "dependencies", "id", ids);
    qb.push(" ORDER BY created_at, id");
    fetch(reader, qb, "load dependencies", DependencyRow::into_domain).await
}

pub(crate) async fn procedure_facts(
    reader: &SqlitePool,
    ids: Option<&[ProcedureId]>,
) -> StoreResult<Vec<ProcedureFacts>> {
    let ids = uuids(ids, ProcedureId::as_uuid);
    let qb = select(FACTS_COLUMNS, "procedures", "id", ids);
    fetch(reader, qb, "load procedure facts", FactsRow::into_domain).await
}

pub(crate) async fn procedure_ids(
    reader: &SqlitePool,
    filter: &ProcedureFilter,
) -> StoreResult<Vec<ProcedureId>> {
    let mut qb = QueryBuilder::<Sqlite>::new("SELECT id FROM procedures");
    push_filter(&mut qb, filter);
    let ids: Vec<String> = qb
        .build_query_scalar()
        .fetch_all(reader)
        .await
        .map_err(ctx("list procedure ids"))?;
    ids.iter()
        .map(|raw| parse_uuid("procedures.id", raw).map(ProcedureId))
        .collect()
}

/// One statement: for each finished procedure, its latest record entering `scheduled` (by
/// procedure version, the true order of a history) and the latest record entering a done
/// state after that one.
pub(crate) async fn lead_samples(
    reader: &SqlitePool,
    scheduled_state: &str,
    done_states: &[String],
) -> StoreResult<Vec<LeadSample>> {
    if done_states.is_empty() {
        return Ok(Vec::new());
    }
    let done = serde_json::Value::from(done_states.to_vec()).to_string();
    let rows: Vec<LeadRow> = sqlx::query_as(
        "WITH done(state) AS (SELECT value FROM json_each(?1)), \
         finished AS (SELECT id, platform FROM procedures \
           WHERE released_on IS NOT NULL AND state IN (SELECT state FROM done)), \
         scheduled AS (SELECT f.id, f.platform, MAX(r.procedure_version) AS version \
           FROM finished f JOIN transition_records r ON r.procedure_id = f.id \
           WHERE r.to_state = ?2 GROUP BY f.id, f.platform), \
         released AS (SELECT s.id, s.platform, s.version AS scheduled_version, \
           (SELECT MAX(r.procedure_version) FROM transition_records r \
             WHERE r.procedure_id = s.id AND r.procedure_version > s.version \
             AND r.to_state IN (SELECT state FROM done)) AS version \
           FROM scheduled s) \
         SELECT x.platform, s.at AS scheduled_at, d.at AS released_at FROM released x \
         JOIN transition_records s ON s.procedure_id = x.id \
           AND s.procedure_version = x.scheduled_version \
         JOIN transition_records d ON d.procedure_id = x.id AND d.procedure_version = x.version",
    )
    .bind(done)
    .bind(scheduled_state)
    .fetch_all(reader)
    .await
    .map_err(ctx("load lead-time samples"))?;
    decode_all(rows, LeadRow::into_domain)
}
