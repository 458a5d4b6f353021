//! Contract cases for `record_vote`, the decisive write: a vote counted on a pending request, the
//! vote that completes the count and applies the transition in the same transaction, a
//! rejection that closes the request, and every way it refuses (one vote per person whatever hat
//! they wear, a stale request version, a closed request, a procedure that moved) with nothing at
//! all written when it does.

use std::sync::Arc;

use rollout_domain::approval::{ApprovalRequest, ApprovalStatus, ApprovalVote, Decision};
use rollout_domain::{ApprovalRequestId, ProcedurePatch, UserId};
use tokio::sync::Barrier;
use uuid::Uuid;

use super::fixtures::{at, audit, audit_trail, full_history, plan, transition};
use super::people::{
    approval_request, closing, counted, expect_conflict, expect_duplicate, expect_not_found, scene,
    seed_request, vote,
};
use crate::{Store, StoreError, VoteWrite};

/// `approver` votes on behalf of `principal`.
fn substitute(
    request: &ApprovalRequest,
    approver: UserId,
    principal: UserId,
    at: chrono::DateTime<chrono::Utc>,
) -> ApprovalVote {
    ApprovalVote {
        on_behalf_of: Some(principal),
        ..vote(request, approver, Decision::Approve, at)
    }
}

/// A counted vote bumps the request version and leaves it pending with nothing applied; votes
/// come back oldest first, for several requests at once; each vote is audited.
pub async fn vote_counted_while_pending(store: Arc<dyn Store>) {
    let s = scene(&store).await;
    let r = seed_request(
        &store,
        &approval_request(&s.procedure, s.requester.id, 3, at(10, 0)),
    )
    .await;
    let first = vote(&r, s.approvers[1].id, Decision::Approve, at(20, 1));
    let first_write = counted(&r, first.clone());
    let result = store.record_vote(&first_write).await.unwrap();
    let after_first = ApprovalRequest {
        version: 2,
        ..r.clone()
    };
    assert_eq!(result.request, after_first);
    assert!(result.procedure.is_none());

    let second = substitute(&r, s.approvers[0].id, s.approvers[2].id, at(30, 2));
    let second_write = counted(&after_first, second.clone());
    let result = store.record_vote(&second_write).await.unwrap();
    assert_eq!(
        (result.request.version, result.request.status),
        (3, ApprovalStatus::Pending)
    );
    assert_eq!(result.request.closed_at, None);
    assert_eq!(
        store.approval_request(r.id).await.unwrap(),
        Some(result.request)
    );
    assert_eq!(
        store.procedure(s.procedure.id).await.unwrap(),
        Some(s.procedure.clone())
    );
    assert_eq!(full_history(&store, s.procedure.id).await.len(), 1);

    let ghost = ApprovalRequestId(Uuid::now_v7());
    let votes = store.votes_for(&[ghost, r.id]).await.unwrap();
    assert_eq!(votes, vec![first.clone(), second.clone()]);
    assert!(store.votes_for(&[]).await.unwrap().is_empty());
    let trail = audit_trail(&store).await;
    assert_eq!(
        trail[trail.len() - 2..],
        [first_write.audit[0].clone(), second_write.audit[0].clone()]
    );
}

/// The vote that completes the count closes the request as APPROVED and applies the transition
/// in the same write: the procedure moves, its history record (which names the request) is the
/// planned one, and the
/// vote's entries and the transition's own entry (`apply.audit`) are all written, once each.
pub async fn vote_reaching_quorum_applies_transition(store: Arc<dyn Store>) {
    let s = scene(&store).await;
    let r = seed_request(
        &store,
        &approval_request(&s.procedure, s.requester.id, 2, at(10, 0)),
    )
    .await;
    let first = vote(&r, s.approvers[0].id, Decision::Approve, at(20, 0));
    let r = store
        .record_vote(&counted(&r, first.clone()))
        .await
        .unwrap()
        .request;

    let mut planned = plan(&s.procedure, "abolished", at(30, 7));
    planned.record.approval_request_id = Some(r.id);
    let expected_record = planned.record.clone();
    let apply = transition(planned);
    let last = vote(&r, s.approvers[1].id, Decision::Approve, at(30, 7));
    let write = closing(
        &r,
        last.clone(),
        ApprovalStatus::Approved,
        None,
        Some(apply.clone()),
    );
    let written_before = audit_trail(&store).await.len();
    let result = store.record_vote(&write).await.unwrap();

    let approved = ApprovalRequest {
        status: ApprovalStatus::Approved,
        closed_at: Some(at(30, 7)),
        version: 3,
        ..r.clone()
    };
    assert_eq!(result.request, approved);
    let moved = result.procedure.expect("the applied procedure");
    assert_eq!((moved.state.as_str(), moved.version), ("abolished", 2));
    assert_eq!(moved.updated_at, at(30, 7));
    assert_eq!(store.procedure(s.procedure.id).await.unwrap(), Some(moved));
    assert_eq!(store.approval_request(r.id).await.unwrap(), Some(approved));
    let history = full_history(&store, s.procedure.id).await;
    assert_eq!(history.len(), 2);
    assert_eq!(history[1], expected_record);
    assert_eq!(
        store.transition_record(expected_record.id).await.unwrap(),
        Some(expected_record)
    );
    assert_eq!(
        store.votes_for(&[r.id]).await.unwrap(),
        vec![first, last.clone()]
    );
    assert!(
        store
            .pending_approvals_for(&[s.procedure.id])
            .await
            .unwrap()
            .is_empty()
    );
    // Both entries share an instant, so the trail orders them by id; compare as a set.
    let mut tail = audit_trail(&store).await.split_off(written_before);
    tail.sort_by_key(|e| e.id);
    let mut expected = vec![write.audit[0].clone(), apply.audit];
    expected.sort_by_key(|e| e.id);
    assert_eq!(tail, expected);
}

