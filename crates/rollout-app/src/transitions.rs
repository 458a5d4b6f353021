//! Moving a procedure through the workflow. The engine decides; the store applies the plan in one
//! transaction (version compare-and-set, state update, history insert, idempotency record).
//!
//! Idempotency: a request may carry a key. A retry with the same key and the same request gets
//! the first result back and writes nothing; the same key with a different request is refused.
//! The fingerprint covers everything that shapes the outcome (procedure, target, expected
//! version, comment, actor), so a retry that differs in any of them is "a different request".
//! Keys belong to their actor: another user's key is simply a different key, so it neither
//! blocks nor reveals anyone else's request, and the request it carries is judged afresh
//! (permissions included).

use rollout_domain::approval::ApprovalRequest;
use rollout_domain::authz::Action;
use rollout_domain::text::TextKind;
use rollout_domain::workflow::PlannedTransition;
use rollout_domain::workflow::engine::{self, TransitionRequest};
use rollout_domain::{
    IdempotencyKey, Procedure, ProcedureId, TransitionRecord, TransitionRecordId,
};
use rollout_store::{IdempotencyClaim, StoreError, TransitionWrite};

use crate::audit::{Target, procedure_json};
use sha2::{Digest, Sha256};
use tracing::instrument;

use crate::text::TextChecks;
use crate::{Actor, App, AppError, AppResult, ProcedureEvent, new_uuid};

/// A request to move a procedure to another state.
#[derive(Debug, Clone)]
pub struct TransitionCommand {
    pub procedure_id: ProcedureId,
    pub to: String,
    pub expected_version: i32,
    pub comment: Option<String>,
    pub idempotency_key: Option<String>,
}

/// The result of a transition request: either the transition was applied (`record`), or it is
/// gated and an approval request was opened (`approval`); `procedure` is the procedure now.
#[derive(Debug, Clone)]
pub struct TransitionOutcome {
    pub procedure: Procedure,
    pub record: Option<TransitionRecord>,
    pub approval: Option<ApprovalRequest>,
    /// True when this answers a retry of an earlier request (same idempotency key, or the same
    /// gated request made again while it is pending).
    pub replayed: bool,
}

