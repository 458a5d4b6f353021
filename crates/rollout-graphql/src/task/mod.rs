//! Tasks as the API shows them: the `Task` type (a follow-up with a person and a due date,
//! often left by a hearing), its queries (`tasks`, `myTasks`) and mutations (`createTask`,
//! `updateTask`, `completeTask`, `cancelTask`). The rules (who may change or close a task,
//! version checks, due dates) live in the domain and the `App`; this module only shapes results.
//! The references of one page of tasks (procedures, bureaus, assignees and creators, source
//! hearings) load together, one read each ([`crate::loaders`]). `overdue` is judged against
//! today in Asia/Tokyo at read time.

mod mutation;
mod query;

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::{Context, ID, Object};
use rollout_app::App;
use rollout_domain::task as domain;
use rollout_domain::{HearingId, ProcedureId};

pub(crate) use mutation::TaskMutation;
pub(crate) use query::TaskQuery;

use crate::app;
use crate::bureau::Bureau;
use crate::enums::TaskStatus;
use crate::hearing::{Hearing, HearingBatch};
use crate::identity::User;
use crate::ids::{NodeType, global_id};
use crate::loaders::{Batch, BureauBatch, ProcedureBatch, UserBatch};
use crate::procedure::Procedure;
use crate::scalars::{Date, DateTime};

/// A follow-up with a person and a due date.
#[derive(Debug, Clone)]
pub struct Task {
    row: domain::Task,
    /// Shared by every task of the same page.
    page: Arc<PageRefs>,
}

/// What the tasks of one page refer to, loaded together.
#[derive(Debug)]
struct PageRefs {
    bureaus: BureauBatch,
    users: UserBatch,
    procedures: ProcedureBatch,
    hearings: HearingBatch,
}

impl Task {
    /// The tasks of one page, whose references load together.
    pub(crate) fn page(rows: Vec<domain::Task>) -> Vec<Self> {
        let page = Arc::new(PageRefs {
            bureaus: BureauBatch::new(rows.iter().map(|t| t.bureau_id)),
            users: UserBatch::new(
                rows.iter()
                    .flat_map(|t| std::iter::once(t.created_by).chain(t.assignee_id)),
            ),
            procedures: ProcedureBatch::new(rows.iter().filter_map(|t| t.procedure_id)),
            hearings: HearingBatch::new(rows.iter().filter_map(|t| t.hearing_id)),
        });
        rows.into_iter()
            .map(|row| Self {
                row,
                page: page.clone(),
            })
            .collect()
    }

    pub(crate) fn single(row: domain::Task) -> Self {
        Self::page(vec![row])
            .pop()
            .expect("a page of one task has one task")
    }

    pub(crate) fn row(&self) -> &domain::Task {
        &self.row
    }
}

#[Object]
impl Task {
    pub async fn id(&self) -> ID {
        global_id(NodeType::Task, self.row.id.as_uuid())
    }

    async fn title(&self) -> &str {
        &self.row.title
    }

    async fn description(&self) -> Option<&str> {
        self.row.description.as_deref()
    }

