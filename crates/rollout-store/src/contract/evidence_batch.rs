//! Contract cases for the atomic write batch (`EvidenceStore::commit`): all or nothing with the
//! failing write's index, writes that see earlier writes of the batch (a transition after an
//! update of the same procedure), hearings that round-trip with their outcomes in order, the
//! one-pending-request rule and per-owner hearing idempotency keys inside a batch, and the
//! task's compare-and-set.

use std::sync::Arc;

use rollout_domain::hearing::HearingDecision;
use rollout_domain::identity::User;
use rollout_domain::task::TaskStatus;
use rollout_domain::{Bureau, IdempotencyKey, Platform, Procedure, ProcedurePatch, TaskId};
use uuid::Uuid;

use super::evidence_fixtures::{commit_audited, hearing, outcome, task};
use super::evidence_target::change;
use super::fixtures::{
    at, audit, audit_trail, date, full_history, plan, procedure, quarter, seed_bureau,
    seed_procedure,
};
use super::people::{
    approval_request, expect_conflict, expect_duplicate, expect_not_found, seed_request, seed_user,
};
use crate::{HearingFilter, Store, StoreError, Write};

struct Office {
    bureau: Bureau,
    user: User,
    procedures: Vec<Procedure>,
}

async fn office(store: &Arc<dyn Store>, n: usize) -> Office {
    let bureau = seed_bureau(store, "KANKYO").await;
    let user = seed_user(store, "office@metro.tokyo.lg.jp").await;
    let mut procedures = Vec::new();
    for i in 1..=n {
        let p = procedure(&format!("KANKYO-{i:04}"), bureau.id, at(i as i64, 0));
        procedures.push(seed_procedure(store, p).await);
    }
    Office {
        bureau,
        user,
        procedures,
    }
}

fn target_patch(q: &str) -> ProcedurePatch {
    ProcedurePatch {
        target_quarter: Some(Some(quarter(q))),
        ..ProcedurePatch::default()
    }
}

/// The procedure as an update to version `version + 1` leaves it (for planning the next write).
fn after_update(p: &Procedure, q: &str) -> Procedure {
    Procedure {
        version: p.version + 1,
        target_quarter: Some(quarter(q)),
        ..p.clone()
    }
}

/// A batch whose write 3 is stale fails with index 3 and a conflict naming the stored version,
/// and leaves nothing: no hearing, no task, no history, no target change, no audit entry.
pub async fn batch_failure_writes_nothing(store: Arc<dyn Store>) {
    let o = office(&store, 2).await;
    let (p1, p2) = (&o.procedures[0], &o.procedures[1]);
    // p2 moves on (version 2) before the batch, planned on version 1, is committed.
    let entry = audit("procedure.update", "Procedure", p2.id, at(100, 0));
    store
        .update_procedure(p2.id, 1, &target_patch("FY2026-Q1"), at(100, 0), &entry)
        .await
        .unwrap();
    let trail = audit_trail(&store).await.len();

    let h = hearing(
        o.bureau.id,
        o.user.id,
        date(2025, 4, 1),
        at(200, 0),
        vec![
            outcome(p1.id, HearingDecision::Proceed),
            outcome(p2.id, HearingDecision::Proceed),
        ],
    );
    let t = task("資料送付", o.bureau.id, o.user.id, None, at(200, 0));
    let batch = vec![
        Write::UpdateProcedure {
            id: p1.id,
            expected_version: 1,
            patch: target_patch("FY2025-Q4"),
            now: at(200, 0),
        },
        Write::Transition(plan(
            &after_update(p1, "FY2025-Q4"),
            "scheduled",
            at(200, 0),
        )),
        Write::TargetChange(change(p1.id, None, Some("FY2025-Q4"), 200, None)),
        Write::Transition(plan(p2, "scheduled", at(200, 0))),
        Write::InsertHearing(h.clone()),
        Write::InsertTask(t.clone()),
        Write::Audit(audit("hearing.record", "Hearing", h.id, at(200, 0))),
    ];
    let err = store.commit(&batch).await.unwrap_err();
    assert_eq!(err.index, 3, "{err}");
    expect_conflict::<()>(Err(err.error), 1, 2);

    assert_eq!(store.hearing(h.id).await.unwrap(), None);
    assert_eq!(store.task(t.id).await.unwrap(), None);
    assert_eq!(store.procedure(p1.id).await.unwrap().as_ref(), Some(p1));
    assert_eq!(full_history(&store, p1.id).await.len(), 1);
    assert!(store.target_changes_for(&[p1.id]).await.unwrap().is_empty());
    assert_eq!(audit_trail(&store).await.len(), trail, "no audit entry");
}

