//! Tests of the demo's law changes, milestones and dependencies: the December-2021 split the
//! programme reported, states that agree with the blockers, and a synthetic graph of the
//! promised shape (a DAG of about two edges per procedure, one law change per 30 procedures).

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use rand::SeedableRng;
use rand::rngs::SmallRng;
use rollout_domain::ProcedureId;
use rollout_domain::blockers::{BlockerRef, LawChangeStatus};
use rollout_domain::deps::national::national_request_summary;
use rollout_domain::workflow::{StateKind, default_workflow};
use rollout_store::{BlockerSeed, ProcedureSeed};

use super::blockers::{EdgeMaker, real_seed};
use super::calendar::tokyo_midnight;
use super::tests::staff;
use super::{BLOCKER_SEED, DEFAULT_SEED, Generator, SyntheticGraph, laws, real};

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 2, 10, 3, 0, 0).unwrap()
}

fn dec_2021() -> NaiveDate {
    NaiveDate::from_ymd_opt(2021, 12, 31).unwrap()
}

/// The demo's procedures and everything they wait on, as `load_demo` builds them.
fn demo(synthetic: usize, at: DateTime<Utc>) -> (Vec<ProcedureSeed>, BlockerSeed) {
    let def = default_workflow();
    let mut g = Generator::new(&def, at, DEFAULT_SEED);
    let staff = staff(&g);
    let bureaus = g.bureaus().to_vec();
    let mut procedures = g.real_procedures(&staff).procedures;
    let mut rng = SmallRng::seed_from_u64(DEFAULT_SEED ^ BLOCKER_SEED);
    let plans = laws::plans(&real::procedures());
    let mut maker = EdgeMaker {
        def: &def,
        rng: &mut rng,
    };
    let mut seed = real_seed(&plans, &procedures, &bureaus, &mut maker, at);
    let (mut graph, more) = SyntheticGraph::new(DEFAULT_SEED, synthetic, &bureaus, at);
    seed.law_changes.extend(more.law_changes);
    seed.law_change_history.extend(more.law_change_history);
    seed.milestones.extend(more.milestones);
    for n in [synthetic / 2, synthetic - synthetic / 2] {
        let chunk = g.synthetic_procedures(n, &staff).procedures;
        seed.dependencies.extend(graph.edges(&def, &chunk));
        procedures.extend(chunk);
    }
    (procedures, seed)
}

#[test]
fn the_law_plans_give_the_reported_split_for_december_2021() {
    let plans = laws::plans(&real::procedures());
    assert_eq!(plans.len(), 31, "one request per national procedure group");
    let mut by_status: HashMap<LawChangeStatus, usize> = HashMap::new();
    for p in &plans {
        *by_status
            .entry(p.status_on(dec_2021()).unwrap())
            .or_default() += 1;
    }
    assert_eq!(by_status[&LawChangeStatus::DateShown], 7);
    assert_eq!(by_status[&LawChangeStatus::UnderStudy], 13);
    assert_eq!(by_status[&LawChangeStatus::Requested], 11);
    let passport = &plans[0];
    assert_eq!(passport.law_name, Some("旅券法"));
    assert_eq!(
        passport.status_on(dec_2021()),
        Some(LawChangeStatus::DateShown)
    );
    assert_eq!(
        passport.status_on(now().date_naive()),
        Some(LawChangeStatus::Enacted)
    );
    for p in &plans[3..] {
        assert!(p.title_ja.starts_with("【例示】"), "{}", p.title_ja);
        assert!(p.notes.contains("not a real"), "{}", p.notes);
    }
    for p in &plans[..3] {
        assert!(
            p.notes
                .contains("https://shintosei.metro.tokyo.lg.jp/?p=11604"),
            "{}",
            p.code
        );
    }
}

