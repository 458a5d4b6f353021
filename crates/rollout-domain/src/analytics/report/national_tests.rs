//! The national-request section as of a date: statuses replayed from history, the programme's
//! groups, the date shown, the procedures behind each request, and the same counts as the API's
//! `nationalRequestSummary`.

use uuid::Uuid;

use super::tests::{d, t, world};
use super::*;
use crate::analytics::end_of_day;
use crate::blockers::{
    BlockerRef, Dependency, LawChange, LawChangeStatus, LawChangeStatusChange, LawLevel,
};
use crate::deps::national::national_request_summary;
use crate::{DependencyId, LawChangeId, LawChangeStatusChangeId, ProcedureId};

fn law(n: u128, title: &str, level: LawLevel) -> LawChange {
    LawChange {
        id: LawChangeId(Uuid::from_u128(n)),
        code: format!("LAW-{n:04}"),
        title_ja: title.to_owned(),
        title_en: Some(format!("Request {n}")),
        level,
        ministry_ja: Some("外務省".to_owned()),
        ministry_en: Some("Ministry of Foreign Affairs".to_owned()),
        law_name: None,
        article: None,
        owner_bureau_id: BureauId(Uuid::from_u128(900)),
        status: LawChangeStatus::Enacted,
        requested_on: None,
        expected_effective_on: None,
        enacted_on: None,
        notes: None,
        version: 1,
        created_at: t("2021-01-01"),
        updated_at: t("2021-01-01"),
    }
}

fn status(
    id: u128,
    law: u128,
    to: LawChangeStatus,
    at: &str,
    on: Option<&str>,
) -> LawChangeStatusChange {
    LawChangeStatusChange {
        id: LawChangeStatusChangeId(Uuid::from_u128(id)),
        law_change_id: LawChangeId(Uuid::from_u128(law)),
        from_status: None,
        to_status: to,
        on: on.map(d),
        reason: None,
        actor: "system:test".to_owned(),
        actor_id: None,
        at: t(at),
    }
}

fn edge(id: u128, procedure: u128, law: u128) -> Dependency {
    Dependency {
        id: DependencyId(Uuid::from_u128(id)),
        procedure_id: ProcedureId(Uuid::from_u128(procedure)),
        on: BlockerRef::LawChange(LawChangeId(Uuid::from_u128(law))),
        reason: None,
        created_by: None,
        created_at: t("2021-02-01"),
        removed_at: None,
        removed_by: None,
        removed_reason: None,
    }
}

#[test]
fn national_requests_as_of_the_date_agree_with_the_summary() {
    use LawChangeStatus::{DateShown, Declined, Enacted, NotRequested, Requested, UnderStudy};
    let laws = vec![
        law(1, "旅券法の改正", LawLevel::NationalLaw),
        law(2, "【例示】二", LawLevel::CabinetOrder),
        law(3, "廃棄物処理法", LawLevel::NationalLaw),
        law(4, "【例示】四", LawLevel::Notice),
        law(5, "都条例", LawLevel::TokyoOrdinance),
        law(6, "未要望", LawLevel::NationalLaw),
        law(7, "成立済み", LawLevel::NationalLaw),
        law(8, "断られた", LawLevel::NationalLaw),
    ];
    let history = vec![
        status(11, 1, Requested, "2021-03-01", Some("2021-03-01")),
        status(12, 1, DateShown, "2021-12-01", Some("2023-03-27")),
        status(21, 2, Requested, "2021-03-01", None),
        status(22, 2, DateShown, "2021-10-01", Some("2022-04-01")),
        // Moved back after the date: still DATE_SHOWN as of 2021-12-31.
        status(23, 2, UnderStudy, "2022-01-10", None),
        status(31, 3, Requested, "2021-03-01", None),
        status(32, 3, UnderStudy, "2021-12-01", None),
        status(41, 4, Requested, "2021-06-01", None),
        status(51, 5, Requested, "2021-03-01", None),
        status(61, 6, NotRequested, "2021-03-01", None),
        status(71, 7, Requested, "2021-03-01", None),
        status(72, 7, Enacted, "2021-11-01", None),
        status(81, 8, Requested, "2021-03-01", None),
        status(82, 8, Declined, "2021-09-01", None),
    ];
    let deps = vec![edge(1, 7, 1), edge(2, 6, 1), edge(3, 8, 3), edge(4, 999, 4)];
    let facts = world();
    let as_of = d("2021-12-31");
    let until = end_of_day(as_of) - chrono::TimeDelta::microseconds(1);
    let n = national_requests(&laws, &history, &deps, &facts, as_of, until);
    assert_eq!(n.count(RequestBucket::DateShown), 2);
    assert_eq!(n.count(RequestBucket::UnderStudy), 1);
    assert_eq!(n.count(RequestBucket::NotYetAnswered), 1);
    assert_eq!(n.count(RequestBucket::Declined), 1);
    assert_eq!(n.total(), 5);
    // The same counts as the API's summary, status by status.
    let s = national_request_summary(&laws, &history, &deps, as_of, until);
    for c in &s.by_status {
        if let Some(b) = RequestBucket::of(c.status) {
            assert_eq!(n.count(b), c.law_changes, "{:?}", c.status);
        }
    }
    // Real titles first; the date shown as of then; procedures behind, by code, named.
    let shown: Vec<_> = n.examples(RequestBucket::DateShown).collect();
    assert_eq!(
        (shown[0].code.as_str(), shown[1].code.as_str()),
        ("LAW-0001", "LAW-0002")
    );
    assert_eq!(shown[0].date_shown, Some(d("2023-03-27")));
    assert_eq!(shown[1].date_shown, Some(d("2022-04-01")));
    assert_eq!(shown[0].since, d("2021-12-01"));
    let behind: Vec<_> = shown[0]
        .procedures
        .iter()
        .map(|p| p.name.as_str())
        .collect();
    assert_eq!(behind, ["地球温暖化対策計画書の提出", "旅券の発給申請"]);
    // An unknown procedure is counted by its request but not named.
    let four = n.in_bucket(RequestBucket::NotYetAnswered).next().unwrap();
    assert_eq!((four.code.as_str(), four.procedures.len()), ("LAW-0004", 0));
    // Before anything was requested, nothing.
    let early = national_requests(
        &laws,
        &history,
        &deps,
        &facts,
        d("2021-02-01"),
        t("2021-02-01"),
    );
    assert_eq!(early.total(), 0);
}
