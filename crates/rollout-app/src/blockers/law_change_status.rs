//! A law change's status: the project office or a coordinator of the owning bureau moves it
//! along its life cycle (`Action::FollowLawChange`), as the law-change workflow allows (its own
//! TOML, run by the same engine as procedures); each change is recorded in the history with who,
//! when and why. Closing it (ENACTED, WITHDRAWN) moves the procedures it alone held back in
//! the same batch (`unblock`), as `system:unblock` transitions whose comment names it.

use chrono::NaiveDate;
use rollout_domain::LawChangeId;
use rollout_domain::LawChangeStatusChangeId;
use rollout_domain::authz::Action;
use rollout_domain::blockers::{BlockerRef, LawChange, LawChangeStatus, LawChangeStatusChange};
use rollout_domain::text::TextKind;
use rollout_domain::workflow::TransitionRefused;
use rollout_domain::workflow::law_change::{StatusChangeRequest, plan_status_change};
use rollout_store::Write;
use tracing::instrument;

use super::law_changes::not_found;
use super::unblock::Unblocked;
use super::{GraphBatch, check_version, law_change_json, non_blank};
use crate::audit::Target;
use crate::hearings::problem;
use crate::text::TextChecks;
use crate::{Actor, App, AppError, AppResult, ErrorCode, new_uuid};

/// A status change to make: `on` is the date the status names (requested on, the expected
/// effective date shown, enacted on).
#[derive(Debug, Clone)]
pub struct ChangeLawChangeStatus {
    pub status: LawChangeStatus,
    pub on: Option<NaiveDate>,
    pub reason: Option<String>,
}

/// A status change made, and what it unblocked.
#[derive(Debug, Clone)]
pub struct LawChangeStatusChanged {
    pub law_change: LawChange,
    pub record: LawChangeStatusChange,
    pub unblocked: Unblocked,
}

/// A refused status change, pointing at the input's `status` (or at the failed guard).
fn refused(e: TransitionRefused) -> AppError {
    match e {
        TransitionRefused::GuardsFailed(failures) => AppError::Problems(
            failures
                .into_iter()
                .map(|f| {
                    problem(
                        ErrorCode::GuardFailed,
                        &["guards", f.guard.name()],
                        f.message,
                    )
                })
                .collect(),
        ),
        other => AppError::Problems(vec![problem(
            ErrorCode::InvalidTransition,
            &["status"],
            other.to_string(),
        )]),
    }
}

impl App {
    /// Moves a law change to `cmd.status` as its workflow allows; closing it (ENACTED,
    /// WITHDRAWN) moves the procedures it alone held back, in the same batch.
    #[instrument(name = "app.change_law_change_status", skip_all, fields(law_change = %id, to = %cmd.status.as_str(), actor = %actor.label))]
    pub async fn change_law_change_status(
        &self,
        actor: &Actor,
        id: LawChangeId,
        expected_version: i32,
        cmd: ChangeLawChangeStatus,
    ) -> AppResult<LawChangeStatusChanged> {
        let mut cmd = cmd;
        TextChecks::default()
            .check_opt("reason", TextKind::Comment, cmd.reason.as_mut())
            .finish()?;
        let reason = non_blank(cmd.reason.clone());
        let (cmd, reason) = (&cmd, &reason);
        self.commit_on_graph(|graph| async move {
            let current = self
                .store()
                .law_change(id)
                .await?
                .ok_or_else(|| not_found(id))?;
            let target = Target::new("LawChange", id);
            self.require(
                actor,
                Action::FollowLawChange(current.owner_bureau_id),
                "law_change.status",
                &target,
            )
            .await?;
            check_version(expected_version, current.version)?;
            let planned = plan_status_change(
                self.law_change_workflow(),
                &current,
                &StatusChangeRequest {
                    to: cmd.status,
                    on: cmd.on,
                    reason: reason.as_deref(),
                    actor: &actor.label,
                    actor_id: actor.user_id(),
                    now: self.now(),
                    today: self.today(),
                    record_id: LawChangeStatusChangeId(new_uuid()),
                },
            )
            .map_err(refused)?;
            let audit = self.audit_entry(
                actor,
                "law_change.status",
                &target,
                Some(law_change_json(&current)),
                Some(law_change_json(&planned.law_change)),
            );
            let mut writes = vec![
                Write::UpdateLawChange {
                    law_change: planned.law_change.clone(),
                    expected_version: planned.expected_version,
                },
                Write::LawChangeStatus(planned.record.clone()),
                Write::Audit(audit),
            ];
            let mut events = Vec::new();
            let closes = current.is_open() && !planned.law_change.is_open();
            let unblocked = if closes {
                let why = self.law_change_cleared(&planned.law_change, reason.as_deref());
                self.plan_unblock(
                    &graph,
                    BlockerRef::LawChange(id),
                    &why,
                    &mut writes,
                    &mut events,
                )
                .await?
            } else {
                Unblocked::default()
            };
            let mut batch = GraphBatch::on_if(
                closes,
                &graph,
                writes,
                LawChangeStatusChanged {
                    law_change: planned.law_change,
                    record: planned.record,
                    unblocked,
                },
            );
            batch.events = events;
            Ok(batch)
        })
        .await
    }

    /// The comment of the automatic moves a closed law change sets off:
    /// `LAW-0007 enacted (施行済み): <reason>`.
    fn law_change_cleared(&self, l: &LawChange, reason: Option<&str>) -> String {
        let key = l.status.state_key();
        let label = self
            .law_change_workflow()
            .state(&key)
            .map(|s| format!(" ({})", s.label_ja))
            .unwrap_or_default();
        let head = format!("{} {}{label}", l.code, key.replace('_', " "));
        match reason {
            Some(r) => format!("{head}: {r}"),
            None => head,
        }
    }
}

#[cfg(test)]
mod tests {
    use rollout_domain::workflow::{Guard, GuardFailure};

    use super::*;

    #[test]
    fn a_refused_status_change_points_at_status_or_at_the_guard() {
        let AppError::Problems(p) = refused(TransitionRefused::NoSuchTransition {
            from: "not_requested".into(),
            to: "enacted".into(),
        }) else {
            panic!("not a problem list");
        };
        assert_eq!(
            (p[0].code, p[0].path.clone()),
            (ErrorCode::InvalidTransition, vec!["status".to_owned()])
        );
        let AppError::Problems(p) = refused(TransitionRefused::GuardsFailed(vec![GuardFailure {
            guard: Guard::Comment,
            message: "this status change requires a reason".into(),
        }])) else {
            panic!("not a problem list");
        };
        assert_eq!(p[0].code, ErrorCode::GuardFailed);
        assert_eq!(p[0].path, ["guards", "comment"]);
    }
}
