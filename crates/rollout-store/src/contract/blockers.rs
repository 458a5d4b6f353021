//! Contract cases for law changes and milestones: inserts with their creation record and the
//! graph version, a taken code or unknown bureau refused at the write's index, compare-and-set
//! updates (conflict names the stored version), status history read back oldest first, the
//! filtered keyset listing by code, and milestones listed by planned date. Dependencies and the
//! graph are in [`super::blocker_graph`].

use std::sync::Arc;

use rollout_domain::blockers::{LawChangeStatus, LawLevel, MilestoneStatus};
use rollout_domain::{BureauId, LawChangeId, MilestoneId};
use uuid::Uuid;

use super::blocker_fixtures::{
    commit_graph_change, law_change, milestone, seed_law_change, status_change,
};
use super::fixtures::{at, audit, audit_trail, date, seed_bureau};
use super::people::{expect_conflict, expect_duplicate, expect_not_found};
use crate::{LawChangeCursor, LawChangeFilter, PageRequest, Store, Write};

pub async fn law_change_insert_and_lookups(store: Arc<dyn Store>) {
    let bureau = seed_bureau(&store, "SEIKATSU").await;
    assert_eq!(store.graph_version().await.unwrap(), 0);
    let l = law_change("LAW-0007", bureau.id, at(10, 123));
    seed_law_change(&store, &l).await;
    assert_eq!(store.graph_version().await.unwrap(), 1);
    assert_eq!(store.law_change(l.id).await.unwrap().as_ref(), Some(&l));
    assert_eq!(
        store.law_change_by_code("LAW-0007").await.unwrap().as_ref(),
        Some(&l)
    );
    assert_eq!(store.law_change_by_code("LAW-0008").await.unwrap(), None);
    let unknown = LawChangeId(Uuid::now_v7());
    assert_eq!(
        store.law_changes_by_ids(&[unknown, l.id]).await.unwrap(),
        vec![l.clone()]
    );
    assert!(store.law_changes_by_ids(&[]).await.unwrap().is_empty());
    let history = store.law_change_history(Some(&[l.id])).await.unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(
        (history[0].from_status, history[0].to_status, history[0].at),
        (None, LawChangeStatus::Requested, at(10, 123))
    );

    // A taken code fails the batch at the insert, naming the code, and leaves nothing.
    let trail = audit_trail(&store).await.len();
    let mut twin = law_change("LAW-0007", bureau.id, at(20, 0));
    twin.title_ja = "別件".to_owned();
    let err = store
        .commit(&[
            Write::Audit(audit("lawChange.create", "LawChange", twin.id, at(20, 0))),
            Write::InsertLawChange(twin.clone()),
        ])
        .await
        .unwrap_err();
    assert_eq!(err.index, 1, "{err}");
    expect_duplicate::<()>(Err(err.error), "law change", "LAW-0007");
    assert_eq!(store.law_change(twin.id).await.unwrap(), None);
    assert_eq!(audit_trail(&store).await.len(), trail);

    let stray = law_change("LAW-0009", BureauId(Uuid::now_v7()), at(30, 0));
    let err = store
        .commit(&[Write::InsertLawChange(stray.clone())])
        .await
        .unwrap_err();
    expect_not_found::<()>(Err(err.error), "bureau", stray.owner_bureau_id);
}

