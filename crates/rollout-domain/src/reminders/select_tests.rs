//! Each kind selects the right items from fixed facts on a fixed day.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use uuid::Uuid;

use crate::blockers::{LawChange, LawChangeStatus, LawLevel, Milestone, MilestoneStatus};
use crate::reminders::item::ItemSubject;
use crate::reminders::rule::{Recipients, ReminderKind, ReminderRule, ReminderScope};
use crate::reminders::select::{Facts, LawChangeActivity, ProcedureActivity, select};
use crate::reminders::timing::{HolidayPolicy, MisfirePolicy};
use crate::task::{Task, TaskStatus};
use crate::workflow::{WorkflowDefinition, default_workflow};
use crate::{
    BureauId, FiscalQuarter, LawChangeId, MilestoneId, ProcedureCode, ProcedureId, ReminderRuleId,
    TaskId, UserId,
};

fn at(y: i32, m: u32, d: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, 0, 0, 0).unwrap()
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

pub(super) fn rule(kind: ReminderKind) -> ReminderRule {
    ReminderRule {
        id: ReminderRuleId(Uuid::from_u128(1)),
        name: "rule".into(),
        schedule: "0 9 * * *".into(),
        time_zone: "Asia/Tokyo".into(),
        kind,
        scope: ReminderScope::default(),
        recipients: Recipients {
            bureau_coordinators: true,
            ..Recipients::default()
        },
        channels: vec![crate::reminders::rule::Channel::InApp],
        holiday_policy: HolidayPolicy::Fire,
        misfire_policy: MisfirePolicy::FireOnce,
        quiet_days: 0,
        enabled: true,
        cursor: at(2026, 1, 1),
        last_fired_at: None,
        last_tick: None,
        missed_ticks: 0,
        created_by: None,
        created_at: at(2026, 1, 1),
        updated_at: at(2026, 1, 1),
        version: 1,
    }
}

const B1: BureauId = BureauId(Uuid::from_u128(10));
const B2: BureauId = BureauId(Uuid::from_u128(11));

fn task(n: u128, due: Option<NaiveDate>, status: TaskStatus, bureau: BureauId) -> Task {
    Task {
        id: TaskId(Uuid::from_u128(n)),
        title: format!("task {n}"),
        description: None,
        procedure_id: None,
        bureau_id: bureau,
        assignee_id: Some(UserId(Uuid::from_u128(100 + n))),
        due_on: due,
        status,
        completion_note: None,
        completed_at: None,
        hearing_id: None,
        created_by: UserId(Uuid::from_u128(99)),
        version: 1,
        created_at: at(2026, 1, 1),
        updated_at: at(2026, 1, 1),
    }
}

fn procedure(
    n: u128,
    state: &str,
    entered: DateTime<Utc>,
    updated: DateTime<Utc>,
) -> ProcedureActivity {
    ProcedureActivity {
        id: ProcedureId(Uuid::from_u128(n)),
        code: ProcedureCode::parse(&format!("KANKYO-{n:04}")).unwrap(),
        name: format!("手続{n}"),
        name_en: None,
        bureau_id: if n.is_multiple_of(2) { B1 } else { B2 },
        state: state.into(),
        annual_applications: Some(if n > 5 { 20_000 } else { 10 }),
        target_quarter: Some(FiscalQuarter::parse("FY2026-Q3").unwrap()),
        updated_at: updated,
        state_entered_at: entered,
    }
}

struct World {
    workflow: WorkflowDefinition,
    tasks: Vec<Task>,
    procedures: Vec<ProcedureActivity>,
    law_changes: Vec<LawChangeActivity>,
    milestones: Vec<Milestone>,
    refs: HashMap<ProcedureId, (ProcedureCode, BureauId)>,
}

