//! Lead times and the earliest release on hand-built graphs.

use super::{bp, day, graph, law, mile, open_procs, p};
use crate::deps::{EarliestRelease, LeadTimes};
use crate::{FiscalQuarter, Platform};

fn q(year: i32, quarter: u8) -> FiscalQuarter {
    FiscalQuarter::new(year, quarter).expect("valid quarter")
}

/// 2025-06-15 is in FY2025-Q1.
fn today() -> chrono::NaiveDate {
    day(2025, 6, 15)
}

/// Joint e-application 20 days (measured), everything else 30 (the default).
fn leads() -> LeadTimes {
    let j = Some(Platform::JointEApplication);
    LeadTimes::from_samples(&[(j, 10), (j, 50), (j, 20), (j, 40)], 3, 30)
}

#[test]
fn lead_times_are_the_lower_median_of_enough_samples() {
    let j = Some(Platform::JointEApplication);
    let s = Some(Platform::SaasEApplication);
    let samples = [
        (j, 10),
        (j, 50),
        (j, 20),
        (j, 40),
        (j, -5),
        (s, 7),
        (s, -1),
        (s, -2),
        (None, 9),
        (None, 3),
        (None, 5),
    ];
    let leads = LeadTimes::from_samples(&samples, 3, 30);
    assert_eq!(leads.days(j), 20, "lower median of 10, 20, 40, 50");
    assert_eq!(
        leads.days(s),
        30,
        "negative samples do not count towards the minimum"
    );
    assert_eq!(leads.days(None), 5);
    assert_eq!(leads.days(Some(Platform::Jgrants)), 30);
    assert_eq!(LeadTimes::from_samples(&[], 0, 12).days(None), 12);
}

#[test]
fn a_dated_law_change_plus_the_lead_time_decides_the_quarter() {
    let g = graph(
        &[(law(10), true, Some(day(2025, 9, 1)))],
        &[(1, law(10)), (2, law(10))],
    );
    let mut procs = open_procs(2);
    procs.get_mut(&p(1)).expect("1").target_quarter = Some(q(2025, 2));
    procs.get_mut(&p(2)).expect("2").target_quarter = Some(q(2025, 3));
    let er = g.earliest_releases(&[p(1), p(2)], &procs, &leads(), today());
    let expected = EarliestRelease {
        date: day(2025, 10, 1),
        quarter: Some(q(2025, 3)),
        decided_by: vec![law(10)],
        at_risk: true,
    };
    assert_eq!(er[&p(1)], expected, "FY2025-Q2 ends on 30 September");
    assert_eq!(
        er[&p(2)],
        EarliestRelease {
            at_risk: false,
            ..expected
        }
    );
}

#[test]
fn a_past_expected_date_gives_today_at_the_earliest() {
    let g = graph(&[(law(10), true, Some(day(2025, 1, 1)))], &[(1, law(10))]);
    let er = g.earliest_releases(&[p(1)], &open_procs(1), &leads(), today());
    assert_eq!(er[&p(1)].date, today());
    assert_eq!(er[&p(1)].quarter, Some(q(2025, 1)));
    assert_eq!(er[&p(1)].decided_by, vec![law(10)]);
}

#[test]
fn an_undated_law_change_leaves_the_quarter_open_and_the_target_at_risk() {
    let g = graph(
        &[
            (law(10), true, None),
            (law(11), true, Some(day(2025, 9, 1))),
            (mile(20), true, None),
            (law(12), false, None),
        ],
        &[
            (1, law(10)),
            (1, law(11)),
            (1, mile(20)),
            (1, law(12)),
            (2, law(12)),
        ],
    );
    let mut procs = open_procs(2);
    let er = g.earliest_releases(&[p(1)], &procs, &leads(), today());
    assert_eq!(
        er[&p(1)],
        EarliestRelease {
            date: day(2025, 10, 1),
            quarter: None,
            decided_by: vec![law(10)],
            at_risk: false,
        },
        "the smallest undated blocker decides; no target, so not at risk"
    );
    procs.get_mut(&p(1)).expect("1").target_quarter = Some(q(2030, 4));
    let er = g.earliest_releases(&[p(1), p(2)], &procs, &leads(), today());
    assert!(
        er[&p(1)].at_risk,
        "an undated blocker puts any target at risk"
    );
    assert_eq!(
        er[&p(2)].decided_by,
        vec![],
        "the enacted law change blocks nothing"
    );
    assert_eq!(er[&p(2)].date, today());
}

#[test]
fn a_blocking_procedure_passes_on_its_date_and_its_chain() {
    // 1 → 2 → law 10 (1 Sep), 1 → milestone 20 (1 Aug), 3 → 4 → law 11 (undated).
    let g = graph(
        &[
            (law(10), true, Some(day(2025, 9, 1))),
            (law(11), true, None),
            (mile(20), true, Some(day(2025, 8, 1))),
        ],
        &[
            (1, bp(2)),
            (2, law(10)),
            (1, mile(20)),
            (3, bp(4)),
            (4, law(11)),
        ],
    );
    let mut procs = open_procs(4);
    procs.get_mut(&p(2)).expect("2").platform = Some(Platform::JointEApplication);
    let er = g.earliest_releases(&[p(1), p(3)], &procs, &leads(), today());
    assert_eq!(
        er[&p(1)],
        EarliestRelease {
            date: day(2025, 10, 21),
            quarter: Some(q(2025, 3)),
            decided_by: vec![bp(2), law(10)],
            at_risk: false,
        },
        "2 is released on 21 September (20 days' lead), 1 thirty days later"
    );
    assert_eq!(er.len(), 2, "only the procedures asked for");
    assert_eq!(er[&p(3)].quarter, None);
    assert_eq!(er[&p(3)].decided_by, vec![bp(4), law(11)]);
    assert_eq!(
        er[&p(3)].date,
        day(2025, 7, 15),
        "today + 30 days: only dated blockers move the lower bound"
    );
}

#[test]
fn released_and_unknown_procedures_and_procedures_nothing_blocks() {
    let g = graph(&[], &[(1, bp(2))]);
    let mut procs = open_procs(3);
    let released = procs.get_mut(&p(2)).expect("2");
    released.open = false;
    released.released_on = Some(day(2025, 3, 10));
    procs.get_mut(&p(3)).expect("3").open = false;
    procs.get_mut(&p(1)).expect("1").target_quarter = Some(q(2024, 4));
    let er = g.earliest_releases(&[p(1), p(2), p(3), p(99)], &procs, &leads(), today());
    assert_eq!(
        er[&p(2)],
        EarliestRelease {
            date: day(2025, 3, 10),
            quarter: Some(q(2024, 4)),
            decided_by: vec![],
            at_risk: false,
        }
    );
    let free_today = EarliestRelease {
        date: today(),
        quarter: Some(q(2025, 1)),
        decided_by: vec![],
        at_risk: false,
    };
    assert_eq!(er[&p(3)], free_today, "closed without a release date");
    assert_eq!(er[&p(99)], free_today, "unknown to the graph and to procs");
    assert_eq!(
        er[&p(1)],
        EarliestRelease {
            at_risk: true,
            ..free_today
        },
        "free today, but its target FY2024-Q4 is already over"
    );
}

#[test]
fn a_cycle_does_not_hang_the_walk() {
    let g = graph(&[], &[(1, bp(2)), (2, bp(1))]);
    let er = g.earliest_releases(&[p(1), p(2)], &open_procs(2), &leads(), today());
    assert_eq!(er.len(), 2);
    assert!(er.values().all(|e| e.quarter.is_none()));
}