/// An update and a transition of the same procedure in one batch: the transition is planned on
/// the version the update leaves, and both land.
pub async fn batch_transition_after_update(store: Arc<dyn Store>) {
    let o = office(&store, 1).await;
    let p = &o.procedures[0];
    let updated = after_update(p, "FY2025-Q4");
    let moved = plan(&updated, "scheduled", at(300, 0));
    commit_audited(
        &store,
        vec![
            Write::UpdateProcedure {
                id: p.id,
                expected_version: 1,
                patch: target_patch("FY2025-Q4"),
                now: at(300, 0),
            },
            Write::Transition(moved.clone()),
        ],
        at(300, 0),
    )
    .await;
    let stored = store.procedure(p.id).await.unwrap().unwrap();
    assert_eq!(
        (stored.version, stored.state.as_str(), stored.target_quarter),
        (3, "scheduled", Some(quarter("FY2025-Q4")))
    );
    assert_eq!(stored.updated_at, at(300, 0));
    let history = full_history(&store, p.id).await;
    assert_eq!(history.last(), Some(&moved.record));

    // The same transition again is stale: the compare-and-set refuses it.
    let err = store.commit(&[Write::Transition(moved)]).await.unwrap_err();
    assert_eq!(err.index, 0);
    expect_conflict::<()>(Err(err.error), 2, 3);
}

/// A hearing round-trips with its outcomes in the order given, naming the history record and
/// the approval request written earlier in its batch; its tasks read back by hearing.
pub async fn batch_hearing_round_trips(store: Arc<dyn Store>) {
    let o = office(&store, 3).await;
    let (p1, p2, p3) = (&o.procedures[0], &o.procedures[1], &o.procedures[2]);
    let moved = plan(p3, "scheduled", at(400, 0));
    let request = approval_request(p1, o.user.id, 1, at(400, 0));
    let mut applied = outcome(p3.id, HearingDecision::Proceed);
    applied.agreed_target_quarter = Some(quarter("FY2026-Q2"));
    applied.agreed_platform = Some(Platform::JointEApplication);
    applied.issues = Some("様式の統一".to_owned());
    applied.next_step = Some("来月再確認".to_owned());
    applied.applied = true;
    applied.record_id = Some(moved.record.id);
    let mut abolition = outcome(p1.id, HearingDecision::ProposeAbolition);
    abolition.applied = true;
    abolition.approval_request_id = Some(request.id);
    let h = hearing(
        o.bureau.id,
        o.user.id,
        date(2025, 3, 31),
        at(400, 123),
        vec![
            applied,
            outcome(p2.id, HearingDecision::Undecided),
            abolition,
        ],
    );
    let mut t1 = task(
        "回答期限の確認",
        o.bureau.id,
        o.user.id,
        Some(date(2025, 5, 1)),
        at(400, 0),
    );
    t1.hearing_id = Some(h.id);
    t1.procedure_id = Some(p3.id);
    t1.assignee_id = Some(o.user.id);
    t1.description = Some("法務確認".to_owned());
    let mut t2 = task("議事録送付", o.bureau.id, o.user.id, None, at(400, 0));
    t2.hearing_id = Some(h.id);
    commit_audited(
        &store,
        vec![
            Write::Transition(moved),
            Write::OpenApproval(request.clone()),
            Write::InsertHearing(h.clone()),
            Write::InsertTask(t1.clone()),
            Write::InsertTask(t2.clone()),
        ],
        at(400, 0),
    )
    .await;

    assert_eq!(store.hearing(h.id).await.unwrap().as_ref(), Some(&h));
    assert_eq!(
        store.hearings_by_ids(&[h.id]).await.unwrap(),
        vec![h.clone()]
    );
    assert_eq!(
        store.approval_request(request.id).await.unwrap(),
        Some(request)
    );
    let listed = store
        .list_hearings(&HearingFilter::default(), &super::fixtures::first(10))
        .await
        .unwrap();
    assert_eq!(
        listed.items,
        vec![h.clone()],
        "the listing carries the outcomes too"
    );
    let mut pairs = store
        .hearings_for_procedures(&[p2.id, p3.id])
        .await
        .unwrap();
    pairs.sort_by_key(|(p, _)| *p);
    let mut want = vec![(p2.id, h.clone()), (p3.id, h.clone())];
    want.sort_by_key(|(p, _)| *p);
    assert_eq!(pairs, want);
    assert_eq!(
        store.tasks_for_hearings(&[h.id]).await.unwrap(),
        vec![t1.clone(), t2.clone()]
    );
    assert_eq!(store.task(t1.id).await.unwrap(), Some(t1));
}

/// Opening a second pending request for a procedure fails the batch at that write.
pub async fn batch_open_approval_duplicate(store: Arc<dyn Store>) {
    let o = office(&store, 1).await;
    let p = &o.procedures[0];
    seed_request(&store, &approval_request(p, o.user.id, 1, at(500, 0))).await;
    let second = approval_request(p, o.user.id, 1, at(501, 0));
    let err = store
        .commit(&[
            Write::Audit(audit(
                "approval.request",
                "ApprovalRequest",
                second.id,
                at(501, 0),
            )),
            Write::OpenApproval(second.clone()),
        ])
        .await
        .unwrap_err();
    assert_eq!(err.index, 1);
    expect_duplicate::<()>(Err(err.error), "approval request", p.id);
    assert_eq!(store.approval_request(second.id).await.unwrap(), None);
}

