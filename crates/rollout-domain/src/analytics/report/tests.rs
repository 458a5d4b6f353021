//! The quarterly report's figures on a small constructed history counted by hand: per topic,
//! digitised in the quarter, cumulative against the scope, next quarter's plan (by the target
//! as it was at the quarter's end), deterministic examples, the national requests as of the
//! date (`national_tests`), and agreement with the quarter snapshot.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use chrono_tz::Asia::Tokyo;
use uuid::Uuid;

use super::*;
use crate::analytics::facts::{StateChange, TargetMove};
use crate::analytics::snapshot::quarter_figures;
use crate::workflow::default_workflow;
use crate::{Authority, Category, ProcedureId};

pub(super) fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

/// 10:00 in Tokyo on that day.
pub(super) fn t(s: &str) -> DateTime<Utc> {
    Tokyo
        .from_local_datetime(&d(s).and_hms_opt(10, 0, 0).unwrap())
        .unwrap()
        .with_timezone(&Utc)
}

fn q(s: &str) -> FiscalQuarter {
    s.parse().unwrap()
}

fn proc(n: u128, category: Category, name: &str, history: &[(&str, &str)]) -> ProcedureFacts {
    ProcedureFacts {
        id: ProcedureId(Uuid::from_u128(n)),
        code: format!("P{n:03}"),
        name: name.to_owned(),
        name_en: Some(format!("Procedure {n}")),
        bureau_id: BureauId(Uuid::from_u128(900)),
        category,
        authority: Authority::Tokyo,
        annual_applications: Some(n as i64),
        process_count: (n % 10) as i32 + 1,
        platform: None,
        target_quarter: None,
        changes: history
            .iter()
            .map(|(at, to)| StateChange {
                at: t(at),
                to: (*to).into(),
                comment: None,
            })
            .collect(),
        revisions: vec![],
        target_moves: vec![],
    }
}

fn targeted(mut f: ProcedureFacts, moves: &[(&str, &str)]) -> ProcedureFacts {
    let mut from = None;
    for (at, to) in moves {
        let to = Some(q(to));
        f.target_moves.push(TargetMove {
            at: t(at),
            from,
            to,
        });
        from = to;
    }
    f.target_quarter = from;
    f
}

const H: &str = "hearing";
const R: &str = "released";

pub(super) fn world() -> Vec<ProcedureFacts> {
    use Category::{Major, Standard, Subsidy};
    let mut national = proc(7, Major, "旅券の発給申請", &[("2021-01-05", H)]);
    national.authority = Authority::National;
    vec![
        // Digitised before the quarter.
        proc(
            1,
            Major,
            "労政会館の使用承認",
            &[("2021-01-05", H), ("2021-09-30", R)],
        ),
        // Digitised in FY2021-Q3: two illustrative, two real; examples put the real ones first.
        proc(
            2,
            Major,
            "【例示】手続二",
            &[("2021-01-05", H), ("2021-10-01", R)],
        ),
        proc(
            3,
            Major,
            "実習用通学定期乗車券の発売申込の届出",
            &[("2021-01-05", H), ("2021-12-20", R)],
        ),
        proc(
            4,
            Major,
            "【例示】手続四",
            &[("2021-01-05", H), ("2021-10-02", R)],
        ),
        proc(
            5,
            Major,
            "狩猟免許の更新",
            &[("2021-01-05", H), ("2021-11-01", R)],
        ),
        // Released after the quarter: not digitised as of its end; planned for Q4 then.
        targeted(
            proc(
                6,
                Major,
                "地球温暖化対策計画書の提出",
                &[("2021-01-05", H), ("2022-01-10", R)],
            ),
            &[("2021-06-01", "FY2021-Q4")],
        ),
        national,
        // Targeted at Q4 only after the quarter ended: not in the plan.
        targeted(
            proc(8, Major, "手続八", &[("2021-01-05", H)]),
            &[("2021-06-01", "FY2022-Q1"), ("2022-01-05", "FY2021-Q4")],
        ),
        // Targeted at Q4 at the quarter's end, moved away later: in the plan.
        targeted(
            proc(9, Major, "【例示】手続九", &[("2021-01-05", H)]),
            &[("2021-06-01", "FY2021-Q4"), ("2022-02-01", "FY2022-Q2")],
        ),
        // Abolished in the quarter: out of scope.
        proc(
            10,
            Major,
            "手続十",
            &[("2021-01-05", H), ("2021-11-11", "abolished")],
        ),
        // Created after the quarter: not seen.
        proc(11, Major, "手続十一", &[("2022-01-05", H)]),
        // Other procedures (processes: n % 10 + 1).
        proc(
            21,
            Standard,
            "その他二一",
            &[("2021-01-05", H), ("2021-07-01", R)],
        ),
        proc(
            22,
            Standard,
            "その他二二",
            &[("2021-01-05", H), ("2021-12-31", R)],
        ),
        proc(23, Standard, "その他二三", &[("2021-01-05", H)]),
        // Subsidies.
        proc(
            31,
            Subsidy,
            "補助金三一",
            &[("2021-01-05", H), ("2021-10-15", R)],
        ),
        targeted(
            proc(32, Subsidy, "補助金三二", &[("2021-01-05", H)]),
            &[("2021-05-01", "FY2021-Q4")],
        ),
        // Released in May, moved back, released again in the quarter: digitised at the end,
        // but not new in the quarter (what counts is the first DONE entry).
        proc(
            33,
            Subsidy,
            "補助金三三",
            &[
                ("2021-01-05", H),
                ("2021-05-01", R),
                ("2021-06-01", "built"),
                ("2021-10-20", R),
            ],
        ),
    ]
}

