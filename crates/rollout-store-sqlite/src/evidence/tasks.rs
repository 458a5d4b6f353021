//! Reading tasks: by id and by batch, the tasks of a batch of procedures or hearings (one
//! statement each), and the filtered keyset listing ordered by due date (none last), then id.
//! The order is the generated column `due_key` (the due date, or '9999-12-31' for none), so a
//! cursor is one row-value comparison that the indexes of migration 0005 serve; "overdue" is
//! judged against the caller's `today` (the app's Tokyo date) on that same column.

use rollout_domain::task::{Task, TaskStatus};
use rollout_domain::{HearingId, ProcedureId, TaskId};
use rollout_store::{OverdueAsOf, Page, PageRequest, StoreResult, TaskCursor, TaskFilter};
use sqlx::{AssertSqlSafe, QueryBuilder, Sqlite, SqlitePool};

use super::rows::{TASK_COLUMNS, TaskRow};
use crate::errors::ctx;
use crate::paging;
use crate::rows::{day, decode_all, uuid};

/// `due_key` of a task without a due date: after every date a task can have.
const NO_DUE_DATE: &str = "9999-12-31";

pub(crate) async fn get(reader: &SqlitePool, id: TaskId) -> StoreResult<Option<Task>> {
    let sql = format!("SELECT {TASK_COLUMNS} FROM tasks WHERE id = ?");
    let row: Option<TaskRow> = sqlx::query_as(AssertSqlSafe(sql))
        .bind(uuid(id.0))
        .fetch_optional(reader)
        .await
        .map_err(ctx("load task"))?;
    row.map(TaskRow::into_domain).transpose()
}

/// `SELECT ... FROM tasks WHERE <column> IN (<ids>)`, ready for more conditions.
fn select_in(column: &str, ids: impl IntoIterator<Item = String>) -> QueryBuilder<Sqlite> {
    let mut qb = QueryBuilder::<Sqlite>::new(format!(
        "SELECT {TASK_COLUMNS} FROM tasks WHERE {column} IN ("
    ));
    let mut list = qb.separated(", ");
    for id in ids {
        list.push_bind(id);
    }
    qb.push(")");
    qb
}

async fn fetch(reader: &SqlitePool, mut qb: QueryBuilder<Sqlite>) -> StoreResult<Vec<Task>> {
    let rows: Vec<TaskRow> = qb
        .build_query_as()
        .fetch_all(reader)
        .await
        .map_err(ctx("load tasks"))?;
    decode_all(rows, TaskRow::into_domain)
}

pub(crate) async fn by_ids(reader: &SqlitePool, ids: &[TaskId]) -> StoreResult<Vec<Task>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    fetch(reader, select_in("id", ids.iter().map(|id| uuid(id.0)))).await
}

pub(crate) async fn for_procedures(
    reader: &SqlitePool,
    procedures: &[ProcedureId],
    status: Option<TaskStatus>,
) -> StoreResult<Vec<Task>> {
    if procedures.is_empty() {
        return Ok(Vec::new());
    }
    let mut qb = select_in("procedure_id", procedures.iter().map(|id| uuid(id.0)));
    if let Some(status) = status {
        qb.push(" AND status = ").push_bind(status.as_str());
    }
    qb.push(" ORDER BY due_key, id");
    fetch(reader, qb).await
}

pub(crate) async fn for_hearings(
    reader: &SqlitePool,
    hearings: &[HearingId],
) -> StoreResult<Vec<Task>> {
    if hearings.is_empty() {
        return Ok(Vec::new());
    }
    let mut qb = select_in("hearing_id", hearings.iter().map(|id| uuid(id.0)));
    qb.push(" ORDER BY hearing_id, id");
    fetch(reader, qb).await
}

/// Appends ` WHERE ...` for `filter` (always a WHERE, so callers can append `AND ...`).
fn push_filter(qb: &mut QueryBuilder<Sqlite>, filter: &TaskFilter) {
    qb.push(" WHERE TRUE");
    if !filter.bureau_ids.is_empty() {
        qb.push(" AND bureau_id IN (");
        let mut list = qb.separated(", ");
        for id in &filter.bureau_ids {
            list.push_bind(uuid(id.0));
        }
        qb.push(")");
    }
    if let Some(assignee) = filter.assignee_id {
        qb.push(" AND assignee_id = ").push_bind(uuid(assignee.0));
    }
    if !filter.statuses.is_empty() {
        qb.push(" AND status IN (");
        let mut list = qb.separated(", ");
        for status in &filter.statuses {
            list.push_bind(status.as_str());
        }
        qb.push(")");
    }
    if let Some(before) = filter.due_before {
        qb.push(" AND due_on < ").push_bind(day(before));
    }
    match filter.overdue {
        // due_key of a task without a due date is never before today.
        Some(OverdueAsOf {
            today,
            overdue: true,
        }) => {
            qb.push(" AND status = 'OPEN' AND due_key < ")
                .push_bind(day(today));
        }
        Some(OverdueAsOf {
            today,
            overdue: false,
        }) => {
            qb.push(" AND (status <> 'OPEN' OR due_key >= ")
                .push_bind(day(today))
                .push(")");
        }
        None => {}
    }
    if let Some(procedure) = filter.procedure_id {
        qb.push(" AND procedure_id = ").push_bind(uuid(procedure.0));
    }
    if let Some(hearing) = filter.hearing_id {
        qb.push(" AND hearing_id = ").push_bind(uuid(hearing.0));
    }
}

pub(crate) async fn list(
    reader: &SqlitePool,
    filter: &TaskFilter,
    page: &PageRequest<TaskCursor>,
) -> StoreResult<Page<Task>> {
    let mut items = QueryBuilder::<Sqlite>::new(format!("SELECT {TASK_COLUMNS} FROM tasks"));
    push_filter(&mut items, filter);
    if let Some(cursor) = &page.after {
        let key = cursor.due_on.map_or_else(|| NO_DUE_DATE.to_owned(), day);
        items
            .push(" AND (due_key, id) > (")
            .push_bind(key)
            .push(", ")
            .push_bind(uuid(cursor.id.0))
            .push(")");
    }
    items
        .push(" ORDER BY due_key, id LIMIT ")
        .push_bind(page.fetch_limit());
    let mut count = QueryBuilder::<Sqlite>::new("SELECT COUNT(*) FROM tasks");
    push_filter(&mut count, filter);
    let (rows, total) = paging::fetch(
        reader,
        items.build_query_as::<TaskRow>(),
        page.with_total.then(|| count.build_query_scalar()),
        "list tasks",
    )
    .await?;
    let tasks = decode_all(rows, TaskRow::into_domain)?;
    Ok(Page::from_overfetch(tasks, page, total))
}
