//! A law change's life cycle, run by the same engine as procedures: [`LawChange`] is a
//! [`Subject`] whose state is its status (`LawChangeStatus::state_key`), and
//! [`plan_status_change`] turns a status-change request into the law change after the change
//! and its history record. The allowed moves and their guards are the workflow's
//! (`law_change.toml`, [`super::law_change_workflow`]); what each status sets is here.

use std::borrow::Cow;

use chrono::{DateTime, NaiveDate, Utc};

use super::definition::WorkflowDefinition;
use super::engine::{self, GuardFailure, TransitionRefused};
use super::guards::{self, Guard, GuardFacts, GuardInputs};
use super::subject::{Subject, SubjectKind};
use crate::blockers::{LawChange, LawChangeStatus, LawChangeStatusChange};
use crate::{LawChangeStatusChangeId, UserId};

impl Subject for LawChange {
    const KIND: SubjectKind = SubjectKind::LawChange;

    fn state_key(&self) -> Cow<'_, str> {
        Cow::Owned(self.status.state_key())
    }
    fn version(&self) -> i32 {
        self.version
    }
    /// A law change has no data guards: validation refuses procedure guards on its workflow.
    fn check_data_guard(&self, guard: Guard, _facts: &GuardFacts) -> Option<String> {
        guards::not_for(guard, SubjectKind::LawChange)
    }
}

/// A request to move a law change to another status.
#[derive(Debug, Clone)]
pub struct StatusChangeRequest<'a> {
    pub to: LawChangeStatus,
    /// The date the new status names: requested on, the effective date the ministry has shown,
    /// or the enactment date.
    pub on: Option<NaiveDate>,
    /// Why (the `comment` guard's text for law changes).
    pub reason: Option<&'a str>,
    /// The actor's label (an e-mail address, or `system:…`).
    pub actor: &'a str,
    pub actor_id: Option<UserId>,
    pub now: DateTime<Utc>,
    /// Today's date in Asia/Tokyo, the default requested and enactment dates.
    pub today: NaiveDate,
    pub record_id: LawChangeStatusChangeId,
}

/// The change a successful status change makes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedStatusChange {
    /// The law change after the change (status, dates, `version + 1`, `updated_at`).
    pub law_change: LawChange,
    pub record: LawChangeStatusChange,
    /// The version the stored law change must still have.
    pub expected_version: i32,
}

/// Decides a status change with the law-change workflow `def` and, if it is allowed, plans it.
/// A date outside 2000-01-01..=2100-12-31 is refused like a failing `date` guard, whether or not
/// the transition requires a date; an enactment date after `today` is allowed (a law may be
/// enacted with a later effective date).
pub fn plan_status_change(
    def: &WorkflowDefinition,
    law_change: &LawChange,
    req: &StatusChangeRequest<'_>,
) -> Result<PlannedStatusChange, TransitionRefused> {
    let reason = req.reason.map(str::trim).filter(|r| !r.is_empty());
    let facts = GuardFacts::NOT_JUDGED;
    let inputs = GuardInputs {
        comment: reason,
        on: req.on,
        facts: &facts,
    };
    let transition = engine::decide(def, law_change, &req.to.state_key(), &inputs);
    let out_of_range = req.on.and_then(guards::date_out_of_range);
    let transition = match (transition, out_of_range) {
        (Ok(t), Some(message)) if !t.guards.contains(&Guard::Date) => {
            return Err(TransitionRefused::GuardsFailed(vec![GuardFailure {
                guard: Guard::Date,
                message,
            }]));
        }
        (result, _) => result?,
    };
    debug_assert_eq!(transition.to, req.to.state_key());

    let mut after = law_change.clone();
    let on = match req.to {
        LawChangeStatus::Requested => {
            let on = req.on.unwrap_or(req.today);
            after.requested_on = after.requested_on.or(Some(on));
            Some(on)
        }
        LawChangeStatus::DateShown => {
            after.expected_effective_on = req.on;
            req.on
        }
        LawChangeStatus::Enacted => {
            let on = req.on.unwrap_or(req.today);
            after.enacted_on = Some(on);
            Some(on)
        }
        _ => req.on,
    };
    // A date the ministry has withdrawn (or that a refusal overturns) no longer says when the
    // change will take effect; after enactment or withdrawal it stays as history.
    let date_dropped = law_change.status == LawChangeStatus::DateShown
        && !matches!(
            req.to,
            LawChangeStatus::Enacted | LawChangeStatus::Withdrawn
        );
    if date_dropped {
        after.expected_effective_on = None;
    }
    after.status = req.to;
    after.version = law_change.version + 1;
    after.updated_at = req.now;
    Ok(PlannedStatusChange {
        record: LawChangeStatusChange {
            id: req.record_id,
            law_change_id: law_change.id,
            from_status: Some(law_change.status),
            to_status: req.to,
            on,
            reason: reason.map(str::to_owned),
            actor: req.actor.to_owned(),
            actor_id: req.actor_id,
            at: req.now,
        },
        law_change: after,
        expected_version: law_change.version,
    })
}

/// The history record made when `law_change` is created (or imported) in its current status:
/// no `from_status`, and the date its status names (requested on, expected effective date or
/// enactment date), if any.
pub fn initial_record(
    law_change: &LawChange,
    id: LawChangeStatusChangeId,
    reason: Option<&str>,
    actor: &str,
    actor_id: Option<UserId>,
) -> LawChangeStatusChange {
    let on = match law_change.status {
        LawChangeStatus::Requested => law_change.requested_on,
        LawChangeStatus::DateShown => law_change.expected_effective_on,
        LawChangeStatus::Enacted => law_change.enacted_on,
        _ => None,
    };
    LawChangeStatusChange {
        id,
        law_change_id: law_change.id,
        from_status: None,
        to_status: law_change.status,
        on,
        reason: reason
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .map(str::to_owned),
        actor: actor.to_owned(),
        actor_id,
        at: law_change.created_at,
    }
}
