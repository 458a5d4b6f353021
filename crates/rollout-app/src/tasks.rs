//! Tasks: create, update, complete and cancel follow-ups, and list them. A task belongs to a
//! bureau (its procedure's, when it has one); the bureau's people (and the project office)
//! create and change it (`Action::WorkOnProcedure`), and its assignee may also complete or
//! cancel it (`Action::CloseTask`). Every change is compare-and-set on the task's version
//! (VERSION_CONFLICT when a colleague changed it meanwhile) and one `commit` batch with its
//! audit entry. "Overdue" is judged against today in Asia/Tokyo; a task due today is not.
//! Tasks left by a hearing are created by `hearings/`, not here.

use chrono::NaiveDate;
use rollout_domain::authz::Action;
use rollout_domain::task::{self, Task, TaskStatus};
use rollout_domain::text::TextKind;
use rollout_domain::{BureauId, ProcedureId, TaskId, UserId};
use rollout_store::{OverdueAsOf, Page, PageRequest, StoreError, TaskCursor, TaskFilter, Write};
use serde_json::{Value, json};
use tracing::instrument;

use crate::audit::{Target, opt};
use crate::procedures::check_page_size;
use crate::reads::reads;
use crate::text::TextChecks;
use crate::{Actor, App, AppError, AppResult, new_uuid};

/// A task to create: for a procedure (its bureau's) or for a bureau alone.
#[derive(Debug, Clone)]
pub struct CreateTask {
    pub title: String,
    pub description: Option<String>,
    pub procedure_id: Option<ProcedureId>,
    pub bureau_code: Option<String>,
    pub assignee_id: Option<UserId>,
    pub due_on: Option<NaiveDate>,
}

/// The fields to change; `None` leaves a field alone, `Some(None)` clears it.
#[derive(Debug, Clone, Default)]
pub struct UpdateTask {
    pub title: Option<String>,
    pub description: Option<Option<String>>,
    pub assignee_id: Option<Option<UserId>>,
    pub due_on: Option<Option<NaiveDate>>,
}

/// The task as the audit trail keeps it.
pub(crate) fn task_json(t: &Task) -> Value {
    json!({
        "id": t.id.to_string(),
        "title": t.title,
        "procedureId": opt(&t.procedure_id),
        "bureauId": t.bureau_id.to_string(),
        "assigneeId": opt(&t.assignee_id),
        "dueOn": opt(&t.due_on),
        "status": t.status.as_str(),
        "completionNote": t.completion_note,
        "hearingId": opt(&t.hearing_id),
        "version": t.version,
    })
}

fn not_found(id: TaskId) -> AppError {
    AppError::NotFound {
        entity: "task",
        key: id.to_string(),
    }
}

fn non_blank(v: Option<String>) -> Option<String> {
    v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())
}

/// VERSION_CONFLICT unless the task is still at `expected`.
fn check_version(t: &Task, expected: i32) -> AppResult<()> {
    if t.version == expected {
        Ok(())
    } else {
        Err(AppError::VersionConflict {
            expected,
            actual: t.version,
        })
    }
}

fn check_title(title: &str) -> AppResult<()> {
    if title.trim().is_empty() {
        return Err(AppError::validation(
            "title",
            "a title needs 1 to 200 characters",
        ));
    }
    Ok(())
}

impl App {
    #[instrument(name = "app.create_task", skip_all, fields(actor = %actor.label))]
    pub async fn create_task(&self, actor: &Actor, input: CreateTask) -> AppResult<Task> {
        let mut input = input;
        TextChecks::default()
            .check("title", TextKind::Name, &mut input.title)
            .check_opt("description", TextKind::Comment, input.description.as_mut())
            .check_opt("bureauCode", TextKind::Code, input.bureau_code.as_mut())
            .finish()?;
        check_title(&input.title)?;
        let me = actor
            .user_id()
            .ok_or_else(|| AppError::validation("input", "tasks are created by people"))?;
        let bureau = self.task_bureau(&input).await?;
        let id = TaskId(new_uuid());
        let target = Target::new("Task", id);
        self.require(
            actor,
            Action::WorkOnProcedure(bureau),
            "task.create",
            &target,
        )
        .await?;
        self.check_assignee(input.assignee_id).await?;
        if let Some(message) = task::check_due_on(input.due_on, self.today()) {
            return Err(AppError::validation("dueOn", message));
        }
        let now = self.now();
        let task = Task {
            id,
            title: input.title.trim().to_owned(),
            description: non_blank(input.description),
            procedure_id: input.procedure_id,
            bureau_id: bureau,
            assignee_id: input.assignee_id,
            due_on: input.due_on,
            status: TaskStatus::Open,
            completion_note: None,
            completed_at: None,
            hearing_id: None,
            created_by: me,
            version: 1,
            created_at: now,
            updated_at: now,
        };
        let audit = self.audit_entry(actor, "task.create", &target, None, Some(task_json(&task)));
        self.commit_task(vec![Write::InsertTask(task.clone()), Write::Audit(audit)])
            .await?;
        Ok(task)
    }

