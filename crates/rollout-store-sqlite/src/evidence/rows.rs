//! Row ↔ domain conversion for the evidence tables: hearings (with their outcomes, read through
//! a LEFT JOIN, so outcome columns are optional and prefixed `o_`), user tests and tasks. Lists
//! of strings are JSON arrays in TEXT. Encodings are those of [`crate::rows`].

use rollout_domain::hearing::{Hearing, HearingDecision, HearingKind, HearingOutcome};
use rollout_domain::task::{Task, TaskStatus};
use rollout_domain::user_test::{UserTest, UserTestVerdict};
use rollout_domain::{
    ApprovalRequestId, BureauId, FiscalQuarter, HearingId, Platform, ProcedureId, TaskId,
    TransitionRecordId, UserId, UserTestId,
};
use rollout_store::{StoreError, StoreResult};
use sqlx::FromRow;

use crate::rows::{
    corrupt, parse_day, parse_i32, parse_instant, parse_key, parse_uuid, parse_with,
};

/// Hearing columns, qualified by the alias `h`.
pub(crate) const HEARING_COLUMNS: &str = "h.id, h.bureau_id, h.held_on, h.kind, h.title, \
     h.attendees, h.notes, h.created_by, h.created_at";

/// Outcome columns of the alias `o`, renamed so that they cannot collide with the hearing's.
pub(crate) const OUTCOME_COLUMNS: &str = "o.hearing_id AS o_hearing_id, o.position AS o_position, \
     o.procedure_id AS o_procedure_id, o.decision AS o_decision, \
     o.agreed_target_quarter AS o_agreed_target_quarter, o.agreed_platform AS o_agreed_platform, \
     o.issues AS o_issues, o.next_step AS o_next_step, o.applied AS o_applied, \
     o.transition_record_id AS o_transition_record_id, \
     o.approval_request_id AS o_approval_request_id";

pub(crate) const USER_TEST_COLUMNS: &str = "id, procedure_id, held_on, participants, \
     tasks_attempted, tasks_completed, median_minutes, sus_score, findings, verdict, recorded_by, \
     created_at";

pub(crate) const TASK_COLUMNS: &str = "id, title, description, procedure_id, bureau_id, \
     assignee_id, due_on, status, completion_note, completed_at, hearing_id, created_by, version, \
     created_at, updated_at";

/// A list of strings as stored: a JSON array.
pub(crate) fn json_list(items: &[String]) -> String {
    serde_json::Value::from(items.to_vec()).to_string()
}

fn parse_list(column: &str, raw: &str) -> StoreResult<Vec<String>> {
    serde_json::from_str(raw).map_err(|_| corrupt(column, raw))
}

fn opt_uuid(column: &str, raw: Option<String>) -> StoreResult<Option<uuid::Uuid>> {
    raw.map(|raw| parse_uuid(column, &raw)).transpose()
}

#[derive(Debug, FromRow)]
pub(crate) struct HearingRow {
    id: String,
    bureau_id: String,
    held_on: String,
    kind: String,
    title: String,
    attendees: String,
    notes: Option<String>,
    created_by: String,
    created_at: String,
}

impl HearingRow {
    pub(crate) fn id(&self) -> &str {
        &self.id
    }

    /// The hearing without its outcomes.
    pub(crate) fn into_domain(self) -> StoreResult<Hearing> {
        Ok(Hearing {
            id: HearingId(parse_uuid("hearings.id", &self.id)?),
            bureau_id: BureauId(parse_uuid("hearings.bureau_id", &self.bureau_id)?),
            held_on: parse_day("hearings.held_on", &self.held_on)?,
            kind: parse_key("hearings.kind", &self.kind, HearingKind::parse)?,
            title: self.title,
            attendees: parse_list("hearings.attendees", &self.attendees)?,
            notes: self.notes,
            outcomes: Vec::new(),
            created_by: UserId(parse_uuid("hearings.created_by", &self.created_by)?),
            created_at: parse_instant("hearings.created_at", &self.created_at)?,
        })
    }
}

/// One outcome, or none (every column NULL) on a LEFT JOIN row of a hearing without outcomes.
#[derive(Debug, FromRow)]
pub(crate) struct OutcomeRow {
    o_hearing_id: Option<String>,
    o_position: Option<i64>,
    o_procedure_id: Option<String>,
    o_decision: Option<String>,
    o_agreed_target_quarter: Option<String>,
    o_agreed_platform: Option<String>,
    o_issues: Option<String>,
    o_next_step: Option<String>,
    o_applied: Option<i64>,
    o_transition_record_id: Option<String>,
    o_approval_request_id: Option<String>,
}

impl OutcomeRow {
    pub(crate) fn hearing_id(&self) -> Option<&str> {
        self.o_hearing_id.as_deref()
    }

