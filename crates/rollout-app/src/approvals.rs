//! The approval life cycle. A gated transition opens a request (guards checked then); approvers
//! vote; the vote that completes the count applies the transition in the same transaction as
//! the vote, after re-checking that the procedure is still at the requested version and state
//! and that every guard still holds. If not, the request closes as FAILED with the reason and
//! nothing moves. A rejection closes it; the requester may withdraw it; it expires after the
//! configured number of days (closed lazily, and by [`App::expire_due_approvals`]).

use rollout_domain::approval::{
    self, ApprovalPolicy, ApprovalRequest, ApprovalStatus, ApprovalVote, Decision, VoteOutcome,
    VoteRefused, Voter,
};
use rollout_domain::bounds;
use rollout_domain::text::TextKind;
use rollout_domain::workflow::PlannedTransition;
use rollout_domain::workflow::engine::{self, TransitionRequest};
use rollout_domain::{ApprovalRequestId, Procedure, TransitionRecordId, UserId};
use rollout_store::{StoreError, TransitionWrite, VoteWrite};
use tracing::instrument;

use crate::audit::{Target, approval_json, procedure_json};
use crate::transitions::after_plan;
use crate::{Actor, App, AppError, AppResult, new_uuid};

/// The result of a decision: the request after it and, when it completed the count, the
/// procedure after the transition.
#[derive(Debug, Clone)]
pub struct DecisionOutcome {
    pub request: ApprovalRequest,
    pub procedure: Option<Procedure>,
}

fn not_found(id: ApprovalRequestId) -> AppError {
    AppError::NotFound {
        entity: "approval request",
        key: id.to_string(),
    }
}

impl App {
    /// A pending request for `plan` (planned on `procedure` as it will be when the request is
    /// stored), expiring after the configured number of days; `Err` when that deadline would
    /// fall outside the supported range.
    pub(crate) fn new_approval_request(
        &self,
        procedure: &Procedure,
        plan: &PlannedTransition,
        policy: ApprovalPolicy,
        requested_by: UserId,
    ) -> Result<ApprovalRequest, bounds::OutOfRange> {
        let now = self.now();
        let days = i64::from(self.settings().approval_expiry_days);
        Ok(ApprovalRequest {
            id: ApprovalRequestId(new_uuid()),
            procedure_id: procedure.id,
            transition: plan.record.transition.clone(),
            from_state: procedure.state.clone(),
            to_state: plan.to_state.clone(),
            expected_version: procedure.version,
            comment: plan.record.comment.clone(),
            requested_by,
            policy,
            status: ApprovalStatus::Pending,
            reason: None,
            created_at: now,
            expires_at: bounds::days_after(now, days)?,
            closed_at: None,
            version: 1,
        })
    }

