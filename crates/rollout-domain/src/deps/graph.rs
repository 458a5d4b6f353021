//! [`DepGraph`]: the petgraph graph of active dependencies, with cycle detection, reachability
//! and the neighbourhood of a node.

use std::collections::HashMap;

use crate::ProcedureId;
use crate::blockers::BlockerRef;

use super::{BlockerNode, Edge, Procs, Unblocking};

/// Which way to walk from a node: towards its blockers, its dependents, or both.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Blockers,
    Dependents,
    Both,
}

/// The active dependencies and the law changes and milestones they point at.
#[derive(Debug, Clone)]
pub struct DepGraph {
    // implementation: petgraph graph + index map
}

impl DepGraph {
    /// Builds the graph. `blockers` holds every law change and milestone (with or without
    /// edges); procedures become nodes when an edge names them.
    pub fn new(blockers: HashMap<BlockerRef, BlockerNode>, edges: &[Edge]) -> Self {
        todo!()
    }

    /// The law change or milestone node, if known.
    pub fn blocker(&self, b: BlockerRef) -> Option<&BlockerNode> {
        todo!()
    }

    pub fn edge_count(&self) -> usize {
        todo!()
    }

    /// Whether adding `from → on` would close a cycle; if so the cycle as codes-to-be, from
    /// `from` back to `from` (`[from, on, …, from]`).
    pub fn cycle_if_added(&self, from: ProcedureId, on: BlockerRef) -> Option<Vec<BlockerRef>> {
        todo!()
    }

    /// The blockers of `p`: direct ones, or every one reachable (`transitive`), each once, in
    /// breadth-first order. With `open_only`, closed nodes are neither listed nor walked past.
    pub fn blockers_of(
        &self,
        p: ProcedureId,
        transitive: bool,
        open_only: bool,
        procs: &Procs,
    ) -> Vec<BlockerRef> {
        todo!()
    }

    /// The procedures that depend on `b`: direct ones, or every one reachable (`transitive`),
    /// each once, in breadth-first order.
    pub fn dependents_of(&self, b: BlockerRef, transitive: bool) -> Vec<ProcedureId> {
        todo!()
    }

    /// Every procedure reachable from `from` towards blockers, `from` included: the procedures
    /// whose facts a question about `from`'s blockers needs.
    pub fn upstream_procedures(&self, from: &[ProcedureId]) -> Vec<ProcedureId> {
        todo!()
    }

    /// The nodes within `depth` steps of `root` in `direction` (root first) and the ids of the
    /// edges between them.
    pub fn neighbourhood(
        &self,
        root: BlockerRef,
        depth: usize,
        direction: Direction,
    ) -> (Vec<BlockerRef>, Vec<crate::DependencyId>) {
        todo!()
    }

    /// What clearing `cleared` does to its direct dependents in a waiting state.
    pub fn unblocking(&self, cleared: BlockerRef, procs: &Procs) -> Unblocking {
        todo!()
    }
}
