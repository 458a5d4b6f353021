//! One failing case per validation rule, asserting on the exact list of errors, plus the
//! messages a workflow author reads.

use super::{parse, refused, toml};
use crate::workflow::{StateKind, WorkflowError as E};

fn s(v: &str) -> String {
    v.to_owned()
}

/// The smallest valid workflow, extended by each case.
const START_DONE: [(&str, &str); 2] = [("start", "INITIAL"), ("done", "DONE")];

#[test]
fn minimal_workflow_is_accepted() {
    let def = parse(&toml(&START_DONE, &[("finish", "start", "done")]));
    assert_eq!(def.states().len(), 2);
}

#[test]
fn each_rule_has_its_error() {
    let cases: Vec<(&str, String, Vec<E>)> = vec![
        (
            "no initial state",
            toml(
                &[("a", "ACTIVE"), ("done", "DONE")],
                &[("finish", "a", "done")],
            ),
            vec![E::NoInitialState],
        ),
        (
            "several initial states",
            toml(
                &[("a", "INITIAL"), ("b", "INITIAL"), ("done", "DONE")],
                &[("finish_a", "a", "done"), ("finish_b", "b", "done")],
            ),
            vec![E::SeveralInitialStates {
                states: vec![s("a"), s("b")],
            }],
        ),
        (
            "duplicate state key",
            toml(
                &[("start", "INITIAL"), ("start", "ACTIVE"), ("done", "DONE")],
                &[("finish", "start", "done")],
            ),
            vec![E::DuplicateState { state: s("start") }],
        ),
        (
            "no DONE state",
            toml(
                &[("start", "INITIAL"), ("gone", "CLOSED")],
                &[("close", "start", "gone")],
            ),
            vec![E::NoDoneState],
        ),
        (
            // Without any terminal state, naming every state as unable to finish adds nothing.
            "no terminal state at all",
            toml(
                &[("start", "INITIAL"), ("a", "ACTIVE")],
                &[("go", "start", "a"), ("back", "a", "start")],
            ),
            vec![E::NoDoneState],
        ),
        (
            "unreachable states",
            toml(
                &[
                    ("start", "INITIAL"),
                    ("orphan", "ACTIVE"),
                    ("done", "DONE"),
                    ("island", "CLOSED"),
                ],
                &[("finish", "start", "done"), ("adopt", "orphan", "done")],
            ),
            vec![
                E::UnreachableState {
                    state: s("orphan"),
                    initial: s("start"),
                },
                E::UnreachableState {
                    state: s("island"),
                    initial: s("start"),
                },
            ],
        ),
        (
            "states that cannot finish",
            toml(
                &[
                    ("start", "INITIAL"),
                    ("stuck", "ACTIVE"),
                    ("loop", "ACTIVE"),
                    ("done", "DONE"),
                ],
                &[
                    ("finish", "start", "done"),
                    ("get_stuck", "start", "stuck"),
                    ("spin", "stuck", "loop"),
                    ("spin_back", "loop", "stuck"),
                ],
            ),
            vec![
                E::CannotFinish { state: s("stuck") },
                E::CannotFinish { state: s("loop") },
            ],
        ),
        (
            "transition out of DONE",
            toml(
                &START_DONE,
                &[("finish", "start", "done"), ("undo", "done", "start")],
            ),
            vec![E::TransitionFromTerminal {
                transition: s("undo"),
                state: s("done"),
                kind: StateKind::Done,
            }],
        ),
        (
            "transition out of CLOSED",
            toml(
                &[("start", "INITIAL"), ("done", "DONE"), ("gone", "CLOSED")],
                &[
                    ("finish", "start", "done"),
                    ("close", "start", "gone"),
                    ("revive", "gone", "start"),
                ],
            ),
            vec![E::TransitionFromTerminal {
                transition: s("revive"),
                state: s("gone"),
                kind: StateKind::Closed,
            }],
        ),
        (
            "unknown from and to states",
            toml(
                &START_DONE,
                &[
                    ("finish", "start", "done"),
                    ("haunt", "ghost", "done"),
                    ("vanish", "start", "nowhere"),
                ],
            ),
            vec![
                E::UnknownFromState {
                    transition: s("haunt"),
                    state: s("ghost"),
                },
                E::UnknownToState {
                    transition: s("vanish"),
                    state: s("nowhere"),
                },
            ],
        ),
        (
            "two transitions between the same states",
            toml(
                &START_DONE,
                &[
                    ("finish", "start", "done"),
                    ("finish_again", "start", "done"),
                ],
            ),
            vec![E::DuplicateTransition {
                transition: s("finish_again"),
                earlier: s("finish"),
                from: s("start"),
                to: s("done"),
            }],
        ),
        (
            "duplicate transition key",
            toml(
                &[("start", "INITIAL"), ("mid", "ACTIVE"), ("done", "DONE")],
                &[
                    ("go", "start", "mid"),
                    ("go", "mid", "done"),
                    ("finish", "start", "done"),
                ],
            ),
            vec![E::DuplicateTransitionKey {
                transition: s("go"),
            }],
        ),
        (
            "self-loop",
            toml(
                &START_DONE,
                &[("finish", "start", "done"), ("stay", "start", "start")],
            ),
            vec![E::SelfLoop {
                transition: s("stay"),
                state: s("start"),
            }],
        ),
        (
            "transition key not snake case",
            toml(&START_DONE, &[("Finish-Now", "start", "done")]),
            vec![E::InvalidTransitionKey {
                transition: s("Finish-Now"),
            }],
        ),
        (
            "unknown kind (from the file format)",
            toml(
                &[("start", "INITIAL"), ("done", "FINISHED")],
                &[("finish", "start", "done")],
            ),
            vec![E::UnknownKind {
                state: s("done"),
                kind: s("FINISHED"),
            }],
        ),
    ];
    for (name, text, expected) in cases {
        assert_eq!(refused(&text), expected, "case: {name}");
    }
}

