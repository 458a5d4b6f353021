//! Guard facts: what the workflow's data guards judge beyond the procedure row (today the verdict
//! of the latest user test since the procedure entered its state). Loaded in one read for any
//! number of procedures, so a page's `nextTransitions` and a transition request judge the same
//! facts the same way.

use std::collections::HashMap;

use rollout_domain::ProcedureId;
use rollout_domain::workflow::GuardFacts;

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
                    },
                )
            })
            .collect())
    }

    /// The guard facts of one procedure.
    pub async fn guard_facts_of(&self, procedure: ProcedureId) -> AppResult<GuardFacts> {
        let mut all = self.guard_facts(&[procedure]).await?;
        Ok(all.remove(&procedure).unwrap_or(GuardFacts {
            latest_user_test: None,
        }))
    }
}