fn report() -> QuarterlyReport {
    let facts = world();
    quarterly_report(
        &facts,
        &default_workflow(),
        q("FY2021-Q3"),
        d("2022-06-30"),
        NationalRequests::none(d("2021-12-31")),
        &[],
    )
}

fn codes(rows: &[ReportRow]) -> Vec<&str> {
    rows.iter().map(|r| r.code.as_str()).collect()
}

#[test]
fn major_procedures_in_the_quarter_cumulative_and_plan() {
    let r = report();
    assert_eq!(r.as_of, d("2021-12-31"));
    assert_eq!(r.next_quarter, Some(q("FY2021-Q4")));
    let m = r.topic(Topic::Major);
    // Digitised in the quarter: 2, 3, 4, 5 (processes 3+4+5+6).
    assert_eq!(
        m.in_quarter,
        Count {
            procedures: 4,
            processes: 18
        }
    );
    // Cumulative: 1 and those four; in scope: 1–6, 8, 9 (not the national one, not the
    // abolished one, not one created later).
    assert_eq!(
        m.digitised,
        Count {
            procedures: 5,
            processes: 2 + 18
        }
    );
    assert_eq!(m.in_scope.procedures, 8);
    assert_eq!(m.rate(), Some(5.0 / 8.0));
    // Plan: 6 (targeted at Q4 then) and 9 (moved away only later); not 8.
    assert_eq!(
        m.planned,
        Count {
            procedures: 2,
            processes: 7 + 10
        }
    );
    // Examples: real names first (by date digitised), then illustrative ones.
    assert_eq!(
        codes(&m.in_quarter_examples),
        ["P005", "P003", "P002", "P004"]
    );
    assert_eq!(codes(&m.planned_examples), ["P006", "P009"]);
    // Rows: every major procedure existing at the end, by code, flags set.
    assert_eq!(
        codes(&m.rows),
        [
            "P001", "P002", "P003", "P004", "P005", "P006", "P007", "P008", "P009", "P010"
        ]
    );
    let p3 = &m.rows[2];
    assert!(p3.in_scope && p3.digitised && p3.in_quarter && !p3.planned);
    assert_eq!(
        (p3.digitised_on, p3.state.as_str()),
        (Some(d("2021-12-20")), R)
    );
    let p6 = &m.rows[5];
    assert!(p6.in_scope && !p6.digitised && p6.planned);
    assert_eq!((p6.state.as_str(), p6.digitised_on), (H, None));
    let p7 = &m.rows[6];
    assert!(!p7.in_scope && !p7.planned);
    let p10 = &m.rows[9];
    assert!(!p10.in_scope && !p10.digitised);
}

