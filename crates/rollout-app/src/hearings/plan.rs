//! Planning a hearing: checks every rule and permission, and turns the hearing into the write
//! batch and the events to publish, or reports every problem found (with the path of its
//! outcome). Reads only: a fixed number of store reads whatever the number of outcomes (the
//! procedures, the assignees, the guard facts and, when an abolition is proposed, the pending
//! approval requests).

use std::collections::{HashMap, HashSet};

use rollout_domain::approval::ApprovalStatus;
use rollout_domain::authz::Action;
use rollout_domain::hearing::{self, Hearing, HearingOutcome, MAX_OUTCOMES};
use rollout_domain::task::{self, Task, TaskStatus};
use rollout_domain::text::{self, TextKind};
use rollout_domain::{BureauId, HearingId, Procedure, ProcedureId, TaskId, UserId};
use rollout_store::Write;

use super::outcome::OutcomeInput;
use super::{RecordHearing, problem};
use crate::audit::Target;
use crate::tasks::task_json;
use crate::{Actor, App, AppError, AppResult, ErrorCode, Problem, ProcedureEvent, new_uuid};

/// A hearing ready to commit.
pub(super) struct Planned {
    pub(super) writes: Vec<Write>,
    /// The outcome each write belongs to (`None`: the hearing's own), to point a failure at it.
    pub(super) owners: Vec<Option<usize>>,
    pub(super) hearing: Hearing,
    pub(super) events: Vec<ProcedureEvent>,
}

/// Cleans one free-text value in place (NFC, limits), recording a problem at `path`.
fn clean(problems: &mut Vec<Problem>, path: &[&str], kind: TextKind, value: &mut String) {
    match text::clean(&path.join("."), kind, value) {
        Ok(v) => *value = v,
        Err(e) => problems.push(problem(ErrorCode::Validation, path, e.to_string())),
    }
}

/// A title: clean, trimmed and not empty.
fn title(problems: &mut Vec<Problem>, path: &[&str], value: &mut String) {
    clean(problems, path, TextKind::Name, value);
    *value = value.trim().to_owned();
    if value.is_empty() {
        problems.push(problem(
            ErrorCode::Validation,
            path,
            "a title needs 1 to 200 characters",
        ));
    }
}

