//! Hearings (ヒアリング): a meeting of the project office with a bureau's policy department, a
//! ministry or a platform vendor, and what was decided for each procedure discussed. A hearing is
//! evidence: recording it may set a procedure's target quarter and platform and move it through
//! the workflow, and those moves name the hearing. What a decision does is decided here
//! ([`HearingDecision::target_state`]); the app applies it through the workflow engine.

use chrono::{DateTime, NaiveDate, Utc};

use crate::procedure::keyed_enum;
use crate::task::Task;
use crate::{
    ApprovalRequestId, BureauId, FiscalQuarter, HearingId, Platform, ProcedureId,
    TransitionRecordId, UserId,
};

/// The most procedures one hearing may discuss.
pub const MAX_OUTCOMES: usize = 200;
/// The most attendees one hearing may list.
pub const MAX_ATTENDEES: usize = 100;

keyed_enum!(
    /// Who the project office met.
    HearingKind {
        /// The bureau's policy department (制度所管部署).
        PolicyDepartment => "POLICY_DEPARTMENT",
        NationalMinistry => "NATIONAL_MINISTRY",
        PlatformVendor => "PLATFORM_VENDOR",
        Other => "OTHER",
    }
);

keyed_enum!(
    /// What a hearing decided for one procedure.
    HearingDecision {
        /// Go ahead: with `apply`, the procedure moves to `scheduled`.
        Proceed => "PROCEED",
        /// The procedure waits on national law: with `apply`, it moves to `awaiting_law_change`.
        NeedsLawChange => "NEEDS_LAW_CHANGE",
        /// Propose to abolish it: with `apply`, the abolition approval request is opened.
        ProposeAbolition => "PROPOSE_ABOLITION",
        /// Nothing decided: nothing moves.
        Undecided => "UNDECIDED",
    }
);

/// The state key each applied decision moves a procedure to in the default workflow; `None` for
/// a decision that moves nothing.
impl HearingDecision {
    pub const fn target_state(self) -> Option<&'static str> {
        match self {
            Self::Proceed => Some("scheduled"),
            Self::NeedsLawChange => Some("awaiting_law_change"),
            Self::ProposeAbolition => Some("abolished"),
            Self::Undecided => None,
        }
    }
}

/// One hearing with its outcomes, in the order they were given.
#[derive(Debug, Clone, PartialEq)]
pub struct Hearing {
    pub id: HearingId,
    pub bureau_id: BureauId,
    pub held_on: NaiveDate,
    pub kind: HearingKind,
    pub title: String,
    pub attendees: Vec<String>,
    pub notes: Option<String>,
    pub outcomes: Vec<HearingOutcome>,
    pub created_by: UserId,
    pub created_at: DateTime<Utc>,
}

/// What one hearing decided for one procedure, and what applying it wrote.
#[derive(Debug, Clone, PartialEq)]
pub struct HearingOutcome {
    pub procedure_id: ProcedureId,
    pub decision: HearingDecision,
    pub agreed_target_quarter: Option<FiscalQuarter>,
    pub agreed_platform: Option<Platform>,
    pub issues: Option<String>,
    pub next_step: Option<String>,
    /// Whether what was agreed was applied to the procedure.
    pub applied: bool,
    /// The history record of the move this outcome made, if it made one.
    pub record_id: Option<TransitionRecordId>,
    /// The approval request this outcome opened (PROPOSE_ABOLITION), if any.
    pub approval_request_id: Option<ApprovalRequestId>,
}

/// Why a hearing cannot be recorded as given: the field path (relative to the input) and a
/// message for the person who typed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HearingProblem {
    pub path: Vec<String>,
    pub message: String,
}

impl HearingProblem {
    fn new(path: &[&str], message: impl Into<String>) -> Self {
        Self {
            path: path.iter().map(|s| (*s).to_owned()).collect(),
            message: message.into(),
        }
    }
}

