//! The law-change workflow and its planner: the embedded file validates and matches
//! `LawChangeStatus`, the shared engine refuses with every reason, and each status sets its dates.

use chrono::NaiveDate;
use uuid::Uuid;

use super::at;
use crate::blockers::{LawChange, LawChangeStatus, LawLevel};
use crate::workflow::engine::{self, GuardFailure, TransitionRefused};
use crate::workflow::law_change::{
    PlannedStatusChange, StatusChangeRequest, initial_record, plan_status_change,
};
use crate::workflow::{
    Guard, GuardFacts, GuardInputs, LAW_CHANGE_WORKFLOW_TOML, StateKind, SubjectKind,
    WorkflowDefinition, law_change_workflow,
};
use crate::{BureauId, LawChangeId, LawChangeStatusChangeId, UserId};

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// LAW-0007 in `status`, version 2, with no dates.
fn law_change(status: LawChangeStatus) -> LawChange {
    LawChange {
        id: LawChangeId::from_uuid(Uuid::from_u128(0x33)),
        code: "LAW-0007".to_owned(),
        title_ja: "廃棄物処理法施行規則の改正".to_owned(),
        title_en: None,
        level: LawLevel::MinisterialOrdinance,
        ministry_ja: Some("環境省".to_owned()),
        ministry_en: Some("Ministry of the Environment".to_owned()),
        law_name: None,
        article: None,
        owner_bureau_id: BureauId::from_uuid(Uuid::from_u128(0x22)),
        status,
        requested_on: None,
        expected_effective_on: None,
        enacted_on: None,
        notes: None,
        version: 2,
        created_at: at("2021-06-01T00:00:00Z"),
        updated_at: at("2021-06-01T00:00:00Z"),
    }
}

fn request<'a>(
    to: LawChangeStatus,
    on: Option<NaiveDate>,
    reason: Option<&'a str>,
) -> StatusChangeRequest<'a> {
    StatusChangeRequest {
        to,
        on,
        reason,
        actor: "sato@metro.tokyo.lg.jp",
        actor_id: Some(UserId::from_uuid(Uuid::from_u128(0x44))),
        now: at("2021-12-20T01:00:00Z"),
        today: day(2021, 12, 20),
        record_id: LawChangeStatusChangeId::from_uuid(Uuid::from_u128(0x55)),
    }
}

fn plan(from: &LawChange, req: &StatusChangeRequest<'_>) -> PlannedStatusChange {
    plan_status_change(&law_change_workflow(), from, req)
        .unwrap_or_else(|e| panic!("{:?} -> {:?} refused: {e:?}", from.status, req.to))
}

fn guard_failures(from: &LawChange, req: &StatusChangeRequest<'_>) -> Vec<GuardFailure> {
    match plan_status_change(&law_change_workflow(), from, req) {
        Err(TransitionRefused::GuardsFailed(f)) => f,
        other => panic!("expected failing guards, got {other:?}"),
    }
}

#[test]
fn the_embedded_law_change_workflow_is_valid_and_matches_the_statuses() {
    let def = WorkflowDefinition::from_toml(LAW_CHANGE_WORKFLOW_TOML).expect("valid");
    assert_eq!(def, law_change_workflow());
    assert_eq!(def.subject(), SubjectKind::LawChange);
    assert_eq!(def.version_tag(), "law-change@1");
    assert_eq!(def.initial().key, "not_requested");
    let keys: Vec<String> = LawChangeStatus::ALL.iter().map(|s| s.state_key()).collect();
    let states: Vec<&str> = def.states().iter().map(|s| s.key.as_str()).collect();
    assert_eq!(states, keys);
    for s in def.states() {
        assert_eq!(
            LawChangeStatus::parse(&s.key).map(LawChangeStatus::state_key),
            Some(s.key.clone())
        );
    }
    let kinds: Vec<(&str, StateKind)> = def
        .states()
        .iter()
        .map(|s| (s.key.as_str(), s.kind))
        .collect();
    assert_eq!(
        kinds,
        [
            ("not_requested", StateKind::Initial),
            ("requested", StateKind::Active),
            ("under_study", StateKind::Active),
            ("date_shown", StateKind::Active),
            ("enacted", StateKind::Done),
            ("declined", StateKind::Active),
            ("withdrawn", StateKind::Closed),
        ]
    );
    assert_eq!(def.state("date_shown").unwrap().label_ja, "施行日提示");
    assert_eq!(def.state("declined").unwrap().label_en, "Declined");
    for t in def.transitions() {
        let dated = t.to == "date_shown" || t.to == "enacted";
        assert_eq!(t.guards.contains(&Guard::Date), dated, "{}", t.key);
        let reasoned = t.to == "declined" || t.to == "withdrawn" || t.key == "withdraw_date";
        assert_eq!(t.requires_comment(), reasoned, "{}", t.key);
        assert_eq!(t.approval, None);
    }
    assert_eq!(def.transitions().len(), 17);
    assert!(def.transition("declined", "requested").is_some());
    assert!(def.transition("not_requested", "under_study").is_none());
}

