//! Contract cases for counting on request: every listing (procedures, history, approval
//! requests, audit trail) gives `total_count: Some(n)` with `with_total: true` and `None`
//! without, and the page itself (items, `has_next_page`, `has_previous_page`) is the same
//! either way, on every page of a cursor walk, filtered or not, and for `first: 0`.

use std::fmt::Debug;
use std::future::Future;
use std::sync::Arc;

use rollout_domain::approval::ApprovalStatus;
use rollout_domain::audit::AuditOutcome;

use super::fixtures::{
    at, audit, bureau_code, plan, procedure, seed_bureau, seed_procedure, transition,
};
use super::people::{approval_request, scene, seed_request};
use crate::{
    ApprovalCursor, ApprovalFilter, AuditCursor, AuditFilter, HistoryCursor, OrderDirection, Page,
    PageRequest, ProcedureCursor, ProcedureFilter, ProcedureOrder, ProcedureOrderField, Store,
};

/// Walks a listing in pages of `size`, reading every page twice from the same cursor, with and
/// without the total, and asserts that both reads agree on the page and that only the counted
/// one carries the total, which is `expected` (also the number of items walked). Then checks
/// `first: 0` both ways. Returns the items in listing order.
async fn walk_both_ways<T, C, F, Fut>(
    size: usize,
    expected: i64,
    cursor: impl Fn(&T) -> C,
    list: F,
) -> Vec<T>
where
    T: PartialEq + Debug,
    C: Clone,
    F: Fn(PageRequest<C>) -> Fut,
    Fut: Future<Output = Page<T>>,
{
    let request = |first: usize, after: Option<C>, with_total: bool| PageRequest {
        first,
        after,
        with_total,
    };
    let mut seen = Vec::new();
    let mut after: Option<C> = None;
    loop {
        let counted = list(request(size, after.clone(), true)).await;
        let bare = list(request(size, after.clone(), false)).await;
        assert_eq!(counted.total_count, Some(expected));
        assert_eq!(bare.total_count, None);
        assert_eq!(bare.items, counted.items);
        assert_eq!(bare.has_next_page, counted.has_next_page);
        assert_eq!(bare.has_previous_page, counted.has_previous_page);
        assert_eq!(bare.has_previous_page, after.is_some());
        after = bare.items.last().map(&cursor);
        let more = bare.has_next_page;
        seen.extend(bare.items);
        if !more {
            break;
        }
    }
    assert_eq!(seen.len() as i64, expected);

    let counted = list(request(0, None, true)).await;
    let bare = list(request(0, None, false)).await;
    assert!(counted.items.is_empty() && bare.items.is_empty());
    assert_eq!(counted.total_count, Some(expected));
    assert_eq!(bare.total_count, None);
    assert_eq!(bare.has_next_page, expected > 0);
    assert_eq!(counted.has_next_page, expected > 0);
    seen
}

/// Procedures, unfiltered and filtered, in two orders: same pages with or without the total.
pub async fn list_total_only_when_asked(store: Arc<dyn Store>) {
    let kankyo = seed_bureau(&store, "KANKYO").await;
    let zaimu = seed_bureau(&store, "ZAIMU").await;
    for n in 0..5 {
        let code = format!("KANKYO-{:04}", n + 1);
        seed_procedure(&store, procedure(&code, kankyo.id, at(n, 0))).await;
    }
    for n in 0..2 {
        let code = format!("ZAIMU-{:04}", n + 1);
        seed_procedure(&store, procedure(&code, zaimu.id, at(10 + n, 0))).await;
    }
    let only_zaimu = ProcedureFilter {
        bureau_codes: vec![bureau_code("ZAIMU")],
        ..ProcedureFilter::default()
    };
    let nothing = ProcedureFilter {
        states: vec!["abolished".to_owned()],
        ..ProcedureFilter::default()
    };
    let newest_first = ProcedureOrder {
        field: ProcedureOrderField::CreatedAt,
        direction: OrderDirection::Desc,
    };
    for (filter, order, size, expected) in [
        (ProcedureFilter::default(), ProcedureOrder::default(), 2, 7),
        (ProcedureFilter::default(), newest_first, 3, 7),
        (only_zaimu, ProcedureOrder::default(), 1, 2),
        (nothing, ProcedureOrder::default(), 2, 0),
    ] {
        let s = store.clone();
        let listed = walk_both_ways(
            size,
            expected,
            |p| ProcedureCursor::of(p, order),
            |req: PageRequest<ProcedureCursor>| {
                let (s, filter) = (s.clone(), filter.clone());
                async move { s.list_procedures(&filter, order, &req).await.unwrap() }
            },
        )
        .await;
        if order == newest_first {
            assert_eq!(listed[0].code.as_str(), "ZAIMU-0002");
        }
    }
}

