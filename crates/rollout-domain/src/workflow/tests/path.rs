//! `WorkflowDefinition::path`: shortest transition sequences, ties broken by file order.

use super::{parse, toml};
use crate::workflow::{WorkflowDefinition, default_workflow};

fn keys(def: &WorkflowDefinition, from: &str, to: &str) -> Option<Vec<String>> {
    def.path(from, to)
        .map(|p| p.iter().map(|t| t.key.clone()).collect())
}

fn some(keys: &[&str]) -> Option<Vec<String>> {
    Some(keys.iter().map(|k| (*k).to_owned()).collect())
}

#[test]
fn shortest_paths_in_the_default_workflow() {
    let def = default_workflow();
    let cases = [
        (
            "hearing",
            "released",
            some(&["schedule", "build", "user_test", "release"]),
        ),
        ("hearing", "hearing", some(&[])),
        ("built", "released", some(&["user_test", "release"])),
        (
            "user_tested",
            "abolished",
            some(&["await_law_change_tested", "abolish_blocked"]),
        ),
        (
            "awaiting_law_change",
            "built",
            some(&["law_changed_schedule", "build"]),
        ),
        (
            "user_tested",
            "hearing",
            some(&["await_law_change_tested", "law_changed"]),
        ),
        ("built", "hearing", some(&["reschedule", "reopen_hearing"])),
        ("released", "hearing", None),
        ("abolished", "released", None),
        ("hearing", "launched", None),
        ("launched", "launched", None),
    ];
    for (from, to, expected) in cases {
        assert_eq!(keys(&def, from, to), expected, "{from} -> {to}");
    }
}

#[test]
fn every_step_continues_from_the_previous_one() {
    let def = default_workflow();
    let path = def.path("awaiting_law_change", "released").unwrap();
    assert_eq!(path.len(), 4);
    assert_eq!(path[0].from, "awaiting_law_change");
    assert_eq!(path[3].to, "released");
    for pair in path.windows(2) {
        assert_eq!(pair[0].to, pair[1].from);
    }
}

#[test]
fn ties_go_to_the_transition_written_first() {
    let states = [
        ("start", "INITIAL"),
        ("a", "ACTIVE"),
        ("b", "ACTIVE"),
        ("done", "DONE"),
    ];
    let via_b_first = parse(&toml(
        &states,
        &[
            ("to_b", "start", "b"),
            ("to_a", "start", "a"),
            ("a_done", "a", "done"),
            ("b_done", "b", "done"),
        ],
    ));
    assert_eq!(
        keys(&via_b_first, "start", "done"),
        some(&["to_b", "b_done"])
    );
    let via_a_first = parse(&toml(
        &states,
        &[
            ("to_a", "start", "a"),
            ("to_b", "start", "b"),
            ("b_done", "b", "done"),
            ("a_done", "a", "done"),
        ],
    ));
    assert_eq!(
        keys(&via_a_first, "start", "done"),
        some(&["to_a", "a_done"])
    );
}
