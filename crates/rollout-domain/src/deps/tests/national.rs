//! The national-request split as of a date, from status history.

use chrono::{DateTime, TimeZone, Utc};
use uuid::Uuid;

use super::{day, law, p};
use crate::blockers::{
    BlockerRef, Dependency, LawChange, LawChangeStatus, LawChangeStatusChange, LawLevel,
};
use crate::deps::national::{StatusCount, national_request_summary};
use crate::{BureauId, DependencyId, LawChangeId, LawChangeStatusChangeId};

fn at(y: i32, m: u32, d: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, 3, 0, 0)
        .single()
        .expect("valid time")
}

fn lc_id(n: u128) -> LawChangeId {
    LawChangeId(Uuid::from_u128(n))
}

fn law_change(n: u128, level: LawLevel) -> LawChange {
    LawChange {
        id: lc_id(n),
        code: format!("LAW-{n:04}"),
        title_ja: "改正".to_owned(),
        title_en: None,
        level,
        ministry_ja: None,
        ministry_en: None,
        law_name: None,
        article: None,
        owner_bureau_id: BureauId(Uuid::from_u128(1)),
        status: LawChangeStatus::Enacted,
        requested_on: None,
        expected_effective_on: None,
        enacted_on: None,
        notes: None,
        version: 1,
        created_at: at(2021, 1, 1),
        updated_at: at(2021, 1, 1),
    }
}

fn change(id: u128, law: u128, to: LawChangeStatus, when: DateTime<Utc>) -> LawChangeStatusChange {
    LawChangeStatusChange {
        id: LawChangeStatusChangeId(Uuid::from_u128(id)),
        law_change_id: lc_id(law),
        from_status: None,
        to_status: to,
        on: None,
        reason: None,
        actor: "system:test".to_owned(),
        actor_id: None,
        at: when,
    }
}

fn dependency(
    id: u128,
    procedure: u128,
    on: BlockerRef,
    created: DateTime<Utc>,
    removed: Option<DateTime<Utc>>,
) -> Dependency {
    Dependency {
        id: DependencyId(Uuid::from_u128(id)),
        procedure_id: p(procedure),
        on,
        reason: None,
        created_by: None,
        created_at: created,
        removed_at: removed,
        removed_by: None,
        removed_reason: None,
    }
}

fn counts(summary: &[StatusCount], status: LawChangeStatus) -> (i64, i64) {
    let c = summary
        .iter()
        .find(|c| c.status == status)
        .expect("every status is listed");
    (c.law_changes, c.procedures)
}

#[test]
fn the_split_as_of_a_date_between_two_status_changes() {
    use LawChangeStatus::{DateShown, Enacted, NotRequested, Requested, UnderStudy};
    let law_changes = vec![
        law_change(1, LawLevel::NationalLaw),
        law_change(2, LawLevel::CabinetOrder),
        law_change(3, LawLevel::MinisterialOrdinance),
        law_change(4, LawLevel::TokyoOrdinance),
        law_change(5, LawLevel::Notice),
    ];
    let history = vec![
        // 1: requested in 2021, date shown in November, enacted in 2022.
        change(10, 1, Requested, at(2021, 4, 1)),
        change(11, 1, DateShown, at(2021, 11, 1)),
        change(12, 1, Enacted, at(2022, 4, 1)),
        // 2: requested, then under study from December (two records at the same time: the
        // larger id is the later one).
        change(20, 2, Requested, at(2021, 5, 1)),
        change(22, 2, UnderStudy, at(2021, 12, 1)),
        change(21, 2, NotRequested, at(2021, 12, 1)),
        // 3: only exists from 2022.
        change(30, 3, Requested, at(2022, 1, 10)),
        // 4: Tokyo's own rule, never counted.
        change(40, 4, Requested, at(2021, 4, 1)),
        // 5: requested in 2021.
        change(50, 5, Requested, at(2021, 6, 1)),
    ];
    let deps = vec![
        dependency(1, 100, law(1), at(2021, 3, 1), None),
        dependency(2, 101, law(1), at(2021, 3, 1), Some(at(2021, 10, 1))),
        dependency(3, 102, law(2), at(2021, 3, 1), None),
        dependency(4, 100, law(2), at(2021, 3, 1), None),
        dependency(5, 103, law(2), at(2022, 2, 1), None),
        dependency(6, 104, law(4), at(2021, 3, 1), None),
        dependency(7, 105, law(5), at(2021, 3, 1), None),
        dependency(8, 105, law(5), at(2021, 3, 2), None),
    ];
    // The split as of the end of a day (the history's times are 03:00 UTC).
    let summary = |y, m, d| {
        national_request_summary(&law_changes, &history, &deps, day(y, m, d), at(y, m, d))
    };
    let s = summary(2021, 12, 31);
    assert_eq!(s.as_of, day(2021, 12, 31));
    let statuses: Vec<_> = s.by_status.iter().map(|c| c.status).collect();
    assert_eq!(statuses, LawChangeStatus::ALL);
    assert_eq!(
        counts(&s.by_status, DateShown),
        (1, 1),
        "101's edge was removed"
    );
    assert_eq!(
        counts(&s.by_status, UnderStudy),
        (1, 2),
        "103's edge is from 2022"
    );
    assert_eq!(counts(&s.by_status, Requested), (1, 1), "105 counted once");
    assert_eq!(counts(&s.by_status, Enacted), (0, 0));
    assert_eq!(
        (s.law_changes, s.procedures),
        (3, 3),
        "100 is behind two of them"
    );

    let later = summary(2022, 6, 30);
    assert_eq!(counts(&later.by_status, Enacted), (1, 1));
    assert_eq!(counts(&later.by_status, UnderStudy), (1, 3));
    assert_eq!(
        counts(&later.by_status, Requested),
        (2, 1),
        "3 has no procedures"
    );
    assert_eq!((later.law_changes, later.procedures), (4, 4));

    let before = summary(2021, 1, 1);
    assert_eq!((before.law_changes, before.procedures), (0, 0));
    assert!(
        before
            .by_status
            .iter()
            .all(|c| c.law_changes == 0 && c.procedures == 0)
    );
}
