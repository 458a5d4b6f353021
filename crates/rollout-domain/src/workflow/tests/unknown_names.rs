//! Unknown guard, kind and role names: each is reported together with every other problem of
//! the file rather than stopping the check (only a syntax error stops it).

use super::{refused, toml};
use crate::workflow::{StateKind, WorkflowError as E};

fn s(v: &str) -> String {
    v.to_owned()
}

#[test]
fn unknown_names_are_reported_with_every_other_violation() {
    let mut text = toml(
        &[("start", "INITIAL"), ("done", "DONE")],
        &[
            ("jump", "start", "moon"),
            ("undo", "done", "start"),
            ("redo", "done", "moon"),
            ("finish", "start", "done"),
        ],
    );
    text.push_str("guards = [\"signed_off\"]\napproval = { role = \"MAYOR\", count = 1 }\n");
    assert_eq!(
        refused(&text),
        [
            E::UnknownGuard {
                transition: s("finish"),
                guard: s("signed_off"),
            },
            E::UnknownRole {
                transition: s("finish"),
                role: s("MAYOR"),
            },
            E::UnknownToState {
                transition: s("jump"),
                state: s("moon")
            },
            E::TransitionFromTerminal {
                transition: s("undo"),
                state: s("done"),
                kind: StateKind::Done
            },
            E::TransitionFromTerminal {
                transition: s("redo"),
                state: s("done"),
                kind: StateKind::Done
            },
            E::UnknownToState {
                transition: s("redo"),
                state: s("moon")
            },
        ]
    );
}

#[test]
fn a_state_of_unknown_kind_still_takes_part_in_the_local_rules() {
    let text = toml(
        &[("start", "INITIAL"), ("done", "FINISHED"), ("done", "DONE")],
        &[("finish", "start", "done"), ("loop", "start", "start")],
    );
    assert_eq!(
        refused(&text),
        [
            E::UnknownKind {
                state: s("done"),
                kind: s("FINISHED"),
            },
            E::DuplicateState { state: s("done") },
            E::SelfLoop {
                transition: s("loop"),
                state: s("start")
            },
        ]
    );
}
