//! Contract cases for approval requests outside voting: creation and exact round-trips, at most
//! one pending request per procedure, unknown references, the batched pending lookup, closing
//! without a vote (compare-and-set on the request version) and the expiry sweep. Votes are in
//! [`super::votes`], listings in [`super::approval_listing`].

use std::sync::Arc;

use chrono::Duration;
use rollout_domain::approval::{ApprovalRequest, ApprovalStatus};
use rollout_domain::audit::AuditEntry;
use rollout_domain::identity::Role;
use rollout_domain::{ApprovalRequestId, ProcedureId, UserId};
use uuid::Uuid;

use super::fixtures::{at, audit, audit_trail, procedure, seed_procedure};
use super::people::{
    approval_request, expect_conflict, expect_duplicate, expect_not_found, scene, seed_request,
};
use crate::Store;

fn close_audit(
    id: ApprovalRequestId,
    status: ApprovalStatus,
    at: chrono::DateTime<chrono::Utc>,
) -> AuditEntry {
    let action = format!("approval.{}", status.as_str().to_ascii_lowercase());
    audit(&action, "ApprovalRequest", id, at)
}

/// Closes `r` (at its current version) with `status` at `when`.
async fn close(
    store: &Arc<dyn Store>,
    r: &ApprovalRequest,
    status: ApprovalStatus,
    when: chrono::DateTime<chrono::Utc>,
) -> ApprovalRequest {
    let entry = close_audit(r.id, status, when);
    store
        .close_approval_request(r.id, r.version, status, None, when, &entry)
        .await
        .unwrap()
}

/// A request round-trips exactly (policy, comment, times, version) and its creation is audited.
pub async fn approval_request_create_and_lookup(store: Arc<dyn Store>) {
    let s = scene(&store).await;
    let mut r = approval_request(&s.procedure, s.requester.id, 2, at(100, 123_456));
    r.policy.role = Role::BureauCoordinator;
    r.comment = Some("年度末で廃止 \"至急\"".to_owned());
    r.expires_at = at(100, 123_456) + Duration::days(3) + Duration::microseconds(7);
    let entry = audit("approval.request", "ApprovalRequest", r.id, at(100, 0));
    let created = store.create_approval_request(&r, &entry).await.unwrap();
    assert_eq!(created, r);
    assert_eq!(store.approval_request(r.id).await.unwrap(), Some(r.clone()));
    let ghost = ApprovalRequestId(Uuid::now_v7());
    assert_eq!(store.approval_request(ghost).await.unwrap(), None);
    assert_eq!(audit_trail(&store).await.last(), Some(&entry));

    let mut bare = approval_request(&s.procedure, s.requester.id, 1, at(200, 0));
    bare.comment = None;
    let withdrawn = close(&store, &r, ApprovalStatus::Withdrawn, at(150, 0)).await;
    assert_eq!(withdrawn.status, ApprovalStatus::Withdrawn);
    assert_eq!(seed_request(&store, &bare).await, bare);
    assert_eq!(store.approval_request(bare.id).await.unwrap(), Some(bare));
}

/// A second pending request for a procedure is `Duplicate { entity: "approval request", key:
/// procedure id }` and is not stored or audited; once the first is closed a new one may open.
pub async fn approval_request_one_pending_per_procedure(store: Arc<dyn Store>) {
    let s = scene(&store).await;
    let first = seed_request(
        &store,
        &approval_request(&s.procedure, s.requester.id, 1, at(10, 0)),
    )
    .await;
    let trail = audit_trail(&store).await;

    let second = approval_request(&s.procedure, s.approvers[0].id, 1, at(20, 0));
    let entry = audit("approval.request", "ApprovalRequest", second.id, at(20, 0));
    expect_duplicate(
        store.create_approval_request(&second, &entry).await,
        "approval request",
        s.procedure.id,
    );
    assert_eq!(store.approval_request(second.id).await.unwrap(), None);
    assert_eq!(audit_trail(&store).await, trail);
    assert_eq!(
        store
            .pending_approvals_for(&[s.procedure.id])
            .await
            .unwrap(),
        vec![first.clone()]
    );

    close(&store, &first, ApprovalStatus::Withdrawn, at(30, 0)).await;
    let third = seed_request(
        &store,
        &approval_request(&s.procedure, s.requester.id, 1, at(40, 0)),
    )
    .await;
    assert_eq!(
        store
            .pending_approvals_for(&[s.procedure.id])
            .await
            .unwrap(),
        vec![third]
    );
}

/// An unknown procedure or requester is `NotFound` naming it; nothing is stored.
pub async fn approval_request_unknown_references(store: Arc<dyn Store>) {
    let s = scene(&store).await;
    let mut ghost_procedure = s.procedure.clone();
    ghost_procedure.id = ProcedureId(Uuid::now_v7());
    let r = approval_request(&ghost_procedure, s.requester.id, 1, at(1, 0));
    let entry = audit("approval.request", "ApprovalRequest", r.id, at(1, 0));
    expect_not_found(
        store.create_approval_request(&r, &entry).await,
        "procedure",
        ghost_procedure.id,
    );

    let nobody = UserId(Uuid::now_v7());
    let r = approval_request(&s.procedure, nobody, 1, at(2, 0));
    let entry = audit("approval.request", "ApprovalRequest", r.id, at(2, 0));
    expect_not_found(
        store.create_approval_request(&r, &entry).await,
        "user",
        nobody,
    );
    assert!(
        store
            .pending_approvals_for(&[s.procedure.id, ghost_procedure.id])
            .await
            .unwrap()
            .is_empty()
    );
}

