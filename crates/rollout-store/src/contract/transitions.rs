//! Contract cases for transitions: the atomic apply, version conflicts and missing procedures
//! with nothing written, idempotency claims, races between concurrent writers, and history
//! pagination.

use std::sync::Arc;

use rollout_domain::workflow::PlannedTransition;
use rollout_domain::{IdempotencyKey, ProcedureId, TransitionRecordId};
use tokio::sync::Barrier;
use uuid::Uuid;

use super::fixtures::{
    at, date, first, full_history, plan, procedure, seed_bureau, seed_procedure, transition,
};
use crate::{
    HistoryCursor, IdempotencyClaim, IdempotencyHit, PageRequest, Store, StoreError,
    TransitionWrite,
};

/// The write that applies `plan` and claims `idempotency`.
fn keyed(plan: PlannedTransition, idempotency: Option<IdempotencyClaim>) -> TransitionWrite {
    TransitionWrite {
        idempotency,
        ..transition(plan)
    }
}

/// The owner of the keys in these cases, unless a case says otherwise.
const OWNER: &str = "0190a5b2-0000-7000-8000-000000000001";

fn claim(key: &str, fingerprint: &str) -> Option<IdempotencyClaim> {
    owned_claim(OWNER, key, fingerprint)
}

fn owned_claim(owner: &str, key: &str, fingerprint: &str) -> Option<IdempotencyClaim> {
    Some(IdempotencyClaim {
        owner: owner.to_owned(),
        key: IdempotencyKey::parse(key).unwrap(),
        fingerprint: fingerprint.to_owned(),
    })
}

/// A transition moves the state, bumps the version, sets `updated_at` (and `released_on` when
/// planned) and appends its record to the history.
pub async fn transition_applies(store: Arc<dyn Store>) {
    let b = seed_bureau(&store, "KANKYO").await;
    let p = seed_procedure(&store, procedure("KANKYO-0001", b.id, at(0, 0))).await;

    let to_scheduled = plan(&p, "scheduled", at(60, 123_456));
    let write = transition(to_scheduled.clone());
    let scheduled = store.apply_transition(&write).await.unwrap();
    assert_eq!(scheduled.state, "scheduled");
    assert_eq!(scheduled.version, 2);
    assert_eq!(scheduled.updated_at, at(60, 123_456));
    assert_eq!(scheduled.created_at, at(0, 0));
    assert_eq!(scheduled.released_on, None);
    assert_eq!(scheduled.name, p.name);

    let mut to_released = plan(&scheduled, "released", at(120, 1));
    to_released.released_on = Some(date(2025, 4, 2));
    let write = transition(to_released.clone());
    let released = store.apply_transition(&write).await.unwrap();
    assert_eq!(released.state, "released");
    assert_eq!(released.version, 3);
    assert_eq!(released.released_on, Some(date(2025, 4, 2)));
    assert_eq!(store.procedure(p.id).await.unwrap(), Some(released));

    let history = full_history(&store, p.id).await;
    assert_eq!(history.len(), 3);
    assert_eq!(history[0].from_state, None);
    assert_eq!(history[1], to_scheduled.record);
    assert_eq!(history[2], to_released.record);
}

/// A stale expected version is `Conflict { expected, actual }`; neither the row, the history
/// nor the idempotency key is written.
pub async fn transition_stale_version_conflicts(store: Arc<dyn Store>) {
    let b = seed_bureau(&store, "KANKYO").await;
    let p = seed_procedure(&store, procedure("KANKYO-0001", b.id, at(0, 0))).await;
    let first_write = transition(plan(&p, "scheduled", at(1, 0)));
    let current = store.apply_transition(&first_write).await.unwrap();

    let stale = keyed(plan(&p, "abolished", at(2, 0)), claim("stale-1", "fp"));
    match store.apply_transition(&stale).await {
        Err(StoreError::Conflict { expected, actual }) => assert_eq!((expected, actual), (1, 2)),
        other => panic!("expected Conflict, got {other:?}"),
    }
    assert_eq!(store.procedure(p.id).await.unwrap(), Some(current));
    assert_eq!(full_history(&store, p.id).await.len(), 2);
    let key = IdempotencyKey::parse("stale-1").unwrap();
    assert_eq!(store.idempotency_hit(OWNER, &key).await.unwrap(), None);
}

