//! The blocker ranking: what clearing each open blocker would unblock.

use crate::ProcedureId;

use super::{BlockerImpact, DepGraph, Procs};

impl DepGraph {
    /// Open law changes, open milestones and open procedures with dependents, ranked by what
    /// clearing each would unblock: annual applications, then procedures, then processes
    /// (descending), then the blocker; at most `first`. Only procedures for which `counted`
    /// holds are counted (the walk goes through the others all the same); blockers that would
    /// unblock no counted procedure are left out.
    pub fn ranking(
        &self,
        procs: &Procs,
        counted: &dyn Fn(ProcedureId) -> bool,
        first: usize,
    ) -> Vec<BlockerImpact> {
        todo!()
    }
}
