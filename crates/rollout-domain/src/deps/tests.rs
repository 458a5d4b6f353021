//! Unit and property tests of the dependency graph.
//!
//! This file holds the fixtures and the graph walks' tests; the ranking, earliest release,
//! national summary, DOT output, properties and the scale timing have their own files.

mod dot;
mod impact;
mod national;
mod props;
mod release;
mod scale;

use std::collections::HashMap;

use chrono::NaiveDate;
use uuid::Uuid;

use super::{BlockerNode, DepGraph, Direction, Edge, ProcedureNode, Procs, Unblocking};
use crate::blockers::BlockerRef;
use crate::{BureauId, DependencyId, LawChangeId, MilestoneId, ProcedureId};

pub(super) fn p(n: u128) -> ProcedureId {
    ProcedureId(Uuid::from_u128(n))
}

/// Procedure `n` as a blocker.
pub(super) fn bp(n: u128) -> BlockerRef {
    BlockerRef::Procedure(p(n))
}

pub(super) fn law(n: u128) -> BlockerRef {
    BlockerRef::LawChange(LawChangeId(Uuid::from_u128(n)))
}

pub(super) fn mile(n: u128) -> BlockerRef {
    BlockerRef::Milestone(MilestoneId(Uuid::from_u128(n)))
}

pub(super) fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid test date")
}

/// An open procedure, not waiting, one process and 100 applications a year.
pub(super) fn proc_node(code: &str) -> ProcedureNode {
    ProcedureNode {
        code: code.to_owned(),
        bureau_id: BureauId(Uuid::from_u128(1)),
        open: true,
        waiting: false,
        released_on: None,
        process_count: 1,
        annual_applications: 100,
        platform: None,
        target_quarter: None,
    }
}

/// Law changes and milestones `(ref, open, expected_on)` and edges `(from, on)` numbered in
/// order.
pub(super) fn graph(
    blockers: &[(BlockerRef, bool, Option<NaiveDate>)],
    edges: &[(u128, BlockerRef)],
) -> DepGraph {
    let nodes: HashMap<BlockerRef, BlockerNode> = blockers
        .iter()
        .map(|&(b, open, expected_on)| {
            let label = format!("{}-{}", b.kind(), b.uuid().as_u128());
            (
                b,
                BlockerNode {
                    label,
                    open,
                    expected_on,
                },
            )
        })
        .collect();
    DepGraph::new(nodes, &edge_list(edges))
}

pub(super) fn edge_list(edges: &[(u128, BlockerRef)]) -> Vec<Edge> {
    edges
        .iter()
        .zip(1u128..)
        .map(|(&(from, on), id)| Edge {
            id: DependencyId(Uuid::from_u128(id)),
            from: p(from),
            on,
        })
        .collect()
}

pub(super) fn dep_id(n: u128) -> DependencyId {
    DependencyId(Uuid::from_u128(n))
}

/// Procedures `1..=n`, all open.
pub(super) fn open_procs(n: u128) -> Procs {
    (1..=n)
        .map(|i| (p(i), proc_node(&format!("P-{i:04}"))))
        .collect()
}

/// Law change 10 (open), law change 11 (enacted) and milestone 20 (open), all undated.
pub(super) fn three_blockers() -> [(BlockerRef, bool, Option<NaiveDate>); 3] {
    [
        (law(10), true, None),
        (law(11), false, None),
        (mile(20), true, None),
    ]
}

/// 1 → 2 → 3 → law 10, 1 → milestone 20, 2 → law 11 (closed), 4 → 3.
fn sample() -> DepGraph {
    graph(
        &three_blockers(),
        &[
            (1, bp(2)),
            (2, bp(3)),
            (3, law(10)),
            (1, mile(20)),
            (2, law(11)),
            (4, bp(3)),
        ],
    )
}

#[test]
fn a_self_loop_is_a_cycle_of_one() {
    assert_eq!(
        sample().cycle_if_added(p(1), bp(1)),
        Some(vec![bp(1), bp(1)])
    );
}

#[test]
fn an_edge_back_up_the_chain_is_refused_with_the_cycle_spelled_out() {
    let g = sample();
    let cycle = g
        .cycle_if_added(p(3), bp(1))
        .expect("3 → 1 closes 1 → 2 → 3");
    assert_eq!(cycle, vec![bp(3), bp(1), bp(2), bp(3)]);
    let procs = open_procs(4);
    let codes: Vec<&str> = cycle
        .iter()
        .map(|b| match b {
            BlockerRef::Procedure(id) => procs[id].code.as_str(),
            _ => unreachable!("cycles are made of procedures"),
        })
        .collect();
    assert_eq!(codes.join(" → "), "P-0003 → P-0001 → P-0002 → P-0003");
}

#[test]
fn the_cycle_follows_the_shortest_path() {
    let g = graph(&[], &[(1, bp(2)), (2, bp(3)), (3, bp(4)), (1, bp(4))]);
    assert_eq!(
        g.cycle_if_added(p(4), bp(1)),
        Some(vec![bp(4), bp(1), bp(4)])
    );
}