#[test]
fn state_keys_must_be_lower_snake_case() {
    let long_ok = "a".repeat(40);
    let long_bad = "a".repeat(41);
    for good in ["a", "user_tested", "step2", "a_1_b", long_ok.as_str()] {
        parse(&toml(
            &[("start", "INITIAL"), (good, "ACTIVE"), ("done", "DONE")],
            &[("go", "start", good), ("finish", good, "done")],
        ));
    }
    let bad = [
        "Built",
        "built-ok",
        "_built",
        "built_",
        "built__twice",
        "1built",
        "built ok",
        "ビルド",
        "",
        long_bad.as_str(),
    ];
    for key in bad {
        let errors = refused(&toml(
            &[("start", "INITIAL"), (key, "ACTIVE"), ("done", "DONE")],
            &[("go", "start", key), ("finish", key, "done")],
        ));
        assert_eq!(
            errors,
            [E::InvalidStateKey { state: s(key) }],
            "key {key:?}"
        );
    }
}

#[test]
fn labels_must_not_be_blank() {
    let text = r#"
[workflow]
name = "test"
version = 1

[[states]]
key = "start"
label_ja = "  "
label_en = "Start"
kind = "INITIAL"

[[states]]
key = "done"
label_ja = "完了"
label_en = ""
kind = "DONE"

[[transitions]]
key = "finish"
from = "start"
to = "done"
"#;
    assert_eq!(
        refused(text),
        [
            E::EmptyLabel {
                state: s("start"),
                field: "label_ja"
            },
            E::EmptyLabel {
                state: s("done"),
                field: "label_en"
            },
        ]
    );
}

#[test]
fn every_violation_is_reported_in_file_order() {
    let text = toml(
        &[
            ("Start", "INITIAL"),
            ("mid", "ACTIVE"),
            ("mid", "ACTIVE"),
            ("gone", "CLOSED"),
            ("stray", "BLOCKED"),
        ],
        &[
            ("go", "Start", "mid"),
            ("go", "mid", "mid"),
            ("close", "mid", "gone"),
            ("revive", "gone", "Start"),
            ("jump", "mid", "moon"),
        ],
    );
    assert_eq!(
        refused(&text),
        [
            E::InvalidStateKey { state: s("Start") },
            E::DuplicateState { state: s("mid") },
            E::NoDoneState,
            E::DuplicateTransitionKey {
                transition: s("go")
            },
            E::SelfLoop {
                transition: s("go"),
                state: s("mid")
            },
            E::TransitionFromTerminal {
                transition: s("revive"),
                state: s("gone"),
                kind: StateKind::Closed
            },
            E::UnknownToState {
                transition: s("jump"),
                state: s("moon")
            },
            E::UnreachableState {
                state: s("stray"),
                initial: s("Start")
            },
            E::CannotFinish { state: s("stray") },
        ]
    );
}

#[test]
fn only_syntax_errors_stop_before_the_rules() {
    let errors = refused("[workflow]\nname = \"test\"\n");
    assert!(
        matches!(errors.as_slice(), [E::Syntax(msg)] if msg.contains("version")),
        "{errors:?}"
    );
    let mut text = toml(&START_DONE, &[("finish", "start", "done")]);
    text.push_str("guards = [\"target_quarter_set\", \"signed_off\"]\n");
    assert_eq!(
        refused(&text),
        [E::UnknownGuard {
            transition: s("finish"),
            guard: s("signed_off"),
        }]
    );
}

#[test]
fn roles_that_never_decide_cannot_gate_a_transition() {
    for role in ["ADMIN", "VIEWER", "REVIEW_INTAKE"] {
        let mut text = toml(&START_DONE, &[("finish", "start", "done")]);
        text.push_str(&format!("approval = {{ role = {role:?}, count = 1 }}\n"));
        assert_eq!(
            refused(&text),
            vec![E::RoleCannotApprove {
                transition: s("finish"),
                role: s(role),
            }],
            "{role}"
        );
    }
}
