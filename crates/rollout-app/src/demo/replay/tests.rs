//! The replay against the programme's published figures, read the way the analytics read them
//! (each procedure's facts as of the end of a Tokyo day; in scope = existing, not CLOSED, of
//! Tokyo's authority; digitised = in scope and DONE), and against the rules a loaded database
//! must keep: every move one the engine planned on the dataset's day, national procedures
//! waiting on their law change, nothing released while something it needs was still open.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use rollout_domain::analytics::{ProcedureAt, ProcedureFacts, end_of_day, tokyo_date};
use rollout_domain::blockers::{BlockerRef, LawChangeStatus};
use rollout_domain::deps::national::national_request_summary;
use rollout_domain::workflow::{StateKind, WorkflowDefinition, default_workflow};
use rollout_domain::{Authority, Category, FiscalQuarter, ProcedureId};

use super::{Replay, ReplayDataset, UNBLOCK_LABEL, replay};

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn built() -> (WorkflowDefinition, Replay) {
    let def = default_workflow();
    let replay = replay(&def).expect("the embedded dataset replays on the default workflow");
    (def, replay)
}

/// The facts and a reader of "as of the end of this Tokyo day".
struct Figures {
    def: WorkflowDefinition,
    facts: Vec<ProcedureFacts>,
}

impl Figures {
    fn new() -> Self {
        let (def, replay) = built();
        Self {
            facts: replay.facts(),
            def,
        }
    }

    fn kind(&self, at: &ProcedureAt<'_>) -> StateKind {
        self.def.state(at.state).map(|s| s.kind).unwrap()
    }

    fn in_scope(&self, at: &ProcedureAt<'_>) -> bool {
        at.authority == Authority::Tokyo && self.kind(at) != StateKind::Closed
    }

    fn digitised(&self, at: &ProcedureAt<'_>) -> bool {
        self.in_scope(at) && self.kind(at) == StateKind::Done
    }

    /// The in-scope procedures of `category` as of the end of `date`.
    fn scope(&self, category: Category, date: NaiveDate) -> Vec<ProcedureAt<'_>> {
        let until = end_of_day(date);
        self.facts
            .iter()
            .filter_map(|f| f.as_of(until))
            .filter(|at| at.category == category && self.in_scope(at))
            .collect()
    }

    fn digitised_count(&self, category: Category, date: NaiveDate) -> usize {
        let scope = self.scope(category, date);
        scope.iter().filter(|at| self.digitised(at)).count()
    }

    /// The names of the in-scope, not yet digitised procedures targeted at `quarter` then.
    fn planned(&self, category: Category, date: NaiveDate, quarter: &str) -> Vec<String> {
        let quarter = FiscalQuarter::parse(quarter).unwrap();
        let scope = self.scope(category, date);
        scope
            .iter()
            .filter(|at| !self.digitised(at) && at.target_quarter == Some(quarter))
            .map(|at| at.facts.name.clone())
            .collect()
    }
}

#[test]
fn major_procedures_reach_the_published_counts_on_their_dates() {
    let f = Figures::new();
    let majors = |date| f.digitised_count(Category::Major, date);
    for (date, published) in [
        (day(2021, 3, 31), 56),
        (day(2021, 9, 30), 68),
        (day(2021, 12, 31), 71),
        (day(2025, 9, 30), 115),
    ] {
        assert_eq!(
            majors(date),
            published,
            "major procedures digitised by {date}"
        );
    }
    for date in [day(2021, 3, 31), day(2021, 12, 31), day(2025, 9, 30)] {
        assert_eq!(
            f.scope(Category::Major, date).len(),
            119,
            "in scope on {date}"
        );
    }
    let all_majors = f.facts.iter().filter(|p| p.category == Category::Major);
    assert_eq!(all_majors.count(), 169);

    let before: Vec<String> = f
        .scope(Category::Major, day(2021, 9, 30))
        .iter()
        .filter(|at| f.digitised(at))
        .map(|at| at.facts.name.clone())
        .collect();
    let quarter: Vec<String> = f
        .scope(Category::Major, day(2021, 12, 31))
        .iter()
        .filter(|at| f.digitised(at) && !before.contains(&at.facts.name))
        .map(|at| at.facts.name.clone())
        .collect();
    assert_eq!(quarter.len(), 3, "{quarter:?}");
    assert!(quarter.contains(&"実習用通学定期乗車券の発売申込の届出".to_owned()));
    for name in ["労政会館の使用承認", "狩猟免許の更新"] {
        assert!(
            before.contains(&name.to_owned()),
            "{name} online by 2021-09-30"
        );
    }

    let planned = f.planned(Category::Major, day(2021, 12, 31), "FY2021-Q4");
    assert_eq!(planned.len(), 31, "{planned:?}");
    assert!(planned.contains(&"地球温暖化対策計画書の提出".to_owned()));
    // No major outside that plan carried the quarter then (whatever its state or authority).
    let until = end_of_day(day(2021, 12, 31));
    let q4 = FiscalQuarter::parse("FY2021-Q4").unwrap();
    let carried = f
        .facts
        .iter()
        .filter_map(|p| p.as_of(until))
        .filter(|at| at.category == Category::Major && at.target_quarter == Some(q4))
        .count();
    assert_eq!(carried, 31);

    let left: Vec<String> = f
        .scope(Category::Major, day(2025, 9, 30))
        .iter()
        .filter(|at| !f.digitised(at))
        .map(|at| at.target_quarter.map(|q| q.to_string()).unwrap_or_default())
        .collect();
    assert_eq!(left.len(), 4, "{left:?}");
    assert!(left.iter().all(|q| q.starts_with("FY2026")), "{left:?}");
}