#[test]
fn edges_that_close_no_cycle_are_accepted() {
    let g = sample();
    assert_eq!(
        g.cycle_if_added(p(1), bp(3)),
        None,
        "a second path is no cycle"
    );
    assert_eq!(
        g.cycle_if_added(p(4), bp(2)),
        None,
        "2 does not lead back to 4"
    );
    assert_eq!(
        g.cycle_if_added(p(3), bp(4)),
        Some(vec![bp(3), bp(4), bp(3)])
    );
    assert_eq!(g.cycle_if_added(p(3), law(11)), None);
    assert_eq!(g.cycle_if_added(p(99), bp(1)), None, "a new procedure");
    assert_eq!(g.cycle_if_added(p(1), bp(99)), None);
}

#[test]
fn direct_and_transitive_blockers_in_breadth_first_order() {
    let g = sample();
    let procs = open_procs(4);
    assert_eq!(
        g.blockers_of(p(1), false, false, &procs),
        vec![mile(20), bp(2)]
    );
    assert_eq!(
        g.blockers_of(p(1), true, false, &procs),
        vec![mile(20), bp(2), law(11), bp(3), law(10)]
    );
    assert_eq!(
        g.blockers_of(p(1), true, true, &procs),
        vec![mile(20), bp(2), bp(3), law(10)],
        "the enacted law change is not listed"
    );
    assert!(g.blockers_of(p(99), true, false, &procs).is_empty());
}

#[test]
fn open_only_walks_stop_at_a_closed_procedure() {
    let g = sample();
    let mut procs = open_procs(4);
    procs.get_mut(&p(2)).expect("procedure 2").open = false;
    assert_eq!(g.blockers_of(p(1), true, true, &procs), vec![mile(20)]);
    procs.remove(&p(2));
    assert_eq!(
        g.blockers_of(p(1), true, true, &procs),
        vec![mile(20)],
        "an unknown procedure is closed"
    );
    assert_eq!(
        g.blockers_of(p(1), true, false, &procs).len(),
        5,
        "without open_only the closed procedure is walked past"
    );
}

#[test]
fn dependents_direct_and_transitive() {
    let g = sample();
    assert_eq!(g.dependents_of(bp(3), false), vec![p(2), p(4)]);
    assert_eq!(g.dependents_of(law(10), true), vec![p(3), p(2), p(4), p(1)]);
    assert_eq!(g.dependents_of(mile(20), true), vec![p(1)]);
    assert!(g.dependents_of(bp(1), true).is_empty());
    assert!(g.dependents_of(law(99), true).is_empty());
}

#[test]
fn upstream_procedures_include_the_start_and_everything_it_needs() {
    let g = sample();
    assert_eq!(g.upstream_procedures(&[p(4)]), vec![p(4), p(3)]);
    assert_eq!(
        g.upstream_procedures(&[p(1), p(4), p(1), p(50)]),
        vec![p(1), p(4), p(2), p(3), p(50)],
        "each once, unknown procedures too"
    );
}

#[test]
fn neighbourhood_by_direction_and_depth() {
    let g = sample();
    let (nodes, edges) = g.neighbourhood(bp(2), 1, Direction::Blockers);
    assert_eq!(nodes, vec![bp(2), law(11), bp(3)]);
    assert_eq!(edges, vec![dep_id(2), dep_id(5)]);
    let (nodes, _) = g.neighbourhood(bp(3), 1, Direction::Dependents);
    assert_eq!(nodes, vec![bp(3), bp(2), bp(4)]);
    let (nodes, edges) = g.neighbourhood(bp(3), 1, Direction::Both);
    assert_eq!(nodes, vec![bp(3), law(10), bp(2), bp(4)]);
    assert_eq!(edges, vec![dep_id(2), dep_id(3), dep_id(6)]);
    let (nodes, edges) = g.neighbourhood(bp(1), 0, Direction::Both);
    assert_eq!((nodes, edges), (vec![bp(1)], vec![]));
    let (nodes, edges) = g.neighbourhood(law(10), 10, Direction::Both);
    assert_eq!(nodes.len(), 7);
    assert_eq!(edges.len(), 6, "every edge, once");
    assert_eq!(
        g.neighbourhood(law(99), 3, Direction::Both),
        (vec![law(99)], vec![])
    );
}

#[test]
fn clearing_a_blocker_frees_waiting_dependents_and_names_what_still_blocks_the_rest() {
    // 1 and 2 wait on law 10; 2 also on milestone 20 (open); 3 waits on law 10 and law 11
    // (enacted); 4 depends on law 10 but is not waiting; 5 is waiting but released.
    let g = graph(
        &three_blockers(),
        &[
            (1, law(10)),
            (2, law(10)),
            (2, mile(20)),
            (3, law(10)),
            (3, law(11)),
            (4, law(10)),
            (5, law(10)),
        ],
    );
    let mut procs = open_procs(5);
    for i in [1, 2, 3, 5] {
        procs.get_mut(&p(i)).expect("procedure").waiting = true;
    }
    procs.get_mut(&p(5)).expect("procedure 5").open = false;
    assert_eq!(
        g.unblocking(law(10), &procs),
        Unblocking {
            freed: vec![p(1), p(3)],
            still_blocked: vec![(p(2), vec![mile(20)])],
        }
    );
    assert_eq!(g.unblocking(law(99), &procs), Unblocking::default());
}

#[test]
fn blocker_nodes_and_edge_count() {
    let g = sample();
    assert_eq!(g.edge_count(), 6);
    assert_eq!(g.blocker(law(11)).map(|n| n.open), Some(false));
    assert_eq!(g.blocker(bp(1)), None);
    assert_eq!(g.blocker(law(99)), None);
}
