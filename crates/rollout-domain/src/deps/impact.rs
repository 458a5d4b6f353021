//! The blocker ranking: what clearing each open blocker would unblock.
//!
//! One breadth-first walk per candidate over index-based rows, with a reusable stamp vector
//! (no allocation per walk) and per-node facts gathered once per call; the "fully unblocked"
//! count needs only each procedure's sole open blocker, computed once.

use crate::ProcedureId;
use crate::blockers::BlockerRef;

use super::{BlockerImpact, DepGraph, Procs};

const NONE: u32 = u32::MAX;

/// Per-node facts of one ranking call, indexed like the graph's nodes.
struct Facts {
    open: Vec<bool>,
    /// Open and `counted`.
    counted: Vec<bool>,
    processes: Vec<i64>,
    applications: Vec<i64>,
    /// The only open direct blocker of an open procedure, or [`NONE`] (none, or several).
    sole: Vec<u32>,
}

impl DepGraph {
    fn facts(&self, procs: &Procs, counted: &dyn Fn(ProcedureId) -> bool) -> Facts {
        let n = self.node_count();
        let mut f = Facts {
            open: vec![false; n],
            counted: vec![false; n],
            processes: vec![0; n],
            applications: vec![0; n],
            sole: vec![NONE; n],
        };
        for i in 0..n {
            let r = self.node_ref(i as u32);
            match r {
                BlockerRef::Procedure(p) => {
                    if let Some(node) = procs.get(&p).filter(|node| node.open) {
                        f.open[i] = true;
                        if counted(p) {
                            f.counted[i] = true;
                            f.processes[i] = node.process_count;
                            f.applications[i] = node.annual_applications;
                        }
                    }
                }
                other => f.open[i] = self.is_open(other, procs),
            }
        }
        for i in 0..n {
            if !f.counted[i] {
                continue;
            }
            let mut open_blockers = self
                .out
                .of(i as u32)
                .iter()
                .filter(|&&b| f.open[b as usize]);
            if let (Some(&only), None) = (open_blockers.next(), open_blockers.next()) {
                f.sole[i] = only;
            }
        }
        f
    }

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
        let n = self.node_count();
        let f = self.facts(procs, counted);
        let mut stamp = vec![NONE; n];
        let mut queue: Vec<u32> = Vec::new();
        let mut ranked = Vec::new();
        for c in 0..n as u32 {
            if !f.open[c as usize] || self.inc.of(c).is_empty() {
                continue;
            }
            let mut impact = BlockerImpact {
                blocker: self.node_ref(c),
                procedures: 0,
                processes: 0,
                annual_applications: 0,
                fully_unblocked: 0,
                fully_unblocked_applications: 0,
            };
            stamp[c as usize] = c;
            queue.clear();
            queue.push(c);
            let mut head = 0;
            while let Some(&u) = queue.get(head) {
                head += 1;
                for &d in self.inc.of(u) {
                    let di = d as usize;
                    if stamp[di] == c || !f.open[di] {
                        continue;
                    }
                    stamp[di] = c;
                    queue.push(d);
                    if f.counted[di] {
                        impact.procedures += 1;
                        impact.processes += f.processes[di];
                        impact.annual_applications += f.applications[di];
                        // A procedure whose only open blocker is `c` depends on it directly.
                        if f.sole[di] == c {
                            impact.fully_unblocked += 1;
                            impact.fully_unblocked_applications += f.applications[di];
                        }
                    }
                }
            }
            if impact.procedures > 0 {
                ranked.push(impact);
            }
        }
        ranked.sort_unstable_by(|a, b| {
            b.annual_applications
                .cmp(&a.annual_applications)
                .then(b.procedures.cmp(&a.procedures))
                .then(b.processes.cmp(&a.processes))
                .then(a.blocker.cmp(&b.blocker))
        });
        ranked.truncate(first);
        ranked
    }
}
