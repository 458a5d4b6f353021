//! The engine against the default workflow: refusals name every reason, a successful plan carries
//! the exact history record, and the options list judges data guards only.

use chrono::NaiveDate;
use uuid::Uuid;

use super::{at, parse, procedure};
use crate::user_test::UserTestVerdict;
use crate::workflow::Guard;
use crate::workflow::engine::{self, TransitionRequest};
use crate::workflow::{
    GuardFacts, GuardFailure, GuardInputs, PlannedTransition, TransitionRefused, default_workflow,
};
use crate::{FiscalQuarter, Platform, TransitionRecord, TransitionRecordId};

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 10, 2).unwrap()
}

fn request<'a>(to: &'a str, comment: Option<&'a str>) -> TransitionRequest<'a> {
    TransitionRequest {
        to,
        comment,
        actor: "suzuki@metro.tokyo.lg.jp",
        now: at("2025-10-01T15:30:00Z"),
        today: today(),
        record_id: TransitionRecordId::from_uuid(Uuid::from_u128(0x99)),
        facts: &PASSED,
    }
}

/// Facts under which every data guard of the default workflow that needs them holds.
static PASSED: GuardFacts = GuardFacts {
    latest_user_test: Some(UserTestVerdict::Pass),
    open_blockers: Vec::new(),
};
static NO_TEST: GuardFacts = GuardFacts::NOT_JUDGED;

fn inputs(facts: &GuardFacts) -> GuardInputs<'_> {
    GuardInputs {
        comment: None,
        on: None,
        facts,
    }
}

fn failure(guard: Guard, message: &str) -> GuardFailure {
    GuardFailure {
        guard,
        message: message.to_owned(),
    }
}

#[test]
fn plan_refuses_an_unknown_state() {
    let def = default_workflow();
    let refused = engine::plan(&def, &procedure("hearing"), &request("launched", None));
    assert_eq!(
        refused,
        Err(TransitionRefused::UnknownState {
            to: "launched".to_owned()
        })
    );
}

#[test]
fn plan_refuses_a_missing_transition() {
    let def = default_workflow();
    let refused = engine::plan(&def, &procedure("hearing"), &request("released", None));
    assert_eq!(
        refused,
        Err(TransitionRefused::NoSuchTransition {
            from: "hearing".to_owned(),
            to: "released".to_owned()
        })
    );
    let from_done = engine::plan(&def, &procedure("released"), &request("hearing", None));
    assert!(
        matches!(from_done, Err(TransitionRefused::NoSuchTransition { .. })),
        "{from_done:?}"
    );
}

#[test]
fn plan_reports_every_failing_guard() {
    let def = parse(
        r#"
[workflow]
name = "strict"
version = 2

[[states]]
key = "draft"
label_ja = "下書き"
label_en = "Draft"
kind = "INITIAL"

[[states]]
key = "live"
label_ja = "公開"
label_en = "Live"
kind = "DONE"

[[transitions]]
key = "publish"
from = "draft"
to = "live"
guards = ["target_quarter_set", "platform_set"]
comment_required = true
"#,
    );
    let refused = engine::plan(&def, &procedure("draft"), &request("live", Some("   ")));
    assert_eq!(
        refused,
        Err(TransitionRefused::GuardsFailed(vec![
            failure(
                Guard::TargetQuarterSet,
                "set a target quarter before scheduling"
            ),
            failure(
                Guard::PlatformSet,
                "choose the platform before marking it built"
            ),
            failure(Guard::Comment, "this transition requires a comment"),
        ]))
    );
    assert_eq!(refused.unwrap_err().to_string(), "3 guard(s) failed");
}

#[test]
fn plan_checks_the_default_guards() {
    let def = default_workflow();
    let cases = [
        ("hearing", "scheduled", None, Guard::TargetQuarterSet),
        ("scheduled", "built", None, Guard::PlatformSet),
        ("hearing", "abolished", None, Guard::Comment),
        (
            "built",
            "awaiting_law_change",
            Some(" \n\t"),
            Guard::Comment,
        ),
    ];
    for (from, to, comment, guard) in cases {
        let refused = engine::plan(&def, &procedure(from), &request(to, comment));
        match refused {
            Err(TransitionRefused::GuardsFailed(failures)) => {
                let guards: Vec<Guard> = failures.iter().map(|f| f.guard).collect();
                assert_eq!(guards, [guard], "{from} -> {to}");
            }
            other => panic!("{from} -> {to}: {other:?}"),
        }
    }
}

#[test]
fn plan_builds_the_history_record() {
    let def = default_workflow();
    let p = procedure("hearing");
    let planned = engine::plan(
        &def,
        &p,
        &request("awaiting_law_change", Some("  国の法改正を待つ\n")),
    );
    assert_eq!(
        planned,
        Ok(PlannedTransition {
            expected_version: 3,
            to_state: "awaiting_law_change".to_owned(),
            released_on: None,
            record: TransitionRecord {
                id: TransitionRecordId::from_uuid(Uuid::from_u128(0x99)),
                procedure_id: p.id,
                from_state: Some("hearing".to_owned()),
                to_state: "awaiting_law_change".to_owned(),
                transition: "await_law_change".to_owned(),
                actor: "suzuki@metro.tokyo.lg.jp".to_owned(),
                comment: Some("国の法改正を待つ".to_owned()),
                at: at("2025-10-01T15:30:00Z"),
                workflow_version: "tokyo-digitisation@1".to_owned(),
                procedure_version: 4,
                approval_request_id: None,
            },
        })
    );
}

