//! A constructed history whose FY2021-Q3 report states the programme's published figures: 119
//! major procedures in scope, 68 online before October 2021 and 3 in October–December (one of
//! them 実習用通学定期乗車券の発売申込の届出), 31 planned for January–March 2022 (地球温暖化対策計画書の提出
//! among them); 31 national requests (7 date shown, 13 under study, 11 not yet answered); 32
//! subsidies targeted, 12 on jGrants before the quarter and 6 in it, 13 planned; other
//! procedures by processes.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use rollout_domain::analytics::facts::{ProcedureFacts, StateChange, TargetMove};
use rollout_domain::analytics::report::{
    NationalRequest, NationalRequests, QuarterlyReport, RequestBucket, quarterly_report,
};
use rollout_domain::workflow::default_workflow;
use rollout_domain::{
    Authority, Bureau, BureauCode, BureauId, Category, FiscalQuarter, LawChangeId, ProcedureId,
};
use uuid::Uuid;

/// 10:00 in Tokyo (UTC+9 all year, no daylight saving) on that day.
fn tokyo_ten(d: NaiveDate) -> DateTime<Utc> {
    Utc.from_utc_datetime(&d.and_hms_opt(1, 0, 0).expect("01:00 exists"))
}

pub fn d(s: &str) -> NaiveDate {
    s.parse().expect("a date")
}

fn q(s: &str) -> FiscalQuarter {
    s.parse().expect("a quarter")
}

pub const KYOIKU: u128 = 901;
pub const KANKYO: u128 = 902;

pub fn bureaus() -> Vec<Bureau> {
    [
        (KYOIKU, "KYOIKU", "教育庁", "Board of Education"),
        (KANKYO, "KANKYO", "環境局", "Bureau of Environment"),
    ]
    .into_iter()
    .map(|(id, code, ja, en)| Bureau {
        id: BureauId(Uuid::from_u128(id)),
        code: BureauCode::parse(code).expect("a bureau code"),
        name_ja: ja.to_owned(),
        name_en: en.to_owned(),
    })
    .collect()
}

pub struct Spec<'a> {
    pub n: u128,
    pub category: Category,
    pub name: &'a str,
    pub name_en: Option<&'a str>,
    pub processes: i32,
    pub released: Option<&'a str>,
    pub target: Option<&'a str>,
    pub authority: Authority,
}

pub fn facts(s: &Spec<'_>) -> ProcedureFacts {
    let mut changes = vec![StateChange {
        at: tokyo_ten(d("2020-06-01")),
        to: "hearing".into(),
        comment: None,
    }];
    if let Some(r) = s.released {
        changes.push(StateChange {
            at: tokyo_ten(d(r)),
            to: "released".into(),
            comment: None,
        });
    }
    let target = s.target.map(q);
    ProcedureFacts {
        id: ProcedureId(Uuid::from_u128(s.n)),
        code: format!("P{:04}", s.n),
        name: s.name.to_owned(),
        name_en: s.name_en.map(str::to_owned),
        bureau_id: BureauId(Uuid::from_u128(if s.n.is_multiple_of(2) {
            KYOIKU
        } else {
            KANKYO
        })),
        category: s.category,
        authority: s.authority,
        annual_applications: None,
        process_count: s.processes,
        platform: None,
        target_quarter: target,
        changes,
        revisions: vec![],
        target_moves: target
            .map(|t| {
                vec![TargetMove {
                    at: tokyo_ten(d("2020-07-01")),
                    from: None,
                    to: Some(t),
                }]
            })
            .unwrap_or_default(),
    }
}

fn spec(
    n: u128,
    category: Category,
    released: Option<&'static str>,
    target: Option<&'static str>,
) -> Spec<'static> {
    Spec {
        n,
        category,
        name: "【例示】手続",
        name_en: None,
        processes: 1,
        released,
        target,
        authority: Authority::Tokyo,
    }
}

