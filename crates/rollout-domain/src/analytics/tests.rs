//! Tests of the as-of replay, the scope rules and ledger, KPIs, targets and quarter figures on
//! small constructed histories whose answers are counted by hand.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use chrono_tz::Asia::Tokyo;
use uuid::Uuid;

use super::facts::{FieldRevision, ProcedureFacts, RevisedField, StateChange, TargetMove};
use super::kpi::{GroupValue, KpiFilter, KpiGroupBy, Ratio, kpis};
use super::scope::{ScopeReason, scope_ledger};
use super::snapshot::{QuarterDelta, quarter_figures};
use super::targets::{default_targets, gap, progress, validate_targets};
use crate::workflow::default_workflow;
use crate::{Authority, BureauId, Category, ProcedureId};

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

/// 10:00 in Tokyo on that day.
fn t(s: &str) -> DateTime<Utc> {
    Tokyo
        .from_local_datetime(&d(s).and_hms_opt(10, 0, 0).unwrap())
        .unwrap()
        .with_timezone(&Utc)
}

fn proc(n: u128, processes: i32, history: &[(&str, &str)]) -> ProcedureFacts {
    ProcedureFacts {
        id: ProcedureId(Uuid::from_u128(n)),
        code: format!("P{n}"),
        name: format!("手続{n}"),
        name_en: None,
        bureau_id: BureauId(Uuid::from_u128(100 + n % 2)),
        category: Category::Major,
        authority: Authority::Tokyo,
        annual_applications: Some(1_000 * n as i64),
        process_count: processes,
        platform: None,
        target_quarter: None,
        changes: history
            .iter()
            .map(|(at, to)| StateChange {
                at: t(at),
                to: (*to).into(),
                comment: Some(format!("to {to}")),
            })
            .collect(),
        revisions: vec![],
        target_moves: vec![],
    }
}

fn world() -> Vec<ProcedureFacts> {
    let mut national = proc(
        3,
        5,
        &[
            ("2021-01-10", "hearing"),
            ("2021-02-01", "awaiting_law_change"),
        ],
    );
    // Became national on 2021-06-01 (was TOKYO before).
    national.authority = Authority::National;
    national.revisions.push(FieldRevision {
        procedure_id: national.id,
        field: RevisedField::Authority,
        old: Some("TOKYO".into()),
        new: Some("NATIONAL".into()),
        at: t("2021-06-01"),
        actor: "po".into(),
        reason: Some("needs the 旅券法".into()),
    });
    let mut grown = proc(
        4,
        10,
        &[("2021-01-10", "hearing"), ("2021-11-15", "released")],
    );
    // Its process count went from 4 to 10 on 2022-01-05.
    grown.revisions.push(FieldRevision {
        procedure_id: grown.id,
        field: RevisedField::ProcessCount,
        old: Some("4".into()),
        new: Some("10".into()),
        at: t("2022-01-05"),
        actor: "po".into(),
        reason: None,
    });
    grown.target_quarter = Some("FY2021-Q3".parse().unwrap());
    grown.target_moves.push(TargetMove {
        at: t("2021-05-01"),
        from: None,
        to: Some("FY2021-Q3".parse().unwrap()),
    });
    vec![
        proc(
            1,
            2,
            &[("2021-01-10", "hearing"), ("2021-03-31", "released")],
        ),
        proc(
            2,
            3,
            &[("2021-01-10", "hearing"), ("2021-10-01", "abolished")],
        ),
        national,
        grown,
        proc(5, 1, &[("2022-02-01", "hearing")]),
    ]
}

#[test]
fn as_of_replays_states_fields_and_targets() {
    let w = world();
    let before = w[3].as_of(t("2021-12-31")).unwrap();
    assert_eq!((before.state, before.process_count), ("released", 4));
    let after = w[3].as_of(t("2022-02-01")).unwrap();
    assert_eq!(after.process_count, 10);
    assert_eq!(w[3].as_of(t("2021-04-30")).unwrap().target_quarter, None);
    assert_eq!(
        w[3].as_of(t("2021-05-02")).unwrap().target_quarter,
        Some("FY2021-Q3".parse().unwrap())
    );
    assert_eq!(
        w[2].as_of(t("2021-05-31")).unwrap().authority,
        Authority::Tokyo
    );
    assert!(w[4].as_of(t("2022-01-31")).is_none(), "not created yet");
}