/// When the procedure moved since the request, applying fails with the procedure's `Conflict`
/// and nothing is written: no vote, the request still pending at its version, no history, no
/// audit entry.
pub async fn vote_apply_conflict_writes_nothing(store: Arc<dyn Store>) {
    let s = scene(&store).await;
    let r = seed_request(
        &store,
        &approval_request(&s.procedure, s.requester.id, 1, at(10, 0)),
    )
    .await;
    let patch = ProcedurePatch {
        name: Some("途中で変更".to_owned()),
        ..ProcedurePatch::default()
    };
    let entry = audit("procedure.update", "Procedure", s.procedure.id, at(15, 0));
    let changed = store
        .update_procedure(s.procedure.id, 1, &patch, at(15, 0), &entry)
        .await
        .unwrap();
    let trail = audit_trail(&store).await;

    let mut apply = transition(plan(&s.procedure, "abolished", at(20, 0)));
    apply.plan.record.approval_request_id = Some(r.id);
    let v = vote(&r, s.approvers[0].id, Decision::Approve, at(20, 0));
    let write = closing(&r, v, ApprovalStatus::Approved, None, Some(apply));
    expect_conflict(store.record_vote(&write).await, 1, 2);

    assert!(store.votes_for(&[r.id]).await.unwrap().is_empty());
    assert_eq!(store.approval_request(r.id).await.unwrap(), Some(r));
    assert_eq!(
        store.procedure(s.procedure.id).await.unwrap(),
        Some(changed)
    );
    assert_eq!(full_history(&store, s.procedure.id).await.len(), 1);
    assert_eq!(audit_trail(&store).await, trail);
}

/// A rejection closes the request as REJECTED with its reason; a later vote on the closed
/// request is `Conflict` (the stored version, even when the expected one matches).
pub async fn vote_rejection_closes(store: Arc<dyn Store>) {
    let s = scene(&store).await;
    let r = seed_request(
        &store,
        &approval_request(&s.procedure, s.requester.id, 2, at(10, 0)),
    )
    .await;
    let no = vote(&r, s.approvers[0].id, Decision::Reject, at(20, 0));
    let write = closing(
        &r,
        no.clone(),
        ApprovalStatus::Rejected,
        Some("根拠が不足"),
        None,
    );
    let result = store.record_vote(&write).await.unwrap();
    let rejected = ApprovalRequest {
        status: ApprovalStatus::Rejected,
        reason: Some("根拠が不足".to_owned()),
        closed_at: Some(at(20, 0)),
        version: 2,
        ..r.clone()
    };
    assert_eq!(result.request, rejected);
    assert!(result.procedure.is_none());
    let trail = audit_trail(&store).await;

    let late = vote(&rejected, s.approvers[1].id, Decision::Approve, at(30, 0));
    expect_conflict(store.record_vote(&counted(&rejected, late)).await, 2, 2);
    assert_eq!(store.votes_for(&[r.id]).await.unwrap(), vec![no]);
    assert_eq!(store.approval_request(r.id).await.unwrap(), Some(rejected));
    assert_eq!(audit_trail(&store).await, trail);
}

/// The same approver voting twice is `Duplicate { entity: "vote", key: approver id }`; nothing
/// of the second vote is written.
pub async fn vote_duplicate_approver(store: Arc<dyn Store>) {
    let s = scene(&store).await;
    let r = seed_request(
        &store,
        &approval_request(&s.procedure, s.requester.id, 3, at(10, 0)),
    )
    .await;
    let approver = s.approvers[0].id;
    let first = vote(&r, approver, Decision::Approve, at(20, 0));
    let r = store
        .record_vote(&counted(&r, first.clone()))
        .await
        .unwrap()
        .request;
    let trail = audit_trail(&store).await;

    let again = vote(&r, approver, Decision::Reject, at(21, 0));
    expect_duplicate(
        store.record_vote(&counted(&r, again)).await,
        "vote",
        approver,
    );
    let again_as_substitute = substitute(&r, approver, s.approvers[1].id, at(22, 0));
    expect_duplicate(
        store.record_vote(&counted(&r, again_as_substitute)).await,
        "vote",
        approver,
    );
    assert_eq!(store.votes_for(&[r.id]).await.unwrap(), vec![first]);
    assert_eq!(store.approval_request(r.id).await.unwrap(), Some(r));
    assert_eq!(audit_trail(&store).await, trail);
}

