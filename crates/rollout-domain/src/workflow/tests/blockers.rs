//! The `no_open_blockers` guard and the `on_unblock` transitions that move a procedure out of a
//! BLOCKED state once its last blocker is cleared.

use chrono::NaiveDate;
use uuid::Uuid;

use super::{at, parse, procedure, refused, toml};
use crate::workflow::engine;
use crate::workflow::{
    Guard, GuardFacts, GuardInputs, StateKind, UnblockRequest, WorkflowDefinition, WorkflowError,
    default_workflow,
};
use crate::{FiscalQuarter, TransitionRecordId};

fn facts(open_blockers: &[&str]) -> GuardFacts {
    GuardFacts {
        open_blockers: open_blockers.iter().map(|b| (*b).to_owned()).collect(),
        ..GuardFacts::NOT_JUDGED
    }
}

fn check(guard: Guard, facts: &GuardFacts) -> Option<String> {
    let inputs = GuardInputs {
        comment: None,
        on: None,
        facts,
    };
    guard.check(&procedure("user_tested"), &inputs)
}

#[test]
fn no_open_blockers_names_every_open_blocker() {
    assert_eq!(check(Guard::NoOpenBlockers, &facts(&[])), None);
    assert_eq!(
        check(
            Guard::NoOpenBlockers,
            &facts(&["LAW-0007", "SaaS platform go-live", "KANKYO-0012"])
        )
        .as_deref(),
        Some(
            "open blockers must be cleared before release: LAW-0007, SaaS platform go-live, \
             KANKYO-0012"
        )
    );
}

#[test]
fn no_open_blockers_is_a_stored_fact_guard() {
    let g = Guard::parse("no_open_blockers").expect("the guard has a name in workflow files");
    assert_eq!(g, Guard::NoOpenBlockers);
    assert!(g.reads_stored_facts());
    assert!(!g.is_request_guard());
    let text = toml(&[("a", "INITIAL"), ("b", "DONE")], &[("go", "a", "b")]).replace(
        "to = \"b\"\n",
        "to = \"b\"\nguards = [\"no_open_blockers\"]\n",
    );
    let def = parse(&text);
    assert_eq!(def.transitions()[0].guards, vec![Guard::NoOpenBlockers]);
    assert!(def.reads_stored_facts("a"));
    assert!(!def.reads_stored_facts("b"));
}

/// A release with open blockers is refused by the default workflow, naming each of them.
#[test]
fn the_default_release_needs_no_open_blockers() {
    let def = default_workflow();
    let blocked = facts(&["LAW-0007", "KANKYO-0012"]);
    let clear = GuardFacts {
        latest_user_test: None,
        open_blockers: Vec::new(),
    };
    let inputs = |facts| GuardInputs {
        comment: None,
        on: None,
        facts,
    };
    let release = |facts| {
        engine::options(&def, &procedure("user_tested"), &inputs(facts))
            .into_iter()
            .find(|o| o.transition.key == "release")
            .expect("release leaves user_tested")
            .failures
    };
    assert_eq!(release(&clear), []);
    let failures = release(&blocked);
    assert_eq!(failures.len(), 1);
    assert_eq!(failures[0].guard, Guard::NoOpenBlockers);
    assert_eq!(
        failures[0].message,
        "open blockers must be cleared before release: LAW-0007, KANKYO-0012"
    );
    assert!(def.reads_stored_facts("user_tested"));
}

fn unblock_request(facts: &GuardFacts) -> UnblockRequest<'_> {
    UnblockRequest {
        actor: "system:unblock",
        comment: Some(" LAW-0007 enacted "),
        now: at("2026-04-01T00:00:00Z"),
        today: NaiveDate::from_ymd_opt(2026, 4, 1).unwrap(),
        record_id: TransitionRecordId::from_uuid(Uuid::from_u128(0x77)),
        facts,
    }
}

#[test]
fn an_unblocked_procedure_is_scheduled_when_its_quarter_is_set() {
    let def = default_workflow();
    let mut p = procedure("awaiting_law_change");
    p.target_quarter = Some(FiscalQuarter::new(2026, 3).unwrap());
    let plan = engine::unblock_plan(&def, &p, &unblock_request(&GuardFacts::NOT_JUDGED))
        .expect("an unblocked procedure moves");
    assert_eq!(plan.to_state, "scheduled");
    assert_eq!(plan.expected_version, 3);
    assert_eq!(plan.released_on, None);
    assert_eq!(plan.record.transition, "law_changed_schedule");
    assert_eq!(
        plan.record.from_state.as_deref(),
        Some("awaiting_law_change")
    );
    assert_eq!(plan.record.actor, "system:unblock");
    assert_eq!(plan.record.comment.as_deref(), Some("LAW-0007 enacted"));
    assert_eq!(plan.record.at, at("2026-04-01T00:00:00Z"));
    assert_eq!(plan.record.procedure_version, 4);
    assert_eq!(plan.record.workflow_version, "tokyo-digitisation@1");
}

#[test]
fn an_unblocked_procedure_without_a_quarter_goes_back_to_hearing() {
    let def = default_workflow();
    let p = procedure("awaiting_law_change");
    let plan = engine::unblock_plan(&def, &p, &unblock_request(&GuardFacts::NOT_JUDGED))
        .expect("the unguarded way out always holds");
    assert_eq!(plan.to_state, "hearing");
    assert_eq!(plan.record.transition, "law_changed");
}