pub async fn law_change_update_and_history(store: Arc<dyn Store>) {
    let bureau = seed_bureau(&store, "FUKUSHI").await;
    let l = law_change("LAW-0001", bureau.id, at(10, 0));
    seed_law_change(&store, &l).await;
    let mut shown = l.clone();
    shown.status = LawChangeStatus::DateShown;
    shown.expected_effective_on = Some(date(2022, 4, 1));
    shown.notes = None;
    shown.version = 2;
    shown.updated_at = at(300, 7);
    // The history record is written before the one of the creation time would sort: reads
    // order by `at`, not by insertion.
    let later = status_change(
        &l,
        Some(LawChangeStatus::UnderStudy),
        LawChangeStatus::DateShown,
        at(300, 7),
    );
    let earlier = status_change(
        &l,
        Some(LawChangeStatus::Requested),
        LawChangeStatus::UnderStudy,
        at(200, 0),
    );
    commit_graph_change(
        &store,
        vec![
            Write::UpdateLawChange {
                law_change: shown.clone(),
                expected_version: 1,
            },
            Write::LawChangeStatus(later.clone()),
            Write::LawChangeStatus(earlier.clone()),
        ],
    )
    .await;
    assert_eq!(store.law_change(l.id).await.unwrap().as_ref(), Some(&shown));
    let history = store.law_change_history(Some(&[l.id])).await.unwrap();
    let moves: Vec<_> = history.iter().map(|h| h.to_status).collect();
    assert_eq!(
        moves,
        [
            LawChangeStatus::Requested,
            LawChangeStatus::UnderStudy,
            LawChangeStatus::DateShown
        ]
    );
    assert_eq!(history[2], later);
    assert_eq!(store.law_change_history(None).await.unwrap(), history);
    assert!(
        store
            .law_change_history(Some(&[]))
            .await
            .unwrap()
            .is_empty()
    );

    // Planned on version 1 again: refused with the stored version; the code never changes.
    let mut stale = shown.clone();
    stale.code = "LAW-9999".to_owned();
    stale.version = 3;
    let err = store
        .commit(&[Write::UpdateLawChange {
            law_change: stale.clone(),
            expected_version: 1,
        }])
        .await
        .unwrap_err();
    expect_conflict::<()>(Err(err.error), 1, 2);
    let ok = store
        .commit(&[Write::UpdateLawChange {
            law_change: stale,
            expected_version: 2,
        }])
        .await;
    assert!(ok.is_ok(), "{ok:?}");
    assert_eq!(
        store.law_change(l.id).await.unwrap().unwrap().code,
        "LAW-0001"
    );

    let mut ghost = law_change("LAW-0404", bureau.id, at(0, 0));
    ghost.version = 2;
    let err = store
        .commit(&[Write::UpdateLawChange {
            law_change: ghost.clone(),
            expected_version: 1,
        }])
        .await
        .unwrap_err();
    expect_not_found::<()>(Err(err.error), "law change", ghost.id);
    let orphan = status_change(&ghost, None, LawChangeStatus::Requested, at(0, 0));
    let err = store
        .commit(&[Write::LawChangeStatus(orphan)])
        .await
        .unwrap_err();
    expect_not_found::<()>(Err(err.error), "law change", ghost.id);
}

fn codes(items: &[rollout_domain::blockers::LawChange]) -> Vec<&str> {
    items.iter().map(|l| l.code.as_str()).collect()
}

pub async fn law_change_listing(store: Arc<dyn Store>) {
    let kankyo = seed_bureau(&store, "KANKYO").await;
    let toshi = seed_bureau(&store, "TOSHI").await;
    let mut a = law_change("LAW-0001", kankyo.id, at(1, 0));
    a.title_en = Some("Waste Management Act".to_owned());
    let mut b = law_change("LAW-0002", toshi.id, at(2, 0));
    b.level = LawLevel::TokyoOrdinance;
    b.status = LawChangeStatus::UnderStudy;
    b.ministry_ja = None;
    let mut c = law_change("LAW-0010", kankyo.id, at(3, 0));
    c.status = LawChangeStatus::DateShown;
    c.title_ja = "産業廃棄物処理業の許可".to_owned();
    c.title_en = None;
    for l in [&c, &a, &b] {
        seed_law_change(&store, l).await;
    }
    let list = |filter: LawChangeFilter, first: usize, after: Option<&str>| {
        let store = store.clone();
        let after = after.map(|code| LawChangeCursor {
            code: code.to_owned(),
        });
        async move {
            let page = PageRequest {
                first,
                after,
                with_total: true,
            };
            store.list_law_changes(&filter, &page).await.unwrap()
        }
    };
    let page = list(LawChangeFilter::default(), 2, None).await;
    assert_eq!(codes(&page.items), ["LAW-0001", "LAW-0002"]);
    assert_eq!((page.has_next_page, page.total_count), (true, Some(3)));
    let page = list(LawChangeFilter::default(), 2, Some("LAW-0002")).await;
    assert_eq!(codes(&page.items), ["LAW-0010"]);
    assert!(!page.has_next_page && page.has_previous_page);

    let cases: Vec<(LawChangeFilter, Vec<&str>)> = vec![
        (
            LawChangeFilter {
                statuses: vec![LawChangeStatus::UnderStudy, LawChangeStatus::DateShown],
                ..LawChangeFilter::default()
            },
            vec!["LAW-0002", "LAW-0010"],
        ),
        (
            LawChangeFilter {
                levels: vec![LawLevel::TokyoOrdinance],
                ..LawChangeFilter::default()
            },
            vec!["LAW-0002"],
        ),
        (
            LawChangeFilter {
                owner_bureau_ids: vec![kankyo.id],
                ..LawChangeFilter::default()
            },
            vec!["LAW-0001", "LAW-0010"],
        ),
        (
            LawChangeFilter {
                national: Some(true),
                ..LawChangeFilter::default()
            },
            vec!["LAW-0001", "LAW-0010"],
        ),
        (
            LawChangeFilter {
                national: Some(false),
                ..LawChangeFilter::default()
            },
            vec!["LAW-0002"],
        ),
        (
            LawChangeFilter {
                search: Some("waste".to_owned()),
                ..LawChangeFilter::default()
            },
            vec!["LAW-0001"],
        ),
        (
            LawChangeFilter {
                search: Some("産業廃棄物".to_owned()),
                ..LawChangeFilter::default()
            },
            vec!["LAW-0010"],
        ),
        (
            LawChangeFilter {
                search: Some("law-001".to_owned()),
                owner_bureau_ids: vec![kankyo.id],
                ..LawChangeFilter::default()
            },
            vec!["LAW-0010"],
        ),
        (
            LawChangeFilter {
                search: Some("%".to_owned()),
                ..LawChangeFilter::default()
            },
            vec![],
        ),
    ];
    for (filter, want) in cases {
        let page = list(filter.clone(), 10, None).await;
        assert_eq!(codes(&page.items), want, "{filter:?}");
        assert_eq!(page.total_count, Some(want.len() as i64), "{filter:?}");
    }
}