#[test]
fn plan_passes_data_guards_when_the_data_is_there() {
    let def = default_workflow();
    let mut p = procedure("hearing");
    p.target_quarter = Some(FiscalQuarter::new(2025, 4).unwrap());
    let planned = engine::plan(&def, &p, &request("scheduled", Some("  "))).unwrap();
    assert_eq!(planned.to_state, "scheduled");
    assert_eq!(planned.record.transition, "schedule");
    assert_eq!(planned.record.comment, None, "a blank comment is not kept");
}

#[test]
fn released_on_is_set_on_reaching_done() {
    let def = default_workflow();
    let planned = engine::plan(&def, &procedure("user_tested"), &request("released", None));
    let planned = planned.unwrap();
    assert_eq!(planned.released_on, Some(today()));
    assert_eq!(planned.record.transition, "release");

    let earlier = NaiveDate::from_ymd_opt(2025, 6, 30).unwrap();
    let mut p = procedure("user_tested");
    p.released_on = Some(earlier);
    let kept = engine::plan(&def, &p, &request("released", None)).unwrap();
    assert_eq!(kept.released_on, Some(earlier), "an existing date is kept");

    let mut p = procedure("built");
    p.released_on = Some(earlier);
    let not_done = engine::plan(&def, &p, &request("user_tested", None)).unwrap();
    assert_eq!(not_done.released_on, Some(earlier));
    let fresh = engine::plan(&def, &procedure("built"), &request("user_tested", None));
    assert_eq!(fresh.unwrap().released_on, None);
}

#[test]
fn options_list_data_guard_failures_only() {
    let def = default_workflow();
    let p = procedure("hearing");
    let options = engine::options(&def, &p, &inputs(&PASSED));
    let listed: Vec<(&str, bool, bool, Vec<Guard>)> = options
        .iter()
        .map(|o| {
            (
                o.transition.key.as_str(),
                o.allowed(),
                o.transition.requires_comment(),
                o.failures.iter().map(|f| f.guard).collect(),
            )
        })
        .collect();
    assert_eq!(
        listed,
        [
            ("schedule", false, false, vec![Guard::TargetQuarterSet]),
            ("await_law_change", true, true, vec![]),
            ("abolish", true, true, vec![]),
        ]
    );
    assert_eq!(
        options[0].failures,
        [failure(
            Guard::TargetQuarterSet,
            "set a target quarter before scheduling"
        )]
    );
}

#[test]
fn options_follow_the_procedure_data() {
    let def = default_workflow();
    let mut p = procedure("scheduled");
    let keys_allowed = |p: &crate::Procedure| -> Vec<(String, bool)> {
        engine::options(&def, p, &inputs(&PASSED))
            .iter()
            .map(|o| (o.transition.key.clone(), o.allowed()))
            .collect()
    };
    let expected = |build_allowed: bool| -> Vec<(String, bool)> {
        [
            ("build", build_allowed),
            ("reopen_hearing", true),
            ("await_law_change_scheduled", true),
            ("abolish_scheduled", true),
        ]
        .iter()
        .map(|(k, a)| ((*k).to_owned(), *a))
        .collect()
    };
    assert_eq!(keys_allowed(&p), expected(false));
    p.platform = Some(Platform::SaasEApplication);
    assert_eq!(keys_allowed(&p), expected(true));
    assert!(
        engine::options(&def, &procedure("released"), &inputs(&PASSED)).is_empty(),
        "DONE has no way out"
    );
}

#[test]
fn leaving_built_needs_a_passing_user_test_since_entering_it() {
    let def = default_workflow();
    let p = procedure("built");
    let refused = |facts: &GuardFacts| {
        let req = TransitionRequest {
            facts,
            ..request("user_tested", None)
        };
        engine::plan(&def, &p, &req)
    };
    for facts in [
        NO_TEST.clone(),
        GuardFacts {
            latest_user_test: Some(UserTestVerdict::Fail),
            open_blockers: Vec::new(),
        },
    ] {
        match refused(&facts) {
            Err(TransitionRefused::GuardsFailed(f)) => {
                assert_eq!(f[0].guard, Guard::UserTestPassed);
            }
            other => panic!("expected the user-test guard to refuse, got {other:?}"),
        }
        let options = engine::options(&def, &p, &inputs(&facts));
        assert!(!options[0].allowed());
    }
    assert!(refused(&PASSED).is_ok());
}

#[test]
fn only_states_with_a_fact_guard_on_a_way_out_need_facts_loaded() {
    let def = default_workflow();
    assert!(def.reads_stored_facts("built"));
    assert!(def.reads_stored_facts("user_tested"));
    for state in ["hearing", "scheduled", "released", "abolished"] {
        assert!(!def.reads_stored_facts(state), "{state}");
    }
}