/// The rules a hearing must meet whatever the stored data: held today or earlier (in Tokyo), at
/// least one and at most [`MAX_OUTCOMES`] outcomes, each procedure once, and tasks due no
/// earlier than today. Every problem is reported, not only the first.
pub fn check_hearing(
    hearing: &Hearing,
    tasks: &[(usize, &Task)],
    today: NaiveDate,
) -> Vec<HearingProblem> {
    let mut out = Vec::new();
    if hearing.held_on > today {
        out.push(HearingProblem::new(
            &["heldOn"],
            format!("a hearing cannot be held in the future (today is {today})"),
        ));
    }
    if hearing.attendees.len() > MAX_ATTENDEES {
        out.push(HearingProblem::new(
            &["attendees"],
            format!("at most {MAX_ATTENDEES} attendees"),
        ));
    }
    if hearing.outcomes.is_empty() {
        out.push(HearingProblem::new(
            &["outcomes"],
            "a hearing discusses at least one procedure",
        ));
    }
    if hearing.outcomes.len() > MAX_OUTCOMES {
        out.push(HearingProblem::new(
            &["outcomes"],
            format!(
                "at most {MAX_OUTCOMES} outcomes per hearing (got {})",
                hearing.outcomes.len()
            ),
        ));
    }
    for (i, o) in hearing.outcomes.iter().enumerate() {
        if hearing.outcomes[..i]
            .iter()
            .any(|earlier| earlier.procedure_id == o.procedure_id)
        {
            out.push(HearingProblem {
                path: vec!["outcomes".into(), i.to_string(), "procedureId".into()],
                message: "this procedure is already listed in an earlier outcome".into(),
            });
        }
    }
    for (i, task) in tasks {
        if let Some(problem) = crate::task::check_due_on(task.due_on, today) {
            out.push(HearingProblem {
                path: vec![
                    "outcomes".into(),
                    i.to_string(),
                    "tasks".into(),
                    "dueOn".into(),
                ],
                message: problem,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn hearing(held_on: NaiveDate, procedures: &[u128]) -> Hearing {
        Hearing {
            id: HearingId(Uuid::from_u128(1)),
            bureau_id: BureauId(Uuid::from_u128(2)),
            held_on,
            kind: HearingKind::PolicyDepartment,
            title: "t".into(),
            attendees: vec![],
            notes: None,
            outcomes: procedures
                .iter()
                .map(|p| HearingOutcome {
                    procedure_id: ProcedureId(Uuid::from_u128(*p)),
                    decision: HearingDecision::Undecided,
                    agreed_target_quarter: None,
                    agreed_platform: None,
                    issues: None,
                    next_step: None,
                    applied: false,
                    record_id: None,
                    approval_request_id: None,
                })
                .collect(),
            created_by: UserId(Uuid::from_u128(3)),
            created_at: DateTime::<Utc>::MIN_UTC,
        }
    }

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn a_hearing_today_with_distinct_procedures_is_fine() {
        assert!(
            check_hearing(&hearing(day("2026-11-20"), &[1, 2]), &[], day("2026-11-20")).is_empty()
        );
    }

    #[test]
    fn future_dates_duplicates_and_empty_outcomes_are_each_reported() {
        let problems = check_hearing(
            &hearing(day("2026-11-21"), &[1, 2, 1]),
            &[],
            day("2026-11-20"),
        );
        let paths: Vec<String> = problems.iter().map(|p| p.path.join(".")).collect();
        assert_eq!(paths, ["heldOn", "outcomes.2.procedureId"]);
        let empty = check_hearing(&hearing(day("2026-11-20"), &[]), &[], day("2026-11-20"));
        assert_eq!(empty[0].path, ["outcomes"]);
    }

    #[test]
    fn more_than_the_limit_of_outcomes_is_refused() {
        let many: Vec<u128> = (1..=(MAX_OUTCOMES as u128 + 1)).collect();
        let problems = check_hearing(&hearing(day("2026-11-20"), &many), &[], day("2026-11-20"));
        assert!(
            problems
                .iter()
                .any(|p| p.message.contains("at most 200 outcomes"))
        );
    }

    #[test]
    fn decisions_map_to_the_default_workflow_states() {
        assert_eq!(HearingDecision::Proceed.target_state(), Some("scheduled"));
        assert_eq!(
            HearingDecision::NeedsLawChange.target_state(),
            Some("awaiting_law_change")
        );
        assert_eq!(
            HearingDecision::ProposeAbolition.target_state(),
            Some("abolished")
        );
        assert_eq!(HearingDecision::Undecided.target_state(), None);
        assert_eq!(
            HearingKind::parse("policy_department"),
            Some(HearingKind::PolicyDepartment)
        );
    }
}
