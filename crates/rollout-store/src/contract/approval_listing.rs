//! Contract cases for `list_approval_requests`: each filter on its own and combined (including
//! "not yet voted on by this person, directly or as a substitute"), newest-first keyset pages
//! with ties on the creation time broken by id, and the filter's total count.

use std::sync::Arc;

use rollout_domain::approval::{ApprovalRequest, ApprovalStatus, Decision};
use rollout_domain::identity::Role;
use rollout_domain::{ApprovalRequestId, ProcedureId};
use uuid::Uuid;

use super::fixtures::{at, audit, bureau_code, first, procedure, seed_bureau, seed_procedure};
use super::people::{approval_request, closing, counted, scene, seed_request, seed_user, vote};
use crate::{ApprovalCursor, ApprovalFilter, PageRequest, Store};

/// Ids of the whole listing under `filter` (one page of up to 100), checking the total.
async fn listed(store: &Arc<dyn Store>, filter: ApprovalFilter) -> Vec<ApprovalRequestId> {
    let page = store
        .list_approval_requests(&filter, &first(100))
        .await
        .unwrap();
    assert_eq!(
        page.total_count,
        Some(page.items.len() as i64),
        "{filter:?}"
    );
    assert!(!page.has_next_page && !page.has_previous_page);
    page.items.into_iter().map(|r| r.id).collect()
}

/// Every filter narrows in SQL: statuses, bureau codes (through the procedure), role,
/// requester, procedure, and `not_voted_by` (neither as approver nor counted for).
pub async fn approval_list_filters(store: Arc<dyn Store>) {
    let s = scene(&store).await;
    let kankyo = s.procedure.clone();
    let zaimu = seed_bureau(&store, "ZAIMU").await;
    let kankyo2 =
        seed_procedure(&store, procedure("KANKYO-0002", kankyo.bureau_id, at(1, 0))).await;
    let zaimu1 = seed_procedure(&store, procedure("ZAIMU-0001", zaimu.id, at(2, 0))).await;
    let (a, b) = (
        s.requester.id,
        seed_user(&store, "other@metro.tokyo.lg.jp").await.id,
    );
    let [x, y, z] = [s.approvers[0].id, s.approvers[1].id, s.approvers[2].id];

    let r1 = seed_request(&store, &approval_request(&kankyo, a, 2, at(10, 0))).await;
    let mut r2 = approval_request(&kankyo2, b, 1, at(20, 0));
    r2.policy.role = Role::BureauCoordinator;
    let r2 = seed_request(&store, &r2).await;
    let r3 = seed_request(&store, &approval_request(&zaimu1, a, 1, at(30, 0))).await;
    let no = vote(&r3, x, Decision::Reject, at(31, 0));
    store
        .record_vote(&closing(
            &r3,
            no,
            ApprovalStatus::Rejected,
            Some("不可"),
            None,
        ))
        .await
        .unwrap();
    let r4 = seed_request(&store, &approval_request(&zaimu1, b, 2, at(40, 0))).await;
    let mut for_x = vote(&r4, z, Decision::Approve, at(41, 0));
    for_x.on_behalf_of = Some(x);
    store.record_vote(&counted(&r4, for_x)).await.unwrap();
    let yes = vote(&r1, y, Decision::Approve, at(42, 0));
    store.record_vote(&counted(&r1, yes)).await.unwrap();

    let (r1, r2, r3, r4) = (r1.id, r2.id, r3.id, r4.id);
    let all = ApprovalFilter::default();
    assert_eq!(listed(&store, all.clone()).await, [r4, r3, r2, r1]);
    let statuses = |s: &[ApprovalStatus]| ApprovalFilter {
        statuses: s.to_vec(),
        ..ApprovalFilter::default()
    };
    assert_eq!(
        listed(&store, statuses(&[ApprovalStatus::Pending])).await,
        [r4, r2, r1]
    );
    let closed = statuses(&[ApprovalStatus::Rejected, ApprovalStatus::Withdrawn]);
    assert_eq!(listed(&store, closed).await, [r3]);
    assert!(
        listed(&store, statuses(&[ApprovalStatus::Approved]))
            .await
            .is_empty()
    );

    let bureaus = |codes: &[&str]| ApprovalFilter {
        bureau_codes: codes.iter().map(|c| bureau_code(c)).collect(),
        ..ApprovalFilter::default()
    };
    assert_eq!(listed(&store, bureaus(&["ZAIMU"])).await, [r4, r3]);
    assert_eq!(
        listed(&store, bureaus(&["ZAIMU", "KANKYO"])).await,
        [r4, r3, r2, r1]
    );
    assert!(listed(&store, bureaus(&["TOSHI"])).await.is_empty());

    let role = |r: Role| ApprovalFilter {
        role: Some(r),
        ..ApprovalFilter::default()
    };
    assert_eq!(listed(&store, role(Role::BureauCoordinator)).await, [r2]);
    assert_eq!(
        listed(&store, role(Role::ProjectOffice)).await,
        [r4, r3, r1]
    );

    let by = |u| ApprovalFilter {
        requested_by: Some(u),
        ..ApprovalFilter::default()
    };
    assert_eq!(listed(&store, by(a)).await, [r3, r1]);
    assert_eq!(listed(&store, by(b)).await, [r4, r2]);

    let of = |p| ApprovalFilter {
        procedure_id: Some(p),
        ..ApprovalFilter::default()
    };
    assert_eq!(listed(&store, of(zaimu1.id)).await, [r4, r3]);
    assert!(
        listed(&store, of(ProcedureId(Uuid::now_v7())))
            .await
            .is_empty()
    );

    let not_voted = |u| ApprovalFilter {
        not_voted_by: Some(u),
        ..ApprovalFilter::default()
    };
    assert_eq!(listed(&store, not_voted(x)).await, [r2, r1]);
    assert_eq!(listed(&store, not_voted(y)).await, [r4, r3, r2]);
    assert_eq!(listed(&store, not_voted(z)).await, [r3, r2, r1]);

    let combined = ApprovalFilter {
        statuses: vec![ApprovalStatus::Pending],
        bureau_codes: vec![bureau_code("KANKYO")],
        not_voted_by: Some(x),
        ..ApprovalFilter::default()
    };
    assert_eq!(listed(&store, combined.clone()).await, [r2, r1]);
    let narrower = ApprovalFilter {
        requested_by: Some(b),
        ..combined
    };
    assert_eq!(listed(&store, narrower).await, [r2]);
}

