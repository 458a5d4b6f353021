//! Contract cases for evidence reads and loads: batch reads return only the asked-for ids, user
//! tests round-trip oldest first, the latest verdict ignores tests older than the procedure's
//! latest transition, the hearing listing filters and pages latest first, the `slipped`
//! procedure filter selects both ways, and `insert_evidence` is all or nothing.

use std::sync::Arc;

use rollout_domain::hearing::{HearingDecision, HearingKind};
use rollout_domain::user_test::UserTestVerdict;
use rollout_domain::{BureauId, HearingId, Procedure, UserTestId};
use uuid::Uuid;

use super::evidence_fixtures::{commit_audited, hearing, outcome, task, user_test};
use super::evidence_target::change;
use super::fixtures::{
    at, audit, audit_trail, codes, date, first, plan, procedure, quarter, seed_bureau,
    seed_procedure, seed_with_history, transition,
};
use super::people::seed_user;
use crate::{
    EvidenceSeed, HearingCursor, HearingFilter, PageRequest, ProcedureFilter, ProcedureOrder,
    SlipCondition, Store, StoreError, Write,
};

/// Only the latest test since the latest transition counts, ties broken by id; a procedure
/// whose tests all predate its latest transition has no verdict; unknown ids are absent.
pub async fn latest_user_test_verdicts_since_last_move(store: Arc<dyn Store>) {
    let b = seed_bureau(&store, "KANKYO").await;
    let u = seed_user(&store, "u@metro.tokyo.lg.jp").await;
    let mut ps = Vec::new();
    for i in 1..=3 {
        let p = seed_procedure(
            &store,
            procedure(&format!("KANKYO-{i:04}"), b.id, at(10, 0)),
        )
        .await;
        // Every procedure reaches `built` at t=100.
        let moved = store
            .apply_transition(&transition(plan(&p, "built", at(100, 0))))
            .await
            .unwrap();
        ps.push(moved);
    }
    let (p1, p2, p3) = (&ps[0], &ps[1], &ps[2]);
    let tests = [
        user_test(p1.id, u.id, UserTestVerdict::Pass, at(50, 0)),
        user_test(p1.id, u.id, UserTestVerdict::Pass, at(100, 0)),
        user_test(p1.id, u.id, UserTestVerdict::Fail, at(200, 0)),
        user_test(p2.id, u.id, UserTestVerdict::Pass, at(99, 999_999)),
        user_test(p3.id, u.id, UserTestVerdict::Fail, at(150, 0)),
        user_test(p3.id, u.id, UserTestVerdict::Pass, at(150, 0)),
    ];
    commit_audited(
        &store,
        tests.iter().cloned().map(Write::InsertUserTest).collect(),
        at(300, 0),
    )
    .await;

    let mut verdicts = store
        .latest_user_test_verdicts(&[
            p1.id,
            p2.id,
            p3.id,
            rollout_domain::ProcedureId(Uuid::now_v7()),
        ])
        .await
        .unwrap();
    verdicts.sort_by_key(|(p, _)| *p);
    let mut want = vec![
        (p1.id, UserTestVerdict::Fail),
        (p3.id, UserTestVerdict::Pass),
    ];
    want.sort_by_key(|(p, _)| *p);
    assert_eq!(verdicts, want);

    // A test recorded exactly when the procedure entered its state counts.
    let p1_tests = store.user_tests_for_procedures(&[p1.id]).await.unwrap();
    assert_eq!(p1_tests, tests[..3].to_vec(), "oldest first, only p1's");
    assert_eq!(
        store.user_test(tests[4].id).await.unwrap(),
        Some(tests[4].clone())
    );
    assert_eq!(
        store.user_test(UserTestId(Uuid::now_v7())).await.unwrap(),
        None
    );

    // Moving p3 on leaves its earlier tests behind.
    let p3_moved = store
        .apply_transition(&transition(plan(p3, "user_tested", at(400, 0))))
        .await
        .unwrap();
    let verdicts = store
        .latest_user_test_verdicts(&[p3_moved.id])
        .await
        .unwrap();
    assert!(verdicts.is_empty(), "{verdicts:?}");
    assert!(
        store
            .latest_user_test_verdicts(&[])
            .await
            .unwrap()
            .is_empty()
    );
}