#[test]
fn subsidies_on_jgrants_follow_the_published_counts() {
    let f = Figures::new();
    let online = |date| f.digitised_count(Category::Subsidy, date);
    assert_eq!(online(day(2021, 9, 30)), 12);
    assert_eq!(online(day(2021, 12, 31)), 18);
    assert_eq!(f.scope(Category::Subsidy, day(2021, 12, 31)).len(), 32);
    let planned = f.planned(Category::Subsidy, day(2021, 12, 31), "FY2021-Q4");
    assert_eq!(planned.len(), 13, "{planned:?}");
}

#[test]
fn processes_reach_the_published_shares_on_their_dates() {
    let f = Figures::new();
    for (date, share) in [
        (day(2020, 9, 30), 5.0),
        (day(2022, 3, 31), 21.1),
        (day(2022, 9, 30), 27.6),
        (day(2022, 12, 31), 30.0),
        (day(2023, 3, 31), 50.7),
        (day(2025, 9, 30), 88.6),
    ] {
        let scope = f.scope(Category::Standard, date);
        let total: i64 = scope.iter().map(|at| i64::from(at.process_count)).sum();
        let done: i64 = scope
            .iter()
            .filter(|at| f.digitised(at))
            .map(|at| i64::from(at.process_count))
            .sum();
        let got = 100.0 * done as f64 / total as f64;
        assert!(
            (got - share).abs() <= 0.05,
            "{date}: {done} of {total} processes = {got:.3}%, published {share}%"
        );
        assert!((28_000..=29_000).contains(&total), "{date}: {total}");
    }
}

#[test]
fn the_histories_move_on_the_datasets_days_by_the_engine() {
    let (def, replay) = built();
    let dataset = ReplayDataset::embedded().unwrap();
    assert!(dataset.last_day().is_some_and(|d| d <= day(2025, 9, 30)));
    assert_eq!(
        replay.as_of,
        "2025-09-30T14:59:59Z".parse::<DateTime<Utc>>().unwrap()
    );
    let seeds: Vec<_> = replay.seeds().collect();
    assert_eq!(seeds.len(), dataset.procedures.len());
    for (r, s) in dataset.procedures.iter().zip(&seeds) {
        let code = r.code.as_str();
        assert_eq!(s.procedure.code.as_str(), code);
        assert_eq!(
            s.history.len(),
            r.events.len(),
            "{code}: a move was dropped"
        );
        for (h, e) in s.history.iter().zip(&r.events) {
            assert_eq!(
                (h.to_state.as_str(), tokyo_date(h.at)),
                (e.to_state.as_str(), e.date)
            );
            assert_eq!(h.at, e.at, "{code}");
            if e.actor.as_deref() == Some(UNBLOCK_LABEL) {
                assert_eq!(h.actor, UNBLOCK_LABEL, "{code}");
            }
        }
        let last = s.history.last().unwrap();
        assert_eq!(s.procedure.state, last.to_state, "{code}");
        let done = def.state(&last.to_state).unwrap().kind == StateKind::Done;
        assert_eq!(s.procedure.released_on.is_some(), done, "{code}");
        let quarters: Vec<_> = s.target_changes.iter().map(|t| t.to).collect();
        let expected: Vec<_> = r.targets.iter().map(|t| Some(t.quarter)).collect();
        assert_eq!(quarters, expected, "{code}");
        assert_eq!(
            s.procedure.target_quarter,
            expected.last().copied().flatten()
        );
    }
    assert_eq!(
        UNBLOCK_LABEL,
        crate::Actor::system(crate::blockers::UNBLOCK_ACTOR).label
    );
}

