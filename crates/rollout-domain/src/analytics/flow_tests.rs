//! Flow metrics on constructed histories whose answers are worked out by hand, with the default
//! workflow (SLA days: hearing 60, scheduled 180, built 60, user_tested 30; awaiting_law_change
//! has none).

use super::testkit::{FactsExt, bureau, date, pid, procedure};
use super::*;
use crate::workflow::default_workflow;

fn wip_of(m: &FlowMetrics) -> Vec<(&str, u32, i64)> {
    m.wip
        .iter()
        .map(|w| (w.state.as_str(), w.procedures, w.processes))
        .collect()
}

fn durations(m: &FlowMetrics, state: &str, bureau_id: Option<BureauId>) -> Durations {
    m.time_in_state
        .iter()
        .find(|r| r.state == state && r.bureau_id == bureau_id)
        .map(|r| r.durations)
        .unwrap_or_else(|| panic!("no row for {state} {bureau_id:?}"))
}

fn d(samples: u32, p50: i64, p85: i64, p95: i64) -> Durations {
    Durations {
        samples,
        p50_days: Some(p50),
        p85_days: Some(p85),
        p95_days: Some(p95),
    }
}

#[test]
fn wip_counts_each_open_state_in_workflow_order_zeros_included() {
    let facts = vec![
        procedure(
            1,
            1,
            &[("2021-04-01", "hearing"), ("2021-05-01", "scheduled")],
        )
        .then("2021-08-01", "built")
        .processes(3),
        procedure(
            2,
            1,
            &[("2021-04-01", "hearing"), ("2021-06-01", "scheduled")],
        )
        .processes(5),
        procedure(3, 2, &[("2021-04-01", "hearing")])
            .then("2021-05-01", "awaiting_law_change")
            .national(),
        procedure(
            4,
            2,
            &[("2021-04-01", "hearing"), ("2021-12-01", "released")],
        ),
        procedure(
            5,
            2,
            &[("2021-04-01", "hearing"), ("2021-07-01", "abolished")],
        ),
        procedure(6, 1, &[("2022-04-05", "hearing")]),
    ];
    let m = flow_metrics(&facts, &default_workflow(), date("2022-03-31"), &every);
    assert_eq!(
        wip_of(&m),
        vec![
            ("hearing", 0, 0),
            ("scheduled", 1, 5),
            ("built", 1, 3),
            ("user_tested", 0, 0),
            ("awaiting_law_change", 1, 1),
        ]
    );
    // Only bureau 1, judged as of the date.
    let only_1 = |p: &ProcedureAt<'_>| p.bureau_id == bureau(1);
    let m = flow_metrics(&facts, &default_workflow(), date("2022-03-31"), &only_1);
    assert_eq!(
        wip_of(&m).iter().map(|w| w.1).collect::<Vec<_>>(),
        vec![0, 1, 1, 0, 0]
    );
    let tokyo = |p: &ProcedureAt<'_>| p.authority == crate::Authority::Tokyo;
    let m = flow_metrics(&facts, &default_workflow(), date("2022-03-31"), &tokyo);
    assert_eq!(wip_of(&m)[4], ("awaiting_law_change", 0, 0));
    // As of 2021-05-31 procedure 1 was scheduled and procedure 2 still in hearing.
    let m = flow_metrics(&facts, &default_workflow(), date("2021-05-31"), &only_1);
    assert_eq!(wip_of(&m)[..2], [("hearing", 1, 5), ("scheduled", 1, 3)]);
}

#[test]
fn time_in_state_uses_finished_stays_in_tokyo_calendar_days_per_state_and_bureau() {
    let facts = vec![
        // Late evening to just after midnight: ten calendar days, although 9 days and 1 hour.
        procedure(1, 1, &[("2021-04-01 23:30", "hearing")]).then("2021-04-11 00:10", "scheduled"),
        procedure(
            2,
            1,
            &[("2021-04-01", "hearing"), ("2021-04-21", "scheduled")],
        ),
        procedure(
            3,
            1,
            &[("2021-04-01", "hearing"), ("2021-05-01", "scheduled")],
        ),
        procedure(
            4,
            2,
            &[("2021-04-01", "hearing"), ("2021-05-11", "scheduled")],
        ),
        // Still in hearing, and left hearing only after the date: neither is a finished stay.
        procedure(5, 2, &[("2021-04-01", "hearing")]),
        procedure(
            6,
            2,
            &[("2021-04-01", "hearing"), ("2021-07-01 00:00", "scheduled")],
        ),
    ];
    let m = flow_metrics(&facts, &default_workflow(), date("2021-06-30"), &every);
    assert_eq!(durations(&m, "hearing", None), d(4, 20, 40, 40));
    assert_eq!(durations(&m, "hearing", Some(bureau(1))), d(3, 20, 30, 30));
    assert_eq!(durations(&m, "hearing", Some(bureau(2))), d(1, 40, 40, 40));
    // Every open state has its all-bureaus row; a state nobody left has no samples.
    assert_eq!(durations(&m, "scheduled", None), Durations::default());
    let rows: Vec<_> = m
        .time_in_state
        .iter()
        .map(|r| (r.state.as_str(), r.bureau_id))
        .collect();
    assert_eq!(
        rows,
        vec![
            ("hearing", None),
            ("hearing", Some(bureau(1))),
            ("hearing", Some(bureau(2))),
            ("scheduled", None),
            ("built", None),
            ("user_tested", None),
            ("awaiting_law_change", None),
        ]
    );
    // One day later procedure 6's stay has ended: 91 days.
    let m = flow_metrics(&facts, &default_workflow(), date("2021-07-01"), &every);
    assert_eq!(durations(&m, "hearing", Some(bureau(2))), d(2, 40, 91, 91));
}