#[test]
fn the_shared_engine_refuses_law_changes_with_every_reason() {
    let def = law_change_workflow();
    let lc = law_change(LawChangeStatus::DateShown);
    let facts = GuardFacts::NOT_JUDGED;
    let inputs = GuardInputs {
        comment: None,
        on: None,
        facts: &facts,
    };
    assert_eq!(
        engine::decide(&def, &lc, "abolished", &inputs),
        Err(TransitionRefused::UnknownState {
            to: "abolished".to_owned()
        })
    );
    assert_eq!(
        engine::decide(&def, &lc, "not_requested", &inputs),
        Err(TransitionRefused::NoSuchTransition {
            from: "date_shown".to_owned(),
            to: "not_requested".to_owned()
        })
    );
    let options = engine::options(&def, &lc, &inputs);
    let targets: Vec<&str> = options.iter().map(|o| o.transition.to.as_str()).collect();
    assert_eq!(targets, ["enacted", "under_study", "declined", "withdrawn"]);
    assert!(
        options.iter().all(|o| o.allowed()),
        "request guards are not judged"
    );
    assert_eq!(
        guard_failures(&lc, &request(LawChangeStatus::Enacted, None, None)),
        [GuardFailure {
            guard: Guard::Date,
            message: "this status change requires a date (`on`)".to_owned()
        }]
    );
    assert_eq!(
        guard_failures(&lc, &request(LawChangeStatus::Declined, None, Some("  "))),
        [GuardFailure {
            guard: Guard::Comment,
            message: "this status change requires a reason".to_owned()
        }]
    );
}

#[test]
fn requesting_sets_the_requested_date_once() {
    let lc = law_change(LawChangeStatus::NotRequested);
    let p = plan(&lc, &request(LawChangeStatus::Requested, None, None));
    assert_eq!(p.expected_version, 2);
    assert_eq!(p.law_change.status, LawChangeStatus::Requested);
    assert_eq!(p.law_change.version, 3);
    assert_eq!(p.law_change.updated_at, at("2021-12-20T01:00:00Z"));
    assert_eq!(p.law_change.requested_on, Some(day(2021, 12, 20)));
    assert_eq!(p.record.from_status, Some(LawChangeStatus::NotRequested));
    assert_eq!(p.record.to_status, LawChangeStatus::Requested);
    assert_eq!(p.record.on, Some(day(2021, 12, 20)));
    assert_eq!(p.record.reason, None);
    assert_eq!(p.record.actor, "sato@metro.tokyo.lg.jp");
    assert_eq!(
        p.record.actor_id,
        Some(UserId::from_uuid(Uuid::from_u128(0x44)))
    );
    assert_eq!(p.record.at, at("2021-12-20T01:00:00Z"));
    assert_eq!(p.record.law_change_id, lc.id);

    let given = plan(
        &lc,
        &request(LawChangeStatus::Requested, Some(day(2021, 7, 1)), None),
    );
    assert_eq!(given.law_change.requested_on, Some(day(2021, 7, 1)));
    // Requested again after a refusal: the first request date stays.
    let mut declined = law_change(LawChangeStatus::Declined);
    declined.requested_on = Some(day(2021, 7, 1));
    let again = plan(
        &declined,
        &request(LawChangeStatus::Requested, None, Some("再要望")),
    );
    assert_eq!(again.law_change.requested_on, Some(day(2021, 7, 1)));
    assert_eq!(again.record.reason.as_deref(), Some("再要望"));
}