fn world() -> World {
    let law = |n: u128, status: LawChangeStatus, last: DateTime<Utc>| LawChangeActivity {
        law_change: LawChange {
            id: LawChangeId(Uuid::from_u128(n)),
            code: format!("LC-{n:03}"),
            title_ja: format!("改正{n}"),
            title_en: None,
            level: LawLevel::NationalLaw,
            ministry_ja: None,
            ministry_en: None,
            law_name: None,
            article: None,
            owner_bureau_id: B1,
            status,
            requested_on: None,
            expected_effective_on: None,
            enacted_on: None,
            notes: None,
            version: 1,
            created_at: at(2025, 1, 1),
            updated_at: at(2025, 1, 1),
        },
        last_status_at: last,
    };
    let milestone = |n: u128, planned: Option<NaiveDate>, status: MilestoneStatus| Milestone {
        id: MilestoneId(Uuid::from_u128(n)),
        name: format!("milestone {n}"),
        platform: None,
        planned_on: planned,
        status,
        done_on: None,
        notes: None,
        version: 1,
        created_at: at(2025, 1, 1),
        updated_at: at(2025, 1, 1),
    };
    World {
        workflow: default_workflow(),
        tasks: vec![
            task(1, Some(day(2026, 12, 1)), TaskStatus::Open, B1), // overdue
            task(2, Some(day(2026, 12, 7)), TaskStatus::Open, B1), // today: due soon
            task(3, Some(day(2026, 12, 10)), TaskStatus::Open, B2), // in 3 days
            task(4, Some(day(2026, 12, 20)), TaskStatus::Open, B2), // in 13 days
            task(5, Some(day(2026, 11, 1)), TaskStatus::Done, B1), // closed
            task(6, None, TaskStatus::Open, B1),                   // no due date
        ],
        procedures: vec![
            // hearing has sla 60 days: entered 2026-09-01 → 97 days, exceeded.
            procedure(1, "hearing", at(2026, 9, 1), at(2026, 9, 1)),
            procedure(2, "scheduled", at(2026, 11, 1), at(2026, 12, 1)),
            procedure(3, "released", at(2025, 1, 1), at(2025, 1, 1)),
            procedure(6, "built", at(2026, 6, 1), at(2026, 6, 1)),
        ],
        law_changes: vec![
            law(1, LawChangeStatus::Requested, at(2026, 8, 1)),
            law(2, LawChangeStatus::UnderStudy, at(2026, 12, 1)),
            law(3, LawChangeStatus::Enacted, at(2025, 1, 1)),
        ],
        milestones: vec![
            milestone(1, Some(day(2026, 12, 14)), MilestoneStatus::Planned),
            milestone(2, Some(day(2027, 3, 1)), MilestoneStatus::Planned),
            milestone(3, Some(day(2026, 12, 1)), MilestoneStatus::Done),
        ],
        refs: HashMap::new(),
    }
}

fn run(kind: ReminderKind, scope: ReminderScope) -> Vec<ItemSubject> {
    let w = world();
    let mut r = rule(kind);
    r.scope = scope;
    let facts = Facts {
        today: day(2026, 12, 7),
        now: at(2026, 12, 7),
        workflow: &w.workflow,
        tasks: &w.tasks,
        procedures: &w.procedures,
        approvals: &[],
        law_changes: &w.law_changes,
        milestones: &w.milestones,
        procedure_refs: &w.refs,
    };
    select(&r, &facts).into_iter().map(|i| i.subject).collect()
}

fn tasks(ns: &[u128]) -> Vec<ItemSubject> {
    ns.iter()
        .map(|n| ItemSubject::Task(TaskId(Uuid::from_u128(*n))))
        .collect()
}

fn procs(ns: &[u128]) -> Vec<ItemSubject> {
    ns.iter()
        .map(|n| ItemSubject::Procedure(ProcedureId(Uuid::from_u128(*n))))
        .collect()
}

#[test]
fn task_kinds_split_open_tasks_by_due_date() {
    let all = ReminderScope::default();
    assert_eq!(run(ReminderKind::TaskOverdue, all.clone()), tasks(&[1]));
    assert_eq!(
        run(ReminderKind::TaskDueSoon { days: 3 }, all.clone()),
        tasks(&[2, 3])
    );
    assert_eq!(
        run(ReminderKind::TaskDueSoon { days: 30 }, all),
        tasks(&[2, 3, 4])
    );
    let b2 = ReminderScope {
        bureaus: vec![B2],
        ..ReminderScope::default()
    };
    assert_eq!(
        run(ReminderKind::TaskDueSoon { days: 30 }, b2),
        tasks(&[3, 4])
    );
}