/// Hearings list latest first, filtered by bureau, dates, procedure and kind, in keyset pages;
/// batch reads return only the asked-for hearings.
pub async fn hearing_list_and_batches(store: Arc<dyn Store>) {
    let a = seed_bureau(&store, "KANKYO").await;
    let b = seed_bureau(&store, "ZAIMU").await;
    let u = seed_user(&store, "u@metro.tokyo.lg.jp").await;
    let p1 = seed_procedure(&store, procedure("KANKYO-0001", a.id, at(1, 0))).await;
    let p2 = seed_procedure(&store, procedure("ZAIMU-0001", b.id, at(1, 0))).await;
    let on = |bureau: BureauId, m, d, p: &Procedure| {
        hearing(
            bureau,
            u.id,
            date(2025, m, d),
            at(2, 0),
            vec![outcome(p.id, HearingDecision::Undecided)],
        )
    };
    let h1 = on(a.id, 4, 1, &p1);
    let h2 = on(a.id, 4, 15, &p1);
    let mut h3 = on(b.id, 4, 15, &p2);
    h3.kind = HearingKind::NationalMinistry;
    h3.attendees = vec![];
    h3.notes = None;
    let h4 = on(b.id, 5, 1, &p2);
    commit_audited(
        &store,
        [&h1, &h2, &h3, &h4]
            .iter()
            .map(|h| Write::InsertHearing((*h).clone()))
            .collect(),
        at(3, 0),
    )
    .await;
    let mut same_day = [h2.id, h3.id];
    same_day.sort();
    let latest_first: Vec<HearingId> = vec![h4.id, same_day[1], same_day[0], h1.id];

    let listed = |filter: HearingFilter| {
        let store = store.clone();
        async move {
            let page = store.list_hearings(&filter, &first(10)).await.unwrap();
            assert_eq!(page.total_count, Some(page.items.len() as i64));
            page.items.into_iter().map(|h| h.id).collect::<Vec<_>>()
        }
    };
    assert_eq!(listed(HearingFilter::default()).await, latest_first);
    let by_bureau = HearingFilter {
        bureau_ids: vec![a.id],
        ..HearingFilter::default()
    };
    assert_eq!(listed(by_bureau).await, vec![h2.id, h1.id]);
    let range = HearingFilter {
        held_from: Some(date(2025, 4, 15)),
        held_to: Some(date(2025, 4, 30)),
        ..HearingFilter::default()
    };
    assert_eq!(listed(range).await, vec![same_day[1], same_day[0]]);
    let by_procedure = HearingFilter {
        procedure_id: Some(p2.id),
        ..HearingFilter::default()
    };
    assert_eq!(listed(by_procedure).await, vec![h4.id, h3.id]);
    let by_kind = HearingFilter {
        kind: Some(HearingKind::NationalMinistry),
        ..HearingFilter::default()
    };
    assert_eq!(listed(by_kind).await, vec![h3.id]);

    let mut seen = Vec::new();
    let mut request: PageRequest<HearingCursor> = first(1);
    loop {
        let page = store
            .list_hearings(&HearingFilter::default(), &request)
            .await
            .unwrap();
        let Some(last) = page.items.last() else { break };
        assert_eq!(last.outcomes.len(), 1, "a page carries its outcomes");
        seen.push(last.id);
        if !page.has_next_page {
            break;
        }
        request.after = Some(HearingCursor {
            held_on: last.held_on,
            id: last.id,
        });
    }
    assert_eq!(seen, latest_first);

    let mut found = store
        .hearings_by_ids(&[h3.id, h1.id, HearingId(Uuid::now_v7())])
        .await
        .unwrap();
    found.sort_by_key(|h| h.id);
    let mut want = vec![h1.clone(), h3.clone()];
    want.sort_by_key(|h| h.id);
    assert_eq!(found, want);
    assert!(store.hearings_by_ids(&[]).await.unwrap().is_empty());
    assert_eq!(
        store.hearing(HearingId(Uuid::now_v7())).await.unwrap(),
        None
    );
    let pairs = store.hearings_for_procedures(&[p1.id]).await.unwrap();
    assert_eq!(
        pairs,
        vec![(p1.id, h1.clone()), (p1.id, h2.clone())],
        "oldest first"
    );
}

/// `slipped: true` selects procedures whose target quarter ended and which are unfinished;
/// `slipped: false` every other one, those without a target quarter included.
pub async fn slipped_filter_both_ways(store: Arc<dyn Store>) {
    let b = seed_bureau(&store, "KANKYO").await;
    let make = |code: &str, target: Option<&str>, state: &str| {
        let mut p = procedure(code, b.id, at(1, 0));
        p.target_quarter = target.map(quarter);
        p.state = state.to_owned();
        seed_with_history(p, 0)
    };
    let seeds = vec![
        make("KANKYO-0001", Some("FY2025-Q2"), "hearing"),
        make("KANKYO-0002", Some("FY2025-Q3"), "scheduled"),
        make("KANKYO-0003", Some("FY2025-Q4"), "hearing"),
        make("KANKYO-0004", None, "hearing"),
        make("KANKYO-0005", Some("FY2025-Q1"), "released"),
    ];
    store
        .insert_procedures(
            &seeds,
            &audit("procedure.import", "Import", "batch", at(2, 0)),
        )
        .await
        .unwrap();
    let slip = |slipped: bool, states: &[&str]| ProcedureFilter {
        slipped: Some(SlipCondition {
            last_ended: quarter("FY2025-Q3"),
            unfinished_states: states.iter().map(|s| (*s).to_owned()).collect(),
            slipped,
        }),
        ..ProcedureFilter::default()
    };
    let unfinished = ["hearing", "scheduled"];
    let cases = [
        (slip(true, &unfinished), vec!["KANKYO-0001", "KANKYO-0002"]),
        (
            slip(false, &unfinished),
            vec!["KANKYO-0003", "KANKYO-0004", "KANKYO-0005"],
        ),
        (slip(true, &[]), vec![]),
        (
            slip(false, &[]),
            vec![
                "KANKYO-0001",
                "KANKYO-0002",
                "KANKYO-0003",
                "KANKYO-0004",
                "KANKYO-0005",
            ],
        ),
    ];
    for (filter, want) in cases {
        let page = store
            .list_procedures(&filter, ProcedureOrder::default(), &first(10))
            .await
            .unwrap();
        assert_eq!(codes(&page.items), want, "{filter:?}");
        assert_eq!(page.total_count, Some(want.len() as i64));
    }
    let counts = store
        .count_by_state(&slip(true, &unfinished))
        .await
        .unwrap();
    assert_eq!(
        counts,
        vec![("hearing".to_owned(), 1), ("scheduled".to_owned(), 1)]
    );
}