/// A transition of an unknown procedure is `NotFound { entity: "procedure", key: id }` and
/// claims no key.
pub async fn transition_unknown_procedure(store: Arc<dyn Store>) {
    let b = seed_bureau(&store, "KANKYO").await;
    let ghost = procedure("KANKYO-0001", b.id, at(0, 0));
    let write = keyed(plan(&ghost, "scheduled", at(1, 0)), claim("ghost-1", "fp"));
    match store.apply_transition(&write).await {
        Err(StoreError::NotFound { entity, key }) => {
            assert_eq!(entity, "procedure");
            assert_eq!(key, ghost.id.to_string());
        }
        other => panic!("expected NotFound, got {other:?}"),
    }
    let key = IdempotencyKey::parse("ghost-1").unwrap();
    assert_eq!(store.idempotency_hit(OWNER, &key).await.unwrap(), None);
    assert!(full_history(&store, ghost.id).await.is_empty());
}

/// A claimed key is returned by `idempotency_hit` with its fingerprint and record; unknown keys
/// are absent.
pub async fn transition_idempotency_claim(store: Arc<dyn Store>) {
    let b = seed_bureau(&store, "KANKYO").await;
    let p = seed_procedure(&store, procedure("KANKYO-0001", b.id, at(0, 0))).await;
    let planned = plan(&p, "scheduled", at(5, 42));
    let write = keyed(planned.clone(), claim("retry-1", "sha256:abc"));
    store.apply_transition(&write).await.unwrap();

    let hit = store
        .idempotency_hit(OWNER, &IdempotencyKey::parse("retry-1").unwrap())
        .await
        .unwrap();
    assert_eq!(
        hit,
        Some(IdempotencyHit {
            fingerprint: "sha256:abc".to_owned(),
            record: planned.record,
        })
    );
    let other = IdempotencyKey::parse("retry-2").unwrap();
    assert_eq!(store.idempotency_hit(OWNER, &other).await.unwrap(), None);
}