#[test]
fn the_national_request_summary_of_the_demo_reproduces_december_2021() {
    for synthetic in [0, 600] {
        let (_, seed) = demo(synthetic, now());
        let until = tokyo_midnight(dec_2021().succ_opt().unwrap()) - chrono::TimeDelta::seconds(1);
        let summary = national_request_summary(
            &seed.law_changes,
            &seed.law_change_history,
            &seed.dependencies,
            dec_2021(),
            until,
        );
        let count = |s: LawChangeStatus| {
            summary
                .by_status
                .iter()
                .find(|c| c.status == s)
                .map_or(0, |c| c.law_changes)
        };
        assert_eq!(
            (
                count(LawChangeStatus::DateShown),
                count(LawChangeStatus::UnderStudy),
                count(LawChangeStatus::Requested),
                count(LawChangeStatus::Enacted),
            ),
            (7, 13, 11, 0),
            "with {synthetic} synthetic procedures: {summary:?}"
        );
        assert_eq!(summary.law_changes, 31);
    }
}

/// Whether each node is open now, from the seed and the procedures' states.
fn openness(procedures: &[ProcedureSeed], seed: &BlockerSeed) -> HashMap<BlockerRef, bool> {
    let def = default_workflow();
    let kind = |p: &ProcedureSeed| def.state(&p.procedure.state).unwrap().kind;
    let mut open: HashMap<BlockerRef, bool> = procedures
        .iter()
        .map(|p| {
            let closed = matches!(kind(p), StateKind::Done | StateKind::Closed);
            (BlockerRef::Procedure(p.procedure.id), !closed)
        })
        .collect();
    open.extend(
        seed.law_changes
            .iter()
            .map(|l| (BlockerRef::LawChange(l.id), l.is_open())),
    );
    open.extend(
        seed.milestones
            .iter()
            .map(|m| (BlockerRef::Milestone(m.id), m.is_open())),
    );
    open
}

#[test]
fn waiting_procedures_have_an_open_law_change_and_released_ones_no_open_blocker() {
    let def = default_workflow();
    let (procedures, seed) = demo(1_500, now());
    let open = openness(&procedures, &seed);
    let mut deps: HashMap<ProcedureId, Vec<BlockerRef>> = HashMap::new();
    for d in &seed.dependencies {
        assert!(
            open.contains_key(&d.on),
            "edge to an unknown node {:?}",
            d.on
        );
        deps.entry(d.procedure_id).or_default().push(d.on);
    }
    let (mut waiting, mut released) = (0, 0);
    for p in &procedures {
        let on = deps.get(&p.procedure.id).cloned().unwrap_or_default();
        match def.state(&p.procedure.state).unwrap().kind {
            StateKind::Blocked => {
                waiting += 1;
                assert!(
                    on.iter()
                        .any(|b| matches!(b, BlockerRef::LawChange(_)) && open[b]),
                    "{} waits without an open law change",
                    p.procedure.code
                );
            }
            StateKind::Done => {
                released += 1;
                assert!(
                    on.iter().all(|b| !open[b]),
                    "{} is released with an open blocker",
                    p.procedure.code
                );
            }
            _ => {}
        }
    }
    assert!(
        waiting > 40 && released > 1_000,
        "{waiting} waiting, {released} released"
    );
}