/// A procedure's history: same pages with or without the total.
pub async fn history_total_only_when_asked(store: Arc<dyn Store>) {
    let b = seed_bureau(&store, "KANKYO").await;
    let mut p = seed_procedure(&store, procedure("KANKYO-0001", b.id, at(0, 0))).await;
    for (n, to) in ["scheduled", "built", "user_tested"]
        .into_iter()
        .enumerate()
    {
        p = store
            .apply_transition(&transition(plan(&p, to, at(10 + n as i64, 0))))
            .await
            .unwrap();
    }
    let records = walk_both_ways(
        3,
        4,
        |r: &rollout_domain::TransitionRecord| HistoryCursor {
            procedure_version: r.procedure_version,
        },
        |req| {
            let s = store.clone();
            async move { s.history(p.id, &req).await.unwrap() }
        },
    )
    .await;
    let states: Vec<&str> = records.iter().map(|r| r.to_state.as_str()).collect();
    assert_eq!(states, ["hearing", "scheduled", "built", "user_tested"]);
}

/// Approval requests, unfiltered and by status: same pages with or without the total.
pub async fn approval_list_total_only_when_asked(store: Arc<dyn Store>) {
    let s = scene(&store).await;
    let mut made = Vec::new();
    for n in 0..5 {
        let code = format!("KANKYO-{:04}", n + 10);
        let p = seed_procedure(&store, procedure(&code, s.procedure.bureau_id, at(0, 0))).await;
        made.push(seed_request(&store, &approval_request(&p, s.requester.id, 1, at(n, 0))).await);
    }
    let entry = audit(
        "approval.withdraw",
        "ApprovalRequest",
        made[2].id,
        at(60, 0),
    );
    store
        .close_approval_request(
            made[2].id,
            1,
            ApprovalStatus::Withdrawn,
            None,
            at(60, 0),
            &entry,
        )
        .await
        .unwrap();
    let pending = ApprovalFilter {
        statuses: vec![ApprovalStatus::Pending],
        ..ApprovalFilter::default()
    };
    for (filter, expected) in [(ApprovalFilter::default(), 5), (pending, 4)] {
        let st = store.clone();
        let listed = walk_both_ways(
            2,
            expected,
            |r: &rollout_domain::approval::ApprovalRequest| ApprovalCursor {
                created_at: r.created_at,
                id: r.id,
            },
            |req| {
                let (st, filter) = (st.clone(), filter.clone());
                async move { st.list_approval_requests(&filter, &req).await.unwrap() }
            },
        )
        .await;
        // Newest first.
        assert_eq!(listed[0].id, made[4].id);
    }
}

/// The audit trail, unfiltered and by action prefix: same pages with or without the total.
pub async fn audit_list_total_only_when_asked(store: Arc<dyn Store>) {
    let b = seed_bureau(&store, "KANKYO").await;
    for n in 0..4 {
        let code = format!("KANKYO-{:04}", n + 1);
        seed_procedure(&store, procedure(&code, b.id, at(10 + n, 0))).await;
    }
    let mut denied = audit("procedure.update", "Procedure", "x", at(20, 0));
    denied.outcome = AuditOutcome::Forbidden;
    store.append_audit(&denied).await.unwrap();
    // One bureau creation, four procedure creations, one denied update.
    let procedures = AuditFilter {
        action: Some("procedure.".to_owned()),
        ..AuditFilter::default()
    };
    let forbidden = AuditFilter {
        outcome: Some(AuditOutcome::Forbidden),
        ..AuditFilter::default()
    };
    for (filter, size, expected) in [
        (AuditFilter::default(), 4, 6),
        (procedures, 2, 5),
        (forbidden, 1, 1),
    ] {
        let st = store.clone();
        walk_both_ways(
            size,
            expected,
            |e: &rollout_domain::audit::AuditEntry| AuditCursor { at: e.at, id: e.id },
            |req| {
                let (st, filter) = (st.clone(), filter.clone());
                async move { st.list_audit(&filter, &req).await.unwrap() }
            },
        )
        .await;
    }
}
