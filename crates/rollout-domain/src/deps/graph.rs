//! [`DepGraph`]: the petgraph graph of active dependencies, with cycle detection, reachability
//! and the neighbourhood of a node.

use std::collections::HashMap;

use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::EdgeRef;

use crate::ProcedureId;
use crate::blockers::BlockerRef;

use super::walk::{Csr, bfs, shortest_path};
use super::{BlockerNode, Edge, Procs, Unblocking};

/// Which way to walk from a node: towards its blockers, its dependents, or both.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Blockers,
    Dependents,
    Both,
}

/// The active dependencies and the law changes and milestones they point at.
///
/// Nodes are added in [`BlockerRef`] order, so node indices sort like the references and every
/// adjacency row (`Csr`) is already in deterministic order.
#[derive(Debug, Clone)]
pub struct DepGraph {
    graph: DiGraph<BlockerRef, crate::DependencyId, u32>,
    index: HashMap<BlockerRef, NodeIndex<u32>>,
    blockers: HashMap<BlockerRef, BlockerNode>,
    /// Towards blockers: row `i` holds what node `i` needs.
    pub(super) out: Csr,
    /// Towards dependents: row `i` holds the procedures that need node `i`.
    pub(super) inc: Csr,
}

impl DepGraph {
    /// Builds the graph. `blockers` holds every law change and milestone (with or without
    /// edges); procedures become nodes when an edge names them.
    pub fn new(blockers: HashMap<BlockerRef, BlockerNode>, edges: &[Edge]) -> Self {
        let mut refs: Vec<BlockerRef> = blockers.keys().copied().collect();
        refs.extend(
            edges
                .iter()
                .flat_map(|e| [BlockerRef::Procedure(e.from), e.on]),
        );
        refs.sort_unstable();
        refs.dedup();
        let mut graph = DiGraph::with_capacity(refs.len(), edges.len());
        let mut index = HashMap::with_capacity(refs.len());
        for r in refs {
            index.insert(r, graph.add_node(r));
        }
        let mut pairs = Vec::with_capacity(edges.len());
        for e in edges {
            let a = index[&BlockerRef::Procedure(e.from)];
            let b = index[&e.on];
            graph.add_edge(a, b, e.id);
            pairs.push((a.index() as u32, b.index() as u32));
        }
        let n = graph.node_count();
        let inc = Csr::build(n, pairs.iter().map(|&(a, b)| (b, a)).collect());
        let out = Csr::build(n, pairs);
        Self {
            graph,
            index,
            blockers,
            out,
            inc,
        }
    }

    /// The law change or milestone node, if known.
    pub fn blocker(&self, b: BlockerRef) -> Option<&BlockerNode> {
        self.blockers.get(&b)
    }

    /// Every procedure that takes part in an edge, in id order: the only procedures whose
    /// facts a whole-graph question (the ranking) needs.
    pub fn procedures(&self) -> Vec<ProcedureId> {
        self.procedures_of(0..self.node_count() as u32)
    }

    pub fn edge_count(&self) -> usize {
        self.graph.edge_count()
    }

    pub(super) fn node_count(&self) -> usize {
        self.graph.node_count()
    }

    pub(super) fn idx(&self, r: BlockerRef) -> Option<u32> {
        self.index.get(&r).map(|i| i.index() as u32)
    }

    pub(super) fn node_ref(&self, i: u32) -> BlockerRef {
        self.graph[NodeIndex::new(i as usize)]
    }

    /// Whether `r` still blocks: a law change or milestone per its node (unknown = closed), a
    /// procedure per `procs` (absent = closed).
    pub(super) fn is_open(&self, r: BlockerRef, procs: &Procs) -> bool {
        match r {
            BlockerRef::Procedure(p) => procs.get(&p).is_some_and(|n| n.open),
            other => self.blockers.get(&other).is_some_and(|b| b.open),
        }
    }

    fn procedures_of(&self, nodes: impl IntoIterator<Item = u32>) -> Vec<ProcedureId> {
        nodes
            .into_iter()
            .filter_map(|i| match self.node_ref(i) {
                BlockerRef::Procedure(p) => Some(p),
                _ => None,
            })
            .collect()
    }