#[test]
fn procedure_kinds_use_sla_activity_and_scope() {
    let all = ReminderScope::default();
    // hearing sla 60 (97 days in), built sla 60 (189 days in); scheduled sla 180 (36 days).
    assert_eq!(
        run(ReminderKind::StageSlaExceeded, all.clone()),
        procs(&[1, 6])
    );
    assert_eq!(
        run(ReminderKind::StaleProcedure { days: 30 }, all.clone()),
        procs(&[1, 6])
    );
    assert_eq!(
        run(ReminderKind::StaleProcedure { days: 5 }, all.clone()),
        procs(&[1, 2, 6])
    );
    // FY2026-Q3 ends 2026-12-31: 24 days away; released procedures are never at risk.
    assert_eq!(
        run(ReminderKind::TargetQuarterAtRisk { days: 30 }, all.clone()),
        procs(&[1, 2, 6])
    );
    assert!(run(ReminderKind::TargetQuarterAtRisk { days: 10 }, all).is_empty());
    let priority = ReminderScope {
        priority_only: true,
        ..ReminderScope::default()
    };
    assert_eq!(
        run(ReminderKind::StaleProcedure { days: 5 }, priority),
        procs(&[6])
    );
    let states = ReminderScope {
        states: vec!["hearing".into()],
        ..ReminderScope::default()
    };
    assert_eq!(run(ReminderKind::StageSlaExceeded, states), procs(&[1]));
}

#[test]
fn law_change_follow_up_and_milestones() {
    let all = ReminderScope::default();
    assert_eq!(
        run(ReminderKind::LawChangeFollowUp { days: 90 }, all.clone()),
        vec![ItemSubject::LawChange(LawChangeId(Uuid::from_u128(1)))]
    );
    assert_eq!(
        run(ReminderKind::MilestoneDue { days: 7 }, all.clone()),
        vec![ItemSubject::Milestone(MilestoneId(Uuid::from_u128(1)))]
    );
    assert_eq!(run(ReminderKind::MilestoneDue { days: 100 }, all).len(), 2);
}

#[test]
fn the_quarterly_report_is_due_for_a_week_from_n_days_after_the_quarter() {
    let w = world();
    let check = |today: NaiveDate, days: u32| {
        let r = rule(ReminderKind::QuarterlyReportDue { days });
        let facts = Facts {
            today,
            now: at(2026, 12, 7),
            workflow: &w.workflow,
            tasks: &[],
            procedures: &[],
            approvals: &[],
            law_changes: &[],
            milestones: &[],
            procedure_refs: &w.refs,
        };
        select(&r, &facts)
            .into_iter()
            .map(|i| i.subject)
            .collect::<Vec<_>>()
    };
    let q2_end = ItemSubject::QuarterlyReport(day(2026, 9, 30));
    assert!(
        check(day(2026, 10, 9), 10).is_empty(),
        "9 days after: not yet"
    );
    assert_eq!(check(day(2026, 10, 10), 10), vec![q2_end]);
    assert_eq!(check(day(2026, 10, 16), 10), vec![q2_end]);
    assert!(
        check(day(2026, 10, 17), 10).is_empty(),
        "a week later it stops"
    );
}

#[test]
fn kinds_parse_with_their_days() {
    assert_eq!(
        ReminderKind::from_parts("TASK_DUE_SOON", Some(3)).unwrap(),
        ReminderKind::TaskDueSoon { days: 3 }
    );
    assert!(ReminderKind::from_parts("TASK_DUE_SOON", None).is_err());
    assert!(ReminderKind::from_parts("TASK_OVERDUE", Some(3)).is_err());
    assert!(ReminderKind::from_parts("STALE_PROCEDURE", Some(0)).is_err());
    assert!(ReminderKind::from_parts("NOPE", None).is_err());
    for name in crate::reminders::rule::KIND_NAMES {
        let days = if name == "TASK_OVERDUE" || name == "STAGE_SLA_EXCEEDED" {
            None
        } else {
            Some(1)
        };
        assert_eq!(ReminderKind::from_parts(name, days).unwrap().name(), name);
    }
}
