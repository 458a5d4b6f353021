//! The cumulative-flow points and counts, by hand and against replaying every procedure at
//! every point.

use super::*;
use crate::analytics::flow::every;
use crate::analytics::flow::testkit::{FactsExt, bureau, date, procedure};
use crate::workflow::default_workflow;

fn dates(points: &[NaiveDate]) -> Vec<String> {
    points.iter().map(|d| d.to_string()).collect()
}

#[test]
fn weeks_end_every_seventh_day_from_the_start_and_the_end_date_closes_the_series() {
    let points = flow_points(date("2021-10-04"), date("2021-10-27"), Step::Week).unwrap();
    assert_eq!(
        dates(&points),
        ["2021-10-10", "2021-10-17", "2021-10-24", "2021-10-27"]
    );
    let points = flow_points(date("2021-10-04"), date("2021-10-24"), Step::Week).unwrap();
    assert_eq!(dates(&points), ["2021-10-10", "2021-10-17", "2021-10-24"]);
    let points = flow_points(date("2021-10-04"), date("2021-10-04"), Step::Week).unwrap();
    assert_eq!(dates(&points), ["2021-10-04"]);
}

#[test]
fn quarters_end_on_fiscal_quarter_last_days_within_the_range() {
    let points = flow_points(date("2021-05-15"), date("2022-02-10"), Step::Quarter).unwrap();
    assert_eq!(
        dates(&points),
        ["2021-06-30", "2021-09-30", "2021-12-31", "2022-02-10"]
    );
    let points = flow_points(date("2021-04-01"), date("2022-03-31"), Step::Quarter).unwrap();
    assert_eq!(
        dates(&points),
        ["2021-06-30", "2021-09-30", "2021-12-31", "2022-03-31"]
    );
    let points = flow_points(date("2021-12-31"), date("2022-01-01"), Step::Quarter).unwrap();
    assert_eq!(dates(&points), ["2021-12-31", "2022-01-01"]);
}

#[test]
fn a_reversed_range_or_too_many_points_is_refused() {
    assert_eq!(
        flow_points(date("2021-10-05"), date("2021-10-04"), Step::Week),
        Err(FlowRangeError::Reversed {
            from: date("2021-10-05"),
            to: date("2021-10-04"),
        })
    );
    // 520 weeks exactly is allowed; one more day makes 521 points.
    let from = date("2000-01-01");
    let last = from + chrono::Days::new(520 * 7 - 1);
    assert_eq!(flow_points(from, last, Step::Week).unwrap().len(), 520);
    assert_eq!(
        flow_points(from, last + chrono::Days::new(1), Step::Week),
        Err(FlowRangeError::TooManyPoints {
            points: 521,
            max: 520
        })
    );
    assert_eq!(
        flow_points(date("1990-04-01"), date("2120-04-01"), Step::Quarter),
        Err(FlowRangeError::TooManyPoints {
            points: 521,
            max: 520
        })
    );
    assert!(matches!(
        flow_points(date("1980-01-01"), date("1990-01-01"), Step::Quarter),
        Err(FlowRangeError::Quarter(_))
    ));
}

#[test]
fn weekly_counts_follow_the_states_at_the_end_of_each_point() {
    let facts = vec![
        procedure(
            1,
            1,
            &[("2021-10-05", "hearing"), ("2021-10-17 09:00", "scheduled")],
        )
        .then("2021-10-26", "released"),
        procedure(2, 2, &[("2021-10-11", "hearing")]),
        // Created after the last point: in no count.
        procedure(3, 2, &[("2021-10-28", "hearing")]),
    ];
    let flow = cumulative_flow(
        &facts,
        &default_workflow(),
        date("2021-10-04"),
        date("2021-10-27"),
        Step::Week,
        &every,
    )
    .unwrap();
    assert_eq!(
        flow.states,
        [
            "hearing",
            "scheduled",
            "built",
            "user_tested",
            "released",
            "awaiting_law_change",
            "abolished"
        ]
    );
    let rows: Vec<(String, Vec<u32>)> = flow
        .points
        .iter()
        .map(|p| (p.date.to_string(), p.counts.clone()))
        .collect();
    assert_eq!(
        rows,
        vec![
            ("2021-10-10".into(), vec![1, 0, 0, 0, 0, 0, 0]),
            ("2021-10-17".into(), vec![1, 1, 0, 0, 0, 0, 0]),
            ("2021-10-24".into(), vec![1, 1, 0, 0, 0, 0, 0]),
            ("2021-10-27".into(), vec![1, 0, 0, 0, 1, 0, 0]),
        ]
    );
}

#[test]
fn the_filter_is_judged_as_of_the_end_date() {
    // Procedure 1 moved from bureau 2 to bureau 1 in November: its whole series is bureau 1's.
    let facts = vec![
        procedure(
            1,
            1,
            &[("2021-04-01", "hearing"), ("2021-08-01", "scheduled")],
        )
        .moved_from(2, "2021-11-01"),
    ];
    let of = |b: u128| {
        let keep = move |p: &ProcedureAt<'_>| p.bureau_id == bureau(b);
        let flow = cumulative_flow(
            &facts,
            &default_workflow(),
            date("2021-04-01"),
            date("2021-12-31"),
            Step::Quarter,
            &keep,
        )
        .unwrap();
        flow.points
            .iter()
            .map(|p| p.counts[0] + p.counts[1])
            .collect::<Vec<_>>()
    };
    assert_eq!(of(1), [1, 1, 1]);
    assert_eq!(of(2), [0, 0, 0]);
}

#[test]
fn counts_equal_replaying_every_procedure_at_every_point() {
    let def = default_workflow();
    let paths: [&[&str]; 5] = [
        &["hearing", "scheduled", "built", "user_tested", "released"],
        &["hearing", "awaiting_law_change", "scheduled", "built"],
        &["hearing", "abolished"],
        &["hearing", "scheduled", "awaiting_law_change"],
        &["released"],
    ];
    // A deterministic spread of histories: starts and gaps from a small linear congruence.
    let mut seed: u64 = 17;
    let mut next = |n: u64| {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (seed >> 33) % n
    };
    let start = date("2021-01-01");
    let mut facts = Vec::new();
    for n in 0..200u128 {
        let path = paths[usize::try_from(next(5)).unwrap()];
        let mut day = start + chrono::Days::new(next(300));
        let mut history = Vec::new();
        for state in path {
            let hour = next(24);
            history.push((format!("{day} {hour:02}:{:02}", next(60)), *state));
            day = day + chrono::Days::new(next(60));
        }
        let history: Vec<(&str, &str)> = history.iter().map(|(a, s)| (a.as_str(), *s)).collect();
        facts.push(procedure(n, n % 3, &history));
    }
    for step in [Step::Week, Step::Quarter] {
        let flow = cumulative_flow(
            &facts,
            &def,
            date("2021-02-03"),
            date("2022-01-20"),
            step,
            &every,
        )
        .unwrap();
        for point in &flow.points {
            let cutoff = crate::analytics::end_of_day(point.date);
            let expected: Vec<u32> = flow
                .states
                .iter()
                .map(|s| {
                    let n = facts
                        .iter()
                        .filter_map(|f| f.as_of(cutoff))
                        .filter(|p| p.state == s)
                        .count();
                    u32::try_from(n).unwrap()
                })
                .collect();
            assert_eq!(point.counts, expected, "{step:?} at {}", point.date);
        }
    }
}
