//! Bottleneck rankings and the deficit arithmetic on constructed histories, with the default
//! workflow (SLA days: hearing 60, scheduled 180, built 60, user_tested 30).

use super::*;
use crate::analytics::flow::every;
use crate::analytics::flow::testkit::{FactsExt, bureau, date, pid, procedure};
use crate::workflow::default_workflow;

fn states_of(b: &Bottlenecks) -> Vec<(&str, u32, u32)> {
    b.states
        .iter()
        .map(|s| (s.state.as_str(), s.aging, s.wip))
        .collect()
}

#[test]
fn states_rank_by_aging_then_wip_then_workflow_order() {
    let facts = vec![
        // Hearing: two aging (180 and 149 days), one fresh.
        procedure(2, 1, &[("2021-01-01", "hearing")]),
        procedure(1, 1, &[("2021-02-01", "hearing")]),
        procedure(3, 1, &[("2021-06-01", "hearing")]),
        // Built since 2021-03-01 (121 days, SLA 60): two aging.
        procedure(4, 2, &[("2021-01-01", "hearing"), ("2021-03-01", "built")]),
        procedure(5, 2, &[("2021-01-01", "hearing"), ("2021-03-01", "built")]),
        // Scheduled since May (SLA 180): four, none aging.
        procedure(
            6,
            2,
            &[("2021-04-01", "hearing"), ("2021-05-01", "scheduled")],
        ),
        procedure(
            7,
            2,
            &[("2021-04-01", "hearing"), ("2021-05-01", "scheduled")],
        ),
        procedure(
            8,
            2,
            &[("2021-04-01", "hearing"), ("2021-05-01", "scheduled")],
        ),
        procedure(
            9,
            2,
            &[("2021-04-01", "hearing"), ("2021-05-01", "scheduled")],
        ),
        // One each in user_tested and awaiting_law_change (no SLA, no finished stay: no p85).
        procedure(
            10,
            3,
            &[("2021-04-01", "hearing"), ("2021-06-25", "user_tested")],
        ),
        procedure(
            11,
            3,
            &[
                ("2021-01-01", "hearing"),
                ("2021-02-01", "awaiting_law_change"),
            ],
        ),
    ];
    let def = default_workflow();
    let b = bottlenecks(
        &facts,
        &def,
        date("2021-06-30"),
        date("2027-03-31"),
        10,
        &every,
    );
    assert_eq!(
        states_of(&b),
        vec![
            ("hearing", 2, 3),
            ("built", 2, 2),
            ("scheduled", 0, 4),
            ("user_tested", 0, 1),
            ("awaiting_law_change", 0, 1),
        ]
    );
    assert_eq!(b.states[0].aging_procedures, vec![pid(2), pid(1)]);
    assert_eq!(b.states[1].aging_procedures, vec![pid(4), pid(5)]);
    let b = bottlenecks(
        &facts,
        &def,
        date("2021-06-30"),
        date("2027-03-31"),
        2,
        &every,
    );
    assert_eq!(states_of(&b), vec![("hearing", 2, 3), ("built", 2, 2)]);
}

#[test]
fn a_rows_procedures_are_capped_but_its_count_is_whole() {
    let facts: Vec<_> = (0..60u128)
        .map(|n| procedure(n, 1, &[("2021-01-01", "hearing")]))
        .collect();
    let b = bottlenecks(
        &facts,
        &default_workflow(),
        date("2021-06-30"),
        date("2027-03-31"),
        5,
        &every,
    );
    assert_eq!(
        (b.states[0].aging, b.states[0].aging_procedures.len()),
        (60, 50)
    );
    assert_eq!(b.states[0].aging_procedures[..2], [pid(0), pid(1)]);
    let row = &b.bureaus[0];
    assert_eq!(
        (row.aging, row.remaining, row.remaining_procedures.len()),
        (60, 60, 50)
    );
}

/// `n` procedures of `bureau_n` released on `day`, numbered from `first_id`.
fn released(first_id: u128, n: u128, bureau_n: u128, day: &str) -> Vec<ProcedureFacts> {
    (first_id..first_id + n)
        .map(|id| {
            procedure(
                id,
                bureau_n,
                &[("2020-04-01", "hearing"), (day, "released")],
            )
        })
        .collect()
}

/// `n` procedures of `bureau_n` in `state` since `since`, numbered from `first_id`.
fn open(first_id: u128, n: u128, bureau_n: u128, state: &str, since: &str) -> Vec<ProcedureFacts> {
    (first_id..first_id + n)
        .map(|id| procedure(id, bureau_n, &[("2021-10-01", "hearing"), (since, state)]))
        .collect()
}