/// Every free-text field of the hearing through the one rule, every problem reported.
pub(super) fn clean_text(cmd: &mut RecordHearing) -> AppResult<()> {
    let mut problems = Vec::new();
    title(&mut problems, &["title"], &mut cmd.title);
    for (i, a) in cmd.attendees.iter_mut().enumerate() {
        clean(
            &mut problems,
            &["attendees", &i.to_string()],
            TextKind::Name,
            a,
        );
    }
    if let Some(notes) = cmd.notes.as_mut() {
        clean(&mut problems, &["notes"], TextKind::Comment, notes);
    }
    for (i, o) in cmd.outcomes.iter_mut().enumerate().take(MAX_OUTCOMES + 1) {
        let i = i.to_string();
        if let Some(v) = o.issues.as_mut() {
            clean(
                &mut problems,
                &["outcomes", &i, "issues"],
                TextKind::Comment,
                v,
            );
        }
        if let Some(v) = o.next_step.as_mut() {
            clean(
                &mut problems,
                &["outcomes", &i, "nextStep"],
                TextKind::Comment,
                v,
            );
        }
        for (j, t) in o.tasks.iter_mut().enumerate() {
            let j = j.to_string();
            title(
                &mut problems,
                &["outcomes", &i, "tasks", &j, "title"],
                &mut t.title,
            );
            if let Some(d) = t.description.as_mut() {
                let path = ["outcomes", &i, "tasks", &j, "description"];
                clean(&mut problems, &path, TextKind::Comment, d);
            }
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(AppError::Problems(problems))
    }
}

impl App {
    pub(super) async fn plan_hearing(
        &self,
        actor: &Actor,
        cmd: &RecordHearing,
    ) -> AppResult<Planned> {
        let me = actor.user_id().ok_or_else(|| {
            AppError::validation(
                "input",
                "hearings are recorded by people, not by the system",
            )
        })?;
        let (now, today) = (self.now(), self.today());
        let id = HearingId(new_uuid());
        let target = Target::new("Hearing", id);
        let bureau = self.bureau_id(&cmd.bureau_code, "bureauCode").await?;
        self.require(
            actor,
            Action::WorkOnProcedure(bureau),
            "hearing.record",
            &target,
        )
        .await?;
        let mut hearing = Hearing {
            id,
            bureau_id: bureau,
            held_on: cmd.held_on,
            kind: cmd.kind,
            title: cmd.title.clone(),
            attendees: cmd.attendees.clone(),
            notes: cmd.notes.clone().filter(|n| !n.trim().is_empty()),
            outcomes: cmd.outcomes.iter().map(outcome_row).collect(),
            created_by: me,
            created_at: now,
        };
        let mut problems: Vec<Problem> = hearing::check_hearing(&hearing, &[], today)
            .into_iter()
            .map(|p| Problem {
                code: ErrorCode::Validation,
                path: p.path,
                message: p.message,
            })
            .collect();
        if cmd.outcomes.len() > MAX_OUTCOMES {
            return Err(AppError::Problems(problems));
        }

        // The procedures, every one of which the actor must be allowed to work on: one foreign
        // procedure refuses the whole hearing.
        let ids: Vec<ProcedureId> = cmd.outcomes.iter().map(|o| o.procedure_id).collect();
        let found: HashMap<ProcedureId, Procedure> = self
            .store()
            .procedures_by_ids(&ids)
            .await?
            .into_iter()
            .map(|p| (p.id, p))
            .collect();
        let bureaus: HashSet<BureauId> = found.values().map(|p| p.bureau_id).collect();
        for b in bureaus {
            self.require(actor, Action::WorkOnProcedure(b), "hearing.record", &target)
                .await?;
        }
        let assignees: Vec<UserId> = cmd
            .outcomes
            .iter()
            .flat_map(|o| o.tasks.iter().filter_map(|t| t.assignee_id))
            .collect();
        let known_users: HashSet<UserId> = if assignees.is_empty() {
            HashSet::new()
        } else {
            let users = self.store().users_by_ids(&assignees).await?;
            users.into_iter().map(|u| u.id).collect()
        };
        let applied: Vec<ProcedureId> = cmd
            .outcomes
            .iter()
            .filter(|o| o.apply && found.contains_key(&o.procedure_id))
            .map(|o| o.procedure_id)
            .collect();
        let facts = self.guard_facts(&applied).await?;
        let proposes_abolition = cmd.outcomes.iter().any(|o| {
            o.apply && o.decision == rollout_domain::hearing::HearingDecision::ProposeAbolition
        });
        let pending: HashSet<ProcedureId> = if proposes_abolition {
            let open = self.store().pending_approvals_for(&applied).await?;
            open.into_iter()
                .filter(|r| r.status == ApprovalStatus::Pending)
                .map(|r| r.procedure_id)
                .collect()
        } else {
            HashSet::new()
        };

        let comment = format!("{} ({})", cmd.title, cmd.held_on);
        let mut writes = Vec::new();
        let mut owners = Vec::new();
        let mut events = Vec::new();
        let mut tasks = Vec::new();
        for (i, o) in cmd.outcomes.iter().enumerate() {
            let at = i.to_string();
            let Some(p) = found.get(&o.procedure_id) else {
                problems.push(problem(
                    ErrorCode::NotFound,
                    &["outcomes", &at, "procedureId"],
                    format!("procedure {} not found", o.procedure_id),
                ));
                continue;
            };
            for (j, t) in o.tasks.iter().enumerate() {
                let j = j.to_string();
                if let Some(a) = t.assignee_id.filter(|a| !known_users.contains(a)) {
                    let path = ["outcomes", &at, "tasks", &j, "assigneeId"];
                    problems.push(problem(
                        ErrorCode::Validation,
                        &path,
                        format!("no user {a}"),
                    ));
                }
                if let Some(message) = task::check_due_on(t.due_on, today) {
                    let path = ["outcomes", &at, "tasks", &j, "dueOn"];
                    problems.push(problem(ErrorCode::Validation, &path, message));
                }
                tasks.push((i, new_task(t, p, id, me, now)));
            }
            if !o.apply {
                continue;
            }
            let input = OutcomeInput {
                index: &at,
                outcome: o,
                procedure: p,
                facts: facts.get(&p.id),
                pending: pending.contains(&p.id),
                comment: &comment,
            };
            match self.apply_outcome(actor, me, &input) {
                Ok(a) => {
                    hearing.outcomes[i].record_id = a.record;
                    hearing.outcomes[i].approval_request_id = a.request;
                    owners.extend(a.writes.iter().map(|_| Some(i)));
                    writes.extend(a.writes);
                    events.extend(a.events);
                }
                Err(p) => problems.push(p),
            }
        }
        if !problems.is_empty() {
            return Err(AppError::Problems(problems));
        }

        writes.push(Write::InsertHearing(hearing.clone()));
        owners.push(None);
        for (i, t) in tasks {
            let audit = self.audit_entry(
                actor,
                "task.create",
                &Target::new("Task", t.id),
                None,
                Some(task_json(&t)),
            );
            writes.extend([Write::InsertTask(t), Write::Audit(audit)]);
            owners.extend([Some(i), Some(i)]);
        }
        let audit = self.audit_entry(
            actor,
            "hearing.record",
            &target,
            None,
            Some(hearing_json(&hearing)),
        );
        writes.push(Write::Audit(audit));
        owners.push(None);
        Ok(Planned {
            writes,
            owners,
            hearing,
            events,
        })
    }
}

fn outcome_row(o: &super::RecordOutcome) -> HearingOutcome {
    HearingOutcome {
        procedure_id: o.procedure_id,
        decision: o.decision,
        agreed_target_quarter: o.agreed_target_quarter,
        agreed_platform: o.agreed_platform,
        issues: o.issues.clone().filter(|s| !s.trim().is_empty()),
        next_step: o.next_step.clone().filter(|s| !s.trim().is_empty()),
        applied: o.apply,
        record_id: None,
        approval_request_id: None,
    }
}

fn new_task(
    t: &super::NewTask,
    p: &Procedure,
    hearing: HearingId,
    me: UserId,
    now: chrono::DateTime<chrono::Utc>,
) -> Task {
    Task {
        id: TaskId(new_uuid()),
        title: t.title.clone(),
        description: t.description.clone().filter(|d| !d.trim().is_empty()),
        procedure_id: Some(p.id),
        bureau_id: p.bureau_id,
        assignee_id: t.assignee_id,
        due_on: t.due_on,
        status: TaskStatus::Open,
        completion_note: None,
        completed_at: None,
        hearing_id: Some(hearing),
        created_by: me,
        version: 1,
        created_at: now,
        updated_at: now,
    }
}

/// The hearing as the audit trail keeps it.
pub(crate) fn hearing_json(h: &Hearing) -> serde_json::Value {
    serde_json::json!({
        "id": h.id.to_string(),
        "bureauId": h.bureau_id.to_string(),
        "heldOn": h.held_on.to_string(),
        "kind": h.kind.as_str(),
        "title": h.title,
        "outcomes": h.outcomes.iter().map(|o| serde_json::json!({
            "procedureId": o.procedure_id.to_string(),
            "decision": o.decision.as_str(),
            "applied": o.applied,
            "recordId": o.record_id.map(|r| r.to_string()),
            "approvalRequestId": o.approval_request_id.map(|r| r.to_string()),
        })).collect::<Vec<_>>(),
    })
}
