//! The forecast on constructed histories whose answers are known: constant paces that meet a
//! target exactly or one week late, blockers that hold releases past the deadline, a coin-flip
//! pace against the binomial answer, the fallback pace of a bureau without history, processes
//! targets; determinism per seed; the weekly release history read from facts.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use chrono_tz::Asia::Tokyo;
use uuid::Uuid;

use super::*;
use crate::analytics::{FieldRevision, ProcedureFacts, RevisedField, StateChange};
use crate::workflow::default_workflow;
use crate::{Authority, Category, ProcedureId};

const A: BureauId = BureauId(Uuid::from_u128(1));
const B: BureauId = BureauId(Uuid::from_u128(2));

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a date")
}

fn as_of() -> NaiveDate {
    day(2025, 3, 31)
}

/// The last day of week `w` after [`as_of`].
fn week(w: u64) -> NaiveDate {
    as_of() + chrono::Days::new(7 * w)
}

fn history(own: &[(BureauId, Vec<u32>)]) -> Throughput {
    let weeks = own.first().map_or(0, |(_, h)| h.len());
    let mut overall = vec![0; weeks];
    for (_, h) in own {
        for (sum, n) in overall.iter_mut().zip(h) {
            *sum += n;
        }
    }
    Throughput {
        as_of: as_of(),
        weeks: weeks as u32,
        overall,
        by_bureau: own.iter().cloned().collect(),
    }
}

fn items(bureau: BureauId, n: usize, earliest: Option<NaiveDate>) -> Vec<ForecastItem> {
    vec![
        ForecastItem {
            bureau,
            processes: 1,
            earliest,
        };
        n
    ]
}

fn target(needed: u64, deadline: NaiveDate) -> ForecastTarget {
    ForecastTarget {
        key: "t".into(),
        deadline,
        measure: Measure::Procedures,
        needed,
    }
}

fn settings(runs: u32, seed: u64) -> ForecastSettings {
    ForecastSettings {
        runs,
        seed,
        horizon_weeks: 520,
    }
}

fn one(items: &[ForecastItem], h: &Throughput, t: ForecastTarget, s: ForecastSettings) -> Forecast {
    let mut out = forecast(items, h, &[t], s).expect("valid settings");
    assert_eq!(out.len(), 1);
    out.remove(0)
}

fn dates(f: &Forecast) -> [Option<NaiveDate>; 3] {
    [f.p50, f.p85, f.p95]
}

#[test]
fn a_constant_pace_that_meets_the_target_exactly_on_the_deadline_is_certain() {
    let h = history(&[(A, vec![5; 8])]);
    let f = one(
        &items(A, 80, None),
        &h,
        target(50, week(10)),
        settings(1_000, 7),
    );
    assert_eq!(
        (f.met_runs, f.probability, f.risk),
        (1_000, 1.0, Risk::OnTrack)
    );
    assert_eq!(dates(&f), [Some(week(10)); 3]);
    assert_eq!(
        (f.runs, f.seed, f.weeks_of_history, f.blocked_items),
        (1_000, 7, 8, 0)
    );
}

#[test]
fn one_week_short_never_makes_it() {
    let h = history(&[(A, vec![5; 8])]);
    let f = one(
        &items(A, 80, None),
        &h,
        target(50, week(10) - chrono::Days::new(1)),
        settings(1_000, 7),
    );
    assert_eq!(
        (f.met_runs, f.probability, f.risk),
        (0, 0.0, Risk::OffTrack)
    );
    assert_eq!(dates(&f), [Some(week(10)); 3]);
}

#[test]
fn procedures_blocked_past_the_deadline_cannot_meet_it_and_capacity_is_not_banked() {
    let h = history(&[(A, vec![5; 8])]);
    // Blocked until the day after week 10 ends: released from week 11, 5 a week, done week 20.
    let blocked = items(A, 50, Some(week(10) + chrono::Days::new(1)));
    let f = one(&blocked, &h, target(50, week(10)), settings(1_000, 7));
    assert_eq!(
        (f.met_runs, f.risk, f.blocked_items),
        (0, Risk::OffTrack, 50)
    );
    assert_eq!(dates(&f), [Some(week(20)); 3]);
    // A blocker expected on a week's last day lets the procedure out that very week.
    let on_the_day = items(A, 50, Some(week(1)));
    let f = one(&on_the_day, &h, target(50, week(10)), settings(100, 7));
    assert_eq!((f.met_runs, f.p50), (100, Some(week(10))));
    // A past expected date (the law change is late) does not block.
    let late = items(A, 50, Some(as_of()));
    let f = one(&late, &h, target(50, week(10)), settings(100, 7));
    assert_eq!((f.met_runs, f.blocked_items), (100, 0));
}