    /// The bureau a new task belongs to: its procedure's, or the one named.
    async fn task_bureau(&self, input: &CreateTask) -> AppResult<BureauId> {
        let named = match &input.bureau_code {
            Some(code) => Some(self.bureau_id(code, "bureauCode").await?),
            None => None,
        };
        match (input.procedure_id, named) {
            (None, None) => Err(AppError::validation(
                "procedureId",
                "give a procedureId or a bureauCode",
            )),
            (None, Some(b)) => Ok(b),
            (Some(pid), named) => {
                let p = self.store().procedure(pid).await?.ok_or_else(|| {
                    AppError::validation("procedureId", format!("procedure {pid} not found"))
                })?;
                if named.is_some_and(|b| b != p.bureau_id) {
                    return Err(AppError::validation(
                        "bureauCode",
                        "the procedure belongs to another bureau",
                    ));
                }
                Ok(p.bureau_id)
            }
        }
    }

    async fn check_assignee(&self, assignee: Option<UserId>) -> AppResult<()> {
        if let Some(a) = assignee
            && self.store().user(a).await?.is_none()
        {
            return Err(AppError::validation("assigneeId", format!("no user {a}")));
        }
        Ok(())
    }

    #[instrument(name = "app.update_task", skip_all, fields(task = %id, actor = %actor.label))]
    pub async fn update_task(
        &self,
        actor: &Actor,
        id: TaskId,
        expected_version: i32,
        input: UpdateTask,
    ) -> AppResult<Task> {
        let mut input = input;
        TextChecks::default()
            .check_opt("title", TextKind::Name, input.title.as_mut())
            .check_opt(
                "description",
                TextKind::Comment,
                input.description.as_mut().and_then(Option::as_mut),
            )
            .finish()?;
        if let Some(t) = &input.title {
            check_title(t)?;
        }
        let current = self.store().task(id).await?.ok_or_else(|| not_found(id))?;
        let target = Target::new("Task", id);
        self.require(
            actor,
            Action::WorkOnProcedure(current.bureau_id),
            "task.update",
            &target,
        )
        .await?;
        check_version(&current, expected_version)?;
        if current.status != TaskStatus::Open {
            return Err(AppError::validation(
                "id",
                format!("the task is already {}", current.status.as_str()),
            ));
        }
        if let Some(assignee) = input.assignee_id {
            self.check_assignee(assignee).await?;
        }
        let created_on = current.created_at.with_timezone(&crate::TOKYO).date_naive();
        if let Some(due) = input.due_on
            && let Some(message) = task::check_due_on(due, created_on)
        {
            return Err(AppError::validation("dueOn", message));
        }
        let now = self.now();
        let after = Task {
            title: input
                .title
                .map_or(current.title.clone(), |t| t.trim().to_owned()),
            description: input
                .description
                .map_or(current.description.clone(), non_blank),
            assignee_id: input.assignee_id.unwrap_or(current.assignee_id),
            due_on: input.due_on.unwrap_or(current.due_on),
            version: current.version + 1,
            updated_at: now,
            ..current.clone()
        };
        let unchanged = Task {
            version: after.version,
            updated_at: now,
            ..current.clone()
        };
        if after == unchanged {
            return Err(AppError::validation(
                "input",
                "nothing to update: give at least one field",
            ));
        }
        self.write_task_change(actor, "task.update", &current, after)
            .await
    }

