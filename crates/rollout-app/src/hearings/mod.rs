//! Recording a hearing (ヒアリング): what was decided for each procedure discussed, applied in one
//! transaction. Every outcome is planned with the domain first (the hearing's own rules, the
//! workflow engine with its guards, the tasks' due dates); only when nothing is wrong is the
//! whole hearing written as ONE [`EvidenceStore::commit`](rollout_store::EvidenceStore::commit)
//! batch: target quarter and platform updates, their target history, the moves (or the opened
//! abolition request), the hearing, its tasks, the idempotency claim and the audit entries.
//! When anything is wrong, every problem is reported with the path of its outcome
//! (`["outcomes","3","expectedVersion"]`) and nothing is written.
//!
//! Idempotency works as for transitions (`transitions.rs`): a retry with the same key and the
//! same input returns the first hearing and writes nothing; the same key with a different input
//! is DUPLICATE. Events are published after the commit: `transitioned` for every move,
//! `approval_requested` for every opened request, `updated` for a procedure only patched.
//!
//! The planning itself lives in `plan.rs`; this file owns the command, the retry logic and the
//! mapping of a failed batch back to the outcome it came from.

mod outcome;
mod plan;

use chrono::NaiveDate;
use rollout_domain::hearing::{Hearing, HearingDecision, HearingKind};
use rollout_domain::{FiscalQuarter, HearingId, IdempotencyKey, Platform, ProcedureId, UserId};
use rollout_store::{BatchError, HearingCursor, HearingFilter, Page, PageRequest, StoreError};
use sha2::{Digest, Sha256};
use tracing::instrument;

use crate::transitions::key_owner;
use crate::{Actor, App, AppError, AppResult, ErrorCode, Problem};

/// A hearing to record, as the client gave it.
#[derive(Debug, Clone)]
pub struct RecordHearing {
    pub bureau_code: String,
    pub held_on: NaiveDate,
    pub kind: HearingKind,
    pub title: String,
    pub attendees: Vec<String>,
    pub notes: Option<String>,
    pub outcomes: Vec<RecordOutcome>,
    pub idempotency_key: Option<String>,
}

/// What the hearing decided for one procedure.
#[derive(Debug, Clone)]
pub struct RecordOutcome {
    pub procedure_id: ProcedureId,
    /// Checked for applied outcomes: the procedure must still be at this version.
    pub expected_version: i32,
    pub decision: HearingDecision,
    pub agreed_target_quarter: Option<FiscalQuarter>,
    pub agreed_platform: Option<Platform>,
    pub issues: Option<String>,
    pub next_step: Option<String>,
    /// Apply what was agreed: set the quarter and platform, make the decision's move.
    pub apply: bool,
    pub tasks: Vec<NewTask>,
}

/// A follow-up task a hearing leaves (its bureau is its procedure's).
#[derive(Debug, Clone)]
pub struct NewTask {
    pub title: String,
    pub description: Option<String>,
    pub assignee_id: Option<UserId>,
    pub due_on: Option<NaiveDate>,
}

/// The recorded hearing; `replayed` when this answers a retry and nothing was written.
#[derive(Debug, Clone)]
pub struct HearingRecorded {
    pub hearing: Hearing,
    pub replayed: bool,
}

/// An idempotency claim for a hearing: whose key, which key, and the input's fingerprint.
#[derive(Debug, Clone)]
struct HearingClaim {
    owner: String,
    key: IdempotencyKey,
    fingerprint: String,
}