/// A hearing's idempotency key is claimed once per owner: the hit names the hearing and its
/// fingerprint, another owner neither sees it nor collides with it, and a second claim fails
/// the batch that would insert a second hearing.
pub async fn batch_hearing_key_per_owner(store: Arc<dyn Store>) {
    let o = office(&store, 1).await;
    let p = &o.procedures[0];
    let key = IdempotencyKey::parse("hearing-2025-04-01").unwrap();
    let h1 = hearing(
        o.bureau.id,
        o.user.id,
        date(2025, 4, 1),
        at(600, 0),
        vec![outcome(p.id, HearingDecision::Undecided)],
    );
    let claim = |owner: &str, hearing, fingerprint: &str| Write::ClaimHearingKey {
        owner: owner.to_owned(),
        key: key.clone(),
        fingerprint: fingerprint.to_owned(),
        hearing,
    };
    commit_audited(
        &store,
        vec![
            Write::InsertHearing(h1.clone()),
            claim("alice", h1.id, "fp-1"),
        ],
        at(600, 0),
    )
    .await;
    let hit = store.hearing_key_hit("alice", &key).await.unwrap().unwrap();
    assert_eq!((hit.fingerprint.as_str(), hit.hearing), ("fp-1", h1.id));
    assert_eq!(store.hearing_key_hit("bob", &key).await.unwrap(), None);

    let h2 = hearing(
        o.bureau.id,
        o.user.id,
        date(2025, 4, 1),
        at(601, 0),
        vec![outcome(p.id, HearingDecision::Undecided)],
    );
    let err = store
        .commit(&[
            Write::InsertHearing(h2.clone()),
            claim("alice", h2.id, "fp-2"),
        ])
        .await
        .unwrap_err();
    assert_eq!(err.index, 1);
    expect_duplicate::<()>(Err(err.error), "idempotency key", key.as_str());
    assert_eq!(store.hearing(h2.id).await.unwrap(), None);

    commit_audited(
        &store,
        vec![
            Write::InsertHearing(h2.clone()),
            claim("bob", h2.id, "fp-2"),
        ],
        at(602, 0),
    )
    .await;
    let hit = store.hearing_key_hit("bob", &key).await.unwrap().unwrap();
    assert_eq!(hit.hearing, h2.id);
    assert_eq!(
        store
            .hearing_key_hit("alice", &key)
            .await
            .unwrap()
            .unwrap()
            .hearing,
        h1.id
    );

    // A claim for a hearing that does not exist names it.
    let ghost = rollout_domain::HearingId(Uuid::now_v7());
    let err = store
        .commit(&[claim("carol", ghost, "fp")])
        .await
        .unwrap_err();
    expect_not_found::<()>(Err(err.error), "hearing", ghost);
}

/// A task changes under compare-and-set: the stale version conflicts naming the stored one, an
/// unknown task is `NotFound`, and the stored row is exactly the task given.
pub async fn update_task_version_conflict(store: Arc<dyn Store>) {
    let o = office(&store, 1).await;
    let t = task(
        "確認",
        o.bureau.id,
        o.user.id,
        Some(date(2025, 6, 30)),
        at(700, 0),
    );
    commit_audited(&store, vec![Write::InsertTask(t.clone())], at(700, 0)).await;
    let mut done = t.clone();
    done.status = TaskStatus::Done;
    done.completion_note = Some("完了".to_owned());
    done.completed_at = Some(at(701, 5));
    done.version = 2;
    done.updated_at = at(701, 5);
    commit_audited(
        &store,
        vec![Write::UpdateTask {
            task: done.clone(),
            expected_version: 1,
        }],
        at(701, 0),
    )
    .await;
    assert_eq!(store.task(t.id).await.unwrap(), Some(done.clone()));

    let mut stale = t.clone();
    stale.title = "上書き".to_owned();
    stale.version = 2;
    let err = store
        .commit(&[Write::UpdateTask {
            task: stale.clone(),
            expected_version: 1,
        }])
        .await
        .unwrap_err();
    assert_eq!(err.index, 0);
    expect_conflict::<()>(Err(err.error), 1, 2);
    assert_eq!(store.task(t.id).await.unwrap(), Some(done));

    stale.id = TaskId(Uuid::now_v7());
    let err = store
        .commit(&[Write::UpdateTask {
            task: stale.clone(),
            expected_version: 1,
        }])
        .await
        .unwrap_err();
    expect_not_found::<()>(Err(err.error), "task", stale.id);
    assert!(matches!(
        store
            .commit(&[Write::InsertTask(t)])
            .await
            .unwrap_err()
            .error,
        StoreError::Duplicate { entity: "task", .. }
    ));
}
