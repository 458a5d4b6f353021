//! Property tests: random insertions never leave a cycle (and a refused edge names a real
//! one); the ranking and the earliest release equal brute-force recursive computations on
//! random DAGs with random openness, volumes, dates and targets.

use std::collections::{BTreeSet, HashMap};

use chrono::{Days, NaiveDate};
use petgraph::algo::is_cyclic_directed;
use petgraph::graphmap::DiGraphMap;
use proptest::prelude::*;

use super::{bp, day, graph, law, mile, p, proc_node};
use crate::blockers::BlockerRef;
use crate::deps::{BlockerImpact, EarliestRelease, LeadTimes, Procs};
use crate::{FiscalQuarter, Platform};

const CASES: u32 = 96;

fn cyclic(edges: &[(u128, BlockerRef)]) -> bool {
    let g: DiGraphMap<BlockerRef, ()> = edges.iter().map(|&(f, on)| (bp(f), on)).collect();
    is_cyclic_directed(&g)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    #[test]
    fn insertions_checked_for_cycles_never_leave_one(
        n in 2u128..8,
        attempts in prop::collection::vec((0u128..8, 0u128..10), 1..40),
    ) {
        let blockers = [(law(100), true, None), (law(101), true, None)];
        let mut edges: Vec<(u128, BlockerRef)> = Vec::new();
        for (from, pick) in attempts {
            let from = from % n;
            let on = if pick < n { bp(pick) } else { law(100 + pick % 2) };
            match graph(&blockers, &edges).cycle_if_added(p(from), on) {
                None => {
                    edges.push((from, on));
                    prop_assert!(!cyclic(&edges), "{edges:?}");
                }
                Some(cycle) => {
                    prop_assert!(cycle.len() >= 2);
                    prop_assert_eq!(cycle[0], bp(from));
                    prop_assert_eq!(cycle[1], on);
                    prop_assert_eq!(*cycle.last().expect("non-empty"), bp(from));
                    for pair in cycle[1..].windows(2) {
                        let BlockerRef::Procedure(a) = pair[0] else {
                            return Err(TestCaseError::fail("only procedures lead on"));
                        };
                        prop_assert!(edges.contains(&(a.0.as_u128(), pair[1])), "{cycle:?}");
                    }
                    let mut with = edges.clone();
                    with.push((from, on));
                    prop_assert!(cyclic(&with));
                }
            }
        }
    }
}

/// A random DAG over procedures `0..n`, law changes 100..=102 and milestones 200..=201.
#[derive(Debug, Clone)]
struct Case {
    n: u128,
    edges: Vec<(u128, BlockerRef)>,
    /// Per law change / milestone (in [`blocker_refs`] order): open, expected in days from
    /// today.
    blockers: Vec<(bool, Option<i64>)>,
    procs: Procs,
    counted: BTreeSet<u128>,
}

fn blocker_refs() -> [BlockerRef; 5] {
    [law(100), law(101), law(102), mile(200), mile(201)]
}

fn today() -> NaiveDate {
    day(2025, 6, 15)
}

fn shifted(days: i64) -> NaiveDate {
    let d = Days::new(days.unsigned_abs());
    if days < 0 { today() - d } else { today() + d }
}

type ProcFacts = (u8, bool, Option<i64>, (i64, i64), u8, Option<u8>, bool);

fn proc_facts() -> impl Strategy<Value = ProcFacts> {
    (
        0u8..8,
        any::<bool>(),
        prop::option::of(-400i64..0),
        (0i64..5, 0i64..1000),
        0u8..3,
        prop::option::of(0u8..8),
        any::<bool>(),
    )
}

fn case() -> impl Strategy<Value = Case> {
    (1u128..10).prop_flat_map(|n| {
        (
            prop::collection::vec((0..n, 0u128..100), 0..(3 * n as usize)),
            prop::collection::vec((any::<bool>(), prop::option::of(-60i64..400)), 5),
            prop::collection::vec(proc_facts(), n as usize),
        )
            .prop_map(move |(raw, blockers, facts)| build(n, &raw, blockers, facts))
    })
}

fn build(
    n: u128,
    raw: &[(u128, u128)],
    blockers: Vec<(bool, Option<i64>)>,
    facts: Vec<ProcFacts>,
) -> Case {
    // Procedure i may need a law change, a milestone or an earlier procedure.
    let edges = raw
        .iter()
        .map(|&(from, pick)| {
            let pick = pick % (5 + from);
            let on = if pick < 5 {
                blocker_refs()[pick as usize]
            } else {
                bp(pick - 5)
            };
            (from, on)
        })
        .collect();
    let mut procs = Procs::new();
    let mut counted = BTreeSet::new();
    for (i, (state, waiting, released, (processes, apps), platform, target, count)) in
        (0..n).zip(facts)
    {
        if state == 0 {
            continue; // unknown to procs: closed
        }
        let mut node = proc_node(&format!("P-{i}"));
        node.open = state > 2;
        node.waiting = waiting;
        node.released_on = released.map(shifted);
        node.process_count = processes;
        node.annual_applications = apps;
        node.platform = [
            None,
            Some(Platform::JointEApplication),
            Some(Platform::Jgrants),
        ][usize::from(platform)];
        node.target_quarter = target.map(|t| {
            FiscalQuarter::new(2024 + i32::from(t / 4), t % 4 + 1).expect("valid quarter")
        });
        procs.insert(p(i), node);
        if count {
            counted.insert(i);
        }
    }
    Case {
        n,
        edges,
        blockers,
        procs,
        counted,
    }
}

impl Case {
    fn graph(&self) -> crate::deps::DepGraph {
        let blockers: Vec<_> = blocker_refs()
            .into_iter()
            .zip(&self.blockers)
            .map(|(b, &(open, days))| (b, open, days.map(shifted)))
            .collect();
        graph(&blockers, &self.edges)
    }

