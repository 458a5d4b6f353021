//! The task mutations: `createTask`, `updateTask`, `completeTask`, `cancelTask`. Each calls one
//! `App` use case; expected failures (VERSION_CONFLICT for a stale `expectedVersion`, VALIDATION
//! for a closed task or a due date before the creation date, FORBIDDEN) come back as payload
//! errors (see [`crate::errors`]).

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, SimpleObject};
use rollout_app::{CreateTask, UpdateTask};
use rollout_domain::{ProcedureId, TaskId, UserId};
use tracing::instrument;

use super::Task;
use crate::errors::{UserError, payload_errors};
use crate::ids::NodeType;
use crate::inputs::{clearable, input_id, settable};
use crate::scalars::Date;
use crate::{actor, app};

#[derive(Debug, Clone, InputObject)]
pub struct CreateTaskInput {
    /// 1 to 200 characters.
    pub title: String,
    pub description: Option<String>,
    /// The procedure the task is about; the task belongs to its bureau.
    pub procedure_id: Option<ID>,
    /// The bureau of a task about no procedure (with `procedureId`, it must be its bureau).
    pub bureau_code: Option<String>,
    /// A User id.
    pub assignee_id: Option<ID>,
    /// Not before today (Asia/Tokyo).
    pub due_on: Option<Date>,
}

/// Absent fields are left alone; an explicit null clears description, assignee or due date.
#[derive(Debug, Clone, InputObject)]
pub struct UpdateTaskInput {
    pub id: ID,
    pub expected_version: i32,
    pub title: MaybeUndefined<String>,
    pub description: MaybeUndefined<String>,
    pub assignee_id: MaybeUndefined<ID>,
    /// Not before the task's creation date (Asia/Tokyo).
    pub due_on: MaybeUndefined<Date>,
}

#[derive(Debug, Clone, InputObject)]
pub struct CompleteTaskInput {
    pub id: ID,
    pub expected_version: i32,
    pub note: Option<String>,
}

#[derive(Debug, Clone, InputObject)]
pub struct CancelTaskInput {
    pub id: ID,
    pub expected_version: i32,
    pub reason: Option<String>,
}

#[derive(Debug, Clone, SimpleObject)]
pub struct TaskPayload {
    pub task: Option<Task>,
    pub errors: Vec<UserError>,
}

impl TaskPayload {
    fn of(result: Result<rollout_domain::task::Task, Vec<UserError>>) -> Self {
        match result {
            Ok(t) => Self {
                task: Some(Task::single(t)),
                errors: Vec::new(),
            },
            Err(errors) => Self { task: None, errors },
        }
    }
}

fn optional_id(
    id: Option<&ID>,
    ty: NodeType,
    field: &str,
    errors: &mut Vec<UserError>,
) -> Option<uuid::Uuid> {
    id.and_then(|id| input_id(id, ty, field).map_err(|e| errors.push(e)).ok())
}

/// Runs a close (complete or cancel) of the task `id`.
async fn close(
    ctx: &Context<'_>,
    id: &ID,
    expected_version: i32,
    note: Option<String>,
    complete: bool,
) -> async_graphql::Result<TaskPayload> {
    let actor = actor(ctx)?;
    let id = match input_id(id, NodeType::Task, "id") {
        Ok(id) => TaskId(id),
        Err(e) => return Ok(TaskPayload::of(Err(vec![e]))),
    };
    let app = app(ctx)?;
    let result = if complete {
        app.complete_task(&actor, id, expected_version, note).await
    } else {
        app.cancel_task(&actor, id, expected_version, note).await
    };
    Ok(TaskPayload::of(match result {
        Ok(t) => Ok(t),
        Err(e) => Err(payload_errors(&e, "id")?),
    }))
}

#[derive(Debug, Default)]
pub(crate) struct TaskMutation;

#[Object]
impl TaskMutation {
    /// Creates an open task for a procedure (its bureau's) or for a bureau.
    #[instrument(skip_all)]
    async fn create_task(
        &self,
        ctx: &Context<'_>,
        input: CreateTaskInput,
    ) -> async_graphql::Result<TaskPayload> {
        let actor = actor(ctx)?;
        let mut errors = Vec::new();
        let procedure_id = optional_id(
            input.procedure_id.as_ref(),
            NodeType::Procedure,
            "procedureId",
            &mut errors,
        );
        let assignee_id = optional_id(
            input.assignee_id.as_ref(),
            NodeType::User,
            "assigneeId",
            &mut errors,
        );
        if !errors.is_empty() {
            return Ok(TaskPayload::of(Err(errors)));
        }
        let command = CreateTask {
            title: input.title,
            description: input.description,
            procedure_id: procedure_id.map(ProcedureId),
            bureau_code: input.bureau_code,
            assignee_id: assignee_id.map(UserId),
            due_on: input.due_on.map(|d| d.0),
        };
        let result = app(ctx)?.create_task(&actor, command).await;
        Ok(TaskPayload::of(match result {
            Ok(t) => Ok(t),
            Err(e) => Err(payload_errors(&e, "procedureId")?),
        }))
    }

    /// Changes an open task's title, description, assignee or due date.
    #[instrument(skip_all, fields(id = %input.id.as_str()))]
    async fn update_task(
        &self,
        ctx: &Context<'_>,
        input: UpdateTaskInput,
    ) -> async_graphql::Result<TaskPayload> {
        let actor = actor(ctx)?;
        let mut errors = Vec::new();
        let id = input_id(&input.id, NodeType::Task, "id")
            .map_err(|e| errors.push(e))
            .ok();
        let assignee_id = match input.assignee_id {
            MaybeUndefined::Undefined => None,
            MaybeUndefined::Null => Some(None),
            MaybeUndefined::Value(raw) => input_id(&raw, NodeType::User, "assigneeId")
                .map(|u| Some(Some(UserId(u))))
                .unwrap_or_else(|e| {
                    errors.push(e);
                    None
                }),
        };
        let update = UpdateTask {
            title: settable(input.title, "title", |v| v, &mut errors),
            description: clearable(input.description, |v| v),
            assignee_id,
            due_on: clearable(input.due_on, |d| d.0),
        };
        let (Some(id), true) = (id, errors.is_empty()) else {
            return Ok(TaskPayload::of(Err(errors)));
        };
        let result = app(ctx)?
            .update_task(&actor, TaskId(id), input.expected_version, update)
            .await;
        Ok(TaskPayload::of(match result {
            Ok(t) => Ok(t),
            Err(e) => Err(payload_errors(&e, "id")?),
        }))
    }

    /// Completes an open task, with a note. Its assignee may, whatever bureau they coordinate.
    #[instrument(skip_all, fields(id = %input.id.as_str()))]
    async fn complete_task(
        &self,
        ctx: &Context<'_>,
        input: CompleteTaskInput,
    ) -> async_graphql::Result<TaskPayload> {
        close(ctx, &input.id, input.expected_version, input.note, true).await
    }

    /// Cancels an open task, with the reason. Its assignee may, whatever bureau they coordinate.
    #[instrument(skip_all, fields(id = %input.id.as_str()))]
    async fn cancel_task(
        &self,
        ctx: &Context<'_>,
        input: CancelTaskInput,
    ) -> async_graphql::Result<TaskPayload> {
        close(ctx, &input.id, input.expected_version, input.reason, false).await
    }
}