#[test]
fn bureaus_rank_by_what_they_must_release_per_quarter_against_what_they_did() {
    // As of 2022-01-15 (FY2021-Q4) with a deadline in FY2022-Q3: 4 quarters left. The last
    // four whole quarters are FY2020-Q4 to FY2021-Q3 (2021-01-01 to 2021-12-31).
    let mut facts = Vec::new();
    // Bureau 1: 8 remaining (2.0 a quarter), 2 released lately (0.5): deficit 1.5.
    facts.extend(open(100, 7, 1, "scheduled", "2021-12-01"));
    facts.extend(open(107, 1, 1, "scheduled", "2021-11-01"));
    facts.extend(released(110, 1, 1, "2021-12-31 23:59"));
    facts.extend(released(111, 1, 1, "2021-04-01"));
    // Out of scope or done long ago: not remaining, not counted.
    facts.push(procedure(120, 1, &[("2021-12-01", "hearing")]).national());
    facts.push(procedure(
        121,
        1,
        &[("2021-10-01", "hearing"), ("2021-11-01", "abolished")],
    ));
    facts.extend(released(122, 1, 1, "2020-12-31 23:59"));
    // Bureau 2: 4 remaining (1.0), 4 released (1.0): deficit 0. A release this quarter does not
    // count yet.
    facts.extend(open(200, 4, 2, "scheduled", "2021-12-01"));
    facts.extend(released(210, 4, 2, "2021-02-01"));
    facts.extend(released(220, 1, 2, "2022-01-05"));
    // Bureau 4: the same pace as bureau 2, but one remaining procedure is aging: ranks above it.
    facts.extend(open(400, 3, 4, "scheduled", "2021-12-01"));
    facts.extend(open(403, 1, 4, "built", "2021-10-15"));
    facts.extend(released(410, 4, 4, "2021-07-01"));
    // Bureau 3: 2 remaining (0.5), 6 released (1.5): ahead, deficit −1.0.
    facts.extend(open(300, 2, 3, "hearing", "2021-12-01"));
    facts.extend(released(310, 6, 3, "2021-09-30"));
    // Bureau 5: everything released long ago: nothing to rank.
    facts.extend(released(500, 3, 5, "2020-06-01"));

    let b = bottlenecks(
        &facts,
        &default_workflow(),
        date("2022-01-15"),
        date("2022-12-31"),
        10,
        &every,
    );
    assert_eq!(b.quarters_left, 4);
    let rows: Vec<_> = b
        .bureaus
        .iter()
        .map(|r| {
            (
                r.bureau_id,
                r.remaining,
                r.released_last_quarter,
                r.released_last_four_quarters,
                r.released_per_quarter_avg,
                r.required_per_quarter,
                r.deficit,
                r.aging,
            )
        })
        .collect();
    assert_eq!(
        rows,
        vec![
            (bureau(1), 8, 1, 2, 0.5, 2.0, 1.5, 0),
            (bureau(4), 4, 0, 4, 1.0, 1.0, 0.0, 1),
            (bureau(2), 4, 0, 4, 1.0, 1.0, 0.0, 0),
            (bureau(3), 2, 0, 6, 1.5, 0.5, -1.0, 0),
        ]
    );
    // Each number with its procedures: remaining longest in state first, releases latest first.
    assert_eq!(b.bureaus[0].remaining_procedures[0], pid(107));
    assert_eq!(b.bureaus[0].remaining_procedures.len(), 8);
    assert_eq!(b.bureaus[0].released_procedures, vec![pid(110), pid(111)]);
    assert_eq!(b.bureaus[1].aging_procedures, vec![pid(403)]);

    // A deadline already passed leaves one quarter: everything remaining is due now.
    let late = bottlenecks(
        &facts,
        &default_workflow(),
        date("2022-01-15"),
        date("2021-03-31"),
        1,
        &every,
    );
    assert_eq!(late.quarters_left, 1);
    assert_eq!(late.bureaus.len(), 1);
    assert_eq!(
        (
            late.bureaus[0].required_per_quarter,
            late.bureaus[0].deficit
        ),
        (8.0, 7.5)
    );
    // The default target's deadline: FY2021-Q4 to FY2026-Q4.
    let far = bottlenecks(
        &facts,
        &default_workflow(),
        date("2022-01-15"),
        date("2027-03-31"),
        10,
        &every,
    );
    assert_eq!(far.quarters_left, 21);
}

#[test]
fn a_later_transition_does_not_change_an_earlier_ranking() {
    let before = vec![
        procedure(1, 1, &[("2021-01-01", "hearing")]),
        procedure(
            2,
            2,
            &[("2021-01-01", "hearing"), ("2021-06-01", "released")],
        ),
        procedure(
            3,
            2,
            &[("2021-04-01", "hearing"), ("2021-05-01", "scheduled")],
        ),
    ];
    let mut after = before.clone();
    after[0] = after[0].clone().then("2022-01-01 00:00", "scheduled");
    after[2] = after[2].clone().then("2022-01-01 00:00", "released");
    let def = default_workflow();
    let at = |facts: &[ProcedureFacts], day: &str| {
        bottlenecks(facts, &def, date(day), date("2027-03-31"), 10, &every)
    };
    assert_eq!(at(&before, "2021-12-31"), at(&after, "2021-12-31"));
    assert_ne!(at(&before, "2022-01-01"), at(&after, "2022-01-01"));
}

#[test]
fn aging_counts_every_authority_but_remaining_only_the_scope_tokyo_decides() {
    let facts = vec![
        // NATIONAL, 106 days in hearing: aging, not remaining.
        procedure(1, 1, &[("2021-10-01", "hearing")]).national(),
        // TOKYO, 45 days in hearing: remaining, not aging.
        procedure(2, 1, &[("2021-12-01", "hearing")]),
    ];
    let b = bottlenecks(
        &facts,
        &default_workflow(),
        date("2022-01-15"),
        date("2022-12-31"),
        10,
        &every,
    );
    let row = &b.bureaus[0];
    assert_eq!((row.aging, row.remaining), (1, 1));
    assert_eq!(
        (
            row.aging_procedures.clone(),
            row.remaining_procedures.clone()
        ),
        (vec![pid(1)], vec![pid(2)])
    );
    assert_eq!(
        (
            b.states[0].state.as_str(),
            b.states[0].aging,
            b.states[0].wip
        ),
        ("hearing", 1, 2)
    );
}