#[test]
fn a_state_without_unblock_transitions_plans_nothing() {
    let def = default_workflow();
    for state in ["hearing", "built", "released"] {
        let p = procedure(state);
        assert_eq!(
            engine::unblock_plan(&def, &p, &unblock_request(&GuardFacts::NOT_JUDGED)),
            None,
            "{state}"
        );
    }
}

/// A workflow `start → waiting (BLOCKED) → done`, with `extra` appended to the transition
/// `resume` (waiting → done) and any further `[[transitions]]` after it.
fn blocked_file(extra: &str) -> String {
    let base = toml(
        &[
            ("start", "INITIAL"),
            ("waiting", "BLOCKED"),
            ("done", "DONE"),
        ],
        &[
            ("finish", "start", "done"),
            ("wait", "start", "waiting"),
            ("resume", "waiting", "done"),
        ],
    );
    format!("{base}{extra}")
}

#[test]
fn unblock_transitions_are_validated() {
    use WorkflowError as E;
    let s = |v: &str| v.to_owned();
    let cases: Vec<(&str, String, Vec<E>)> = vec![
        ("plain unblock", blocked_file("on_unblock = true\n"), vec![]),
        (
            "a blocked state entered without an unblock way out",
            blocked_file(""),
            vec![E::NoUnblockTransition {
                state: s("waiting"),
            }],
        ),
        (
            "only guarded unblock ways out",
            blocked_file("on_unblock = true\nguards = [\"platform_set\"]\n"),
            vec![E::UnblockAlwaysGuarded {
                state: s("waiting"),
                transitions: vec![s("resume")],
            }],
        ),
        (
            "comment and approval on an unblock transition",
            blocked_file(
                "on_unblock = true\ncomment_required = true\n\
                 approval = { role = \"PROJECT_OFFICE\", count = 1 }\n",
            ),
            vec![
                E::UnblockRequiresComment {
                    transition: s("resume"),
                },
                E::UnblockNeedsApproval {
                    transition: s("resume"),
                },
            ],
        ),
    ];
    for (name, text, expected) in cases {
        match WorkflowDefinition::from_toml(&text) {
            Ok(_) => assert!(expected.is_empty(), "{name}: accepted\n{text}"),
            Err(errors) => assert_eq!(errors, expected, "{name}"),
        }
    }
    let from_initial = blocked_file("on_unblock = true\n").replace(
        "key = \"finish\"\nfrom = \"start\"\nto = \"done\"\n",
        "key = \"finish\"\nfrom = \"start\"\nto = \"done\"\non_unblock = true\n",
    );
    assert_eq!(
        refused(&from_initial),
        [E::UnblockNotFromBlocked {
            transition: s("finish"),
            state: s("start"),
            kind: StateKind::Initial,
        }]
    );
    assert_eq!(
        refused(&from_initial).last().unwrap().to_string(),
        "transition \"finish\" is marked on_unblock but leaves \"start\", a INITIAL state; only \
         ways out of a BLOCKED state are taken when blockers are cleared"
    );
}

#[test]
fn a_blocked_state_nobody_enters_needs_no_unblock_way_out() {
    // Unreachable, so refused for that reason alone: no knock-on unblock error.
    let text = toml(
        &[
            ("start", "INITIAL"),
            ("waiting", "BLOCKED"),
            ("done", "DONE"),
        ],
        &[("finish", "start", "done"), ("resume", "waiting", "done")],
    );
    assert_eq!(
        refused(&text),
        [WorkflowError::UnreachableState {
            state: "waiting".to_owned(),
            initial: "start".to_owned(),
        }]
    );
}

#[test]
fn on_unblock_is_a_boolean_and_typos_are_refused() {
    for (extra, needle) in [
        ("on_unblok = true\n", "on_unblok"),
        ("on_unblock = \"yes\"\n", "on_unblock"),
    ] {
        match refused(&blocked_file(extra)).as_slice() {
            [WorkflowError::Syntax(message)] => {
                assert!(message.contains(needle), "{extra}: {message}");
            }
            other => panic!("{extra}: expected one syntax error, got {other:?}"),
        }
    }
    let def = parse(&blocked_file("on_unblock = true\n"));
    let flags: Vec<(&str, bool)> = def
        .transitions()
        .iter()
        .map(|t| (t.key.as_str(), t.on_unblock))
        .collect();
    assert_eq!(
        flags,
        [("finish", false), ("wait", false), ("resume", true)]
    );
}

#[test]
fn the_default_workflow_tries_scheduling_before_a_new_hearing() {
    let def = default_workflow();
    let unblock: Vec<&str> = def
        .transitions()
        .iter()
        .filter(|t| t.on_unblock)
        .map(|t| t.key.as_str())
        .collect();
    assert_eq!(unblock, ["law_changed_schedule", "law_changed"]);
    let from_blocked: Vec<&str> = def
        .unblock_transitions_from("awaiting_law_change")
        .map(|t| t.key.as_str())
        .collect();
    assert_eq!(from_blocked, unblock);
}