#[test]
fn the_real_procedures_wait_on_their_law_changes_and_on_each_other() {
    let (procedures, seed) = demo(0, now());
    let by_code: HashMap<&str, _> = seed
        .law_changes
        .iter()
        .map(|l| (l.code.as_str(), l))
        .collect();
    let passport = by_code["LAW-0001"];
    assert_eq!(passport.status, LawChangeStatus::Enacted);
    assert_eq!(
        passport.ministry_en.as_deref(),
        Some("Ministry of Foreign Affairs")
    );
    assert_eq!(by_code["LAW-0002"].status, LawChangeStatus::DateShown);
    assert_eq!(by_code["LAW-0003"].status, LawChangeStatus::UnderStudy);
    let on_law = |code: &str| {
        let id = by_code[code].id;
        seed.dependencies
            .iter()
            .filter(|d| d.on == BlockerRef::LawChange(id))
            .map(|d| {
                procedures
                    .iter()
                    .find(|p| p.procedure.id == d.procedure_id)
                    .unwrap()
            })
            .map(|p| (p.procedure.name.as_str(), p.procedure.state.as_str()))
            .collect::<Vec<_>>()
    };
    let passports = on_law("LAW-0001");
    assert_eq!(passports.len(), 2, "{passports:?}");
    assert!(
        passports.iter().all(|(_, s)| *s != "awaiting_law_change"),
        "{passports:?}"
    );
    assert_eq!(on_law("LAW-0003")[0].0, "産業廃棄物処理業の許可申請");
    let national = procedures
        .iter()
        .filter(|p| p.procedure.authority == rollout_domain::Authority::National)
        .count();
    let law_edges = seed
        .dependencies
        .iter()
        .filter(|d| matches!(d.on, BlockerRef::LawChange(_)))
        .count();
    assert_eq!(
        law_edges, national,
        "each national procedure on its law change"
    );
    let between = seed
        .dependencies
        .iter()
        .filter(|d| matches!(d.on, BlockerRef::Procedure(_)))
        .count();
    assert!(between >= 3, "only {between} procedure edges");
    let saas = seed
        .milestones
        .iter()
        .find(|m| m.name.contains("SaaS e-application"))
        .unwrap();
    assert_eq!(saas.done_on, NaiveDate::from_ymd_opt(2022, 3, 1));
}

#[test]
fn the_synthetic_graph_is_a_dag_of_about_two_edges_per_procedure() {
    let n = 3_000;
    let (procedures, seed) = demo(n, now());
    let synthetic = &procedures[44..];
    let position: HashMap<ProcedureId, usize> = procedures
        .iter()
        .enumerate()
        .map(|(i, p)| (p.procedure.id, i))
        .collect();
    let edges: Vec<_> = seed
        .dependencies
        .iter()
        .filter(|d| position[&d.procedure_id] >= 44)
        .collect();
    let per = edges.len() as f64 / synthetic.len() as f64;
    assert!((1.6..2.6).contains(&per), "{per} edges per procedure");
    let pairs: HashSet<_> = edges.iter().map(|d| (d.procedure_id, d.on)).collect();
    assert_eq!(pairs.len(), edges.len(), "no edge twice");
    for d in &edges {
        if let BlockerRef::Procedure(on) = d.on {
            assert!(
                position[&on] < position[&d.procedure_id],
                "an edge forward in time"
            );
        }
    }
    let synthetic_laws = seed
        .law_changes
        .iter()
        .filter(|l| l.code.starts_with("SYN-"))
        .count();
    assert_eq!(synthetic_laws, n / 30);
    let platforms: HashSet<_> = seed.milestones.iter().filter_map(|m| m.platform).collect();
    assert_eq!(platforms.len(), rollout_domain::Platform::ALL.len());
    // Long chains: the longest path through procedure edges.
    let mut depth: HashMap<ProcedureId, usize> = HashMap::new();
    let mut longest = 0;
    for p in &procedures {
        let d = seed
            .dependencies
            .iter()
            .filter(|e| e.procedure_id == p.procedure.id)
            .filter_map(|e| match e.on {
                BlockerRef::Procedure(on) => depth.get(&on).map(|x| x + 1),
                _ => None,
            })
            .max()
            .unwrap_or(0);
        longest = longest.max(d);
        depth.insert(p.procedure.id, d);
    }
    assert!(longest >= 20, "longest chain {longest}");
    let (_, again) = demo(n, now());
    let ids = |s: &BlockerSeed| {
        s.dependencies
            .iter()
            .map(|d| (d.id, d.on))
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(&seed), ids(&again), "deterministic");
}
