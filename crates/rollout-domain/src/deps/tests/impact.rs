//! The blocker ranking on hand-built graphs.

use super::{bp, graph, law, mile, open_procs, p, three_blockers};
use crate::blockers::BlockerRef;
use crate::deps::{BlockerImpact, DepGraph, Procs};

/// 1 → law 10, 2 → law 10, 2 → milestone 20, 3 → 1, 4 → 3, 5 → milestone 20, 6 → law 11
/// (enacted). Procedure i has i processes and 100·i applications.
fn fixture() -> (DepGraph, Procs) {
    let g = graph(
        &three_blockers(),
        &[
            (1, law(10)),
            (2, law(10)),
            (2, mile(20)),
            (3, bp(1)),
            (4, bp(3)),
            (5, mile(20)),
            (6, law(11)),
        ],
    );
    let mut procs = open_procs(6);
    for (id, node) in &mut procs {
        let i = i64::try_from(id.0.as_u128()).expect("small id");
        node.process_count = i;
        node.annual_applications = 100 * i;
    }
    (g, procs)
}

fn impact(blocker: BlockerRef, counts: [i64; 5]) -> BlockerImpact {
    let [
        procedures,
        processes,
        annual_applications,
        fully_unblocked,
        fully,
    ] = counts;
    BlockerImpact {
        blocker,
        procedures,
        processes,
        annual_applications,
        fully_unblocked,
        fully_unblocked_applications: fully,
    }
}

#[test]
fn blockers_are_ranked_by_what_clearing_them_would_unblock() {
    let (g, procs) = fixture();
    let ranking = g.ranking(&procs, &|_| true, 20);
    assert_eq!(
        ranking,
        vec![
            // 1, 2, 3, 4; only 1 has law 10 as its sole open blocker (2 also needs the milestone).
            impact(law(10), [4, 10, 1000, 1, 100]),
            impact(mile(20), [2, 7, 700, 1, 500]),
            impact(bp(1), [2, 7, 700, 1, 300]),
            impact(bp(3), [1, 4, 400, 1, 400]),
        ],
        "ties on applications, procedures and processes go to the smaller reference (milestones \
         before procedures); the enacted law change and procedures without dependents are not candidates"
    );
    assert_eq!(g.ranking(&procs, &|_| true, 2).len(), 2);
    assert!(g.ranking(&procs, &|_| true, 0).is_empty());
}

#[test]
fn a_closed_dependent_is_neither_counted_nor_walked_past() {
    let (g, mut procs) = fixture();
    procs.get_mut(&p(3)).expect("procedure 3").open = false;
    let ranking = g.ranking(&procs, &|_| true, 20);
    assert_eq!(
        ranking,
        vec![
            impact(mile(20), [2, 7, 700, 1, 500]),
            impact(law(10), [2, 3, 300, 1, 100]),
        ]
    );
    assert!(
        ranking.iter().all(|i| i.blocker != bp(3)),
        "a released procedure blocks nothing"
    );
    assert!(
        ranking.iter().all(|i| i.blocker != bp(1)),
        "procedure 1's only dependent is released"
    );
}

#[test]
fn uncounted_procedures_are_walked_through_but_not_counted() {
    let (g, procs) = fixture();
    let ranking = g.ranking(&procs, &|id| id != p(3) && id != p(2), 20);
    assert_eq!(
        ranking,
        vec![
            impact(law(10), [2, 5, 500, 1, 100]),
            impact(mile(20), [1, 5, 500, 1, 500]),
            impact(bp(1), [1, 4, 400, 0, 0]),
            impact(bp(3), [1, 4, 400, 1, 400]),
        ],
        "4 is reached through the uncounted 3"
    );
}

#[test]
fn a_blocker_that_would_unblock_nothing_counted_is_left_out() {
    let (g, procs) = fixture();
    assert!(g.ranking(&procs, &|_| false, 20).is_empty());
    let ranking = g.ranking(&procs, &|id| id == p(5), 20);
    assert_eq!(ranking, vec![impact(mile(20), [1, 5, 500, 1, 500])]);
}

#[test]
fn an_unknown_law_change_or_procedure_blocks_nothing() {
    let g = graph(&[], &[(1, law(10)), (2, bp(1)), (2, bp(9))]);
    let procs = open_procs(2);
    // Law 10 has no node and procedure 9 no facts: both count as closed.
    let ranking = g.ranking(&procs, &|_| true, 20);
    assert_eq!(ranking, vec![impact(bp(1), [1, 1, 100, 1, 100])]);
}