/// Every procedure of the constructed programme.
pub fn programme() -> Vec<ProcedureFacts> {
    use Category::{Major, Standard, Subsidy};
    let mut all = Vec::new();
    // Majors: 68 before, 3 in the quarter, 31 planned, 17 later; 31 national (out of scope).
    for n in 1..=68 {
        all.push(facts(&spec(n, Major, Some("2021-05-01"), None)));
    }
    all.push(facts(&Spec {
        name: "実習用通学定期乗車券の発売申込の届出",
        name_en: Some(
            "Notification of applications for student commuter passes for practical training",
        ),
        ..spec(69, Major, Some("2021-11-15"), None)
    }));
    all.push(facts(&Spec {
        name: "<script>alert(1)</script> | *x* & y",
        ..spec(70, Major, Some("2021-12-30"), None)
    }));
    all.push(facts(&spec(71, Major, Some("2021-12-31"), None)));
    all.push(facts(&Spec {
        name: "地球温暖化対策計画書の提出",
        name_en: Some("Submission of global warming countermeasure plans"),
        ..spec(72, Major, None, Some("FY2021-Q4"))
    }));
    for n in 73..=102 {
        all.push(facts(&spec(n, Major, None, Some("FY2021-Q4"))));
    }
    for n in 103..=119 {
        all.push(facts(&spec(n, Major, None, Some("FY2022-Q2"))));
    }
    for n in 120..=150 {
        all.push(facts(&Spec {
            authority: Authority::National,
            ..spec(n, Major, None, None)
        }));
    }
    // Subsidies: 12 before, 6 in the quarter, 13 planned, 1 later.
    for n in 201..=232 {
        let (released, target) = match n {
            201..=212 => (Some("2021-06-01"), None),
            213..=218 => (Some("2021-12-01"), None),
            219..=231 => (None, Some("FY2021-Q4")),
            _ => (None, Some("FY2023-Q1")),
        };
        all.push(facts(&spec(n, Subsidy, released, target)));
    }
    // Others: 10 procedures of 100 processes each; 4 before, 2 in the quarter, 1 planned.
    for n in 301..=310 {
        let (released, target) = match n {
            301..=304 => (Some("2021-04-10"), None),
            305..=306 => (Some("2021-10-10"), None),
            307 => (None, Some("FY2021-Q4")),
            _ => (None, None),
        };
        all.push(facts(&Spec {
            processes: 100,
            ..spec(n, Standard, released, target)
        }));
    }
    all
}

fn request(n: u128, bucket: RequestBucket, title: &str) -> NationalRequest {
    NationalRequest {
        id: LawChangeId(Uuid::from_u128(n)),
        code: format!("LAW-{n:04}"),
        title_ja: title.to_owned(),
        title_en: Some(format!("Request {n}")),
        ministry_ja: Some("外務省".to_owned()),
        ministry_en: Some("Ministry of Foreign Affairs".to_owned()),
        owner_bureau_id: BureauId(Uuid::from_u128(KANKYO)),
        bucket,
        since: d("2021-12-01"),
        date_shown: (bucket == RequestBucket::DateShown).then(|| d("2023-03-27")),
        procedures: vec![],
    }
}

/// 31 requests: 7 date shown (the passport first), 13 under study, 11 not yet answered.
pub fn national() -> NationalRequests {
    let mut requests = vec![request(
        1,
        RequestBucket::DateShown,
        "一般旅券の発給申請・紛失届のオンライン化（旅券法）",
    )];
    requests.extend((2..=7).map(|n| request(n, RequestBucket::DateShown, "【例示】時期提示")));
    requests.extend((8..=20).map(|n| request(n, RequestBucket::UnderStudy, "【例示】検討中")));
    requests.extend((21..=31).map(|n| request(n, RequestBucket::NotYetAnswered, "【例示】未回答")));
    NationalRequests {
        as_of: d("2021-12-31"),
        requests,
    }
}

pub fn report() -> QuarterlyReport {
    report_on(d("2022-06-30"))
}

/// The FY2021-Q3 report as it reads on `today`.
pub fn report_on(today: NaiveDate) -> QuarterlyReport {
    quarterly_report(
        &programme(),
        &default_workflow(),
        q("FY2021-Q3"),
        today,
        national(),
        &bureaus(),
    )
}