#[test]
fn kpis_count_only_the_tokyo_decidable_scope_as_of_the_day() {
    let w = world();
    let def = default_workflow();
    // 2021-03-31 (end of day in Tokyo): 1 released, 2 and 4 in hearing, 3 still TOKYO.
    let k = kpis(&w, &def, d("2021-03-31"), &KpiFilter::default(), &[]);
    assert_eq!(
        k.overall.procedures,
        Ratio {
            digitised: 1,
            in_scope: 4
        }
    );
    assert_eq!(
        k.overall.processes,
        Ratio {
            digitised: 2,
            in_scope: 2 + 3 + 5 + 4
        }
    );
    assert_eq!(
        k.overall.applications,
        Ratio {
            digitised: 1_000,
            in_scope: 10_000
        }
    );
    // 2021-12-31: 2 abolished, 3 national, 4 released with 4 processes.
    let k = kpis(
        &w,
        &def,
        d("2021-12-31"),
        &KpiFilter::default(),
        &[KpiGroupBy::Bureau],
    );
    assert_eq!(
        k.overall.procedures,
        Ratio {
            digitised: 2,
            in_scope: 2
        }
    );
    assert_eq!(
        k.overall.processes,
        Ratio {
            digitised: 6,
            in_scope: 6
        }
    );
    assert_eq!(k.overall.out_of_scope, 2);
    assert_eq!(k.groups.len(), 2);
    // Later history does not change it: computed again with procedure 5 and the revision.
    assert_eq!(
        k,
        kpis(
            &w[..],
            &def,
            d("2021-12-31"),
            &KpiFilter::default(),
            &[KpiGroupBy::Bureau]
        )
    );
    let k = kpis(
        &w,
        &def,
        d("2022-03-31"),
        &KpiFilter::default(),
        &[KpiGroupBy::Authority],
    );
    assert_eq!(
        k.overall.processes,
        Ratio {
            digitised: 12,
            in_scope: 13
        }
    );
    assert_eq!(
        k.groups[1].key,
        vec![GroupValue::Authority(Authority::National)]
    );
    assert_eq!(k.groups[1].figures.procedures.in_scope, 0);
    let priority = KpiFilter {
        is_priority: Some(true),
        ..KpiFilter::default()
    };
    let k = kpis(&w, &def, d("2022-03-31"), &priority, &[]);
    assert_eq!(
        k.overall.procedures,
        Ratio {
            digitised: 0,
            in_scope: 0
        },
        "none has 10,000+"
    );
}

#[test]
fn the_ledger_names_every_entry_and_exit_with_its_reason() {
    let w = world();
    let def = default_workflow();
    let l = scope_ledger(&w, &def, d("2021-04-01"), d("2022-03-31"));
    assert_eq!((l.procedures_before, l.processes_before), (4, 14));
    assert_eq!((l.procedures_after, l.processes_after), (3, 13));
    let got: Vec<_> = l
        .entries
        .iter()
        .map(|e| (e.procedure.code.as_str(), e.entered, e.reason, e.comment))
        .collect();
    assert_eq!(
        got,
        vec![
            (
                "P3",
                false,
                ScopeReason::BecameNational,
                Some("needs the 旅券法")
            ),
            ("P2", false, ScopeReason::Abolished, Some("to abolished")),
            ("P5", true, ScopeReason::Created, Some("to hearing")),
        ]
    );
}

#[test]
fn targets_give_exact_gaps() {
    assert_eq!(
        gap(
            Ratio {
                digitised: 0,
                in_scope: 10
            },
            7_000
        ),
        7
    );
    assert_eq!(
        gap(
            Ratio {
                digitised: 6,
                in_scope: 9
            },
            7_000
        ),
        1,
        "6.3 rounds up to 7"
    );
    assert_eq!(
        gap(
            Ratio {
                digitised: 7,
                in_scope: 10
            },
            7_000
        ),
        0
    );
    assert_eq!(
        gap(
            Ratio {
                digitised: 12,
                in_scope: 10
            },
            10_000
        ),
        0
    );
    let targets = default_targets();
    validate_targets(&targets).unwrap();
    let w = world();
    let k = kpis(
        &w,
        &default_workflow(),
        d("2022-03-31"),
        &KpiFilter::default(),
        &[],
    );
    let p = progress(&targets[1], k.overall);
    assert_eq!((p.gap_procedures, p.gap_processes, p.met), (1, 1, false));
    let p = progress(&targets[0], k.overall);
    assert!(p.met);
    let mut dup = targets.clone();
    dup[1].key = dup[0].key.clone();
    assert_eq!(validate_targets(&dup).unwrap_err().index, 1);
    dup[1].key = "x".into();
    dup[1].basis_points = 10_001;
    assert!(validate_targets(&dup).is_err());
}

#[test]
fn quarter_figures_and_their_difference() {
    let w = world();
    let def = default_workflow();
    let q3 = quarter_figures(&w, &def, "FY2021-Q3".parse().unwrap());
    let q2 = quarter_figures(&w, &def, "FY2021-Q2".parse().unwrap());
    assert_eq!(q3.digitised_in_quarter, 1);
    assert_eq!(q3.processes_in_quarter, 4);
    assert_eq!(q2.digitised_in_quarter, 0);
    let major = q3
        .categories
        .iter()
        .find(|c| c.category == Category::Major)
        .unwrap();
    assert_eq!(
        major.figures.procedures,
        Ratio {
            digitised: 2,
            in_scope: 2
        }
    );
    let delta = QuarterDelta::between(&q3, &q2);
    assert_eq!(delta.overall.procedures_digitised, 1);
    assert_eq!(
        delta.overall.procedures_in_scope, -1,
        "procedure 2 was abolished in Q3"
    );
}