    /// The procedure the task is about, if any.
    async fn procedure(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Procedure>> {
        match self.row.procedure_id {
            None => Ok(None),
            Some(id) => Ok(Some(self.page.procedures.get(app(ctx)?, id).await?)),
        }
    }

    /// The bureau whose task it is.
    async fn bureau(&self, ctx: &Context<'_>) -> async_graphql::Result<Bureau> {
        Ok(Bureau(
            self.page.bureaus.get(app(ctx)?, self.row.bureau_id).await?,
        ))
    }

    async fn assignee(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
        match self.row.assignee_id {
            None => Ok(None),
            Some(id) => Ok(Some(self.page.users.get(app(ctx)?, id).await?)),
        }
    }

    async fn due_on(&self) -> Option<Date> {
        self.row.due_on.map(Date)
    }

    async fn status(&self) -> TaskStatus {
        self.row.status.into()
    }

    /// Open and due before today in Asia/Tokyo (a task due today is not overdue).
    async fn overdue(&self, ctx: &Context<'_>) -> async_graphql::Result<bool> {
        Ok(self.row.is_overdue(app(ctx)?.today()))
    }

    /// The note given on completion, or the reason given on cancellation.
    async fn completion_note(&self) -> Option<&str> {
        self.row.completion_note.as_deref()
    }

    /// When the task was completed or cancelled.
    async fn completed_at(&self) -> Option<DateTime> {
        self.row.completed_at.map(DateTime)
    }

    /// The hearing that left this task, if any.
    async fn source(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Hearing>> {
        match self.row.hearing_id {
            None => Ok(None),
            Some(id) => Ok(Some(self.page.hearings.get(app(ctx)?, id).await?)),
        }
    }

    async fn created_by(&self, ctx: &Context<'_>) -> async_graphql::Result<User> {
        self.page.users.get(app(ctx)?, self.row.created_by).await
    }

    /// Optimistic-concurrency version: give it back as `expectedVersion` when changing this.
    async fn version(&self) -> i32 {
        self.row.version
    }

    async fn created_at(&self) -> DateTime {
        DateTime(self.row.created_at)
    }

    async fn updated_at(&self) -> DateTime {
        DateTime(self.row.updated_at)
    }
}

/// The tasks each hearing of a page left, in creation order: one read for the page.
pub(crate) type HearingTaskBatch = Batch<HearingId, Vec<Task>>;

impl HearingTaskBatch {
    pub(crate) async fn get(&self, app: &App, id: HearingId) -> async_graphql::Result<Vec<Task>> {
        let map = self
            .loaded("hearing_tasks", |ids| async move {
                let rows = app.store().tasks_for_hearings(&ids).await?;
                let mut grouped: HashMap<HearingId, Vec<Task>> = HashMap::new();
                for t in Task::page(rows) {
                    if let Some(h) = t.row.hearing_id {
                        grouped.entry(h).or_default().push(t);
                    }
                }
                Ok(grouped)
            })
            .await?;
        Ok(map.get(&id).cloned().unwrap_or_default())
    }
}

/// The tasks of each procedure of a page with one status (or any).
type TaskBatch = Batch<ProcedureId, Vec<Task>>;

/// The tasks of each procedure of a page, one batch (one read) per status asked for.
#[derive(Debug)]
pub(crate) struct ProcedureTaskBatches {
    procedures: Vec<ProcedureId>,
    by_status: std::sync::Mutex<HashMap<Option<domain::TaskStatus>, Arc<TaskBatch>>>,
}

impl ProcedureTaskBatches {
    pub(crate) fn new(procedures: impl IntoIterator<Item = ProcedureId>) -> Self {
        Self {
            procedures: procedures.into_iter().collect(),
            by_status: std::sync::Mutex::new(HashMap::new()),
        }
    }

    pub(crate) async fn get(
        &self,
        app: &App,
        id: ProcedureId,
        status: Option<TaskStatus>,
    ) -> async_graphql::Result<Vec<Task>> {
        let status: Option<domain::TaskStatus> = status.map(Into::into);
        let batch = self
            .by_status
            .lock()
            .map_err(|_| crate::errors::internal("a task batch lock was poisoned"))?
            .entry(status)
            .or_insert_with(|| Arc::new(Batch::new(self.procedures.iter().copied())))
            .clone();
        let map = batch
            .loaded("procedure_tasks", |ids| async move {
                let rows = app.store().tasks_for_procedures(&ids, status).await?;
                let mut grouped: HashMap<ProcedureId, Vec<Task>> = HashMap::new();
                for t in Task::page(rows) {
                    if let Some(p) = t.row.procedure_id {
                        grouped.entry(p).or_default().push(t);
                    }
                }
                Ok(grouped)
            })
            .await?;
        Ok(map.get(&id).cloned().unwrap_or_default())
    }
}