#[test]
fn per_bureau_rows_use_the_bureau_as_of_the_date() {
    // Procedure 1 moved from bureau 2 to bureau 1 on 2021-06-01.
    let facts = vec![
        procedure(
            1,
            1,
            &[("2021-04-01", "hearing"), ("2021-04-11", "scheduled")],
        )
        .moved_from(2, "2021-06-01"),
    ];
    let m = flow_metrics(&facts, &default_workflow(), date("2021-05-31"), &every);
    assert_eq!(durations(&m, "hearing", Some(bureau(2))), d(1, 10, 10, 10));
    let m = flow_metrics(&facts, &default_workflow(), date("2021-06-01"), &every);
    assert_eq!(durations(&m, "hearing", Some(bureau(1))), d(1, 10, 10, 10));
    assert!(
        m.time_in_state
            .iter()
            .all(|r| r.bureau_id != Some(bureau(2)))
    );
}

#[test]
fn cycle_time_runs_from_the_first_hearing_to_the_first_release() {
    let facts = vec![
        procedure(
            1,
            1,
            &[("2021-04-01", "hearing"), ("2021-06-30", "released")],
        ),
        procedure(
            2,
            1,
            &[("2021-04-01", "hearing"), ("2021-05-01", "scheduled")],
        )
        .then("2021-05-31", "built")
        .then("2021-10-28", "released"),
        procedure(
            3,
            2,
            &[("2021-04-01", "hearing"), ("2022-01-29", "released")],
        ),
        // Created already released (an import): no hearing, no cycle time.
        procedure(4, 2, &[("2021-04-01", "released")]),
        // Not released yet.
        procedure(5, 2, &[("2021-04-01", "hearing")]),
    ];
    let m = flow_metrics(&facts, &default_workflow(), date("2022-03-31"), &every);
    assert_eq!(m.cycle_time, d(3, 210, 303, 303));
    let m = flow_metrics(&facts, &default_workflow(), date("2021-12-31"), &every);
    assert_eq!(m.cycle_time, d(2, 90, 210, 210));
}

#[test]
fn throughput_counts_first_releases_per_fiscal_quarter_in_tokyo() {
    let facts = vec![
        procedure(1, 1, &[("2021-04-01", "hearing")]).then("2021-12-31 23:59", "released"),
        procedure(2, 1, &[("2021-05-01", "hearing")])
            .then("2022-01-01 00:00", "released")
            .processes(7),
        procedure(3, 2, &[("2021-06-01", "hearing")]).then("2022-03-31 23:00", "released"),
    ];
    let counts = |m: &FlowMetrics| -> Vec<(String, u32, i64)> {
        m.throughput
            .iter()
            .map(|q| (q.quarter.to_string(), q.procedures, q.processes))
            .collect()
    };
    let m = flow_metrics(&facts, &default_workflow(), date("2022-01-15"), &every);
    assert_eq!(
        counts(&m),
        vec![
            ("FY2021-Q1".into(), 0, 0),
            ("FY2021-Q2".into(), 0, 0),
            ("FY2021-Q3".into(), 1, 1),
            ("FY2021-Q4".into(), 1, 7),
        ]
    );
    let m = flow_metrics(&facts, &default_workflow(), date("2021-12-31"), &every);
    assert_eq!(counts(&m).last(), Some(&("FY2021-Q3".into(), 1, 1)));
    let m = flow_metrics(&facts, &default_workflow(), date("2022-04-01"), &every);
    assert_eq!(
        counts(&m)[3..],
        [("FY2021-Q4".into(), 2, 8), ("FY2022-Q1".into(), 0, 0)]
    );
}