    /// `None` for the empty side of a LEFT JOIN.
    pub(crate) fn into_domain(self) -> StoreResult<Option<HearingOutcome>> {
        let (Some(_), Some(procedure_id), Some(decision), Some(applied)) = (
            self.o_position,
            self.o_procedure_id,
            self.o_decision,
            self.o_applied,
        ) else {
            return Ok(None);
        };
        Ok(Some(HearingOutcome {
            procedure_id: ProcedureId(parse_uuid("hearing_outcomes.procedure_id", &procedure_id)?),
            decision: parse_key(
                "hearing_outcomes.decision",
                &decision,
                HearingDecision::parse,
            )?,
            agreed_target_quarter: self
                .o_agreed_target_quarter
                .map(|raw| {
                    parse_with(
                        "hearing_outcomes.agreed_target_quarter",
                        &raw,
                        FiscalQuarter::parse,
                    )
                })
                .transpose()?,
            agreed_platform: self
                .o_agreed_platform
                .map(|raw| parse_key("hearing_outcomes.agreed_platform", &raw, Platform::parse))
                .transpose()?,
            issues: self.o_issues,
            next_step: self.o_next_step,
            applied: match applied {
                0 => false,
                1 => true,
                other => return Err(corrupt("hearing_outcomes.applied", &other.to_string())),
            },
            record_id: opt_uuid(
                "hearing_outcomes.transition_record_id",
                self.o_transition_record_id,
            )?
            .map(TransitionRecordId),
            approval_request_id: opt_uuid(
                "hearing_outcomes.approval_request_id",
                self.o_approval_request_id,
            )?
            .map(ApprovalRequestId),
        }))
    }
}

/// A hearing row joined with one of its outcomes (or none).
#[derive(Debug, FromRow)]
pub(crate) struct JoinedRow {
    #[sqlx(flatten)]
    pub hearing: HearingRow,
    #[sqlx(flatten)]
    pub outcome: OutcomeRow,
}

/// Folds joined rows, ordered by hearing and then position, into hearings with their outcomes.
/// `key` extracts an extra grouping value (the procedure a row was found for, or `()`); a new
/// hearing starts whenever the key or the hearing id changes.
pub(crate) fn fold_hearings<R, K: PartialEq + Clone>(
    rows: Vec<R>,
    split: impl Fn(R) -> (K, JoinedRow),
) -> StoreResult<Vec<(K, Hearing)>> {
    let mut out: Vec<(K, String, Hearing)> = Vec::new();
    for row in rows {
        let (key, joined) = split(row);
        let same = out
            .last()
            .is_some_and(|(k, id, _)| *k == key && id == joined.hearing.id());
        if !same {
            let id = joined.hearing.id().to_owned();
            out.push((key, id, joined.hearing.into_domain()?));
        }
        if let Some(outcome) = joined.outcome.into_domain()? {
            let last = out
                .last_mut()
                .ok_or_else(|| StoreError::corrupt("outcome without hearing"))?;
            last.2.outcomes.push(outcome);
        }
    }
    Ok(out.into_iter().map(|(k, _, h)| (k, h)).collect())
}

#[derive(Debug, FromRow)]
pub(crate) struct UserTestRow {
    id: String,
    procedure_id: String,
    held_on: String,
    participants: i64,
    tasks_attempted: i64,
    tasks_completed: i64,
    median_minutes: Option<f64>,
    sus_score: Option<f64>,
    findings: String,
    verdict: String,
    recorded_by: String,
    created_at: String,
}

impl UserTestRow {
    pub(crate) fn into_domain(self) -> StoreResult<UserTest> {
        Ok(UserTest {
            id: UserTestId(parse_uuid("user_tests.id", &self.id)?),
            procedure_id: ProcedureId(parse_uuid("user_tests.procedure_id", &self.procedure_id)?),
            held_on: parse_day("user_tests.held_on", &self.held_on)?,
            participants: parse_i32("user_tests.participants", self.participants)?,
            tasks_attempted: parse_i32("user_tests.tasks_attempted", self.tasks_attempted)?,
            tasks_completed: parse_i32("user_tests.tasks_completed", self.tasks_completed)?,
            median_minutes: self.median_minutes,
            sus_score: self.sus_score,
            findings: parse_list("user_tests.findings", &self.findings)?,
            verdict: parse_key("user_tests.verdict", &self.verdict, UserTestVerdict::parse)?,
            recorded_by: UserId(parse_uuid("user_tests.recorded_by", &self.recorded_by)?),
            created_at: parse_instant("user_tests.created_at", &self.created_at)?,
        })
    }
}

#[derive(Debug, FromRow)]
pub(crate) struct TaskRow {
    id: String,
    title: String,
    description: Option<String>,
    procedure_id: Option<String>,
    bureau_id: String,
    assignee_id: Option<String>,
    due_on: Option<String>,
    status: String,
    completion_note: Option<String>,
    completed_at: Option<String>,
    hearing_id: Option<String>,
    created_by: String,
    version: i64,
    created_at: String,
    updated_at: String,
}

impl TaskRow {
    pub(crate) fn into_domain(self) -> StoreResult<Task> {
        Ok(Task {
            id: TaskId(parse_uuid("tasks.id", &self.id)?),
            title: self.title,
            description: self.description,
            procedure_id: opt_uuid("tasks.procedure_id", self.procedure_id)?.map(ProcedureId),
            bureau_id: BureauId(parse_uuid("tasks.bureau_id", &self.bureau_id)?),
            assignee_id: opt_uuid("tasks.assignee_id", self.assignee_id)?.map(UserId),
            due_on: self
                .due_on
                .map(|raw| parse_day("tasks.due_on", &raw))
                .transpose()?,
            status: parse_key("tasks.status", &self.status, TaskStatus::parse)?,
            completion_note: self.completion_note,
            completed_at: self
                .completed_at
                .map(|raw| parse_instant("tasks.completed_at", &raw))
                .transpose()?,
            hearing_id: opt_uuid("tasks.hearing_id", self.hearing_id)?.map(HearingId),
            created_by: UserId(parse_uuid("tasks.created_by", &self.created_by)?),
            version: parse_i32("tasks.version", self.version)?,
            created_at: parse_instant("tasks.created_at", &self.created_at)?,
            updated_at: parse_instant("tasks.updated_at", &self.updated_at)?,
        })
    }
}
