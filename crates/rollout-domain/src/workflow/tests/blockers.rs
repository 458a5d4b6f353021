//! The `no_open_blockers` guard and the `on_unblock` transitions that move a procedure out of a
//! BLOCKED state once its last blocker is cleared.

use super::{parse, procedure};
use crate::workflow::{Guard, GuardFacts, GuardInputs};

fn facts(open_blockers: &[&str]) -> GuardFacts {
    GuardFacts {
        open_blockers: open_blockers.iter().map(|b| (*b).to_owned()).collect(),
        ..GuardFacts::NOT_JUDGED
    }
}

fn check(guard: Guard, facts: &GuardFacts) -> Option<String> {
    let inputs = GuardInputs {
        comment: None,
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
    let text = super::toml(&[("a", "INITIAL"), ("b", "DONE")], &[("go", "a", "b")]).replace(
        "to = \"b\"\n",
        "to = \"b\"\nguards = [\"no_open_blockers\"]\n",
    );
    let def = parse(&text);
    assert_eq!(def.transitions()[0].guards, vec![Guard::NoOpenBlockers]);
    assert!(def.reads_stored_facts("a"));
    assert!(!def.reads_stored_facts("b"));
}
