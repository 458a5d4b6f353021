//! The dependency graph as Graphviz DOT, for `rollout deps dot`.

use crate::blockers::BlockerRef;

use super::DepGraph;

/// DOT text for the nodes given (and the edges between them), labelled by `label`; law
/// changes, milestones and procedures get distinct shapes, closed nodes are greyed.
pub fn to_dot(
    graph: &DepGraph,
    nodes: &[BlockerRef],
    label: &dyn Fn(BlockerRef) -> String,
    open: &dyn Fn(BlockerRef) -> bool,
) -> String {
    todo!()
}