#[test]
fn a_shown_date_is_set_and_dropped_when_the_ministry_withdraws_it() {
    let lc = law_change(LawChangeStatus::UnderStudy);
    let shown = plan(
        &lc,
        &request(LawChangeStatus::DateShown, Some(day(2022, 4, 1)), None),
    );
    assert_eq!(
        shown.law_change.expected_effective_on,
        Some(day(2022, 4, 1))
    );
    assert_eq!(shown.record.on, Some(day(2022, 4, 1)));
    let back = plan(
        &shown.law_change,
        &request(
            LawChangeStatus::UnderStudy,
            None,
            Some(" 施行日未定に戻った "),
        ),
    );
    assert_eq!(back.law_change.expected_effective_on, None);
    assert_eq!(back.law_change.version, 4);
    assert_eq!(back.record.reason.as_deref(), Some("施行日未定に戻った"));
    // Enacted: the enactment date is set and the shown date kept as history, even in the future.
    let enacted = plan(
        &shown.law_change,
        &request(LawChangeStatus::Enacted, Some(day(2022, 4, 1)), None),
    );
    assert_eq!(enacted.law_change.enacted_on, Some(day(2022, 4, 1)));
    assert_eq!(
        enacted.law_change.expected_effective_on,
        Some(day(2022, 4, 1))
    );
    assert_eq!(enacted.law_change.expected_on(), Some(day(2022, 4, 1)));
    assert!(!enacted.law_change.is_open());
}

#[test]
fn implausible_dates_are_refused_even_where_no_date_is_required() {
    let lc = law_change(LawChangeStatus::Requested);
    let early = guard_failures(
        &lc,
        &request(LawChangeStatus::Enacted, Some(day(1999, 12, 31)), None),
    );
    assert_eq!(
        early,
        [GuardFailure {
            guard: Guard::Date,
            message: "the date 1999-12-31 is out of range: give a date from 2000-01-01 to \
                      2100-12-31"
                .to_owned()
        }]
    );
    let late = guard_failures(
        &lc,
        &request(LawChangeStatus::UnderStudy, Some(day(2101, 1, 1)), None),
    );
    assert_eq!(late.len(), 1);
    assert_eq!(late[0].guard, Guard::Date);
    let unrequested = law_change(LawChangeStatus::NotRequested);
    assert_eq!(
        guard_failures(
            &unrequested,
            &request(LawChangeStatus::Requested, Some(day(1021, 4, 1)), None)
        )[0]
        .guard,
        Guard::Date
    );
    for ok in [day(2000, 1, 1), day(2100, 12, 31)] {
        plan(&lc, &request(LawChangeStatus::Enacted, Some(ok), None));
    }
}

#[test]
fn the_creation_record_names_the_date_of_the_status() {
    let mut lc = law_change(LawChangeStatus::DateShown);
    lc.requested_on = Some(day(2021, 5, 10));
    lc.expected_effective_on = Some(day(2022, 4, 1));
    let id = LawChangeStatusChangeId::from_uuid(Uuid::from_u128(0x66));
    let r = initial_record(&lc, id, Some(" imported "), "system:import", None);
    assert_eq!(r.id, id);
    assert_eq!(r.law_change_id, lc.id);
    assert_eq!(r.from_status, None);
    assert_eq!(r.to_status, LawChangeStatus::DateShown);
    assert_eq!(r.on, Some(day(2022, 4, 1)));
    assert_eq!(r.reason.as_deref(), Some("imported"));
    assert_eq!(r.actor, "system:import");
    assert_eq!(r.at, lc.created_at);
    let fresh = initial_record(
        &law_change(LawChangeStatus::NotRequested),
        id,
        None,
        "po@metro.tokyo.lg.jp",
        Some(UserId::from_uuid(Uuid::from_u128(0x44))),
    );
    assert_eq!((fresh.on, fresh.reason), (None, None));
}