pub async fn milestones_round_trip(store: Arc<dyn Store>) {
    let saas = milestone("SaaS電子申請 稼働", Some(date(2022, 3, 1)), at(1, 5));
    let later = milestone("Aシステム調達", Some(date(2023, 4, 1)), at(2, 0));
    let undated = milestone("0 undated", None, at(3, 0));
    let same_day = milestone("B platform", Some(date(2022, 3, 1)), at(4, 0));
    commit_graph_change(
        &store,
        [&undated, &later, &saas, &same_day]
            .into_iter()
            .map(|m| Write::InsertMilestone(m.clone()))
            .collect(),
    )
    .await;
    let names: Vec<String> = store
        .list_milestones()
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.name)
        .collect();
    assert_eq!(
        names,
        [
            "B platform",
            "SaaS電子申請 稼働",
            "Aシステム調達",
            "0 undated"
        ]
    );
    assert_eq!(
        store.milestone(saas.id).await.unwrap().as_ref(),
        Some(&saas)
    );
    let unknown = MilestoneId(Uuid::now_v7());
    assert_eq!(
        store.milestones_by_ids(&[unknown, later.id]).await.unwrap(),
        vec![later.clone()]
    );

    let mut done = saas.clone();
    done.status = MilestoneStatus::Done;
    done.done_on = Some(date(2022, 3, 15));
    done.version = 2;
    done.updated_at = at(100, 0);
    commit_graph_change(
        &store,
        vec![Write::UpdateMilestone {
            milestone: done.clone(),
            expected_version: 1,
        }],
    )
    .await;
    assert_eq!(
        store.milestone(saas.id).await.unwrap().as_ref(),
        Some(&done)
    );
    let err = store
        .commit(&[Write::UpdateMilestone {
            milestone: done.clone(),
            expected_version: 1,
        }])
        .await
        .unwrap_err();
    expect_conflict::<()>(Err(err.error), 1, 2);
    let err = store
        .commit(&[Write::InsertMilestone(later.clone())])
        .await
        .unwrap_err();
    expect_duplicate::<()>(Err(err.error), "milestone", later.id);
    let mut ghost = milestone("ghost", None, at(0, 0));
    ghost.version = 2;
    let err = store
        .commit(&[Write::UpdateMilestone {
            milestone: ghost.clone(),
            expected_version: 1,
        }])
        .await
        .unwrap_err();
    expect_not_found::<()>(Err(err.error), "milestone", ghost.id);
}
