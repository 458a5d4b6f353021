//! Tests of the demo's evidence against the histories it stands behind: the hearing before each
//! move it decided, the passing user test before each `user_test` move, tasks with sensible
//! dates and the share of overdue ones, target histories that end at the stored quarter, and
//! the same output for the same seed.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, TimeZone, Utc};
use rollout_domain::hearing::{HearingDecision, HearingKind, check_hearing};
use rollout_domain::task::TaskStatus;
use rollout_domain::user_test::{UserTestVerdict, check_user_test};
use rollout_domain::workflow::default_workflow;
use rollout_domain::{ProcedureId, TransitionRecord};

use super::Generated;
use super::calendar::tokyo_date;
use super::tests::generate_all;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 6, 0, 30, 0).unwrap()
}

fn sample(n: usize) -> Generated {
    generate_all(&default_workflow(), now(), n)
}

/// The record of the move `transition`, if the history has one.
fn step<'a>(history: &'a [TransitionRecord], transition: &str) -> Option<&'a TransitionRecord> {
    history.iter().find(|r| r.transition == transition)
}

#[test]
fn every_user_tested_procedure_passed_a_user_test_recorded_in_built_before_the_move() {
    let g = sample(3_000);
    let mut tests: HashMap<ProcedureId, Vec<_>> = HashMap::new();
    for t in &g.evidence.user_tests {
        tests.entry(t.procedure_id).or_default().push(t);
    }
    let mut released = 0;
    for s in &g.procedures {
        let Some(moved) = step(&s.history, "user_test") else {
            assert_ne!(
                s.procedure.state, "released",
                "{} skipped user_test",
                s.procedure.code
            );
            continue;
        };
        let built = step(&s.history, "build").expect("user_test follows build");
        let since: Vec<_> = tests
            .get(&s.procedure.id)
            .into_iter()
            .flatten()
            .filter(|t| built.at < t.created_at && t.created_at < moved.at)
            .collect();
        let latest = since
            .iter()
            .max_by_key(|t| (t.created_at, t.id.0))
            .unwrap_or_else(|| panic!("{}: no user test while built", s.procedure.code));
        assert_eq!(
            latest.verdict,
            UserTestVerdict::Pass,
            "{}",
            s.procedure.code
        );
        assert!(latest.held_on >= tokyo_date(built.at) && latest.held_on <= tokyo_date(moved.at));
        if s.procedure.state == "released" {
            released += 1;
            let release = step(&s.history, "release").expect("a release record");
            assert!(latest.created_at < release.at);
        }
    }
    assert!(released > 2_000, "{released} released procedures checked");
    let failed = g
        .evidence
        .user_tests
        .iter()
        .filter(|t| t.verdict == UserTestVerdict::Fail)
        .count();
    assert!(
        failed > 100,
        "some passes follow a failure ({failed} failures)"
    );
    for t in &g.evidence.user_tests {
        assert_eq!(check_user_test(t, tokyo_date(now())), Vec::new(), "{t:?}");
    }
}

#[test]
fn every_scheduling_and_every_wait_for_law_was_decided_at_a_hearing_before_it() {
    let g = sample(3_000);
    let bureau_of: HashMap<ProcedureId, _> = g
        .procedures
        .iter()
        .map(|s| (s.procedure.id, s.procedure.bureau_id))
        .collect();
    let mut by_record = HashMap::new();
    for h in &g.evidence.hearings {
        assert_eq!(h.outcomes.len(), 1);
        let o = &h.outcomes[0];
        assert_eq!(
            h.bureau_id, bureau_of[&o.procedure_id],
            "the procedure's bureau"
        );
        assert!(h.held_on <= tokyo_date(h.created_at) && h.created_at <= now());
        assert!(check_hearing(h, &[], tokyo_date(now())).is_empty(), "{h:?}");
        assert!(
            h.notes
                .as_deref()
                .is_some_and(|n| n.contains("Illustrative"))
        );
        if let Some(record) = o.record_id {
            assert!(o.applied);
            by_record.insert(record, h);
        }
    }
    let mut scheduled = 0;
    for s in &g.procedures {
        for (transition, decision) in [
            ("schedule", HearingDecision::Proceed),
            ("await_law_change", HearingDecision::NeedsLawChange),
        ] {
            let Some(moved) = step(&s.history, transition) else {
                continue;
            };
            let h = by_record
                .get(&moved.id)
                .unwrap_or_else(|| panic!("{}: {transition} names no hearing", s.procedure.code));
            let o = &h.outcomes[0];
            assert_eq!(
                (h.kind, o.decision),
                (HearingKind::PolicyDepartment, decision)
            );
            assert_eq!(o.procedure_id, s.procedure.id);
            assert!(h.held_on <= tokyo_date(moved.at) && h.created_at <= moved.at);
            assert!(moved.actor.ends_with("@office.demo"), "{}", moved.actor);
            assert!(
                moved
                    .comment
                    .as_deref()
                    .is_some_and(|c| c.contains(&h.title))
            );
            if decision == HearingDecision::Proceed {
                scheduled += 1;
                assert!(o.agreed_target_quarter.is_some(), "{}", s.procedure.code);
                assert_eq!(o.agreed_platform, s.procedure.platform);
            }
        }
    }
    assert!(scheduled > 2_500, "{scheduled}");
}

