//! Reading tasks: by id and by batch, the tasks of a batch of procedures or hearings (one
//! statement each), and the filtered keyset listing ordered by due date (none last), then id.
//! The order is the generated column `due_key` (the due date, or 'infinity' for none), so a
//! cursor is one row-value comparison that the indexes of migration 0005 serve; "overdue" is
//! judged against the caller's `today` (the app's Tokyo date) on that same column.

use rollout_domain::task::{Task, TaskStatus};
use rollout_domain::{HearingId, ProcedureId, TaskId};
use rollout_store::{OverdueAsOf, Page, PageRequest, StoreResult, TaskCursor, TaskFilter};
use sqlx::{PgPool, Postgres, QueryBuilder};
use uuid::Uuid;

use super::rows::{self as evidence_rows, TASK_COLUMNS};
use crate::{errors, paging, rows};

pub(crate) async fn get(pool: &PgPool, id: TaskId) -> StoreResult<Option<Task>> {
    Ok(by_ids(pool, &[id]).await?.pop())
}

/// `SELECT ... FROM tasks WHERE <column> = ANY(<ids>)`, ready for more conditions.
fn select_any(column: &str, ids: Vec<Uuid>) -> QueryBuilder<Postgres> {
    let mut q = QueryBuilder::<Postgres>::new(format!(
        "SELECT {TASK_COLUMNS} FROM tasks WHERE {column} = ANY("
    ));
    q.push_bind(ids).push(")");
    q
}

async fn fetch(pool: &PgPool, mut q: QueryBuilder<Postgres>) -> StoreResult<Vec<Task>> {
    let found = q
        .build()
        .fetch_all(pool)
        .await
        .map_err(errors::db("load tasks"))?;
    rows::all(&found, evidence_rows::task)
}

pub(crate) async fn by_ids(pool: &PgPool, ids: &[TaskId]) -> StoreResult<Vec<Task>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    fetch(
        pool,
        select_any("id", ids.iter().map(|id| id.as_uuid()).collect()),
    )
    .await
}

pub(crate) async fn for_procedures(
    pool: &PgPool,
    procedures: &[ProcedureId],
    status: Option<TaskStatus>,
) -> StoreResult<Vec<Task>> {
    if procedures.is_empty() {
        return Ok(Vec::new());
    }
    let ids = procedures.iter().map(|id| id.as_uuid()).collect();
    let mut q = select_any("procedure_id", ids);
    if let Some(status) = status {
        q.push(" AND status = ").push_bind(status.as_str());
    }
    q.push(" ORDER BY due_key, id");
    fetch(pool, q).await
}

pub(crate) async fn for_hearings(pool: &PgPool, hearings: &[HearingId]) -> StoreResult<Vec<Task>> {
    if hearings.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = select_any(
        "hearing_id",
        hearings.iter().map(|id| id.as_uuid()).collect(),
    );
    q.push(" ORDER BY hearing_id, id");
    fetch(pool, q).await
}

/// Appends ` WHERE ...` for `filter` (always a WHERE, so callers can append `AND ...`).
fn push_filter(q: &mut QueryBuilder<Postgres>, filter: &TaskFilter) {
    q.push(" WHERE TRUE");
    if !filter.bureau_ids.is_empty() {
        let ids: Vec<Uuid> = filter.bureau_ids.iter().map(|id| id.as_uuid()).collect();
        q.push(" AND bureau_id = ANY(").push_bind(ids).push(")");
    }
    if let Some(assignee) = filter.assignee_id {
        q.push(" AND assignee_id = ").push_bind(assignee.as_uuid());
    }
    if !filter.statuses.is_empty() {
        let statuses: Vec<&str> = filter.statuses.iter().map(|s| s.as_str()).collect();
        q.push(" AND status = ANY(").push_bind(statuses).push(")");
    }
    if let Some(before) = filter.due_before {
        q.push(" AND due_on < ").push_bind(before);
    }
    match filter.overdue {
        // due_key of a task without a due date ('infinity') is never before today.
        Some(OverdueAsOf {
            today,
            overdue: true,
        }) => {
            q.push(" AND status = 'OPEN' AND due_key < ")
                .push_bind(today);
        }
        Some(OverdueAsOf {
            today,
            overdue: false,
        }) => {
            q.push(" AND (status <> 'OPEN' OR due_key >= ")
                .push_bind(today)
                .push(")");
        }
        None => {}
    }
    if let Some(procedure) = filter.procedure_id {
        q.push(" AND procedure_id = ")
            .push_bind(procedure.as_uuid());
    }
    if let Some(hearing) = filter.hearing_id {
        q.push(" AND hearing_id = ").push_bind(hearing.as_uuid());
    }
}

pub(crate) async fn list(
    pool: &PgPool,
    filter: &TaskFilter,
    page: &PageRequest<TaskCursor>,
) -> StoreResult<Page<Task>> {
    let mut items = QueryBuilder::<Postgres>::new(format!("SELECT {TASK_COLUMNS} FROM tasks"));
    push_filter(&mut items, filter);
    if let Some(cursor) = &page.after {
        items
            .push(" AND (due_key, id) > (COALESCE(")
            .push_bind(cursor.due_on)
            .push("::date, 'infinity'::date), ")
            .push_bind(cursor.id.as_uuid())
            .push(")");
    }
    items
        .push(" ORDER BY due_key, id LIMIT ")
        .push_bind(page.fetch_limit());
    let mut count = QueryBuilder::<Postgres>::new("SELECT COUNT(*) FROM tasks");
    push_filter(&mut count, filter);
    let (found, total) = paging::fetch(
        pool,
        items.build(),
        page.with_total.then(|| count.build_query_scalar()),
        "list tasks",
    )
    .await?;
    let tasks = rows::all(&found, evidence_rows::task)?;
    Ok(Page::from_overfetch(tasks, page, total))
}
