//! Guard facts: what the workflow's data guards judge beyond the procedure row: the verdict of
//! the latest user test since the procedure entered its state, and the open blockers (direct
//! and transitive) from the dependency graph. Loaded for any number of procedures in a few
//! reads (the user tests; the graph version; when any of them has a blocker, the facts of the
//! open procedures upstream, one read per level: `App::procs_upstream`), so a page's
//! `nextTransitions` and a transition request judge the same facts the same way.
//!
//! A known race, left open deliberately: a release judged here and a concurrent
//! `addDependency` that blocks the procedure may both commit, since the transition's write
//! (`Store::apply_transition`, with its idempotency claim) does not assert the graph version the
//! facts were read on; the new dependency then names a released procedure. Closing it needs a
//! `Write::AssertGraphVersion` (a shared row lock on PostgreSQL, a compare on SQLite) in a
//! transition batch; a `BumpGraphVersion` there would work too but would make every replica
//! reload its graph after every release.

use std::collections::HashMap;

use rollout_domain::blockers::BlockerRef;
use rollout_domain::deps::Procs;
use rollout_domain::workflow::GuardFacts;
use rollout_domain::{Procedure, ProcedureId};

use crate::blockers::blocker_label;
use crate::{App, AppResult};

impl App {
    /// The guard facts of each of `procedures` (every id gets an entry).
    pub async fn guard_facts(
        &self,
        procedures: &[ProcedureId],
    ) -> AppResult<HashMap<ProcedureId, GuardFacts>> {
        let verdicts: HashMap<_, _> = self
            .store()
            .latest_user_test_verdicts(procedures)
            .await?
            .into_iter()
            .collect();
        let mut blockers = self.open_blocker_labels(procedures).await?;
        Ok(procedures
            .iter()
            .map(|id| {
                (
                    *id,
                    GuardFacts {
                        latest_user_test: verdicts.get(id).copied(),
                        open_blockers: blockers.remove(id).unwrap_or_default(),
                    },
                )
            })
            .collect())
    }

    /// The labels of the open blockers of each of `procedures`, direct and transitive, nearest
    /// first (absent: none). One statement (the graph version) when none of them has a blocker.
    async fn open_blocker_labels(
        &self,
        procedures: &[ProcedureId],
    ) -> AppResult<HashMap<ProcedureId, Vec<String>>> {
        if procedures.is_empty() {
            return Ok(HashMap::new());
        }
        let graph = self.graph().await?;
        let none = Procs::new();
        let blocked: Vec<ProcedureId> = procedures
            .iter()
            .copied()
            .filter(|p| !graph.graph.blockers_of(*p, false, false, &none).is_empty())
            .collect();
        if blocked.is_empty() {
            return Ok(HashMap::new());
        }
        let procs = self.procs_upstream(&graph, &blocked).await?;
        Ok(blocked
            .into_iter()
            .map(|p| {
                let labels = graph
                    .graph
                    .blockers_of(p, true, true, &procs)
                    .into_iter()
                    .map(|b: BlockerRef| blocker_label(&graph, &procs, b))
                    .collect();
                (p, labels)
            })
            .collect())
    }

    /// The guard facts of one procedure, read only when a way out of its state has a guard
    /// that judges them (a transition from any other state costs no read).
    pub async fn guard_facts_of(&self, procedure: &Procedure) -> AppResult<GuardFacts> {
        if !self.workflow().reads_stored_facts(&procedure.state) {
            return Ok(GuardFacts::NOT_JUDGED);
        }
        let mut all = self.guard_facts(&[procedure.id]).await?;
        Ok(all.remove(&procedure.id).unwrap_or(GuardFacts::NOT_JUDGED))
    }
}