    fn blocker(&self, b: BlockerRef) -> (bool, Option<NaiveDate>) {
        let i = blocker_refs()
            .iter()
            .position(|&r| r == b)
            .expect("known blocker");
        let (open, days) = self.blockers[i];
        (open, days.map(shifted))
    }

    fn open(&self, b: BlockerRef) -> bool {
        match b {
            BlockerRef::Procedure(id) => self.procs.get(&id).is_some_and(|n| n.open),
            other => self.blocker(other).0,
        }
    }

    fn open_blockers(&self, d: u128) -> BTreeSet<BlockerRef> {
        self.edges
            .iter()
            .filter(|&&(f, on)| f == d && self.open(on))
            .map(|&(_, on)| on)
            .collect()
    }

    /// Every open procedure reachable from `b` against the edges through open procedures.
    fn reach(&self, from: BlockerRef, origin: BlockerRef, acc: &mut BTreeSet<u128>) {
        for &(d, on) in &self.edges {
            if on == from && bp(d) != origin && self.open(bp(d)) && acc.insert(d) {
                self.reach(bp(d), origin, acc);
            }
        }
    }

    fn brute_ranking(&self, first: usize) -> Vec<BlockerImpact> {
        let candidates = blocker_refs()
            .into_iter()
            .chain((0..self.n).map(bp))
            .filter(|&b| self.open(b))
            .filter(|&b| {
                !matches!(b, BlockerRef::Procedure(_)) || self.edges.iter().any(|e| e.1 == b)
            });
        let mut out: Vec<BlockerImpact> = candidates
            .map(|b| {
                let mut d = BTreeSet::new();
                self.reach(b, b, &mut d);
                let counted: Vec<u128> =
                    d.into_iter().filter(|i| self.counted.contains(i)).collect();
                let node = |i: &u128| &self.procs[&p(*i)];
                let fully: Vec<&u128> = counted
                    .iter()
                    .filter(|&&i| self.open_blockers(i) == BTreeSet::from([b]))
                    .collect();
                BlockerImpact {
                    blocker: b,
                    procedures: counted.len() as i64,
                    processes: counted.iter().map(|i| node(i).process_count).sum(),
                    annual_applications: counted.iter().map(|i| node(i).annual_applications).sum(),
                    fully_unblocked: fully.len() as i64,
                    fully_unblocked_applications: fully
                        .iter()
                        .map(|i| node(i).annual_applications)
                        .sum(),
                }
            })
            .filter(|i| i.procedures > 0)
            .collect();
        out.sort_by_key(|i| {
            (
                -i.annual_applications,
                -i.procedures,
                -i.processes,
                i.blocker,
            )
        });
        out.truncate(first);
        out
    }

    fn brute_release(&self, i: u128, leads: &LeadTimes) -> EarliestRelease {
        let quarter = |d| Some(FiscalQuarter::containing(d));
        let node = match self.procs.get(&p(i)) {
            Some(node) if node.open => node,
            other => {
                let date = other.and_then(|n| n.released_on).unwrap_or(today());
                return EarliestRelease {
                    date,
                    quarter: quarter(date),
                    decided_by: vec![],
                    at_risk: false,
                };
            }
        };
        let dated: Vec<(BlockerRef, Option<NaiveDate>, Vec<BlockerRef>)> = self
            .open_blockers(i)
            .into_iter()
            .map(|b| match b {
                BlockerRef::Procedure(q) => {
                    let er = self.brute_release(q.0.as_u128(), leads);
                    (b, er.quarter.map(|_| er.date), er.decided_by)
                }
                other => (other, self.blocker(other).1, vec![]),
            })
            .collect();
        let lead = Days::new(leads.days(node.platform).into());
        let latest = dated.iter().filter_map(|(_, d, _)| *d).max();
        let deciding = dated
            .iter()
            .find(|(_, d, _)| d.is_none())
            .or_else(|| dated.iter().find(|(_, d, _)| *d == latest));
        let Some((b, _, chain)) = deciding else {
            return EarliestRelease {
                date: today(),
                quarter: quarter(today()),
                decided_by: vec![],
                at_risk: node.target_quarter.is_some_and(|t| t.last_day() < today()),
            };
        };
        let date = (latest.unwrap_or(today()) + lead).max(today());
        let undated = dated.iter().any(|(_, d, _)| d.is_none());
        let quarter = if undated { None } else { quarter(date) };
        EarliestRelease {
            date,
            quarter,
            decided_by: std::iter::once(*b).chain(chain.iter().copied()).collect(),
            at_risk: node
                .target_quarter
                .is_some_and(|t| quarter.is_none() || t.last_day() < date),
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    #[test]
    fn ranking_equals_brute_force(c in case(), first in 0usize..12) {
        let counted = |id: crate::ProcedureId| c.counted.contains(&id.0.as_u128());
        prop_assert_eq!(c.graph().ranking(&c.procs, &counted, first), c.brute_ranking(first));
    }

    #[test]
    fn earliest_release_equals_brute_force(c in case(), lead_samples in prop::collection::vec(0i64..120, 0..6)) {
        let samples: Vec<_> = lead_samples.iter().map(|&d| (Some(Platform::JointEApplication), d)).collect();
        let leads = LeadTimes::from_samples(&samples, 3, 30);
        let ps: Vec<_> = (0..c.n + 1).map(p).collect();
        let got = c.graph().earliest_releases(&ps, &c.procs, &leads, today());
        let want: HashMap<_, _> = (0..c.n + 1).map(|i| (p(i), c.brute_release(i, &leads))).collect();
        prop_assert_eq!(got, want);
    }
}
