//! Builders for the evidence the contract cases store: hearings with outcomes, user tests and
//! tasks, with fresh ids and fixed, microsecond-precise times. Like [`super::fixtures`] they
//! decide nothing: the store records whatever the app layer planned.

use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use rollout_domain::hearing::{Hearing, HearingDecision, HearingKind, HearingOutcome};
use rollout_domain::task::{Task, TaskStatus};
use rollout_domain::user_test::{UserTest, UserTestVerdict};
use rollout_domain::{BureauId, HearingId, ProcedureId, TaskId, UserId, UserTestId};
use uuid::Uuid;

use super::fixtures::{audit, date};
use crate::{Store, Write};

/// An outcome for `p` that applied nothing.
pub fn outcome(p: ProcedureId, decision: HearingDecision) -> HearingOutcome {
    HearingOutcome {
        procedure_id: p,
        decision,
        agreed_target_quarter: None,
        agreed_platform: None,
        issues: None,
        next_step: None,
        applied: false,
        record_id: None,
        approval_request_id: None,
    }
}

/// A policy-department hearing of `bureau` by `by`, held on `held_on`, with `outcomes`.
pub fn hearing(
    bureau: BureauId,
    by: UserId,
    held_on: NaiveDate,
    created: DateTime<Utc>,
    outcomes: Vec<HearingOutcome>,
) -> Hearing {
    Hearing {
        id: HearingId(Uuid::now_v7()),
        bureau_id: bureau,
        held_on,
        kind: HearingKind::PolicyDepartment,
        title: format!("{held_on} 制度所管部署ヒアリング"),
        attendees: vec![
            "環境局 佐藤".to_owned(),
            "デジタルサービス局 鈴木".to_owned(),
        ],
        notes: Some("次回は来月".to_owned()),
        outcomes,
        created_by: by,
        created_at: created,
    }
}

/// An open version-1 task of `bureau`, due on `due_on`, created by `by` at `created`.
pub fn task(
    title: &str,
    bureau: BureauId,
    by: UserId,
    due_on: Option<NaiveDate>,
    created: DateTime<Utc>,
) -> Task {
    Task {
        id: TaskId(Uuid::now_v7()),
        title: title.to_owned(),
        description: None,
        procedure_id: None,
        bureau_id: bureau,
        assignee_id: None,
        due_on,
        status: TaskStatus::Open,
        completion_note: None,
        completed_at: None,
        hearing_id: None,
        created_by: by,
        version: 1,
        created_at: created,
        updated_at: created,
    }
}

/// A user test of `p` with `verdict`, recorded by `by` at `created`.
pub fn user_test(
    p: ProcedureId,
    by: UserId,
    verdict: UserTestVerdict,
    created: DateTime<Utc>,
) -> UserTest {
    UserTest {
        id: UserTestId(Uuid::now_v7()),
        procedure_id: p,
        held_on: date(2025, 4, 1),
        participants: 5,
        tasks_attempted: 10,
        tasks_completed: 8,
        median_minutes: Some(4.25),
        sus_score: Some(72.5),
        findings: vec!["入力欄が多い".to_owned(), "ボタンが小さい".to_owned()],
        verdict,
        recorded_by: by,
        created_at: created,
    }
}

/// Commits `writes` plus one audit entry, panicking on failure.
pub async fn commit_audited(store: &Arc<dyn Store>, writes: Vec<Write>, at: DateTime<Utc>) {
    let mut writes = writes;
    writes.push(Write::Audit(audit(
        "evidence.write",
        "Evidence",
        "batch",
        at,
    )));
    store.commit(&writes).await.unwrap();
}
