//! The ranking at the programme's scale: 28,000 procedures, ~930 law changes, 6 milestones and
//! ~60,000 edges, timed (run in release: `cargo test --release -p rollout-domain -- --ignored
//! ranking_at_scale`). A smaller copy runs with every `cargo test`.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use super::{bp, law, mile, p, proc_node};
use crate::blockers::BlockerRef;
use crate::deps::{BlockerNode, DepGraph, Edge, Procs};
use crate::{DependencyId, Platform};

/// A deterministic pseudo-random step (SplitMix64).
fn mix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// `n` procedures, one law change per 30 of them, 6 milestones; every procedure needs a law
/// change or a milestone, and most an earlier procedure: the previous one inside chains of
/// 200 (one procedure in ten), else a random earlier one; a few need a third blocker.
/// Four in five procedures are open.
pub(super) fn synthetic(n: u64) -> (DepGraph, Procs) {
    let laws = (n / 30).max(1);
    let mut blockers = HashMap::new();
    for l in 0..laws {
        let open = !mix(l).is_multiple_of(5);
        blockers.insert(law(u128::from(l)), node(open));
    }
    for m in 0..6u64 {
        blockers.insert(mile(u128::from(m)), node(m % 3 != 0));
    }
    let mut edges = Vec::new();
    let mut procs = Procs::new();
    let mut edge = |from: u64, on: BlockerRef| {
        let id = DependencyId(uuid::Uuid::from_u128(edges.len() as u128 + 1));
        edges.push(Edge {
            id,
            from: p(u128::from(from)),
            on,
        });
    };
    for i in 0..n {
        let r = mix(i + 1_000_000);
        if r.is_multiple_of(25) {
            edge(i, mile(u128::from(r % 6)));
        } else {
            edge(i, law(u128::from(r % laws)));
        }
        if i > 0 && !(r >> 8).is_multiple_of(10) {
            let chain = (i / 200) % 10 == 0 && i % 200 != 0;
            let earlier = if chain { i - 1 } else { (r >> 16) % i };
            edge(i, bp(u128::from(earlier)));
        }
        if (r >> 24).is_multiple_of(8) {
            edge(i, law(u128::from((r >> 32) % laws)));
        }
        let mut node = proc_node(&format!("P-{i:05}"));
        node.open = !(r >> 40).is_multiple_of(5);
        node.process_count = 1 + (r >> 44) as i64 % 4;
        node.annual_applications = ((r >> 48) % 20_000) as i64;
        node.platform = [None, Some(Platform::JointEApplication)][(r >> 60) as usize % 2];
        procs.insert(p(u128::from(i)), node);
    }
    (DepGraph::new(blockers, &edges), procs)
}

fn node(open: bool) -> BlockerNode {
    BlockerNode {
        label: String::new(),
        open,
        expected_on: None,
    }
}

/// The fastest of `runs` rankings (first 20), with the last ranking.
fn time_ranking(g: &DepGraph, procs: &Procs, runs: u32) -> (Duration, usize) {
    let mut best = Duration::MAX;
    let mut len = 0;
    for _ in 0..runs {
        let start = Instant::now();
        let ranking = g.ranking(procs, &|id| id.0.as_u128() % 7 != 0, 20);
        best = best.min(start.elapsed());
        len = ranking.len();
        assert!(
            ranking
                .windows(2)
                .all(|w| w[0].annual_applications >= w[1].annual_applications)
        );
    }
    (best, len)
}

#[test]
fn ranking_of_a_synthetic_programme_in_miniature() {
    let (g, procs) = synthetic(2_000);
    assert!(g.edge_count() > 3_500);
    let (_, len) = time_ranking(&g, &procs, 1);
    assert_eq!(len, 20);
}

#[test]
#[ignore = "timing at full scale: run in release"]
fn ranking_at_scale() {
    let (g, procs) = synthetic(28_000);
    let edges = g.edge_count();
    assert!((55_000..65_000).contains(&edges), "{edges} edges");
    let (best, len) = time_ranking(&g, &procs, 5);
    eprintln!("ranking over 28,000 procedures and {edges} edges: best of 5 {best:?}");
    assert_eq!(len, 20);
    assert!(best < Duration::from_millis(60), "{best:?}");
}