/// Everything that shapes the outcome (the input without its key, and the actor).
fn fingerprint(cmd: &RecordHearing, actor: &Actor) -> String {
    let without_key = RecordHearing {
        idempotency_key: None,
        ..cmd.clone()
    };
    let mut h = Sha256::new();
    h.update(format!("{without_key:?}").as_bytes());
    h.update([0x1f]);
    h.update(actor.label.as_bytes());
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

pub(crate) fn problem(code: ErrorCode, path: &[&str], message: impl Into<String>) -> Problem {
    Problem {
        code,
        path: path.iter().map(|s| (*s).to_owned()).collect(),
        message: message.into(),
    }
}

fn key_reused() -> AppError {
    AppError::Duplicate {
        path: vec!["idempotencyKey".to_owned()],
        message: "this idempotency key was already used for a different request".to_owned(),
    }
}

impl App {
    /// One page of hearings, latest first.
    pub async fn list_hearings(
        &self,
        filter: &HearingFilter,
        page: PageRequest<HearingCursor>,
    ) -> AppResult<Page<Hearing>> {
        crate::procedures::check_page_size(page.first)?;
        Ok(self.store().list_hearings(filter, &page).await?)
    }

    /// A hearing by id, to whoever may read hearings (every role), as `hearings` shows it.
    pub async fn visible_hearing(
        &self,
        actor: &Actor,
        id: HearingId,
    ) -> AppResult<Option<Hearing>> {
        if !crate::reads::reads(actor) {
            return Ok(None);
        }
        Ok(self.store().hearing(id).await?)
    }

    /// Records a hearing and applies its applied outcomes, all or nothing.
    #[instrument(name = "app.record_hearing", skip_all, fields(bureau = %cmd.bureau_code, outcomes = cmd.outcomes.len(), actor = %actor.label))]
    pub async fn record_hearing(
        &self,
        actor: &Actor,
        cmd: RecordHearing,
    ) -> AppResult<HearingRecorded> {
        let mut cmd = cmd;
        plan::clean_text(&mut cmd)?;
        let claim = match &cmd.idempotency_key {
            None => None,
            Some(raw) => Some(HearingClaim {
                owner: key_owner(actor),
                key: IdempotencyKey::parse(raw)
                    .map_err(|e| AppError::validation("idempotencyKey", e.0))?,
                fingerprint: fingerprint(&cmd, actor),
            }),
        };
        if let Some(claim) = &claim
            && let Some(hit) = self.hearing_replay(claim).await?
        {
            return Ok(hit);
        }
        match (
            self.record_planned(actor, &cmd, claim.as_ref()).await,
            &claim,
        ) {
            // Losing a race on the key may mean this very request arrived twice: answer as its
            // retry if the key has a hearing by now.
            (Err(e @ (AppError::Duplicate { .. } | AppError::Problems(_))), Some(claim)) => {
                match self.hearing_replay(claim).await? {
                    Some(hit) => Ok(hit),
                    None => Err(e),
                }
            }
            (result, _) => result,
        }
    }

    async fn hearing_replay(&self, claim: &HearingClaim) -> AppResult<Option<HearingRecorded>> {
        let Some(hit) = self
            .store()
            .hearing_key_hit(&claim.owner, &claim.key)
            .await?
        else {
            return Ok(None);
        };
        if hit.fingerprint != claim.fingerprint {
            return Err(key_reused());
        }
        let hearing =
            self.store()
                .hearing(hit.hearing)
                .await?
                .ok_or_else(|| AppError::NotFound {
                    entity: "hearing",
                    key: hit.hearing.to_string(),
                })?;
        Ok(Some(HearingRecorded {
            hearing,
            replayed: true,
        }))
    }

    async fn record_planned(
        &self,
        actor: &Actor,
        cmd: &RecordHearing,
        claim: Option<&HearingClaim>,
    ) -> AppResult<HearingRecorded> {
        let mut planned = self.plan_hearing(actor, cmd).await?;
        if let Some(claim) = claim {
            planned.writes.push(rollout_store::Write::ClaimHearingKey {
                owner: claim.owner.clone(),
                key: claim.key.clone(),
                fingerprint: claim.fingerprint.clone(),
                hearing: planned.hearing.id,
            });
            planned.owners.push(None);
        }
        self.store()
            .commit(&planned.writes)
            .await
            .map_err(|e| batch_error(e, &planned.owners))?;
        crate::metrics::committed(&planned.writes);
        for event in planned.events {
            self.publish(event);
        }
        Ok(HearingRecorded {
            hearing: planned.hearing,
            replayed: false,
        })
    }
}

/// A failed batch as the client sees it: a failure of an outcome's write points at that outcome.
fn batch_error(e: BatchError, owners: &[Option<usize>]) -> AppError {
    let owner = owners
        .get(e.index)
        .copied()
        .flatten()
        .map(|i| i.to_string());
    match (owner, e.error) {
        (
            _,
            StoreError::Duplicate {
                entity: "idempotency key",
                key,
            },
        ) => AppError::Duplicate {
            path: vec!["idempotencyKey".to_owned()],
            message: format!("idempotency key {key} is being used concurrently"),
        },
        (Some(i), StoreError::Conflict { expected, actual }) => AppError::Problems(vec![problem(
            ErrorCode::VersionConflict,
            &["outcomes", &i, "expectedVersion"],
            format!("version conflict: expected {expected}, current {actual}"),
        )]),
        (Some(i), StoreError::Duplicate { entity, key }) => AppError::Problems(vec![problem(
            ErrorCode::Duplicate,
            &["outcomes", &i],
            format!("{entity} {key} already exists"),
        )]),
        (Some(i), StoreError::NotFound { entity, key }) => AppError::Problems(vec![problem(
            ErrorCode::NotFound,
            &["outcomes", &i],
            format!("{entity} {key} not found"),
        )]),
        (_, other) => other.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    #[test]
    fn a_failed_write_points_at_its_outcome() {
        let owners = [Some(0), Some(3), None];
        let conflict = BatchError {
            index: 1,
            error: StoreError::Conflict {
                expected: 2,
                actual: 3,
            },
        };
        let AppError::Problems(problems) = batch_error(conflict, &owners) else {
            panic!("not a problem list");
        };
        assert_eq!(problems[0].code, ErrorCode::VersionConflict);
        assert_eq!(problems[0].path, ["outcomes", "3", "expectedVersion"]);
        let whole = BatchError::whole(StoreError::Conflict {
            expected: 1,
            actual: 2,
        });
        assert!(matches!(
            batch_error(whole, &owners),
            AppError::VersionConflict { .. }
        ));
    }

    #[test]
    fn the_fingerprint_ignores_the_key_but_not_the_input() {
        let actor = Actor::system("test");
        let cmd = RecordHearing {
            bureau_code: "KANKYO".into(),
            held_on: "2026-11-20".parse().unwrap(),
            kind: HearingKind::PolicyDepartment,
            title: "t".into(),
            attendees: vec![],
            notes: None,
            outcomes: vec![RecordOutcome {
                procedure_id: ProcedureId(Uuid::from_u128(1)),
                expected_version: 1,
                decision: HearingDecision::Undecided,
                agreed_target_quarter: None,
                agreed_platform: None,
                issues: None,
                next_step: None,
                apply: false,
                tasks: vec![],
            }],
            idempotency_key: Some("a".into()),
        };
        let keyed = RecordHearing {
            idempotency_key: Some("b".into()),
            ..cmd.clone()
        };
        assert_eq!(fingerprint(&cmd, &actor), fingerprint(&keyed, &actor));
        let other = RecordHearing {
            title: "u".into(),
            ..cmd.clone()
        };
        assert_ne!(fingerprint(&cmd, &actor), fingerprint(&other, &actor));
    }
}
