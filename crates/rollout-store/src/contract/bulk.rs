//! Contract cases for bulk loading (all or nothing, counts returned), the batch lookups at
//! sizes beyond one SQL statement's comfortable limit, `is_empty` and `ping`.

use std::sync::Arc;

use rollout_domain::audit::AuditEntry;
use rollout_domain::{BureauId, ProcedureCode, ProcedureId};
use uuid::Uuid;

use super::fixtures::{
    at, audit, bureau, full_history, procedure, procedure_code, seed_bureau, seed_procedure,
    seed_with_history,
};
use crate::{ProcedureFilter, ProcedureOrder, ProcedureSeed, Store, StoreError};

fn bulk_audit(action: &str) -> AuditEntry {
    audit(action, "Import", "batch", at(0, 0))
}

fn expect_duplicate(result: Result<u64, StoreError>, entity: &str, key: &str) {
    match result {
        Err(StoreError::Duplicate { entity: e, key: k }) => {
            assert_eq!((e, k.as_str()), (entity, key));
        }
        other => panic!("expected Duplicate {entity} {key}, got {other:?}"),
    }
}

async fn procedure_total(store: &Arc<dyn Store>) -> i64 {
    store
        .list_procedures(
            &ProcedureFilter::default(),
            ProcedureOrder::default(),
            &super::fixtures::first(0),
        )
        .await
        .unwrap()
        .total_count
        .expect("asked for the total")
}

/// `insert_bureaus` stores every bureau and returns how many.
pub async fn bulk_insert_bureaus(store: Arc<dyn Store>) {
    let batch = vec![bureau("ZAIMU"), bureau("KANKYO"), bureau("TOSHI")];
    assert_eq!(
        store
            .insert_bureaus(&batch, &bulk_audit("bureau.import"))
            .await
            .unwrap(),
        3
    );
    let mut want = batch.clone();
    want.sort_by(|a, b| a.code.cmp(&b.code));
    assert_eq!(store.list_bureaus().await.unwrap(), want);
    assert_eq!(
        store
            .insert_bureaus(&[], &bulk_audit("bureau.import"))
            .await
            .unwrap(),
        0
    );
}

/// A batch with a taken code, or the same code twice, inserts nothing.
pub async fn bulk_insert_bureaus_all_or_nothing(store: Arc<dyn Store>) {
    let existing = seed_bureau(&store, "KANKYO").await;
    let batch = vec![bureau("ZAIMU"), bureau("KANKYO"), bureau("TOSHI")];
    expect_duplicate(
        store
            .insert_bureaus(&batch, &bulk_audit("bureau.import"))
            .await,
        "bureau",
        "KANKYO",
    );
    assert_eq!(store.list_bureaus().await.unwrap(), vec![existing.clone()]);

    let twice = vec![bureau("ZAIMU"), bureau("TOSHI"), bureau("ZAIMU")];
    expect_duplicate(
        store
            .insert_bureaus(&twice, &bulk_audit("bureau.import"))
            .await,
        "bureau",
        "ZAIMU",
    );
    assert_eq!(store.list_bureaus().await.unwrap(), vec![existing]);
}

/// `insert_procedures` stores every procedure as given with its whole history, and returns the
/// number of procedures.
pub async fn bulk_insert_procedures(store: Arc<dyn Store>) {
    let b1 = seed_bureau(&store, "KANKYO").await;
    let b2 = seed_bureau(&store, "ZAIMU").await;
    let seeds: Vec<ProcedureSeed> = (0..30)
        .map(|n| {
            let (prefix, bureau) = if n % 2 == 0 {
                ("KANKYO", b1.id)
            } else {
                ("ZAIMU", b2.id)
            };
            let p = procedure(&format!("{prefix}-{:04}", n + 1), bureau, at(n, 7));
            seed_with_history(p, n as usize % 5)
        })
        .collect();
    assert_eq!(
        store
            .insert_procedures(&seeds, &bulk_audit("procedure.import"))
            .await
            .unwrap(),
        30
    );
    for seed in &seeds {
        let stored = store.procedure(seed.procedure.id).await.unwrap();
        assert_eq!(stored.as_ref(), Some(&seed.procedure));
        assert_eq!(full_history(&store, seed.procedure.id).await, seed.history);
    }
    assert_eq!(procedure_total(&store).await, 30);
    assert_eq!(
        store
            .insert_procedures(&[], &bulk_audit("procedure.import"))
            .await
            .unwrap(),
        0
    );
}

