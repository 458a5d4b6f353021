//! Decoding the evidence tables: hearings (with their outcomes, read through a LEFT JOIN, so
//! outcome columns are optional and prefixed `o_`), user tests and tasks. Column lists live here
//! beside their decoders, as in [`crate::rows`], whose helpers report unknown keys and malformed
//! values as corrupt data naming the column.

use rollout_domain::hearing::{Hearing, HearingDecision, HearingKind, HearingOutcome};
use rollout_domain::task::{Task, TaskStatus};
use rollout_domain::user_test::{UserTest, UserTestVerdict};
use rollout_domain::{
    ApprovalRequestId, BureauId, FiscalQuarter, HearingId, Platform, ProcedureId, TaskId,
    TransitionRecordId, UserId, UserTestId,
};
use rollout_store::{StoreError, StoreResult};
use sqlx::postgres::PgRow;
use uuid::Uuid;

use crate::rows::{get, keyed, parsed, parsed_opt};

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

/// A list of strings as JSON, the form bulk inserts pass through `UNNEST` (arrays of arrays
/// would have to be rectangular).
pub(crate) fn json_list(items: &[String]) -> String {
    serde_json::Value::from(items.to_vec()).to_string()
}

/// The hearing without its outcomes.
pub(crate) fn hearing(row: &PgRow) -> StoreResult<Hearing> {
    const T: &str = "hearings";
    Ok(Hearing {
        id: HearingId(get(row, "id")?),
        bureau_id: BureauId(get(row, "bureau_id")?),
        held_on: get(row, "held_on")?,
        kind: parsed(row, T, "kind", keyed(HearingKind::parse))?,
        title: get(row, "title")?,
        attendees: get(row, "attendees")?,
        notes: get(row, "notes")?,
        outcomes: Vec::new(),
        created_by: UserId(get(row, "created_by")?),
        created_at: get(row, "created_at")?,
    })
}

/// The outcome on a row, or `None` for the empty side of a LEFT JOIN.
pub(crate) fn outcome(row: &PgRow) -> StoreResult<Option<HearingOutcome>> {
    const T: &str = "hearing_outcomes";
    let Some(procedure_id) = get::<Option<Uuid>>(row, "o_procedure_id")? else {
        return Ok(None);
    };
    let applied: Option<bool> = get(row, "o_applied")?;
    Ok(Some(HearingOutcome {
        procedure_id: ProcedureId(procedure_id),
        decision: parsed(row, T, "o_decision", keyed(HearingDecision::parse))?,
        agreed_target_quarter: parsed_opt(row, T, "o_agreed_target_quarter", FiscalQuarter::parse)?,
        agreed_platform: parsed_opt(row, T, "o_agreed_platform", keyed(Platform::parse))?,
        issues: get(row, "o_issues")?,
        next_step: get(row, "o_next_step")?,
        applied: applied.ok_or_else(|| StoreError::corrupt("hearing_outcomes.applied is NULL"))?,
        record_id: get::<Option<Uuid>>(row, "o_transition_record_id")?.map(TransitionRecordId),
        approval_request_id: get::<Option<Uuid>>(row, "o_approval_request_id")?
            .map(ApprovalRequestId),
    }))
}

/// Folds joined rows, ordered by group and hearing and then position, into hearings with their
/// outcomes. `group` reads an extra grouping value (the procedure a row was found for, or `()`);
/// a new hearing starts whenever it or the hearing id changes.
pub(crate) fn fold_hearings<K: PartialEq>(
    rows: &[PgRow],
    group: impl Fn(&PgRow) -> StoreResult<K>,
) -> StoreResult<Vec<(K, Hearing)>> {
    let mut out: Vec<(K, Hearing)> = Vec::new();
    for row in rows {
        let key = group(row)?;
        let id = HearingId(get(row, "id")?);
        let same = out.last().is_some_and(|(k, h)| *k == key && h.id == id);
        if !same {
            out.push((key, hearing(row)?));
        }
        if let (Some(o), Some((_, h))) = (outcome(row)?, out.last_mut()) {
            h.outcomes.push(o);
        }
    }
    Ok(out)
}

pub(crate) fn user_test(row: &PgRow) -> StoreResult<UserTest> {
    Ok(UserTest {
        id: UserTestId(get(row, "id")?),
        procedure_id: ProcedureId(get(row, "procedure_id")?),
        held_on: get(row, "held_on")?,
        participants: get(row, "participants")?,
        tasks_attempted: get(row, "tasks_attempted")?,
        tasks_completed: get(row, "tasks_completed")?,
        median_minutes: get(row, "median_minutes")?,
        sus_score: get(row, "sus_score")?,
        findings: get(row, "findings")?,
        verdict: parsed(row, "user_tests", "verdict", keyed(UserTestVerdict::parse))?,
        recorded_by: UserId(get(row, "recorded_by")?),
        created_at: get(row, "created_at")?,
    })
}

pub(crate) fn task(row: &PgRow) -> StoreResult<Task> {
    Ok(Task {
        id: TaskId(get(row, "id")?),
        title: get(row, "title")?,
        description: get(row, "description")?,
        procedure_id: get::<Option<Uuid>>(row, "procedure_id")?.map(ProcedureId),
        bureau_id: BureauId(get(row, "bureau_id")?),
        assignee_id: get::<Option<Uuid>>(row, "assignee_id")?.map(UserId),
        due_on: get(row, "due_on")?,
        status: parsed(row, "tasks", "status", keyed(TaskStatus::parse))?,
        completion_note: get(row, "completion_note")?,
        completed_at: get(row, "completed_at")?,
        hearing_id: get::<Option<Uuid>>(row, "hearing_id")?.map(HearingId),
        created_by: UserId(get(row, "created_by")?),
        version: get(row, "version")?,
        created_at: get(row, "created_at")?,
        updated_at: get(row, "updated_at")?,
    })
}
