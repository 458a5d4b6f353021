//! The automatic unblocking: when a law change or milestone closes, every procedure waiting on
//! it (in a BLOCKED state) whose direct blockers are now all closed moves on by itself, in the
//! batch that closes the blocker, as a `system:unblock` transition whose comment names the
//! blocker and the reason. Where it goes is the workflow's data (transitions marked
//! `on_unblock`, the first whose guards hold). Waiting procedures that still have an open
//! blocker stay, and the answer says which blockers.
//!
//! A fixed number of reads whatever the number of procedures freed: the facts of the direct
//! dependents and of the procedures they wait on, the freed and still-blocked procedures' rows,
//! and their guard facts.

use std::collections::HashMap;

use rollout_domain::blockers::BlockerRef;
use rollout_domain::deps::Procs;
use rollout_domain::workflow::engine::{UnblockRequest, unblock_plan};
use rollout_domain::{Procedure, ProcedureId, TransitionRecordId};
use rollout_store::Write;

use super::UNBLOCK_ACTOR;
use crate::audit::{Target, procedure_json};
use crate::deps::LoadedGraph;
use crate::transitions::after_plan;
use crate::{Actor, App, AppResult, ProcedureEvent, new_uuid};

/// A waiting procedure that a cleared blocker did not free, and what still holds it back
/// (empty when nothing does but no way out of its state has guards that hold).
#[derive(Debug, Clone)]
pub struct StillBlocked {
    pub procedure: Procedure,
    pub blockers: Vec<BlockerRef>,
}

/// What clearing a blocker did to the procedures waiting on it.
#[derive(Debug, Clone, Default)]
pub struct Unblocked {
    /// The procedures moved, as they are after the move.
    pub moved: Vec<Procedure>,
    pub still_blocked: Vec<StillBlocked>,
}

impl App {
    /// Plans the moves that clearing `cleared` sets off on `graph` (the graph before the
    /// change): appends a transition and its audit entry per freed procedure to `writes`, and
    /// the events to publish after the commit to `events`. `why` becomes each move's comment.
    pub(crate) async fn plan_unblock(
        &self,
        graph: &LoadedGraph,
        cleared: BlockerRef,
        why: &str,
        writes: &mut Vec<Write>,
        events: &mut Vec<ProcedureEvent>,
    ) -> AppResult<Unblocked> {
        let direct = graph.graph.dependents_of(cleared, false);
        if direct.is_empty() {
            return Ok(Unblocked::default());
        }
        // Whether a dependent is freed depends on its other direct blockers too: a blocking
        // procedure absent from the facts would count as closed.
        let none = Procs::new();
        let mut ids = direct.clone();
        for d in &direct {
            ids.extend(
                graph
                    .graph
                    .blockers_of(*d, false, false, &none)
                    .into_iter()
                    .filter_map(|b| match b {
                        BlockerRef::Procedure(p) => Some(p),
                        _ => None,
                    }),
            );
        }
        ids.sort_unstable();
        ids.dedup();
        let procs = self.procs(Some(&ids)).await?;
        let plan = graph.graph.unblocking(cleared, &procs);
        let touched: Vec<ProcedureId> = plan
            .freed
            .iter()
            .copied()
            .chain(plan.still_blocked.iter().map(|(p, _)| *p))
            .collect();
        let mut rows: HashMap<ProcedureId, Procedure> = self
            .store()
            .procedures_by_ids(&touched)
            .await?
            .into_iter()
            .map(|p| (p.id, p))
            .collect();
        let facts = self.guard_facts(&plan.freed).await?;
        let system = Actor::system(UNBLOCK_ACTOR);
        let (now, today) = (self.now(), self.today());
        let mut out = Unblocked::default();
        for id in plan.freed {
            let Some(p) = rows.remove(&id) else { continue };
            let Some(f) = facts.get(&id) else { continue };
            let planned = unblock_plan(
                self.workflow(),
                &p,
                &UnblockRequest {
                    actor: &system.label,
                    comment: Some(why),
                    now,
                    today,
                    record_id: TransitionRecordId(new_uuid()),
                    facts: f,
                },
            );
            let Some(planned) = planned else {
                out.still_blocked.push(StillBlocked {
                    procedure: p,
                    blockers: Vec::new(),
                });
                continue;
            };
            let after = after_plan(&p, &planned);
            let audit = self.audit_entry(
                &system,
                "procedure.transition",
                &Target::new("Procedure", id),
                Some(procedure_json(&p)),
                Some(procedure_json(&after)),
            );
            events.push(ProcedureEvent::transitioned(
                &after,
                &planned.record,
                &system,
            ));
            writes.push(Write::Transition(planned));
            writes.push(Write::Audit(audit));
            out.moved.push(after);
        }
        for (id, blockers) in plan.still_blocked {
            if let Some(procedure) = rows.remove(&id) {
                out.still_blocked.push(StillBlocked {
                    procedure,
                    blockers,
                });
            }
        }
        Ok(out)
    }
}
