//! TEMPORARY SHIM — DELETE AFTER MERGING `i11` (the engine branch builds the real ones):
//! stand-ins with the expected names and shapes of `rollout_domain::workflow::law_change_workflow`,
//! `workflow::law_change::{plan_status_change, StatusChangeRequest, PlannedStatusChange}` and
//! `workflow::engine::{unblock_plan, UnblockRequest}`, so that the use cases compile and can be
//! unit-tested before the merge. Nothing outside `blockers/` uses them.

use chrono::{DateTime, NaiveDate, Utc};
use rollout_domain::blockers::{LawChange, LawChangeStatus, LawChangeStatusChange};
use rollout_domain::workflow::engine::{self, TransitionRequest};
use rollout_domain::workflow::{
    GuardFacts, PlannedTransition, StateKind, TransitionRefused, WorkflowDefinition,
};
use rollout_domain::{LawChangeStatusChangeId, Procedure, TransitionRecordId, UserId};

const LAW_CHANGE_TOML: &str = r#"
[workflow]
name = "law-change"
version = 1

[[states]]
key = "not_requested"
label_ja = "未要望"
label_en = "Not requested"
kind = "INITIAL"
[[states]]
key = "requested"
label_ja = "要望済み"
label_en = "Requested"
kind = "ACTIVE"
[[states]]
key = "under_study"
label_ja = "検討中"
label_en = "Under study"
kind = "ACTIVE"
[[states]]
key = "date_shown"
label_ja = "時期提示"
label_en = "Date shown"
kind = "ACTIVE"
[[states]]
key = "enacted"
label_ja = "施行済み"
label_en = "Enacted"
kind = "DONE"
[[states]]
key = "declined"
label_ja = "対応不可"
label_en = "Declined"
kind = "ACTIVE"
[[states]]
key = "withdrawn"
label_ja = "取下げ"
label_en = "Withdrawn"
kind = "CLOSED"

[[transitions]]
key = "request"
from = "not_requested"
to = "requested"
[[transitions]]
key = "study"
from = "requested"
to = "under_study"
[[transitions]]
key = "show_date"
from = "under_study"
to = "date_shown"
[[transitions]]
key = "enact"
from = "date_shown"
to = "enacted"
[[transitions]]
key = "decline"
from = "under_study"
to = "declined"
[[transitions]]
key = "withdraw"
from = "requested"
to = "withdrawn"
[[transitions]]
key = "withdraw_declined"
from = "declined"
to = "withdrawn"
"#;

pub(crate) fn law_change_workflow() -> WorkflowDefinition {
    // Every App starts with it: a unit test below keeps it loading.
    WorkflowDefinition::from_toml(LAW_CHANGE_TOML).expect("the shim's workflow is valid")
}

pub(crate) struct StatusChangeRequest<'a> {
    pub to: LawChangeStatus,
    pub on: Option<NaiveDate>,
    pub reason: Option<&'a str>,
    pub actor: &'a str,
    pub actor_id: Option<UserId>,
    pub now: DateTime<Utc>,
    pub today: NaiveDate,
    pub record_id: LawChangeStatusChangeId,
}

pub(crate) struct PlannedStatusChange {
    pub law_change: LawChange,
    pub record: LawChangeStatusChange,
    pub expected_version: i32,
}

pub(crate) fn plan_status_change(
    def: &WorkflowDefinition,
    lc: &LawChange,
    req: &StatusChangeRequest<'_>,
) -> Result<PlannedStatusChange, TransitionRefused> {
    let (from, to) = (lc.status.state_key(), req.to.state_key());
    if def.transition(&from, &to).is_none() {
        return Err(TransitionRefused::NoSuchTransition { from, to });
    }
    let mut after = lc.clone();
    after.status = req.to;
    match req.to {
        LawChangeStatus::Requested => after.requested_on = Some(req.on.unwrap_or(req.today)),
        LawChangeStatus::DateShown => after.expected_effective_on = req.on,
        LawChangeStatus::Enacted => after.enacted_on = Some(req.on.unwrap_or(req.today)),
        _ => {}
    }
    after.version += 1;
    after.updated_at = req.now;
    Ok(PlannedStatusChange {
        record: LawChangeStatusChange {
            id: req.record_id,
            law_change_id: lc.id,
            from_status: Some(lc.status),
            to_status: req.to,
            on: req.on,
            reason: req.reason.map(str::to_owned),
            actor: req.actor.to_owned(),
            actor_id: req.actor_id,
            at: req.now,
        },
        law_change: after,
        expected_version: lc.version,
    })
}

pub(crate) struct UnblockRequest<'a> {
    pub actor: &'a str,
    pub comment: Option<&'a str>,
    pub now: DateTime<Utc>,
    pub today: NaiveDate,
    pub record_id: TransitionRecordId,
    pub facts: &'a GuardFacts,
}

pub(crate) fn unblock_plan(
    def: &WorkflowDefinition,
    p: &Procedure,
    req: &UnblockRequest<'_>,
) -> Option<PlannedTransition> {
    // The real one walks the `on_unblock` transitions; the shim prefers `scheduled` when its
    // guards hold, else any way out to a non-terminal state.
    let mut ways: Vec<_> = def
        .transitions_from(&p.state)
        .filter(|t| def.state(&t.to).is_some_and(|s| !s.kind.is_terminal()))
        .collect();
    ways.sort_by_key(|t| def.state(&t.to).map(|s| s.kind != StateKind::Active));
    ways.into_iter().find_map(|t| {
        engine::plan(
            def,
            p,
            &TransitionRequest {
                to: &t.to,
                comment: req.comment,
                actor: req.actor,
                now: req.now,
                today: req.today,
                record_id: req.record_id,
                facts: req.facts,
            },
        )
        .ok()
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_shim_workflow_loads() {
        assert_eq!(super::law_change_workflow().name(), "law-change");
    }
}