#[test]
fn national_requests_and_what_waits_on_them() {
    let (def, replay) = built();
    let b = &replay.blockers;
    let until = end_of_day(day(2021, 12, 31));
    let summary = national_request_summary(
        &b.law_changes,
        &b.law_change_history,
        &b.dependencies,
        day(2021, 12, 31),
        until,
    );
    let count = |s: LawChangeStatus| {
        let c = summary.by_status.iter().find(|c| c.status == s).unwrap();
        c.law_changes
    };
    assert_eq!(
        [
            LawChangeStatus::DateShown,
            LawChangeStatus::UnderStudy,
            LawChangeStatus::Requested
        ]
        .map(count),
        [7, 13, 11]
    );
    assert_eq!((summary.law_changes, summary.procedures), (31, 67));

    // When each blocker closed (a law change's ENACTED/WITHDRAWN record, a milestone's day).
    let mut closed: HashMap<BlockerRef, DateTime<Utc>> = HashMap::new();
    for h in b
        .law_change_history
        .iter()
        .filter(|h| !h.to_status.is_open())
    {
        closed.insert(BlockerRef::LawChange(h.law_change_id), h.at);
    }
    for m in &b.milestones {
        if let Some(done) = m.done_on {
            closed.insert(BlockerRef::Milestone(m.id), end_of_day(done));
        }
    }
    let released: HashMap<ProcedureId, DateTime<Utc>> = replay
        .seeds()
        .filter_map(|s| {
            let h = s
                .history
                .iter()
                .find(|h| def.state(&h.to_state).unwrap().kind == StateKind::Done)?;
            Some((s.procedure.id, h.at))
        })
        .collect();
    for id in released.keys() {
        closed.insert(BlockerRef::Procedure(*id), released[id]);
    }
    for d in &b.dependencies {
        if let Some(at) = released.get(&d.procedure_id) {
            let cleared = closed.get(&d.on).copied();
            assert!(
                cleared.is_some_and(|c| c <= *at),
                "{:?} released at {at} while {:?} was open",
                d.procedure_id,
                d.on
            );
        }
    }
    // Every national procedure waits on exactly the law change the dataset names.
    let dataset = ReplayDataset::embedded().unwrap();
    let codes: HashMap<_, _> = b
        .law_changes
        .iter()
        .map(|l| (l.id, l.code.clone()))
        .collect();
    for (r, s) in dataset.procedures.iter().zip(replay.seeds()) {
        let laws: Vec<&String> = b
            .dependencies
            .iter()
            .filter(|d| d.procedure_id == s.procedure.id)
            .filter_map(|d| match d.on {
                BlockerRef::LawChange(id) => codes.get(&id),
                _ => None,
            })
            .collect();
        assert_eq!(laws, r.law_change.iter().collect::<Vec<_>>(), "{}", r.code);
        assert_eq!(
            r.law_change.is_some(),
            r.authority == Authority::National,
            "{}",
            r.code
        );
    }
}

#[test]
fn names_say_what_is_real() {
    let dataset = ReplayDataset::embedded().unwrap();
    for p in &dataset.procedures {
        assert_eq!(
            p.synthetic,
            p.name_ja.starts_with("【例示】"),
            "{}",
            p.name_ja
        );
        assert_eq!(
            p.synthetic,
            p.name_en.starts_with("[Illustrative]"),
            "{}",
            p.name_en
        );
    }
    let listed = super::super::real::procedures();
    let real: Vec<&str> = listed.iter().map(|p| p.name_ja.as_str()).collect();
    let replayed: Vec<&str> = dataset
        .procedures
        .iter()
        .filter(|p| !p.synthetic)
        .map(|p| p.name_ja.as_str())
        .collect();
    assert_eq!(
        real, replayed,
        "the real procedures of deploy/demo, in file order"
    );
}