fn fingerprint(cmd: &TransitionCommand, actor: &Actor) -> String {
    let mut h = Sha256::new();
    for part in [
        cmd.procedure_id.to_string().as_str(),
        cmd.to.as_str(),
        cmd.expected_version.to_string().as_str(),
        cmd.comment.as_deref().unwrap_or("\u{0}"),
        actor.label.as_str(),
    ] {
        h.update(part.as_bytes());
        h.update([0x1f]);
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Whose idempotency keys these are: the user's id (stable across a change of e-mail address),
/// or the system actor's label.
pub(crate) fn key_owner(actor: &Actor) -> String {
    actor
        .user
        .as_ref()
        .map_or_else(|| actor.label.clone(), |user| user.id.to_string())
}

impl App {
    #[instrument(name = "app.transition", skip(self, cmd, actor), fields(procedure_id = %cmd.procedure_id, to = %cmd.to, actor = %actor.label))]
    pub async fn transition(
        &self,
        actor: &Actor,
        cmd: TransitionCommand,
    ) -> AppResult<TransitionOutcome> {
        let mut cmd = cmd;
        TextChecks::default()
            .check("to", TextKind::Identifier, &mut cmd.to)
            .check_opt("comment", TextKind::Comment, cmd.comment.as_mut())
            .finish()?;
        let claim = match &cmd.idempotency_key {
            None => None,
            Some(raw) => Some(IdempotencyClaim {
                owner: key_owner(actor),
                key: IdempotencyKey::parse(raw)
                    .map_err(|e| AppError::validation("idempotencyKey", e.0))?,
                fingerprint: fingerprint(&cmd, actor),
            }),
        };
        if let Some(claim) = &claim
            && let Some(outcome) = self.replay(claim).await?
        {
            return Ok(outcome);
        }
        match (self.apply(actor, &cmd, claim.clone()).await, claim) {
            // With a key, losing a race is not yet an answer: the winner may be this very request
            // sent twice (a client retrying before the first answer arrived). If the key has a
            // record by now, answer as its retry; otherwise the original failure stands.
            (
                Err(e @ (AppError::Duplicate { .. } | AppError::VersionConflict { .. })),
                Some(claim),
            ) => match self.replay(&claim).await? {
                Some(outcome) => Ok(outcome),
                None => Err(e),
            },
            (result, _) => result,
        }
    }

    async fn replay(&self, claim: &IdempotencyClaim) -> AppResult<Option<TransitionOutcome>> {
        let Some(hit) = self
            .store()
            .idempotency_hit(&claim.owner, &claim.key)
            .await?
        else {
            return Ok(None);
        };
        if hit.fingerprint != claim.fingerprint {
            return Err(AppError::Duplicate {
                path: vec!["idempotencyKey".to_owned()],
                message: "this idempotency key was already used for a different request".to_owned(),
            });
        }
        let procedure = self
            .store()
            .procedure(hit.record.procedure_id)
            .await?
            .ok_or_else(|| AppError::NotFound {
                entity: "procedure",
                key: hit.record.procedure_id.to_string(),
            })?;
        Ok(Some(TransitionOutcome {
            procedure,
            record: Some(hit.record),
            approval: None,
            replayed: true,
        }))
    }

    async fn apply(
        &self,
        actor: &Actor,
        cmd: &TransitionCommand,
        idempotency: Option<IdempotencyClaim>,
    ) -> AppResult<TransitionOutcome> {
        let procedure = self
            .store()
            .procedure(cmd.procedure_id)
            .await?
            .ok_or_else(|| AppError::NotFound {
                entity: "procedure",
                key: cmd.procedure_id.to_string(),
            })?;
        let target = Target::new("Procedure", procedure.id);
        self.require(
            actor,
            Action::WorkOnProcedure(procedure.bureau_id),
            "procedure.transition",
            &target,
        )
        .await?;
        if procedure.version != cmd.expected_version {
            return Err(AppError::VersionConflict {
                expected: cmd.expected_version,
                actual: procedure.version,
            });
        }
        let facts = self.guard_facts_of(&procedure).await?;
        let plan = engine::plan(
            self.workflow(),
            &procedure,
            &TransitionRequest {
                to: &cmd.to,
                comment: cmd.comment.as_deref(),
                actor: &actor.label,
                now: self.now(),
                today: self.today(),
                record_id: TransitionRecordId(new_uuid()),
                facts: &facts,
            },
        )?;
        let gate = self
            .workflow()
            .transition(&procedure.state, &plan.to_state)
            .and_then(|t| t.approval);
        if let Some(policy) = gate {
            let (request, replayed) = self
                .open_approval_request(actor, &procedure, &plan, policy)
                .await?;
            if !replayed {
                self.publish(ProcedureEvent::approval_requested(
                    &procedure, &request, actor,
                ));
            }
            return Ok(TransitionOutcome {
                procedure,
                record: None,
                approval: Some(request),
                replayed,
            });
        }
        let record = plan.record.clone();
        let audit = self.audit_entry(
            actor,
            "procedure.transition",
            &target,
            Some(procedure_json(&procedure)),
            Some(procedure_json(&after_plan(&procedure, &plan))),
        );
        let write = TransitionWrite {
            plan,
            idempotency,
            audit,
        };
        let procedure = self
            .store()
            .apply_transition(&write)
            .await
            .map_err(|e| match e {
                StoreError::Duplicate {
                    entity: "idempotency key",
                    key,
                } => AppError::Duplicate {
                    path: vec!["idempotencyKey".to_owned()],
                    message: format!("idempotency key {key} is being used concurrently"),
                },
                other => other.into(),
            })?;
        crate::metrics::transition(&record);
        self.publish(ProcedureEvent::transitioned(&procedure, &record, actor));
        Ok(TransitionOutcome {
            procedure,
            record: Some(record),
            approval: None,
            replayed: false,
        })
    }
}

/// The procedure as the plan will leave it, for the audit trail's `after`.
pub(crate) fn after_plan(p: &Procedure, plan: &PlannedTransition) -> Procedure {
    Procedure {
        state: plan.to_state.clone(),
        version: plan.expected_version + 1,
        released_on: plan.released_on,
        updated_at: plan.record.at,
        ..p.clone()
    }
}