/// Reusing a claimed key is `Duplicate { entity: "idempotency key", key }`, and the whole
/// transition is rolled back: state, version and history stay as they were.
pub async fn transition_reused_key_duplicate(store: Arc<dyn Store>) {
    let b = seed_bureau(&store, "KANKYO").await;
    let p1 = seed_procedure(&store, procedure("KANKYO-0001", b.id, at(0, 0))).await;
    let p2 = seed_procedure(&store, procedure("KANKYO-0002", b.id, at(0, 1))).await;
    let first_plan = plan(&p1, "scheduled", at(10, 0));
    let first_write = keyed(first_plan.clone(), claim("retry-1", "fp-1"));
    store.apply_transition(&first_write).await.unwrap();

    let reuse = keyed(plan(&p2, "scheduled", at(11, 0)), claim("retry-1", "fp-2"));
    match store.apply_transition(&reuse).await {
        Err(StoreError::Duplicate { entity, key }) => {
            assert_eq!(entity, "idempotency key");
            assert_eq!(key, "retry-1");
        }
        other => panic!("expected Duplicate, got {other:?}"),
    }
    assert_eq!(store.procedure(p2.id).await.unwrap(), Some(p2.clone()));
    assert_eq!(full_history(&store, p2.id).await.len(), 1);
    let hit = store
        .idempotency_hit(OWNER, &IdempotencyKey::parse("retry-1").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(hit.fingerprint, "fp-1");
    assert_eq!(hit.record, first_plan.record);
}

/// Keys are unique per owner: two owners' same key applies two transitions, each owner reads
/// back only its own claim, and a third owner sees none.
pub async fn idempotency_keys_are_per_owner(store: Arc<dyn Store>) {
    let b = seed_bureau(&store, "KANKYO").await;
    let p1 = seed_procedure(&store, procedure("KANKYO-0001", b.id, at(0, 0))).await;
    let p2 = seed_procedure(&store, procedure("KANKYO-0002", b.id, at(0, 1))).await;
    let other = "0190a5b2-0000-7000-8000-000000000002";
    let mine = plan(&p1, "scheduled", at(10, 0));
    let theirs = plan(&p2, "abolished", at(11, 0));
    store
        .apply_transition(&keyed(mine.clone(), claim("same-key", "fp-mine")))
        .await
        .unwrap();
    store
        .apply_transition(&keyed(
            theirs.clone(),
            owned_claim(other, "same-key", "fp-theirs"),
        ))
        .await
        .unwrap();

    let key = IdempotencyKey::parse("same-key").unwrap();
    let hit = |fingerprint: &str, record: &rollout_domain::TransitionRecord| IdempotencyHit {
        fingerprint: fingerprint.to_owned(),
        record: record.clone(),
    };
    assert_eq!(
        store.idempotency_hit(OWNER, &key).await.unwrap(),
        Some(hit("fp-mine", &mine.record))
    );
    assert_eq!(
        store.idempotency_hit(other, &key).await.unwrap(),
        Some(hit("fp-theirs", &theirs.record))
    );
    assert_eq!(
        store.idempotency_hit("someone-else", &key).await.unwrap(),
        None
    );
    assert_eq!(
        store.procedure(p2.id).await.unwrap().unwrap().state,
        "abolished"
    );
}

/// Eight writers race from the same version: exactly one wins, seven get `Conflict { 1, 2 }`,
/// and the history gains exactly the winner's record.
pub async fn transition_concurrent_single_winner(store: Arc<dyn Store>) {
    let b = seed_bureau(&store, "KANKYO").await;
    let p = seed_procedure(&store, procedure("KANKYO-0001", b.id, at(0, 0))).await;
    let barrier = Arc::new(Barrier::new(8));
    let mut tasks = Vec::new();
    for n in 0..8 {
        let (store, barrier) = (store.clone(), barrier.clone());
        let mut planned = plan(&p, "scheduled", at(100, n));
        planned.record.actor = format!("racer-{n}");
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            let write = transition(planned.clone());
            (planned.record, store.apply_transition(&write).await)
        }));
    }
    let mut winners = Vec::new();
    let mut conflicts = 0;
    for task in tasks {
        match task.await.unwrap() {
            (record, Ok(p)) => winners.push((record, p)),
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
    assert_eq!((winners.len(), conflicts), (1, 7));
    let (record, won) = winners.pop().unwrap();
    assert_eq!(won.version, 2);
    assert_eq!(won.updated_at, record.at);
    assert_eq!(store.procedure(p.id).await.unwrap(), Some(won));
    let history = full_history(&store, p.id).await;
    assert_eq!(history.len(), 2);
    assert_eq!(history[1], record);
}

/// Eight writers race to claim one idempotency key on eight procedures: one wins, seven get
/// `Duplicate`, and the losers' procedures are untouched.
pub async fn transition_concurrent_key_single_winner(store: Arc<dyn Store>) {
    let b = seed_bureau(&store, "KANKYO").await;
    let barrier = Arc::new(Barrier::new(8));
    let mut tasks = Vec::new();
    for n in 0..8 {
        let code = format!("KANKYO-{:04}", n + 1);
        let p = seed_procedure(&store, procedure(&code, b.id, at(0, n))).await;
        let (store, barrier) = (store.clone(), barrier.clone());
        tasks.push(tokio::spawn(async move {
            let write = keyed(
                plan(&p, "scheduled", at(10, n)),
                claim("shared-key", &format!("fp-{n}")),
            );
            barrier.wait().await;
            (p.id, store.apply_transition(&write).await)
        }));
    }
    let mut winners = Vec::new();
    let mut losers: Vec<ProcedureId> = Vec::new();
    for task in tasks {
        match task.await.unwrap() {
            (id, Ok(_)) => winners.push(id),
            (
                id,
                Err(StoreError::Duplicate {
                    entity: "idempotency key",
                    key,
                }),
            ) => {
                assert_eq!(key, "shared-key");
                losers.push(id);
            }
            (_, Err(other)) => panic!("expected Ok or Duplicate, got {other:?}"),
        }
    }
    assert_eq!((winners.len(), losers.len()), (1, 7));
    for id in losers {
        let p = store.procedure(id).await.unwrap().unwrap();
        assert_eq!((p.state.as_str(), p.version), ("hearing", 1));
        assert_eq!(full_history(&store, id).await.len(), 1);
    }
    let hit = store
        .idempotency_hit(OWNER, &IdempotencyKey::parse("shared-key").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(hit.record.procedure_id, winners[0]);
}

/// History is oldest first by (time, id), paged by cursor with a stable total; records with
/// the same time come in id order, not insertion order.
pub async fn history_pages(store: Arc<dyn Store>) {
    let b = seed_bureau(&store, "KANKYO").await;
    let mut p = seed_procedure(&store, procedure("KANKYO-0001", b.id, at(0, 0))).await;
    // History follows the versions, not the clock: two records share an instant (the later one
    // with the smaller id) and one is stamped earlier than its predecessor, as a replica with a
    // slow clock would stamp it.
    let steps = [
        ("scheduled", at(10, 0), u128::MAX),
        ("built", at(10, 0), 1),
        ("user_tested", at(5, 0), 2),
        ("released", at(30, 0), 3),
    ];
    let mut records = full_history(&store, p.id).await;
    for (to, when, id) in steps {
        let mut planned = plan(&p, to, when);
        planned.record.id = TransitionRecordId(Uuid::from_u128(id));
        records.push(planned.record.clone());
        p = store.apply_transition(&transition(planned)).await.unwrap();
    }
    let states: Vec<&str> = records.iter().map(|r| r.to_state.as_str()).collect();
    assert_eq!(
        states,
        ["hearing", "scheduled", "built", "user_tested", "released"]
    );

    let mut seen = Vec::new();
    let mut after: Option<HistoryCursor> = None;
    for expected_len in [2, 2, 1] {
        let request = PageRequest {
            first: 2,
            after,
            with_total: true,
        };
        let page = store.history(p.id, &request).await.unwrap();
        assert_eq!(page.items.len(), expected_len);
        assert_eq!(page.total_count, Some(5));
        assert_eq!(page.has_previous_page, after.is_some());
        assert_eq!(page.has_next_page, expected_len == 2);
        let last = page.items.last().unwrap();
        after = Some(HistoryCursor {
            procedure_version: last.procedure_version,
        });
        seen.extend(page.items);
    }
    assert_eq!(seen, records);

    let zero = store.history(p.id, &first(0)).await.unwrap();
    assert!(zero.items.is_empty());
    assert_eq!(zero.total_count, Some(5));
    assert!(zero.has_next_page);

    let nobody = store
        .history(ProcedureId(Uuid::now_v7()), &first(10))
        .await
        .unwrap();
    assert!(nobody.items.is_empty());
    assert_eq!(nobody.total_count, Some(0));
    assert!(!nobody.has_next_page);
}

pub async fn transition_record_lookup(store: Arc<dyn Store>) {
    let b = seed_bureau(&store, "KANKYO").await;
    let p = seed_procedure(&store, procedure("KANKYO-0001", b.id, at(0, 0))).await;
    let planned = plan(&p, "scheduled", at(1, 0));
    let expected = planned.record.clone();
    store.apply_transition(&transition(planned)).await.unwrap();
    let found = store.transition_record(expected.id).await.unwrap();
    assert_eq!(found, Some(expected));
    let creation = &full_history(&store, p.id).await[0];
    assert_eq!(
        store.transition_record(creation.id).await.unwrap().as_ref(),
        Some(creation)
    );
    let missing = store
        .transition_record(TransitionRecordId(Uuid::now_v7()))
        .await
        .unwrap();
    assert_eq!(missing, None);
}
