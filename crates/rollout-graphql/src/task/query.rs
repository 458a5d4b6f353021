//! The task queries: `tasks` (a filtered, keyset-paginated listing ordered by due date, tasks
//! without one last) and `myTasks` (the viewer's own). Every role reads tasks. Arguments are
//! checked before any read, so a bad id or bureau code is a VALIDATION error, not an empty page.

use async_graphql::{ComplexObject, Context, ID, InputObject, Object, SimpleObject};
use rollout_domain::{BureauCode, ProcedureId, UserId};
use rollout_store::{Page, TaskCursor};
use tracing::instrument;

use super::Task;
use crate::connection::{PageInfo, page_request, page_size, selected_total};
use crate::enums::TaskStatus;
use crate::ids::{NodeType, argument_id, decode_task_cursor, encode_task_cursor};
use crate::scalars::Date;
use crate::{actor, app, errors};

/// Which tasks to list; every given field narrows the result.
#[derive(Debug, Clone, Default, InputObject)]
#[graphql(name = "TaskFilter")]
pub struct TaskFilterInput {
    /// Of any of these bureaus.
    pub bureau_codes: Option<Vec<String>>,
    /// Assigned to this User.
    pub assignee_id: Option<ID>,
    pub status: Option<TaskStatus>,
    /// Due strictly before this day.
    pub due_before: Option<Date>,
    /// True: open and due before today in Asia/Tokyo; false: every other task.
    pub overdue: Option<bool>,
    /// About this Procedure.
    pub procedure_id: Option<ID>,
}

impl TaskFilterInput {
    async fn into_store(
        self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<rollout_store::TaskFilter> {
        let app = app(ctx)?;
        let mut bureau_ids = Vec::new();
        for raw in self.bureau_codes.unwrap_or_default() {
            let code = BureauCode::parse(&raw).map_err(|e| errors::validation(e.0))?;
            let bureau = app
                .bureau_by_code(&code)
                .await
                .map_err(|e| errors::graphql_error(&e))?
                .ok_or_else(|| errors::validation(format!("no bureau with code {code}")))?;
            bureau_ids.push(bureau.id);
        }
        Ok(rollout_store::TaskFilter {
            bureau_ids,
            assignee_id: self
                .assignee_id
                .map(|id| argument_id(&id, NodeType::User).map(UserId))
                .transpose()?,
            statuses: self.status.into_iter().map(Into::into).collect(),
            due_before: self.due_before.map(|d| d.0),
            overdue: self.overdue.map(|o| app.overdue_as_of(o)),
            procedure_id: self
                .procedure_id
                .map(|id| argument_id(&id, NodeType::Procedure).map(ProcedureId))
                .transpose()?,
            hearing_id: None,
        })
    }
}

#[derive(Debug, Clone, SimpleObject)]
pub struct TaskEdge {
    pub cursor: String,
    pub node: Task,
}

/// One page of tasks, by due date (none last), then id.
#[derive(Debug, Clone, SimpleObject)]
#[graphql(complex)]
pub struct TaskConnection {
    pub edges: Vec<TaskEdge>,
    pub page_info: PageInfo,
    #[graphql(skip)]
    total: Option<i64>,
}

#[ComplexObject]
impl TaskConnection {
    /// How many tasks match the filter in all, ignoring pagination.
    async fn total_count(&self) -> async_graphql::Result<i64> {
        selected_total(self.total)
    }
}

impl TaskConnection {
    pub(crate) fn new(mut page: Page<rollout_domain::task::Task>) -> Self {
        let cursors: Vec<String> = page
            .items
            .iter()
            .map(|t| {
                encode_task_cursor(&TaskCursor {
                    due_on: t.due_on,
                    id: t.id,
                })
            })
            .collect();
        let page_info = PageInfo::of(&page, &cursors);
        let edges = Task::page(std::mem::take(&mut page.items))
            .into_iter()
            .zip(cursors)
            .map(|(node, cursor)| TaskEdge { cursor, node })
            .collect();
        Self {
            edges,
            page_info,
            total: page.total_count,
        }
    }
}

fn cursor(after: Option<String>) -> async_graphql::Result<Option<TaskCursor>> {
    after
        .map(|raw| decode_task_cursor(&raw))
        .transpose()
        .map_err(|e| errors::validation(e.0))
}

#[derive(Debug, Default)]
pub(crate) struct TaskQuery;

#[Object]
impl TaskQuery {
    /// One page of tasks (default 50, at most 500), by due date (none last).
    #[instrument(skip_all)]
    async fn tasks(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        filter: Option<TaskFilterInput>,
    ) -> async_graphql::Result<TaskConnection> {
        actor(ctx)?;
        let first = page_size(first)?;
        let after = cursor(after)?;
        let filter = filter.unwrap_or_default().into_store(ctx).await?;
        let page = app(ctx)?
            .list_tasks(&filter, page_request(ctx, first, after))
            .await
            .map_err(|e| errors::graphql_error(&e))?;
        Ok(TaskConnection::new(page))
    }

    /// The tasks assigned to the viewer (with `status` when given), by due date.
    #[instrument(skip_all)]
    async fn my_tasks(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        status: Option<TaskStatus>,
    ) -> async_graphql::Result<TaskConnection> {
        let actor = actor(ctx)?;
        let first = page_size(first)?;
        let after = cursor(after)?;
        let page = app(ctx)?
            .my_tasks(
                &actor,
                status.map(Into::into),
                page_request(ctx, first, after),
            )
            .await
            .map_err(|e| errors::graphql_error(&e))?;
        Ok(TaskConnection::new(page))
    }
}