/// A seed loads whole (rows counted, one audit entry) or not at all.
pub async fn insert_evidence_all_or_nothing(store: Arc<dyn Store>) {
    let b = seed_bureau(&store, "KANKYO").await;
    let u = seed_user(&store, "u@metro.tokyo.lg.jp").await;
    let p1 = seed_procedure(&store, procedure("KANKYO-0001", b.id, at(1, 0))).await;
    let p2 = seed_procedure(&store, procedure("KANKYO-0002", b.id, at(1, 0))).await;
    let h1 = hearing(
        b.id,
        u.id,
        date(2025, 4, 1),
        at(2, 0),
        vec![
            outcome(p1.id, HearingDecision::Proceed),
            outcome(p2.id, HearingDecision::Undecided),
        ],
    );
    let h2 = hearing(
        b.id,
        u.id,
        date(2025, 4, 2),
        at(2, 0),
        vec![outcome(p2.id, HearingDecision::Undecided)],
    );
    let mut t1 = task("t1", b.id, u.id, Some(date(2025, 5, 1)), at(2, 0));
    t1.hearing_id = Some(h1.id);
    let seed = EvidenceSeed {
        hearings: vec![h1.clone(), h2.clone()],
        user_tests: vec![
            user_test(p1.id, u.id, UserTestVerdict::Pass, at(3, 0)),
            user_test(p2.id, u.id, UserTestVerdict::Fail, at(3, 0)),
        ],
        tasks: vec![
            t1.clone(),
            task("t2", b.id, u.id, None, at(2, 0)),
            task("t3", b.id, u.id, None, at(2, 0)),
        ],
        target_changes: vec![
            change(p1.id, None, Some("FY2025-Q3"), 4, None),
            change(p1.id, Some("FY2025-Q3"), Some("FY2025-Q4"), 4, Some("延期")),
        ],
    };
    let trail = audit_trail(&store).await.len();
    let load = audit("evidence.import", "Import", "batch", at(5, 0));
    assert_eq!(
        store.insert_evidence(&seed, &load).await.unwrap(),
        2 + 3 + 2 + 3 + 2
    );
    assert_eq!(audit_trail(&store).await.len(), trail + 1);
    assert_eq!(store.hearing(h1.id).await.unwrap(), Some(h1.clone()));
    assert_eq!(store.tasks_for_hearings(&[h1.id]).await.unwrap(), vec![t1]);
    assert_eq!(
        store
            .user_tests_for_procedures(&[p1.id, p2.id])
            .await
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        store.target_changes_for(&[p1.id]).await.unwrap(),
        seed.target_changes
    );

    let h3 = hearing(
        b.id,
        u.id,
        date(2025, 4, 3),
        at(6, 0),
        vec![outcome(p1.id, HearingDecision::Undecided)],
    );
    let ut = user_test(p1.id, u.id, UserTestVerdict::Pass, at(6, 0));
    let orphan = task("orphan", BureauId(Uuid::now_v7()), u.id, None, at(6, 0));
    let bad = EvidenceSeed {
        hearings: vec![h3.clone()],
        user_tests: vec![ut.clone()],
        tasks: vec![orphan.clone()],
        target_changes: vec![change(p2.id, None, Some("FY2026-Q1"), 6, None)],
    };
    match store
        .insert_evidence(&bad, &audit("evidence.import", "Import", "batch", at(6, 0)))
        .await
    {
        Err(StoreError::NotFound {
            entity: "bureau",
            key,
        }) => {
            assert_eq!(key, orphan.bureau_id.to_string());
        }
        other => panic!("expected NotFound bureau, got {other:?}"),
    }
    assert_eq!(store.hearing(h3.id).await.unwrap(), None);
    assert_eq!(store.user_test(ut.id).await.unwrap(), None);
    assert!(store.target_changes_for(&[p2.id]).await.unwrap().is_empty());
    assert_eq!(
        audit_trail(&store).await.len(),
        trail + 1,
        "no entry for the failed load"
    );
}