    /// Opens a request for a gated transition the engine has allowed. Asking again for the same
    /// thing while it is pending answers with the pending request (`true`: a replay).
    pub(crate) async fn open_approval_request(
        &self,
        actor: &Actor,
        procedure: &Procedure,
        plan: &PlannedTransition,
        policy: ApprovalPolicy,
    ) -> AppResult<(ApprovalRequest, bool)> {
        let requested_by = actor.user_id().ok_or_else(|| {
            AppError::validation("to", "gated transitions need a person to request them")
        })?;
        let now = self.now();
        let request = self
            .new_approval_request(procedure, plan, policy, requested_by)
            .map_err(|e| {
                AppError::validation("to", format!("the approval request could not expire: {e}"))
            })?;
        let audit = self.audit_entry(
            actor,
            "approval.request",
            &Target::new("ApprovalRequest", request.id),
            None,
            Some(approval_json(&request)),
        );
        match self.store().create_approval_request(&request, &audit).await {
            Ok(created) => {
                crate::metrics::approval_opened();
                Ok((created, false))
            }
            Err(StoreError::Duplicate { .. }) => {
                let pending = self.store().pending_approvals_for(&[procedure.id]).await?;
                let Some(existing) = pending.into_iter().next() else {
                    // Closed between our insert and this read: the caller may simply retry.
                    return Err(AppError::VersionConflict {
                        expected: procedure.version,
                        actual: procedure.version,
                    });
                };
                if existing.status_at(now) == ApprovalStatus::Expired {
                    // Past its deadline but not yet swept: close it now so it blocks nothing.
                    let reason = Some(format!(
                        "not decided by {}",
                        bounds::utc_text(existing.expires_at)
                    ));
                    let system = Actor::system("expiry");
                    self.close_request(
                        &system,
                        &existing,
                        ApprovalStatus::Expired,
                        reason,
                        "approval.expire",
                    )
                    .await?;
                    let created = self
                        .store()
                        .create_approval_request(&request, &audit)
                        .await?;
                    crate::metrics::approval_opened();
                    return Ok((created, false));
                }
                let same = existing.requested_by == requested_by
                    && existing.to_state == request.to_state
                    && existing.expected_version == request.expected_version
                    && existing.comment == request.comment;
                if same {
                    Ok((existing, true))
                } else {
                    Err(AppError::Duplicate {
                        path: vec!["to".into()],
                        message: "this procedure already has a pending approval request".into(),
                    })
                }
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Approves or rejects a request, as oneself or as `on_behalf_of`'s substitute.
    #[instrument(name = "app.decide_approval", skip(self, actor, comment), fields(request = %id, actor = %actor.label))]
    pub async fn decide_approval(
        &self,
        actor: &Actor,
        id: ApprovalRequestId,
        decision: Decision,
        comment: Option<String>,
        on_behalf_of: Option<UserId>,
    ) -> AppResult<DecisionOutcome> {
        let comment = comment
            .map(|c| crate::text::clean("comment", TextKind::Comment, &c))
            .transpose()?;
        // One retry: a concurrent vote or change makes the store answer Conflict, and deciding
        // again on fresh data either succeeds or closes the request with the real reason.
        match self
            .try_decide(actor, id, decision, comment.clone(), on_behalf_of)
            .await
        {
            Err(AppError::VersionConflict { .. }) => {
                self.try_decide(actor, id, decision, comment, on_behalf_of)
                    .await
            }
            other => other,
        }
    }

    async fn try_decide(
        &self,
        actor: &Actor,
        id: ApprovalRequestId,
        decision: Decision,
        comment: Option<String>,
        on_behalf_of: Option<UserId>,
    ) -> AppResult<DecisionOutcome> {
        let user = actor.user.clone().ok_or_else(|| AppError::Forbidden {
            message: "approvals are decided by people".into(),
        })?;
        let request = self
            .store()
            .approval_request(id)
            .await?
            .ok_or_else(|| not_found(id))?;
        let target = Target::new("ApprovalRequest", id);
        let verb = match decision {
            Decision::Approve => "approval.approve",
            Decision::Reject => "approval.reject",
        };
        let votes = self.store().votes_for(&[id]).await?;
        // The procedure as it is now: its bureau scopes who may decide, and an approval that
        // completes the count plans the transition on it.
        let procedure = self.store().procedure(request.procedure_id).await?;
        let Some(bureau) = procedure.as_ref().map(|p| p.bureau_id) else {
            return Err(not_found(id));
        };
        let principal = match on_behalf_of {
            None => None,
            Some(uid) => {
                let principal = self
                    .store()
                    .user(uid)
                    .await?
                    .ok_or_else(|| AppError::validation("onBehalfOf", "no such user"))?;
                let delegation = self
                    .store()
                    .delegations_to(user.id, self.today())
                    .await?
                    .into_iter()
                    .find(|d| d.delegator == uid);
                Some((principal, delegation))
            }
        };
        let substitute_for = match &principal {
            None => None,
            Some((p, Some(d))) => Some((p, d)),
            Some((_, None)) => {
                self.record_denied(
                    actor,
                    verb,
                    &target,
                    rollout_domain::audit::AuditOutcome::Forbidden,
                )
                .await;
                return Err(AppError::Forbidden {
                    message: VoteRefused::NoDelegation.to_string(),
                });
            }
        };
        let now = self.now();
        let outcome = approval::cast_vote(
            &request,
            bureau,
            &votes,
            Voter {
                user: &user,
                substitute_for,
            },
            decision,
            now,
            self.today(),
        );
        let outcome = match outcome {
            Ok(o) => o,
            Err(VoteRefused::Closed(status)) => {
                return Err(AppError::ApprovalClosed {
                    message: format!("the request is already closed ({})", status.as_str()),
                });
            }
            Err(VoteRefused::AlreadyVoted) => {
                return Err(AppError::Duplicate {
                    path: vec!["id".into()],
                    message: VoteRefused::AlreadyVoted.to_string(),
                });
            }
            Err(refused) => {
                self.record_denied(
                    actor,
                    verb,
                    &target,
                    rollout_domain::audit::AuditOutcome::Forbidden,
                )
                .await;
                return Err(AppError::Forbidden {
                    message: refused.to_string(),
                });
            }
        };
        let vote = ApprovalVote {
            request_id: id,
            approver: user.id,
            on_behalf_of,
            decision,
            comment: comment
                .map(|c| c.trim().to_owned())
                .filter(|c| !c.is_empty()),
            at: now,
        };
        let mut write = VoteWrite {
            vote: vote.clone(),
            expected_request_version: request.version,
            close: None,
            apply: None,
            audit: Vec::new(),
        };
        match outcome {
            VoteOutcome::Pending { .. } => {}
            VoteOutcome::Rejected => {
                write.close = Some((ApprovalStatus::Rejected, vote.comment.clone()));
            }
            VoteOutcome::QuorumReached => match self.plan_approved(&request, procedure).await? {
                Ok((procedure, plan)) => {
                    write.close = Some((ApprovalStatus::Approved, None));
                    let audit = self.audit_entry(
                        actor,
                        "procedure.transition",
                        &Target::new("Procedure", procedure.id),
                        Some(procedure_json(&procedure)),
                        Some(procedure_json(&after_plan(&procedure, &plan))),
                    );
                    write.apply = Some(TransitionWrite {
                        plan,
                        idempotency: None,
                        audit,
                    });
                }
                Err(reason) => write.close = Some((ApprovalStatus::Failed, Some(reason))),
            },
        }
        let mut after = request.clone();
        if let Some((status, reason)) = &write.close {
            after.status = *status;
            after.reason.clone_from(reason);
        }
        write.audit.push(self.audit_entry_as(
            actor,
            on_behalf_of,
            verb,
            &target,
            Some(approval_json(&request)),
            Some(approval_json(&after)),
            rollout_domain::audit::AuditOutcome::Success,
        ));
        let applied = write.apply.as_ref().map(|a| a.plan.record.clone());
        let result = self
            .store()
            .record_vote(&write)
            .await
            .map_err(AppError::from)?;
        if let Some((status, _)) = &write.close {
            crate::metrics::approval_closed(*status);
            let moved = result.procedure.as_ref().zip(applied.as_ref());
            if let Some((_, record)) = moved {
                crate::metrics::transition(record);
            }
            self.publish_decided(actor, &result.request, moved).await;
        }
        Ok(DecisionOutcome {
            request: result.request,
            procedure: result.procedure,
        })
    }

    /// Plans the approved transition on `procedure` (as read for this vote), or says why it
    /// cannot run. The store re-checks the version when it applies the plan.
    async fn plan_approved(
        &self,
        request: &ApprovalRequest,
        procedure: Option<Procedure>,
    ) -> AppResult<Result<(Procedure, PlannedTransition), String>> {
        let Some(procedure) = procedure else {
            return Ok(Err("the procedure no longer exists".into()));
        };
        if procedure.version != request.expected_version || procedure.state != request.from_state {
            return Ok(Err(format!(
                "the procedure changed after the request (version {} in {}, now version {} in {}); nothing moved",
                request.expected_version, request.from_state, procedure.version, procedure.state
            )));
        }
        let requester = self.store().user(request.requested_by).await?;
        let actor_label =
            requester.map_or_else(|| request.requested_by.to_string(), |u| u.email.to_string());
        let facts = self.guard_facts_of(&procedure).await?;
        let planned = engine::plan(
            self.workflow(),
            &procedure,
            &TransitionRequest {
                to: &request.to_state,
                comment: request.comment.as_deref(),
                actor: &actor_label,
                now: self.now(),
                today: self.today(),
                record_id: TransitionRecordId(new_uuid()),
                facts: &facts,
            },
        );
        Ok(match planned {
            Ok(mut plan) => {
                plan.record.approval_request_id = Some(request.id);
                Ok((procedure, plan))
            }
            Err(refused) => Err(format!(
                "{}; nothing moved",
                AppError::from(refused)
                    .user_errors()
                    .iter()
                    .map(|e| e.message.as_str())
                    .collect::<Vec<_>>()
                    .join("; ")
            )),
        })
    }

    /// The requester takes their pending request back.
    pub async fn withdraw_approval(
        &self,
        actor: &Actor,
        id: ApprovalRequestId,
    ) -> AppResult<ApprovalRequest> {
        let request = self
            .store()
            .approval_request(id)
            .await?
            .ok_or_else(|| not_found(id))?;
        let target = Target::new("ApprovalRequest", id);
        if actor.user.is_some() && actor.user_id() != Some(request.requested_by) {
            self.record_denied(
                actor,
                "approval.withdraw",
                &target,
                rollout_domain::audit::AuditOutcome::Forbidden,
            )
            .await;
            return Err(AppError::Forbidden {
                message: "only the requester may withdraw a request".into(),
            });
        }
        self.close_request(
            actor,
            &request,
            ApprovalStatus::Withdrawn,
            None,
            "approval.withdraw",
        )
        .await
    }

    async fn close_request(
        &self,
        actor: &Actor,
        request: &ApprovalRequest,
        status: ApprovalStatus,
        reason: Option<String>,
        verb: &str,
    ) -> AppResult<ApprovalRequest> {
        let current = request.status_at(self.now());
        if current != ApprovalStatus::Pending
            && !(current == ApprovalStatus::Expired && status == ApprovalStatus::Expired)
        {
            return Err(AppError::ApprovalClosed {
                message: format!("the request is already closed ({})", current.as_str()),
            });
        }
        let mut after = request.clone();
        after.status = status;
        after.reason.clone_from(&reason);
        let audit = self.audit_entry(
            actor,
            verb,
            &Target::new("ApprovalRequest", request.id),
            Some(approval_json(request)),
            Some(approval_json(&after)),
        );
        let closed = self
            .store()
            .close_approval_request(
                request.id,
                request.version,
                status,
                reason,
                self.now(),
                &audit,
            )
            .await?;
        crate::metrics::approval_closed(status);
        self.publish_closed(&closed, actor).await;
        Ok(closed)
    }

    /// Closes pending requests whose time is up; returns how many. Safe to run on every replica
    /// at once: each close is a compare-and-set, and a lost race is simply skipped.
    pub async fn expire_due_approvals(&self) -> AppResult<usize> {
        let system = Actor::system("expiry");
        let due = self.store().expired_pending(self.now(), 500).await?;
        let mut closed = 0;
        for request in due {
            let reason = Some(format!(
                "not decided by {}",
                bounds::utc_text(request.expires_at)
            ));
            match self
                .close_request(
                    &system,
                    &request,
                    ApprovalStatus::Expired,
                    reason,
                    "approval.expire",
                )
                .await
            {
                Ok(_) => closed += 1,
                Err(AppError::VersionConflict { .. } | AppError::ApprovalClosed { .. }) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(closed)
    }
}
