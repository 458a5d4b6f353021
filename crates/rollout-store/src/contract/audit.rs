//! Contract cases for the audit entries that the original writes carry: each kind of write
//! (bureaus, procedures, updates, transitions, bulk loads, a lone `append_audit`) leaves exactly
//! its entry, readable through `list_audit`, and a write that fails (duplicate, conflict,
//! unknown reference, all-or-nothing batch) leaves none. The audit entries of users, tokens,
//! approvals and delegations are checked beside those writes. Listing is in
//! [`super::audit_listing`].

use std::sync::Arc;

use rollout_domain::audit::{AuditEntry, AuditOutcome};
use rollout_domain::{BureauId, IdempotencyKey, NewBureau, ProcedurePatch};
use uuid::Uuid;

use super::fixtures::{
    at, audit, audit_trail, bureau, bureau_code, creation, plan, procedure, seed_with_history,
    transition,
};
use crate::{IdempotencyClaim, Store, StoreError, TransitionWrite};

fn new_bureau(code: &str) -> NewBureau {
    NewBureau {
        code: bureau_code(code),
        name_ja: format!("{code}局"),
        name_en: format!("Bureau of {code}"),
    }
}

/// Every write of the original port stores the entry it was given, byte for byte, in order.
pub async fn audit_written_with_each_write(store: Arc<dyn Store>) {
    let mut expected: Vec<AuditEntry> = Vec::new();

    let bid = BureauId(Uuid::now_v7());
    let entry = audit("bureau.create", "Bureau", bid, at(1, 0));
    let b = store
        .create_bureau(bid, new_bureau("KANKYO"), &entry)
        .await
        .unwrap();
    expected.push(entry);

    let p = procedure("KANKYO-0001", b.id, at(2, 0));
    let entry = AuditEntry {
        after: Some(r#"{"code": "KANKYO-0001", "state": "hearing"}"#.to_owned()),
        ..audit("procedure.create", "Procedure", p.id, at(2, 0))
    };
    let p = store
        .create_procedure(p.clone(), creation(&p), &entry)
        .await
        .unwrap();
    expected.push(entry);

    let patch = ProcedurePatch {
        name: Some("新名称".to_owned()),
        ..ProcedurePatch::default()
    };
    let entry = AuditEntry {
        before: Some(r#"{"name": "KANKYO-0001 申請"}"#.to_owned()),
        after: Some(r#"{"name": "新名称"}"#.to_owned()),
        ..audit("procedure.update", "Procedure", p.id, at(3, 0))
    };
    let p = store
        .update_procedure(p.id, 1, &patch, at(3, 0), &entry)
        .await
        .unwrap();
    expected.push(entry);

    let write = transition(plan(&p, "scheduled", at(4, 0)));
    store.apply_transition(&write).await.unwrap();
    expected.push(write.audit.clone());

    let entry = audit("bureau.import", "Import", "bureaus.csv", at(5, 0));
    let imported = [bureau("ZAIMU"), bureau("TOSHI")];
    store.insert_bureaus(&imported, &entry).await.unwrap();
    expected.push(entry);

    let entry = audit("procedure.import", "Import", "procedures.csv", at(6, 0));
    let seeds = [seed_with_history(
        procedure("ZAIMU-0001", imported[0].id, at(6, 0)),
        2,
    )];
    store.insert_procedures(&seeds, &entry).await.unwrap();
    expected.push(entry);

    let denied = AuditEntry {
        outcome: AuditOutcome::Forbidden,
        ..audit("procedure.transition", "Procedure", p.id, at(7, 0))
    };
    store.append_audit(&denied).await.unwrap();
    expected.push(denied);

    assert_eq!(audit_trail(&store).await, expected);
}

/// Writes that fail write no audit entry: the entry is part of the transaction that rolled back.
pub async fn audit_failed_writes_leave_nothing(store: Arc<dyn Store>) {
    let bid = BureauId(Uuid::now_v7());
    let entry = audit("bureau.create", "Bureau", bid, at(1, 0));
    let b = store
        .create_bureau(bid, new_bureau("KANKYO"), &entry)
        .await
        .unwrap();
    let p = procedure("KANKYO-0001", b.id, at(2, 0));
    let entry = audit("procedure.create", "Procedure", p.id, at(2, 0));
    let p = store
        .create_procedure(p.clone(), creation(&p), &entry)
        .await
        .unwrap();
    let write = TransitionWrite {
        idempotency: Some(IdempotencyClaim {
            owner: "owner".to_owned(),
            key: IdempotencyKey::parse("once").unwrap(),
            fingerprint: "fp".to_owned(),
        }),
        ..transition(plan(&p, "scheduled", at(3, 0)))
    };
    let moved = store.apply_transition(&write).await.unwrap();
    let trail = audit_trail(&store).await;
    assert_eq!(trail.len(), 3);

    let failed = |what: &str, result: Result<(), StoreError>| match result {
        Err(
            StoreError::Duplicate { .. }
            | StoreError::Conflict { .. }
            | StoreError::NotFound { .. },
        ) => {}
        other => panic!("{what}: expected a refusal, got {other:?}"),
    };
    let again = BureauId(Uuid::now_v7());
    let entry = audit("bureau.create", "Bureau", again, at(10, 0));
    failed(
        "duplicate bureau",
        store
            .create_bureau(again, new_bureau("KANKYO"), &entry)
            .await
            .map(drop),
    );
    let twin = procedure("KANKYO-0001", b.id, at(11, 0));
    let entry = audit("procedure.create", "Procedure", twin.id, at(11, 0));
    failed(
        "duplicate procedure",
        store
            .create_procedure(twin.clone(), creation(&twin), &entry)
            .await
            .map(drop),
    );
    let orphan = procedure("KANKYO-0002", BureauId(Uuid::now_v7()), at(12, 0));
    let entry = audit("procedure.create", "Procedure", orphan.id, at(12, 0));
    failed(
        "unknown bureau",
        store
            .create_procedure(orphan.clone(), creation(&orphan), &entry)
            .await
            .map(drop),
    );
    let entry = audit("procedure.update", "Procedure", p.id, at(13, 0));
    failed(
        "stale update",
        store
            .update_procedure(p.id, 1, &ProcedurePatch::default(), at(13, 0), &entry)
            .await
            .map(drop),
    );
    failed(
        "stale transition",
        store
            .apply_transition(&transition(plan(&p, "built", at(14, 0))))
            .await
            .map(drop),
    );
    let reused = TransitionWrite {
        idempotency: write.idempotency.clone(),
        ..transition(plan(&moved, "built", at(15, 0)))
    };
    failed(
        "reused key",
        store.apply_transition(&reused).await.map(drop),
    );
    let entry = audit("bureau.import", "Import", "x", at(16, 0));
    failed(
        "bureau batch",
        store
            .insert_bureaus(&[bureau("ZAIMU"), bureau("KANKYO")], &entry)
            .await
            .map(drop),
    );
    let entry = audit("procedure.import", "Import", "y", at(17, 0));
    let batch = [
        seed_with_history(procedure("KANKYO-0003", b.id, at(17, 0)), 1),
        seed_with_history(procedure("KANKYO-0001", b.id, at(17, 0)), 1),
    ];
    failed(
        "procedure batch",
        store.insert_procedures(&batch, &entry).await.map(drop),
    );

    assert_eq!(audit_trail(&store).await, trail);
    assert_eq!(store.procedure(p.id).await.unwrap(), Some(moved));
}
