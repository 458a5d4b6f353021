//! Histories given rather than drawn: a procedure of the replay dataset
//! ([`crate::demo::replay`]) moves exactly on the dataset's dates, each move planned by the real
//! engine ([`engine::plan`], or [`engine::unblock_plan`] for the moves the system makes itself
//! when a law change closes), with the same evidence beside it as a generated history: the
//! hearing that decided it, the passing user test the `user_test_passed` guard is judged on.
//! Target quarters change when the dataset says, before the moves of the same instant, so the
//! `target_quarter_set` guard is judged on the target as it was then. A move the engine refuses
//! is an error naming the procedure, never a silently shortened history.

use rollout_domain::hearing::HearingDecision;
use rollout_domain::workflow::GuardFacts;
use rollout_domain::workflow::engine::UnblockRequest;

use super::super::evidence::TargetPlan;
use super::super::replay::{ReplayProcedure, ReplayTarget, UNBLOCK_LABEL};
use super::*;

impl Generator<'_> {
    /// The procedure `r` (of bureau `bureau`, an index into [`Self::bureaus`]) with its history
    /// and evidence; the evidence goes to `out`.
    pub(crate) fn replayed(
        &mut self,
        r: &ReplayProcedure,
        bureau: usize,
        staff: &DemoStaff,
        out: &mut EvidenceSeed,
    ) -> Result<ProcedureSeed, String> {
        let bureau = self.bureaus[bureau].clone();
        let code = r.code.as_str().to_owned();
        let (first, moves) = r.events.split_first().ok_or(format!("{code}: no events"))?;
        let initial = self.def.initial().key.clone();
        if first.to_state != initial {
            return Err(format!(
                "{code}: created in {}, not {initial}",
                first.to_state
            ));
        }
        let created = first.at;
        let actor = format!("coordinator.{}", bureau.code.as_str().to_ascii_lowercase());
        let mut procedure = Procedure {
            id: ProcedureId(uuid_at(&mut self.rng, created)),
            code: r.code.clone(),
            name: r.name_ja.clone(),
            name_en: Some(r.name_en.clone()),
            bureau_id: bureau.id,
            category: r.category,
            authority: r.authority,
            annual_applications: r.annual_applications,
            process_count: r.process_count,
            platform: r.platform,
            target_quarter: None,
            released_on: None,
            state: initial.clone(),
            version: 1,
            created_at: created,
            updated_at: created,
        };
        let mut history = vec![TransitionRecord {
            id: TransitionRecordId(uuid_at(&mut self.rng, created)),
            procedure_id: procedure.id,
            from_state: None,
            to_state: initial,
            transition: "create".to_owned(),
            actor: first.actor.clone().unwrap_or_else(|| actor.clone()),
            comment: first.comment.clone(),
            at: created,
            workflow_version: self.def.version_tag(),
            procedure_version: 1,
            approval_request_id: None,
        }];
        let subject = Subject {
            id: procedure.id,
            code: &code,
            bureau: &bureau,
            staff,
            now: self.now,
        };
        let mut trail = Trail::default();
        let first_move = moves.first().map_or(self.now, |m| m.at);
        if (first_move - created).num_seconds() > 2
            && (moves.is_empty() || self.rng.random_bool(KICKOFF_SHARE))
        {
            let at = instant_between(&mut self.rng, created + secs(1), first_move - secs(1));
            let undecided =
                Decision::plain(HearingKind::PolicyDepartment, HearingDecision::Undecided);
            trail
                .hearings
                .push(subject.hearing(&mut self.rng, undecided, created, at, false));
        }
        let mut targets = r.targets.iter().peekable();
        let mut entered = created;
        for m in moves {
            while let Some(t) = targets.next_if(|t| t.at <= m.at) {
                set_target(&mut procedure, &mut trail, t, &actor);
            }
            let refused = |why: String| format!("{code}: {} on {}: {why}", m.to_state, m.date);
            let transition = self
                .def
                .transition(&procedure.state, &m.to_state)
                .ok_or_else(|| refused(format!("no transition from {}", procedure.state)))?
                .clone();
            let record_id = TransitionRecordId(uuid_at(&mut self.rng, m.at));
            let plan = if m.actor.as_deref() == Some(UNBLOCK_LABEL) {
                let request = UnblockRequest {
                    actor: UNBLOCK_LABEL,
                    comment: m.comment.as_deref(),
                    now: m.at,
                    today: tokyo_date(m.at),
                    record_id,
                    facts: &GuardFacts::NOT_JUDGED,
                };
                let plan = engine::unblock_plan(self.def, &procedure, &request)
                    .ok_or_else(|| refused("nothing to unblock".to_owned()))?;
                if plan.to_state != m.to_state {
                    return Err(refused(format!("unblocking leads to {}", plan.to_state)));
                }
                plan
            } else {
                let window = Window { entered, at: m.at };
                let agreed = TargetPlan {
                    first: procedure.target_quarter,
                    ..TargetPlan::default()
                };
                let (facts, applied) = self.before_step(
                    &subject,
                    &procedure,
                    &transition,
                    window,
                    &agreed,
                    &mut trail,
                );
                let (by, comment) = match applied.map(|i| &trail.hearings[i]) {
                    Some(h) => {
                        let hearing = hearing_comment(h);
                        let comment = match &m.comment {
                            Some(c) => format!("{hearing} / {c}"),
                            None => hearing,
                        };
                        (staff.label(h.created_by), Some(comment))
                    }
                    None => {
                        let kind = self.def.state(&m.to_state).map(|s| s.kind);
                        let fallback =
                            || names::comment(&mut self.rng, kind.unwrap_or(StateKind::Active));
                        let comment = m
                            .comment
                            .clone()
                            .or_else(|| transition.requires_comment().then(fallback));
                        (m.actor.clone().unwrap_or_else(|| actor.clone()), comment)
                    }
                };
                let request = TransitionRequest {
                    to: &m.to_state,
                    comment: comment.as_deref(),
                    actor: &by,
                    now: m.at,
                    today: tokyo_date(m.at),
                    record_id,
                    facts: &facts,
                };
                let plan = engine::plan(self.def, &procedure, &request)
                    .map_err(|e| refused(format!("{e:?}")))?;
                if let Some(i) = applied {
                    trail.hearings[i].outcomes[0].record_id = Some(plan.record.id);
                }
                plan
            };
            procedure.state = plan.to_state;
            procedure.version = plan.record.procedure_version;
            procedure.released_on = plan.released_on;
            procedure.updated_at = m.at;
            history.push(plan.record);
            entered = m.at;
        }
        for t in targets {
            set_target(&mut procedure, &mut trail, t, &actor);
        }
        self.after_history(&subject, &procedure, &mut trail, entered);
        let unfinished = self
            .def
            .state(&procedure.state)
            .is_some_and(|s| !matches!(s.kind, StateKind::Done | StateKind::Closed));
        let tasks: Vec<Task> = trail
            .hearings
            .iter()
            .flat_map(|h| {
                let current = unfinished && h.created_at >= entered;
                subject.tasks(&mut self.rng, h, current)
            })
            .collect();
        trail.tasks = tasks;
        let target_changes = trail.drain_into(out);
        Ok(ProcedureSeed {
            procedure,
            history,
            target_changes,
        })
    }
}

/// Records a change of the target quarter and makes it the procedure's.
fn set_target(procedure: &mut Procedure, trail: &mut Trail, t: &ReplayTarget, actor: &str) {
    let from = procedure.target_quarter.replace(t.quarter);
    trail.target(
        procedure.id,
        from,
        Some(t.quarter),
        t.at,
        actor,
        t.reason.clone(),
    );
}
