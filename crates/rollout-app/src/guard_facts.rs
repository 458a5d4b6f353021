//! Guard facts: what the workflow's data guards judge beyond the procedure row (today the verdict
//! of the latest user test since the procedure entered its state). Loaded in one read for any
//! number of procedures, so a page's `nextTransitions` and a transition request judge the same
//! facts the same way.

use std::collections::HashMap;

use rollout_domain::workflow::GuardFacts;
use rollout_domain::{Procedure, ProcedureId};

use crate::{App, AppResult};

impl App {
    /// The guard facts of each of `procedures` (every id gets an entry), in one store read.
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
        Ok(procedures
            .iter()
            .map(|id| {
                (
                    *id,
                    GuardFacts {
                        latest_user_test: verdicts.get(id).copied(),
                        // filled from the dependency graph by the h-app branch
                        open_blockers: Vec::new(),
                    },
                )
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