#[test]
fn unblocked_procedures_go_first_and_blocked_ones_join_when_their_date_passes() {
    let h = history(&[(A, vec![3; 4])]);
    let mut all = items(A, 2, Some(week(3)));
    all.extend(items(A, 4, None));
    // Weeks 1-2: 3 of the 4 free ones, then 1; week 3: the last free one and both blocked.
    let f = one(&all, &h, target(6, week(3)), settings(10, 1));
    assert_eq!((f.met_runs, f.p95), (10, Some(week(3))));
    let f = one(&all, &h, target(5, week(2)), settings(10, 1));
    assert_eq!((f.met_runs, f.p50), (0, Some(week(3))));
}

#[test]
fn a_coin_flip_pace_needing_its_mean_is_met_about_half_the_time() {
    // Weeks of 0 or 2 releases, 100 weeks to release 100: met when at least 50 of 100 fair
    // coin flips come up, P = 1/2 + C(100,50)/2^101 ≈ 0.5398.
    let h = history(&[(A, [0, 2].repeat(6))]);
    let f = one(
        &items(A, 300, None),
        &h,
        target(100, week(100)),
        settings(10_000, 42),
    );
    let exact = 0.5 + binomial(100, 50) / 2f64.powi(101);
    assert!((0.4..=0.6).contains(&f.probability), "{}", f.probability);
    assert!(
        (f.probability - exact).abs() < 0.02,
        "{} against {exact}",
        f.probability
    );
    assert_eq!(f.met_runs, 5_369, "pinned for seed 42");
    assert_eq!(f.risk, Risk::AtRisk);
    assert_eq!(f.p50, Some(week(100)));
}

fn binomial(n: u64, k: u64) -> f64 {
    (1..=k).fold(1.0, |acc, i| acc * (n - k + i) as f64 / i as f64)
}

#[test]
fn the_same_seed_gives_the_same_answer_and_another_seed_another_sample() {
    let h = history(&[
        (A, vec![0, 3, 1, 7, 2, 0, 5, 4]),
        (B, vec![1, 0, 0, 2, 6, 1, 0, 3]),
    ]);
    let mut all = items(A, 120, None);
    all.extend(items(B, 60, Some(week(8))));
    let t = target(150, week(40));
    let first = one(&all, &h, t.clone(), settings(10_000, 2026));
    let again = one(&all, &h, t.clone(), settings(10_000, 2026));
    assert_eq!(first, again);
    let other = one(&all, &h, t.clone(), settings(10_000, 2027));
    assert_ne!(first.met_runs, other.met_runs);
    assert_eq!(
        (first.met_runs, other.met_runs),
        (7_567, 7_595),
        "pinned per seed"
    );
    // A target's answer does not depend on which other targets are asked for.
    let both =
        forecast(&all, &h, &[target(10, week(2)), t], settings(10_000, 2026)).expect("valid");
    assert_eq!(both[1], first);
}

#[test]
fn bureaus_replay_the_same_past_week_so_their_weeks_add_up_as_they_did() {
    // A released 2 when B released 0 and the other way round: the programme always released
    // 2 a week, so 20 in 10 weeks is certain (independent draws would make it a coin flip).
    let h = history(&[(A, [0, 2].repeat(5)), (B, [2, 0].repeat(5))]);
    let mut all = items(A, 30, None);
    all.extend(items(B, 30, None));
    let f = one(&all, &h, target(20, week(10)), settings(10_000, 9));
    assert_eq!(
        (f.met_runs, f.p50, f.p95),
        (10_000, Some(week(10)), Some(week(10)))
    );
}

#[test]
fn a_bureau_without_history_takes_its_share_of_the_programme_pace() {
    // A releases 2 a week of its own; B has none, so it gets 2 of its 6 remaining × 2 a week:
    // 4/6 a week carried over, so one release in week 2 and one in week 3.
    let h = history(&[(A, vec![2; 4])]);
    let mut all = items(A, 4, None);
    all.extend(items(B, 2, None));
    let at = |needed| one(&all, &h, target(needed, week(9)), settings(50, 3)).p50;
    assert_eq!(
        [at(2), at(4), at(5), at(6)],
        [1, 2, 2, 3].map(|w| Some(week(w)))
    );
    // A bureau with an all-zero history of its own is treated as having none.
    let h = history(&[(A, vec![2; 4]), (B, vec![0; 4])]);
    let f = one(&all, &h, target(6, week(9)), settings(50, 3));
    assert_eq!(f.p50, Some(week(3)));
}