#[test]
fn other_procedures_by_processes_and_subsidies() {
    let r = report();
    let o = r.topic(Topic::Other);
    assert_eq!(Topic::Other.headline(), Measure::Processes);
    // 21 (2 processes) before, 22 (3) on the quarter's last day; 23 (4) not yet.
    assert_eq!(
        o.in_quarter,
        Count {
            procedures: 1,
            processes: 3
        }
    );
    assert_eq!(
        o.digitised,
        Count {
            procedures: 2,
            processes: 5
        }
    );
    assert_eq!(
        o.in_scope,
        Count {
            procedures: 3,
            processes: 9
        }
    );
    assert_eq!(o.rate(), Some(5.0 / 9.0));
    let s = r.topic(Topic::Subsidy);
    // 31 new in the quarter; 33 first went online in May, so it is not "new" in Q3.
    assert_eq!(s.in_quarter.procedures, 1);
    assert_eq!(codes(&s.in_quarter_examples), ["P031"]);
    assert_eq!(s.digitised.procedures, 2);
    assert_eq!((s.in_scope.procedures, s.planned.procedures), (3, 1));
    // Overall: every topic together.
    assert_eq!(r.overall_in_scope.procedures, 8 + 3 + 3);
    assert_eq!(r.overall_digitised.procedures, 5 + 2 + 2);
}

#[test]
fn the_report_states_the_quarter_snapshot_figures() {
    let facts = world();
    let def = default_workflow();
    for quarter in ["FY2021-Q1", "FY2021-Q2", "FY2021-Q3", "FY2021-Q4"] {
        let r = quarterly_report(
            &facts,
            &def,
            q(quarter),
            d("2022-06-30"),
            NationalRequests::none(d("2021-12-31")),
            &[],
        );
        assert_eq!(
            r.check_against(&quarter_figures(&facts, &def, q(quarter))),
            Ok(()),
            "{quarter}"
        );
    }
    let r = report();
    let other = quarter_figures(&facts, &def, q("FY2021-Q2"));
    let err = r.check_against(&other).unwrap_err();
    assert!(err.starts_with("quarter"), "{err}");
    let mut tampered = quarter_figures(&facts, &def, q("FY2021-Q3"));
    tampered.categories[0].digitised_in_quarter += 1;
    assert_eq!(
        r.check_against(&tampered),
        Err("MAJOR procedures in quarter: report 4, snapshot 5".to_owned())
    );
}

#[test]
fn examples_stop_at_five() {
    let facts: Vec<_> = (1..=8)
        .map(|n| {
            proc(
                n,
                Category::Major,
                &format!("手続{n}"),
                &[("2021-01-05", H), ("2021-11-01", R)],
            )
        })
        .collect();
    let r = quarterly_report(
        &facts,
        &default_workflow(),
        q("FY2021-Q3"),
        d("2022-06-30"),
        NationalRequests::none(d("2021-12-31")),
        &[],
    );
    let m = r.topic(Topic::Major);
    assert_eq!(m.in_quarter.procedures, 8);
    // Same day: by code.
    assert_eq!(
        codes(&m.in_quarter_examples),
        ["P001", "P002", "P003", "P004", "P005"]
    );
}

#[test]
fn a_quarter_not_yet_ended_is_reported_so_far() {
    let facts = world();
    let r = quarterly_report(
        &facts,
        &default_workflow(),
        q("FY2021-Q3"),
        d("2021-11-20"),
        NationalRequests::none(d("2021-11-20")),
        &[],
    );
    assert!(!r.complete);
    assert_eq!(r.as_of, d("2021-11-20"));
    let m = r.topic(Topic::Major);
    // 2, 4 and 5 by 20 November; 3 only on 20 December.
    assert_eq!(codes(&m.in_quarter_examples), ["P005", "P002", "P004"]);
    assert_eq!(m.digitised.procedures, 4);
    // 10 was abolished on 11 November.
    assert_eq!(m.in_scope.procedures, 8);
    let ended = report();
    assert!(ended.complete && ended.snapshot.is_none());
    assert_eq!(ended.as_of, d("2021-12-31"));
}