/// Pages walk the listing newest first by (creation time, id), each request exactly once, with
/// a stable total; requests created at the same instant come in descending id order. The
/// cursor works with a filter too, and `first: 0` reports only the total.
pub async fn approval_list_pages(store: Arc<dyn Store>) {
    let s = scene(&store).await;
    let b = s.procedure.bureau_id;
    // (creation second, id): two pairs share an instant, with ids against insertion order.
    let rows: [(i64, u128); 7] = [
        (10, 7),
        (20, 3),
        (20, 9),
        (30, 1),
        (40, 5),
        (40, 2),
        (50, 8),
    ];
    let mut made: Vec<ApprovalRequest> = Vec::new();
    for (n, (second, id)) in rows.into_iter().enumerate() {
        let p = seed_procedure(
            &store,
            procedure(&format!("KANKYO-{:04}", n + 10), b, at(0, 0)),
        )
        .await;
        let mut r = approval_request(&p, s.requester.id, 1, at(second, 0));
        r.id = ApprovalRequestId(Uuid::from_u128(id));
        made.push(seed_request(&store, &r).await);
    }
    for r in [&made[1], &made[4]] {
        let entry = audit("approval.withdraw", "ApprovalRequest", r.id, at(60, 0));
        store
            .close_approval_request(r.id, 1, ApprovalStatus::Withdrawn, None, at(60, 0), &entry)
            .await
            .unwrap();
    }
    let id = |n: u128| ApprovalRequestId(Uuid::from_u128(n));
    let newest_first = [id(8), id(5), id(2), id(1), id(9), id(3), id(7)];

    let walk = |filter: ApprovalFilter, size: usize| {
        let store = store.clone();
        async move {
            let mut seen = Vec::new();
            let mut after: Option<ApprovalCursor> = None;
            let mut sizes = Vec::new();
            loop {
                let request = PageRequest {
                    first: size,
                    after,
                    with_total: true,
                };
                let page = store
                    .list_approval_requests(&filter, &request)
                    .await
                    .unwrap();
                assert_eq!(page.has_previous_page, after.is_some());
                sizes.push((page.items.len(), page.total_count, page.has_next_page));
                let last = page.items.last().map(|r| ApprovalCursor {
                    created_at: r.created_at,
                    id: r.id,
                });
                seen.extend(page.items.into_iter().map(|r| r.id));
                if !sizes.last().unwrap().2 {
                    break;
                }
                after = last;
            }
            (seen, sizes)
        }
    };
    let (seen, sizes) = walk(ApprovalFilter::default(), 3).await;
    assert_eq!(seen, newest_first);
    assert_eq!(
        sizes,
        [(3, Some(7), true), (3, Some(7), true), (1, Some(7), false)]
    );

    let pending = ApprovalFilter {
        statuses: vec![ApprovalStatus::Pending],
        ..ApprovalFilter::default()
    };
    let (seen, sizes) = walk(pending.clone(), 2).await;
    assert_eq!(seen, [id(8), id(2), id(1), id(9), id(7)]);
    assert_eq!(
        sizes,
        [(2, Some(5), true), (2, Some(5), true), (1, Some(5), false)]
    );

    let zero = store
        .list_approval_requests(&pending, &first(0))
        .await
        .unwrap();
    assert!(zero.items.is_empty());
    assert_eq!((zero.total_count, zero.has_next_page), (Some(5), true));
}