#[test]
fn a_processes_target_counts_the_processes_released_in_order() {
    let h = history(&[(A, vec![1; 4])]);
    let mut all = items(A, 3, None);
    all[0].processes = 10;
    all[2].processes = 5;
    let processes = |needed| ForecastTarget {
        measure: Measure::Processes,
        ..target(needed, week(2))
    };
    let f = one(&all, &h, processes(10), settings(10, 0));
    assert_eq!((f.met_runs, f.p50), (10, Some(week(1))));
    let f = one(&all, &h, processes(12), settings(10, 0));
    assert_eq!(
        (f.met_runs, f.p50, f.measure),
        (0, Some(week(3)), Measure::Processes)
    );
    let f = one(&all, &h, processes(17), settings(10, 0));
    assert_eq!((f.p50, f.risk), (None, Risk::OffTrack));
}

#[test]
fn nothing_needed_is_met_today_and_too_much_is_never_met() {
    let h = history(&[(A, vec![1; 4])]);
    let f = one(&items(A, 3, None), &h, target(0, as_of()), settings(100, 0));
    assert_eq!((f.probability, f.risk), (1.0, Risk::OnTrack));
    assert_eq!(dates(&f), [Some(as_of()); 3]);
    let f = one(
        &items(A, 3, None),
        &h,
        target(4, week(520)),
        settings(100, 0),
    );
    assert_eq!((f.probability, dates(&f)), (0.0, [None; 3]));
    // Nothing released in the window: nothing will be.
    let h = history(&[(A, vec![0; 4])]);
    let f = one(
        &items(A, 3, None),
        &h,
        target(1, week(520)),
        settings(100, 0),
    );
    assert_eq!((f.probability, dates(&f)), (0.0, [None; 3]));
}

#[test]
fn a_target_beyond_the_horizon_has_no_completion_date() {
    let h = history(&[(A, vec![1; 4])]);
    let s = ForecastSettings {
        horizon_weeks: 5,
        ..settings(10, 0)
    };
    let f = one(&items(A, 10, None), &h, target(6, week(6)), s);
    assert_eq!((f.met_runs, dates(&f)), (0, [None; 3]));
    let f = one(&items(A, 10, None), &h, target(5, week(6)), s);
    assert_eq!((f.met_runs, dates(&f)), (10, [Some(week(5)); 3]));
}

#[test]
fn the_risk_thresholds_are_inclusive() {
    let cases = [
        (85, Risk::OnTrack),
        (84, Risk::AtRisk),
        (50, Risk::AtRisk),
        (49, Risk::OffTrack),
    ];
    for (met, risk) in cases {
        assert_eq!(Risk::of(met, 100), risk, "{met}%");
    }
    assert_eq!(Risk::of(17, 20).as_str(), "ON_TRACK");
}

#[test]
fn bad_settings_are_refused() {
    let h = history(&[(A, vec![1; 4])]);
    let run = |s| forecast(&[], &h, &[], s).map(|_| ());
    assert_eq!(run(settings(0, 0)), Err(ForecastError::RunsOutOfRange(0)));
    assert_eq!(
        run(settings(MAX_RUNS + 1, 0)),
        Err(ForecastError::RunsOutOfRange(MAX_RUNS + 1))
    );
    let s = ForecastSettings {
        horizon_weeks: 0,
        ..settings(1, 0)
    };
    assert_eq!(run(s), Err(ForecastError::HorizonOutOfRange(0)));
    let empty = history(&[]);
    assert_eq!(
        forecast(&[], &empty, &[], settings(1, 0)).map(|_| ()),
        Err(ForecastError::HistoryOutOfRange(0))
    );
    let facts: &[ProcedureFacts] = &[];
    let refused = weekly_throughput(facts, &default_workflow(), as_of(), 0);
    assert_eq!(refused, Err(ForecastError::HistoryOutOfRange(0)));
}

#[path = "forecast_history_tests.rs"]
mod history_tests;
#[path = "forecast_timing_tests.rs"]
mod timing;