    /// Whether adding `from → on` would close a cycle; if so the cycle as codes-to-be, from
    /// `from` back to `from` (`[from, on, …, from]`).
    pub fn cycle_if_added(&self, from: ProcedureId, on: BlockerRef) -> Option<Vec<BlockerRef>> {
        let start = BlockerRef::Procedure(from);
        if on == start {
            return Some(vec![start, start]);
        }
        if !matches!(on, BlockerRef::Procedure(_)) {
            return None;
        }
        let path = shortest_path(
            self.node_count(),
            self.idx(on)?,
            self.idx(start)?,
            &self.out,
        )?;
        let mut cycle = Vec::with_capacity(path.len() + 1);
        cycle.push(start);
        cycle.extend(path.into_iter().map(|i| self.node_ref(i)));
        Some(cycle)
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
        let Some(start) = self.idx(BlockerRef::Procedure(p)) else {
            return Vec::new();
        };
        let depth = if transitive { usize::MAX } else { 1 };
        let order = bfs(self.node_count(), &[start], depth, &[&self.out], |v| {
            !open_only || self.is_open(self.node_ref(v), procs)
        });
        order[1..].iter().map(|&i| self.node_ref(i)).collect()
    }

    /// The procedures that depend on `b`: direct ones, or every one reachable (`transitive`),
    /// each once, in breadth-first order.
    pub fn dependents_of(&self, b: BlockerRef, transitive: bool) -> Vec<ProcedureId> {
        let Some(start) = self.idx(b) else {
            return Vec::new();
        };
        let depth = if transitive { usize::MAX } else { 1 };
        let order = bfs(self.node_count(), &[start], depth, &[&self.inc], |_| true);
        self.procedures_of(order[1..].iter().copied())
    }

    /// Every procedure reachable from `from` towards blockers, `from` included: the procedures
    /// whose facts a question about `from`'s blockers needs.
    pub fn upstream_procedures(&self, from: &[ProcedureId]) -> Vec<ProcedureId> {
        let mut unknown = Vec::new();
        let mut starts = Vec::with_capacity(from.len());
        for &p in from {
            match self.idx(BlockerRef::Procedure(p)) {
                Some(i) => starts.push(i),
                None if !unknown.contains(&p) => unknown.push(p),
                None => {}
            }
        }
        let order = bfs(self.node_count(), &starts, usize::MAX, &[&self.out], |_| {
            true
        });
        let mut all = self.procedures_of(order);
        all.extend(unknown);
        all
    }

    /// The nodes within `depth` steps of `root` in `direction` (root first) and the ids of the
    /// edges between them.
    pub fn neighbourhood(
        &self,
        root: BlockerRef,
        depth: usize,
        direction: Direction,
    ) -> (Vec<BlockerRef>, Vec<crate::DependencyId>) {
        let Some(start) = self.idx(root) else {
            return (vec![root], Vec::new());
        };
        let adj: &[&Csr] = match direction {
            Direction::Blockers => &[&self.out],
            Direction::Dependents => &[&self.inc],
            Direction::Both => &[&self.out, &self.inc],
        };
        let n = self.node_count();
        let order = bfs(n, &[start], depth, adj, |_| true);
        let mut member = vec![false; n];
        for &i in &order {
            member[i as usize] = true;
        }
        let mut ids: Vec<crate::DependencyId> = order
            .iter()
            .flat_map(|&i| self.graph.edges(NodeIndex::new(i as usize)))
            .filter(|e| member[e.target().index()])
            .map(|e| *e.weight())
            .collect();
        ids.sort_unstable();
        (order.into_iter().map(|i| self.node_ref(i)).collect(), ids)
    }

    /// What clearing `cleared` does to its direct dependents in a waiting state.
    pub fn unblocking(&self, cleared: BlockerRef, procs: &Procs) -> Unblocking {
        let mut result = Unblocking::default();
        let Some(c) = self.idx(cleared) else {
            return result;
        };
        // Rows follow BlockerRef order, so dependents come out sorted by ProcedureId.
        for &d in self.inc.of(c) {
            let BlockerRef::Procedure(p) = self.node_ref(d) else {
                continue;
            };
            if !procs.get(&p).is_some_and(|n| n.open && n.waiting) {
                continue;
            }
            let others: Vec<BlockerRef> = self
                .out
                .of(d)
                .iter()
                .map(|&v| self.node_ref(v))
                .filter(|&v| v != cleared && self.is_open(v, procs))
                .collect();
            if others.is_empty() {
                result.freed.push(p);
            } else {
                result.still_blocked.push((p, others));
            }
        }
        result
    }
}
