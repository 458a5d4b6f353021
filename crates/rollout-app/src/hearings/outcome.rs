//! Applying one outcome of a hearing: the target quarter and platform agreed (with their target
//! history), then the decision's move planned by the workflow engine on the version the update
//! leaves (a transition, or the approval request of a gated one such as the abolition), with
//! their audit entries and events. Returns the problem that stops the outcome instead, with the
//! outcome's path. Decides and plans only; nothing is written here.

use rollout_domain::analytics::revisions_between;
use rollout_domain::target::TargetChange;
use rollout_domain::workflow::GuardFacts;
use rollout_domain::workflow::engine::{self, TransitionRefused, TransitionRequest};
use rollout_domain::{ApprovalRequestId, Procedure, ProcedurePatch, TransitionRecordId, UserId};
use rollout_store::Write;

use super::problem;
use crate::audit::{Target, approval_json, procedure_json};
use crate::transitions::after_plan;
use crate::{Actor, App, ErrorCode, Problem, ProcedureEvent, new_uuid};

/// What applying one outcome writes and publishes.
pub(super) struct Applied {
    pub(super) writes: Vec<Write>,
    pub(super) events: Vec<ProcedureEvent>,
    pub(super) record: Option<TransitionRecordId>,
    pub(super) request: Option<ApprovalRequestId>,
}

/// One outcome with what planning it needs.
pub(super) struct OutcomeInput<'a> {
    pub(super) index: &'a str,
    pub(super) outcome: &'a super::RecordOutcome,
    pub(super) procedure: &'a Procedure,
    pub(super) facts: Option<&'a GuardFacts>,
    /// The procedure has a pending approval request.
    pub(super) pending: bool,
    /// The hearing's title and date, the comment and reason of every change it makes.
    pub(super) comment: &'a str,
}

impl App {
    /// The writes of one applied outcome, or the problem that stops it (planned on the
    /// procedure as the outcome's update leaves it).
    pub(super) fn apply_outcome(
        &self,
        actor: &Actor,
        me: UserId,
        input: &OutcomeInput<'_>,
    ) -> Result<Applied, Problem> {
        let (o, p, at) = (input.outcome, input.procedure, input.index);
        if p.version != o.expected_version {
            return Err(problem(
                ErrorCode::VersionConflict,
                &["outcomes", at, "expectedVersion"],
                format!(
                    "version conflict: expected {}, current {}",
                    o.expected_version, p.version
                ),
            ));
        }
        let now = self.now();
        let patch = ProcedurePatch {
            target_quarter: o
                .agreed_target_quarter
                .filter(|q| p.target_quarter != Some(*q))
                .map(Some),
            platform: o
                .agreed_platform
                .filter(|x| p.platform != Some(*x))
                .map(Some),
            ..ProcedurePatch::default()
        };
        let mut writes = Vec::new();
        let mut after = p.clone();
        if !patch.is_empty() {
            after = rollout_domain::Procedure {
                version: p.version + 1,
                updated_at: now,
                ..patch.apply_to(p)
            };
            writes.push(Write::UpdateProcedure {
                id: p.id,
                expected_version: p.version,
                patch: patch.clone(),
                now,
            });
            writes.extend(
                revisions_between(p, &after, now, &actor.label, Some(input.comment))
                    .into_iter()
                    .map(Write::FieldRevision),
            );
            if after.target_quarter != p.target_quarter {
                writes.push(Write::TargetChange(TargetChange {
                    procedure_id: p.id,
                    from: p.target_quarter,
                    to: after.target_quarter,
                    at: now,
                    actor: actor.label.clone(),
                    reason: Some(input.comment.to_owned()),
                }));
            }
        }
        let target = Target::new("Procedure", p.id);
        let moved = |to: &str| {
            problem(
                ErrorCode::InvalidTransition,
                &["outcomes", at],
                format!(
                    "{}: no transition from {:?} to {to:?}",
                    o.decision.as_str(),
                    p.state
                ),
            )
        };
        let Some(to) = o.decision.target_state() else {
            return Ok(self.patched_only(actor, p, after, writes, &target));
        };
        let Some(def) = self.workflow().transition(&p.state, to) else {
            return Err(moved(to));
        };
        let no_facts = GuardFacts::NOT_JUDGED;
        let plan = engine::plan(
            self.workflow(),
            &after,
            &TransitionRequest {
                to,
                comment: Some(input.comment),
                actor: &actor.label,
                now,
                today: self.today(),
                record_id: TransitionRecordId(new_uuid()),
                facts: input.facts.unwrap_or(&no_facts),
            },
        )
        .map_err(|e| match e {
            TransitionRefused::GuardsFailed(failures) => problem(
                ErrorCode::GuardFailed,
                &["outcomes", at],
                failures
                    .iter()
                    .map(|f| format!("{}: {}", f.guard.name(), f.message))
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
            _ => moved(to),
        })?;
        if let Some(policy) = def.approval {
            if input.pending {
                return Err(problem(
                    ErrorCode::Duplicate,
                    &["outcomes", at],
                    "this procedure already has a pending approval request",
                ));
            }
            let request = self
                .new_approval_request(&after, &plan, policy, me)
                .map_err(|e| problem(ErrorCode::Validation, &["outcomes", at], e.to_string()))?;
            let audit = self.audit_entry(
                actor,
                "approval.request",
                &Target::new("ApprovalRequest", request.id),
                None,
                Some(approval_json(&request)),
            );
            let mut applied = self.patched_only(actor, p, after.clone(), writes, &target);
            applied
                .events
                .push(ProcedureEvent::approval_requested(&after, &request, actor));
            applied.request = Some(request.id);
            applied
                .writes
                .extend([Write::OpenApproval(request), Write::Audit(audit)]);
            return Ok(applied);
        }
        let moved_to = after_plan(&after, &plan);
        let audit = self.audit_entry(
            actor,
            "procedure.transition",
            &target,
            Some(procedure_json(p)),
            Some(procedure_json(&moved_to)),
        );
        let record = plan.record.clone();
        writes.extend([Write::Transition(plan), Write::Audit(audit)]);
        Ok(Applied {
            writes,
            events: vec![ProcedureEvent::transitioned(&moved_to, &record, actor)],
            record: Some(record.id),
            request: None,
        })
    }

    /// An outcome that changes the procedure's fields only (if anything): its audit and event.
    fn patched_only(
        &self,
        actor: &Actor,
        before: &Procedure,
        after: Procedure,
        mut writes: Vec<Write>,
        target: &Target,
    ) -> Applied {
        let mut events = Vec::new();
        if !writes.is_empty() {
            writes.push(Write::Audit(self.audit_entry(
                actor,
                "procedure.update",
                target,
                Some(procedure_json(before)),
                Some(procedure_json(&after)),
            )));
            events.push(ProcedureEvent::updated(&after, actor));
        }
        Applied {
            writes,
            events,
            record: None,
            request: None,
        }
    }
}