/// `pending_approvals_for` returns the pending request of each given procedure that has one,
/// ignoring closed requests and unknown ids.
pub async fn pending_approvals_for_batches(store: Arc<dyn Store>) {
    let s = scene(&store).await;
    let b = s.procedure.bureau_id;
    let p2 = seed_procedure(&store, procedure("KANKYO-0002", b, at(1, 0))).await;
    let p3 = seed_procedure(&store, procedure("KANKYO-0003", b, at(2, 0))).await;
    let r1 = seed_request(
        &store,
        &approval_request(&s.procedure, s.requester.id, 1, at(10, 0)),
    )
    .await;
    let r2 = seed_request(&store, &approval_request(&p2, s.requester.id, 2, at(11, 0))).await;
    let r3 = seed_request(&store, &approval_request(&p3, s.requester.id, 1, at(12, 0))).await;
    close(&store, &r3, ApprovalStatus::Withdrawn, at(13, 0)).await;

    let ids = [p3.id, ProcedureId(Uuid::now_v7()), p2.id, s.procedure.id];
    let mut found = store.pending_approvals_for(&ids).await.unwrap();
    found.sort_by_key(|r| r.created_at);
    assert_eq!(found, vec![r1, r2]);
    assert!(
        store
            .pending_approvals_for(&[p3.id])
            .await
            .unwrap()
            .is_empty()
    );
    assert!(store.pending_approvals_for(&[]).await.unwrap().is_empty());
}

/// Closing without a vote sets status, reason and closing time and bumps the version; a stale
/// version, or a request already closed, is `Conflict` with the stored version; an unknown
/// request is `NotFound { entity: "approval request" }`. Only the successful close is audited.
pub async fn close_request_once(store: Arc<dyn Store>) {
    let s = scene(&store).await;
    let r = seed_request(
        &store,
        &approval_request(&s.procedure, s.requester.id, 2, at(10, 0)),
    )
    .await;
    let entry = close_audit(r.id, ApprovalStatus::Failed, at(20, 5));
    let closed = store
        .close_approval_request(
            r.id,
            1,
            ApprovalStatus::Failed,
            Some("procedure changed".to_owned()),
            at(20, 5),
            &entry,
        )
        .await
        .unwrap();
    let expected = ApprovalRequest {
        status: ApprovalStatus::Failed,
        reason: Some("procedure changed".to_owned()),
        closed_at: Some(at(20, 5)),
        version: 2,
        ..r.clone()
    };
    assert_eq!(closed, expected);
    assert_eq!(
        store.approval_request(r.id).await.unwrap(),
        Some(expected.clone())
    );
    let trail = audit_trail(&store).await;
    assert_eq!(trail.last(), Some(&entry));

    for version in [1, 2] {
        let entry = close_audit(r.id, ApprovalStatus::Withdrawn, at(30, 0));
        let again = store
            .close_approval_request(
                r.id,
                version,
                ApprovalStatus::Withdrawn,
                None,
                at(30, 0),
                &entry,
            )
            .await;
        expect_conflict(again, version, 2);
    }
    let ghost = ApprovalRequestId(Uuid::now_v7());
    let entry = close_audit(ghost, ApprovalStatus::Withdrawn, at(31, 0));
    expect_not_found(
        store
            .close_approval_request(ghost, 1, ApprovalStatus::Withdrawn, None, at(31, 0), &entry)
            .await,
        "approval request",
        ghost,
    );
    assert_eq!(store.approval_request(r.id).await.unwrap(), Some(expected));
    assert_eq!(audit_trail(&store).await, trail);
}

/// `expired_pending(now, limit)` gives pending requests whose expiry is at or before `now`
/// (at `expires_at` a request counts as expired, as `ApprovalRequest::status_at` says), oldest
/// expiry first, at most `limit`; closed and unexpired requests are not included.
pub async fn expired_pending_sweep(store: Arc<dyn Store>) {
    let s = scene(&store).await;
    let b = s.procedure.bureau_id;
    let now = at(1000, 0);
    let mut expected = Vec::new();
    let mut closed = None;
    // (expiry relative to now in microseconds, closed?)
    let plans: [(i64, bool); 5] = [
        (-1, false),
        (1, false),
        (-500, false),
        (0, false),
        (-900, true),
    ];
    for (n, (offset, close_it)) in plans.into_iter().enumerate() {
        let p = seed_procedure(
            &store,
            procedure(&format!("KANKYO-{:04}", n + 10), b, at(0, 0)),
        )
        .await;
        let mut r = approval_request(&p, s.requester.id, 1, at(n as i64, 0));
        r.expires_at = now + Duration::microseconds(offset);
        let r = seed_request(&store, &r).await;
        if close_it {
            closed = Some(close(&store, &r, ApprovalStatus::Withdrawn, at(10, 0)).await);
        } else if offset <= 0 {
            expected.push(r);
        }
    }
    expected.sort_by_key(|r| r.expires_at);
    assert_eq!(expected.len(), 3);
    assert_eq!(store.expired_pending(now, 10).await.unwrap(), expected);
    assert_eq!(store.expired_pending(now, 2).await.unwrap(), expected[..2]);
    assert!(store.expired_pending(now, 0).await.unwrap().is_empty());
    assert!(
        store
            .expired_pending(at(0, 0), 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(closed.is_some_and(|c| c.status == ApprovalStatus::Withdrawn));
}
