//! `RolloutSummary::from_counts` against the default workflow: DONE counts as digitised, CLOSED
//! is out of scope, and rows in states the workflow does not know still count in the total.

use crate::RolloutSummary;
use crate::workflow::default_workflow;

fn rows(counts: &[(&str, i64)]) -> Vec<(String, i64)> {
    counts.iter().map(|(k, n)| ((*k).to_owned(), *n)).collect()
}

#[test]
fn counts_by_kind() {
    let def = default_workflow();
    let summary = RolloutSummary::from_counts(
        &def,
        &rows(&[
            ("hearing", 10),
            ("scheduled", 4),
            ("released", 5),
            ("abolished", 3),
            ("awaiting_law_change", 1),
        ]),
    );
    assert_eq!(summary.total, 23);
    assert_eq!(summary.digitised, 5);
    assert_eq!(summary.in_scope, 20);
    assert_eq!(summary.digitisation_rate, 0.25);
    assert_eq!(
        summary.by_state,
        rows(&[
            ("hearing", 10),
            ("scheduled", 4),
            ("built", 0),
            ("user_tested", 0),
            ("released", 5),
            ("awaiting_law_change", 1),
            ("abolished", 3),
        ])
    );
}

#[test]
fn unknown_states_count_in_the_total_and_are_listed_last() {
    let def = default_workflow();
    let summary = RolloutSummary::from_counts(
        &def,
        &rows(&[("legacy_review", 2), ("released", 3), ("hearing", 1)]),
    );
    assert_eq!(summary.total, 6);
    assert_eq!(summary.digitised, 3);
    assert_eq!(summary.in_scope, 6, "unknown states are not CLOSED");
    assert_eq!(summary.digitisation_rate, 0.5);
    assert_eq!(summary.by_state.len(), 8);
    assert_eq!(summary.by_state[7], ("legacy_review".to_owned(), 2));
}

#[test]
fn nothing_in_scope_gives_a_zero_rate() {
    let def = default_workflow();
    let all_closed = RolloutSummary::from_counts(&def, &rows(&[("abolished", 7)]));
    assert_eq!(
        (
            all_closed.total,
            all_closed.in_scope,
            all_closed.digitised,
            all_closed.digitisation_rate
        ),
        (7, 0, 0, 0.0)
    );
    let empty = RolloutSummary::from_counts(&def, &[]);
    assert_eq!((empty.total, empty.digitisation_rate), (0, 0.0));
    assert_eq!(empty.by_state.len(), 7);
    assert!(empty.by_state.iter().all(|(_, n)| *n == 0));
}

#[test]
fn repeated_rows_for_a_known_state_are_added() {
    let def = default_workflow();
    let summary = RolloutSummary::from_counts(
        &def,
        &rows(&[("released", 2), ("released", 3), ("built", 5)]),
    );
    assert_eq!(summary.digitised, 5);
    assert_eq!(summary.total, 10);
    assert_eq!(summary.digitisation_rate, 0.5);
}