#[test]
fn about_two_hearings_and_three_tasks_per_procedure_a_tenth_of_open_tasks_overdue() {
    let g = sample(5_000);
    let n = g.procedures.len() as f64;
    let e = &g.evidence;
    let hearings = e.hearings.len() as f64 / n;
    let tasks = e.tasks.len() as f64 / n;
    assert!(
        (1.7..2.5).contains(&hearings),
        "{hearings} hearings per procedure"
    );
    assert!((2.5..3.6).contains(&tasks), "{tasks} tasks per procedure");
    let today = tokyo_date(now());
    let open: Vec<_> = e
        .tasks
        .iter()
        .filter(|t| t.status == TaskStatus::Open)
        .collect();
    let overdue = open.iter().filter(|t| t.is_overdue(today)).count() as f64 / open.len() as f64;
    assert!(open.len() > 300, "{} open tasks", open.len());
    assert!(
        (0.07..0.13).contains(&overdue),
        "{overdue} of open tasks overdue"
    );
    let hearing_ids: HashSet<_> = e.hearings.iter().map(|h| h.id).collect();
    for t in &e.tasks {
        assert!(t.hearing_id.is_some_and(|h| hearing_ids.contains(&h)));
        let due = t.due_on.expect("every demo task has a due date");
        assert!(
            due >= tokyo_date(t.created_at),
            "due before creation: {t:?}"
        );
        assert_eq!(t.status == TaskStatus::Open, t.completed_at.is_none());
        assert!(
            t.completed_at
                .is_none_or(|at| t.created_at <= at && at <= now())
        );
        assert_eq!(t.version, if t.status == TaskStatus::Open { 1 } else { 2 });
    }
    let done = e
        .tasks
        .iter()
        .filter(|t| t.status == TaskStatus::Done)
        .count();
    assert!(done > open.len(), "most tasks of past hearings are done");
}

#[test]
fn target_histories_end_at_the_stored_quarter_and_some_slipped() {
    let g = sample(3_000);
    assert!(
        g.evidence.target_changes.is_empty(),
        "kept with the procedures"
    );
    let mut slipped = 0;
    for s in &g.procedures {
        let history = &s.target_changes;
        assert!(history.iter().all(|c| c.procedure_id == s.procedure.id));
        let Some(last) = history.last() else {
            assert_eq!(s.procedure.target_quarter, None, "{}", s.procedure.code);
            continue;
        };
        assert_eq!(last.to, s.procedure.target_quarter, "{}", s.procedure.code);
        assert_eq!(history[0].from, None);
        for pair in history.windows(2) {
            assert!(pair[0].at < pair[1].at && pair[0].to == pair[1].from);
            assert!(pair[1].is_slip() && pair[1].reason.is_some());
        }
        assert!(last.at <= now());
        slipped += usize::from(history.len() > 1);
    }
    assert!(slipped > 300, "{slipped} procedures slipped");
}

#[test]
fn the_same_seed_gives_the_same_evidence() {
    let (a, b) = (sample(300), sample(300));
    assert_eq!(a.evidence.hearings, b.evidence.hearings);
    assert_eq!(a.evidence.user_tests, b.evidence.user_tests);
    assert_eq!(a.evidence.tasks, b.evidence.tasks);
    for (x, y) in a.procedures.iter().zip(&b.procedures) {
        assert_eq!(x.target_changes, y.target_changes);
    }
    assert!(!a.evidence.hearings.is_empty() && !a.evidence.user_tests.is_empty());
}