/// A batch with a taken code, the same code twice, or an unknown bureau inserts nothing.
pub async fn bulk_insert_procedures_all_or_nothing(store: Arc<dyn Store>) {
    let b = seed_bureau(&store, "KANKYO").await;
    let existing = seed_procedure(&store, procedure("KANKYO-0003", b.id, at(0, 0))).await;
    let fresh =
        |n: i64| seed_with_history(procedure(&format!("KANKYO-{:04}", n), b.id, at(n, 0)), 2);

    let mut taken: Vec<ProcedureSeed> = (10..15).map(fresh).collect();
    taken.push(fresh(3));
    expect_duplicate(
        store
            .insert_procedures(&taken, &bulk_audit("procedure.import"))
            .await,
        "procedure",
        "KANKYO-0003",
    );

    let mut twice: Vec<ProcedureSeed> = (20..25).map(fresh).collect();
    twice.push(fresh(21));
    expect_duplicate(
        store
            .insert_procedures(&twice, &bulk_audit("procedure.import"))
            .await,
        "procedure",
        "KANKYO-0021",
    );

    let ghost = BureauId(Uuid::now_v7());
    let mut orphan: Vec<ProcedureSeed> = (30..35).map(fresh).collect();
    orphan.push(seed_with_history(
        procedure("KANKYO-0040", ghost, at(40, 0)),
        1,
    ));
    match store
        .insert_procedures(&orphan, &bulk_audit("procedure.import"))
        .await
    {
        Err(StoreError::NotFound { entity, key }) => {
            assert_eq!(entity, "bureau");
            assert_eq!(key, ghost.to_string());
        }
        other => panic!("expected NotFound, got {other:?}"),
    }

    assert_eq!(procedure_total(&store).await, 1);
    for seed in taken.iter().chain(&twice).chain(&orphan) {
        if seed.procedure.id != existing.id {
            assert_eq!(store.procedure(seed.procedure.id).await.unwrap(), None);
            assert!(full_history(&store, seed.procedure.id).await.is_empty());
        }
    }
    assert_eq!(full_history(&store, existing.id).await.len(), 1);
}

/// Batch getters and code look-ups work on more ids than fit comfortably in one statement.
pub async fn bulk_large_batches(store: Arc<dyn Store>) {
    let b = seed_bureau(&store, "KANKYO").await;
    let seeds: Vec<ProcedureSeed> = (0..1_200)
        .map(|n| seed_with_history(procedure(&format!("KANKYO-{:05}", n), b.id, at(n, 0)), 3))
        .collect();
    assert_eq!(
        store
            .insert_procedures(&seeds, &bulk_audit("procedure.import"))
            .await
            .unwrap(),
        1_200
    );
    assert_eq!(procedure_total(&store).await, 1_200);

    let mut ids: Vec<ProcedureId> = seeds.iter().map(|s| s.procedure.id).collect();
    ids.push(ProcedureId(Uuid::now_v7()));
    let mut found = store.procedures_by_ids(&ids).await.unwrap();
    assert_eq!(found.len(), 1_200);
    found.sort_by_key(|p| p.id);
    let mut want: Vec<_> = seeds.iter().map(|s| s.procedure.clone()).collect();
    want.sort_by_key(|p| p.id);
    assert_eq!(found, want);

    let mut codes: Vec<ProcedureCode> = (0..1_300)
        .map(|n| procedure_code(&format!("KANKYO-{:05}", n + 100)))
        .collect();
    codes.push(procedure_code("ZAIMU-0001"));
    let mut existing = store.existing_procedure_codes(&codes).await.unwrap();
    existing.sort();
    let want: Vec<ProcedureCode> = (100..1_200)
        .map(|n| procedure_code(&format!("KANKYO-{:05}", n)))
        .collect();
    assert_eq!(existing, want);
    assert!(
        store
            .existing_procedure_codes(&[])
            .await
            .unwrap()
            .is_empty()
    );
}

/// `is_empty` holds until a bureau or a procedure is stored; `ping` answers.
pub async fn is_empty_and_ping(store: Arc<dyn Store>) {
    store.ping().await.unwrap();
    assert!(store.is_empty().await.unwrap());
    let b = seed_bureau(&store, "KANKYO").await;
    assert!(!store.is_empty().await.unwrap());
    seed_procedure(&store, procedure("KANKYO-0001", b.id, at(0, 0))).await;
    assert!(!store.is_empty().await.unwrap());
    store.ping().await.unwrap();
}