/// Two votes that count for the same person are `Duplicate { entity: "vote", key: approver of
/// the second }`: a substitute voting for someone who already voted, and someone voting after
/// their substitute voted for them.
pub async fn vote_duplicate_counts_for(store: Arc<dyn Store>) {
    let s = scene(&store).await;
    let [a, b, c] = [s.approvers[0].id, s.approvers[1].id, s.approvers[2].id];
    let r = seed_request(
        &store,
        &approval_request(&s.procedure, s.requester.id, 3, at(10, 0)),
    )
    .await;
    let own = vote(&r, a, Decision::Approve, at(20, 0));
    let r = store
        .record_vote(&counted(&r, own.clone()))
        .await
        .unwrap()
        .request;
    let for_a = substitute(&r, b, a, at(21, 0));
    expect_duplicate(store.record_vote(&counted(&r, for_a)).await, "vote", b);

    let for_c = substitute(&r, b, c, at(22, 0));
    let r = store
        .record_vote(&counted(&r, for_c.clone()))
        .await
        .unwrap()
        .request;
    let c_himself = vote(&r, c, Decision::Approve, at(23, 0));
    expect_duplicate(store.record_vote(&counted(&r, c_himself)).await, "vote", c);

    assert_eq!(store.votes_for(&[r.id]).await.unwrap(), vec![own, for_c]);
    assert_eq!(
        store
            .approval_request(r.id)
            .await
            .unwrap()
            .map(|r| r.version),
        Some(3)
    );
}

/// A vote against a stale request version is `Conflict { expected, actual }`; on an unknown
/// request `NotFound { entity: "approval request" }`; by an unknown user `NotFound { entity:
/// "user" }`. None writes anything.
pub async fn vote_stale_or_unknown(store: Arc<dyn Store>) {
    let s = scene(&store).await;
    let r1 = seed_request(
        &store,
        &approval_request(&s.procedure, s.requester.id, 3, at(10, 0)),
    )
    .await;
    let first = vote(&r1, s.approvers[0].id, Decision::Approve, at(20, 0));
    let r2 = store
        .record_vote(&counted(&r1, first.clone()))
        .await
        .unwrap()
        .request;
    let trail = audit_trail(&store).await;

    let stale = vote(&r1, s.approvers[1].id, Decision::Approve, at(21, 0));
    expect_conflict(store.record_vote(&counted(&r1, stale)).await, 1, 2);

    let mut ghost_request = r2.clone();
    ghost_request.id = ApprovalRequestId(Uuid::now_v7());
    let lost = vote(
        &ghost_request,
        s.approvers[1].id,
        Decision::Approve,
        at(22, 0),
    );
    expect_not_found(
        store.record_vote(&counted(&ghost_request, lost)).await,
        "approval request",
        ghost_request.id,
    );

    let nobody = UserId(Uuid::now_v7());
    let stranger = vote(&r2, nobody, Decision::Approve, at(23, 0));
    expect_not_found(
        store.record_vote(&counted(&r2, stranger)).await,
        "user",
        nobody,
    );

    assert_eq!(store.votes_for(&[r1.id]).await.unwrap(), vec![first]);
    assert_eq!(store.approval_request(r1.id).await.unwrap(), Some(r2));
    assert_eq!(audit_trail(&store).await, trail);
}

/// Three approvers vote at once against the same request version: one vote is counted, the
/// others get `Conflict { 1, 2 }` and leave no trace.
pub async fn vote_concurrent_single_winner(store: Arc<dyn Store>) {
    let s = scene(&store).await;
    let r = seed_request(
        &store,
        &approval_request(&s.procedure, s.requester.id, 3, at(10, 0)),
    )
    .await;
    let barrier = Arc::new(Barrier::new(3));
    let mut tasks = Vec::new();
    for (n, approver) in s.approvers.iter().enumerate() {
        let write: VoteWrite = counted(
            &r,
            vote(&r, approver.id, Decision::Approve, at(20, n as i64)),
        );
        let (store, barrier) = (store.clone(), barrier.clone());
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            let outcome = store.record_vote(&write).await;
            (write, outcome)
        }));
    }
    let mut winners = Vec::new();
    let mut conflicts = 0;
    for task in tasks {
        match task.await.unwrap() {
            (write, Ok(result)) => winners.push((write, result.request)),
            (
                _,
                Err(StoreError::Conflict {
                    expected: 1,
                    actual: 2,
                }),
            ) => conflicts += 1,
            (_, Err(other)) => panic!("expected Ok or Conflict {{1, 2}}, got {other:?}"),
        }
    }
    assert_eq!((winners.len(), conflicts), (1, 2));
    let (winner, request) = winners.pop().unwrap();
    assert_eq!(request.version, 2);
    assert_eq!(store.votes_for(&[r.id]).await.unwrap(), vec![winner.vote]);
    assert_eq!(audit_trail(&store).await.last(), Some(&winner.audit[0]));
}