#[test]
fn aging_is_past_the_sla_or_for_states_without_one_past_the_p85() {
    let mut facts = vec![
        // In hearing (SLA 60) since 2021-01-01.
        procedure(1, 1, &[("2021-01-01", "hearing")]),
    ];
    // Finished awaiting_law_change stays of 10, 20, 30 and 40 days: p85 = 40.
    for (n, left) in [
        (10, "2021-01-11"),
        (11, "2021-01-21"),
        (12, "2021-01-31"),
        (13, "2021-02-10"),
    ] {
        facts.push(
            procedure(n, 2, &[("2020-12-01", "hearing")])
                .then("2021-01-01", "awaiting_law_change")
                .then(left, "scheduled"),
        );
    }
    facts.push(
        procedure(2, 2, &[("2021-01-01", "hearing")]).then("2021-01-21", "awaiting_law_change"),
    );
    let at = |day: &str| flow_metrics(&facts, &default_workflow(), date(day), &every).aging;
    // 2021-03-02: hearing for exactly 60 days (on time), awaiting for 40 (not past p85).
    assert_eq!(at("2021-03-02"), vec![]);
    let aging = at("2021-03-03");
    assert_eq!(aging.len(), 2);
    assert_eq!(
        aging[0],
        AgingItem {
            procedure_id: pid(1),
            state: "hearing".into(),
            bureau_id: bureau(1),
            entered_on: date("2021-01-01"),
            days_in_state: 61,
            sla_days: Some(60),
            // Hearing stays of 20, 31, 31, 31 and 31 days.
            p85_days: Some(31),
            reason: AgingReason::PastSla,
        }
    );
    assert_eq!(
        (
            aging[1].procedure_id,
            aging[1].days_in_state,
            aging[1].p85_days,
            aging[1].reason
        ),
        (pid(2), 41, Some(40), AgingReason::PastP85)
    );
    assert_eq!(aging[1].sla_days, None);
}

#[test]
fn blocked_share_is_blocked_days_over_days_in_open_states() {
    let facts = vec![
        // 10 days hearing, 30 blocked, then scheduled: 20 days by 2021-03-02.
        procedure(1, 1, &[("2021-01-01", "hearing")])
            .then("2021-01-11", "awaiting_law_change")
            .then("2021-02-10", "scheduled"),
        // 40 days of hearing, then released: terminal time is not counted.
        procedure(2, 2, &[("2021-01-01", "hearing")]).then("2021-02-10", "released"),
    ];
    let m = flow_metrics(&facts, &default_workflow(), date("2021-03-02"), &every);
    assert_eq!(
        m.blocked,
        BlockedTime {
            blocked_days: 30,
            open_days: 100
        }
    );
    assert!((m.blocked.share() - 0.3).abs() < 1e-12);
    assert_eq!(
        m.blocked_by_bureau,
        vec![
            (
                bureau(1),
                BlockedTime {
                    blocked_days: 30,
                    open_days: 60
                }
            ),
            (
                bureau(2),
                BlockedTime {
                    blocked_days: 0,
                    open_days: 40
                }
            ),
        ]
    );
    assert_eq!(
        flow_metrics(&[], &default_workflow(), date("2021-03-02"), &every)
            .blocked
            .share(),
        0.0
    );
}

#[test]
fn a_later_transition_or_revision_does_not_change_an_earlier_date() {
    let before = vec![
        procedure(
            1,
            1,
            &[("2021-04-01", "hearing"), ("2021-05-01", "scheduled")],
        ),
        procedure(
            2,
            2,
            &[
                ("2021-04-01", "hearing"),
                ("2021-06-01", "awaiting_law_change"),
            ],
        ),
        procedure(
            3,
            2,
            &[("2021-04-01", "hearing"), ("2021-09-01", "released")],
        ),
    ];
    let mut after = before.clone();
    after[0] = after[0].clone().then("2022-01-01 00:00", "built");
    // Moved from bureau 2 to bureau 3 on 2022-01-01.
    let mut moved = after[1].clone().then("2022-01-01 00:00", "scheduled");
    moved.bureau_id = bureau(3);
    after[1] = moved.moved_from(2, "2022-01-01");
    after.push(procedure(4, 1, &[("2022-01-01", "hearing")]));
    let def = default_workflow();
    for day in ["2021-06-30", "2021-12-31"] {
        assert_eq!(
            flow_metrics(&before, &def, date(day), &every),
            flow_metrics(&after, &def, date(day), &every),
            "as of {day}"
        );
    }
    assert_ne!(
        flow_metrics(&before, &def, date("2022-01-01"), &every),
        flow_metrics(&after, &def, date("2022-01-01"), &every)
    );
}

#[test]
fn states_the_workflow_no_longer_has_are_counted_nowhere() {
    let facts = vec![procedure(
        1,
        1,
        &[("2021-04-01", "hearing"), ("2021-05-01", "retired")],
    )];
    let m = flow_metrics(&facts, &default_workflow(), date("2021-06-30"), &every);
    assert!(m.wip.iter().all(|w| w.procedures == 0));
    assert!(m.aging.is_empty());
    // The hearing stay still ended on 2021-05-01.
    assert_eq!(durations(&m, "hearing", None), d(1, 30, 30, 30));
}
