//! The dependency graph as Graphviz DOT, for `rollout deps dot`.

use std::collections::HashMap;
use std::fmt::Write as _;

use crate::blockers::BlockerRef;
use crate::workflow::dot::quote;

use super::DepGraph;

fn shape(b: BlockerRef) -> &'static str {
    match b {
        BlockerRef::LawChange(_) => "box",
        BlockerRef::Milestone(_) => "hexagon",
        BlockerRef::Procedure(_) => "ellipse",
    }
}

/// DOT text for the nodes given (and the edges between them), labelled by `label`; law
/// changes, milestones and procedures get distinct shapes, closed nodes are greyed.
///
/// Nodes are written in the order given (each once) as `n0`, `n1`, …; edges go from the
/// dependent to its blocker, sorted by those numbers, so the same input gives the same text.
pub fn to_dot(
    graph: &DepGraph,
    nodes: &[BlockerRef],
    label: &dyn Fn(BlockerRef) -> String,
    open: &dyn Fn(BlockerRef) -> bool,
) -> String {
    let mut number: HashMap<BlockerRef, usize> = HashMap::with_capacity(nodes.len());
    let mut out = String::from("digraph dependencies {\n  rankdir=LR;\n");
    for &b in nodes {
        if number.contains_key(&b) {
            continue;
        }
        let n = number.len();
        number.insert(b, n);
        let style = if open(b) {
            String::new()
        } else {
            ", style=dashed, color=grey, fontcolor=grey".to_owned()
        };
        let _ = writeln!(
            out,
            "  n{n} [label={}, shape={}{style}];",
            quote(&label(b)),
            shape(b)
        );
    }
    let mut edges: Vec<(usize, usize)> = Vec::new();
    for (&b, &from) in &number {
        let Some(i) = graph.idx(b) else { continue };
        for &v in graph.out.of(i) {
            if let Some(&to) = number.get(&graph.node_ref(v)) {
                edges.push((from, to));
            }
        }
    }
    edges.sort_unstable();
    for (from, to) in edges {
        let _ = writeln!(out, "  n{from} -> n{to};");
    }
    out.push_str("}\n");
    out
}