    /// Completes an open task with a note.
    pub async fn complete_task(
        &self,
        actor: &Actor,
        id: TaskId,
        expected_version: i32,
        note: Option<String>,
    ) -> AppResult<Task> {
        self.close_task(actor, id, expected_version, TaskStatus::Done, note, "note")
            .await
    }

    /// Cancels an open task, with the reason.
    pub async fn cancel_task(
        &self,
        actor: &Actor,
        id: TaskId,
        expected_version: i32,
        reason: Option<String>,
    ) -> AppResult<Task> {
        self.close_task(
            actor,
            id,
            expected_version,
            TaskStatus::Cancelled,
            reason,
            "reason",
        )
        .await
    }

    #[instrument(name = "app.close_task", skip(self, actor, note), fields(task = %id, actor = %actor.label))]
    async fn close_task(
        &self,
        actor: &Actor,
        id: TaskId,
        expected_version: i32,
        status: TaskStatus,
        note: Option<String>,
        note_field: &str,
    ) -> AppResult<Task> {
        let mut note = note;
        TextChecks::default()
            .check_opt(note_field, TextKind::Comment, note.as_mut())
            .finish()?;
        let verb = match status {
            TaskStatus::Done => "task.complete",
            _ => "task.cancel",
        };
        let current = self.store().task(id).await?.ok_or_else(|| not_found(id))?;
        let action = Action::CloseTask {
            bureau: current.bureau_id,
            assignee: current.assignee_id,
        };
        self.require(actor, action, verb, &Target::new("Task", id))
            .await?;
        check_version(&current, expected_version)?;
        let closed = task::close(&current, status, non_blank(note), self.now())
            .map_err(|e| AppError::validation("id", e.to_string()))?;
        self.write_task_change(actor, verb, &current, closed).await
    }

    async fn write_task_change(
        &self,
        actor: &Actor,
        verb: &str,
        before: &Task,
        after: Task,
    ) -> AppResult<Task> {
        let audit = self.audit_entry(
            actor,
            verb,
            &Target::new("Task", after.id),
            Some(task_json(before)),
            Some(task_json(&after)),
        );
        let write = Write::UpdateTask {
            task: after.clone(),
            expected_version: before.version,
        };
        self.commit_task(vec![write, Write::Audit(audit)]).await?;
        Ok(after)
    }

    async fn commit_task(&self, writes: Vec<Write>) -> AppResult<()> {
        self.store()
            .commit(&writes)
            .await
            .map_err(|e| match e.error {
                StoreError::NotFound { entity, key } if entity != "task" => {
                    AppError::validation("input", format!("{entity} {key} not found"))
                }
                other => other.into(),
            })
    }

    /// One page of tasks; `overdue` in the filter is judged against today in Tokyo.
    pub async fn list_tasks(
        &self,
        filter: &TaskFilter,
        page: PageRequest<TaskCursor>,
    ) -> AppResult<Page<Task>> {
        check_page_size(page.first)?;
        Ok(self.store().list_tasks(filter, &page).await?)
    }

    /// The filter for `overdue` (true or false) as of today in Tokyo.
    pub fn overdue_as_of(&self, overdue: bool) -> OverdueAsOf {
        OverdueAsOf {
            today: self.today(),
            overdue,
        }
    }

    /// The tasks assigned to the actor, with `status` when given.
    pub async fn my_tasks(
        &self,
        actor: &Actor,
        status: Option<TaskStatus>,
        page: PageRequest<TaskCursor>,
    ) -> AppResult<Page<Task>> {
        let me = actor
            .user_id()
            .ok_or_else(|| AppError::validation("input", "only people have tasks"))?;
        let filter = TaskFilter {
            assignee_id: Some(me),
            statuses: status.into_iter().collect(),
            ..TaskFilter::default()
        };
        self.list_tasks(&filter, page).await
    }

    /// A task by id, to whoever may read tasks (every role), as `tasks` shows it.
    pub async fn visible_task(&self, actor: &Actor, id: TaskId) -> AppResult<Option<Task>> {
        if !reads(actor) {
            return Ok(None);
        }
        Ok(self.store().task(id).await?)
    }
}
