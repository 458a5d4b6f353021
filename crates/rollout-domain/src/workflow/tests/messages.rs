//! The messages a workflow author reads when a file is refused: each names what is wrong and where.

use crate::workflow::{StateKind, WorkflowError as E};

fn s(v: &str) -> String {
    v.to_owned()
}

#[test]
fn messages_speak_to_the_workflow_author() {
    let cases = [
        (
            E::CannotFinish { state: s("built") },
            r#"state "built" cannot reach a DONE or CLOSED state"#,
        ),
        (
            E::UnreachableState {
                state: s("orphan"),
                initial: s("hearing"),
            },
            r#"state "orphan" cannot be reached from the initial state "hearing""#,
        ),
        (
            E::SeveralInitialStates {
                states: vec![s("a"), s("b")],
            },
            r#"the workflow has several INITIAL states ("a", "b"): keep exactly one"#,
        ),
        (
            E::TransitionFromTerminal {
                transition: s("undo"),
                state: s("released"),
                kind: StateKind::Done,
            },
            r#"transition "undo" leaves "released", a DONE state; DONE and CLOSED states are final"#,
        ),
        (
            E::DuplicateTransition {
                transition: s("b"),
                earlier: s("a"),
                from: s("x"),
                to: s("y"),
            },
            r#"transitions "a" and "b" both go from "x" to "y""#,
        ),
        (
            E::EmptyLabel {
                state: s("x"),
                field: "label_ja",
            },
            r#"state "x" has an empty label_ja"#,
        ),
        (
            E::UnknownFromState {
                transition: s("t"),
                state: s("ghost"),
            },
            r#"transition "t" starts from unknown state "ghost""#,
        ),
    ];
    for (error, message) in cases {
        assert_eq!(error.to_string(), message);
    }
}
