//! Contract cases for the target-quarter history: changes loaded with their procedures
//! (`insert_procedures`) or appended by a batch (`Write::TargetChange`) read back oldest first per
//! procedure, in insertion order even when they share an instant, and a change naming an unknown
//! procedure writes nothing.

use std::sync::Arc;

use rollout_domain::target::TargetChange;
use rollout_domain::{Procedure, ProcedureId};
use uuid::Uuid;

use super::fixtures::{at, audit, audit_trail, procedure, quarter, seed_bureau, seed_with_history};
use crate::{Store, StoreError, Write};

/// A change of `p`'s target quarter at `at(seconds, 17)` by the fixture actor.
pub fn change(
    p: ProcedureId,
    from: Option<&str>,
    to: Option<&str>,
    seconds: i64,
    reason: Option<&str>,
) -> TargetChange {
    TargetChange {
        procedure_id: p,
        from: from.map(quarter),
        to: to.map(quarter),
        at: at(seconds, 17),
        actor: "tester".to_owned(),
        reason: reason.map(str::to_owned),
    }
}

fn history_of(all: &[TargetChange], p: &Procedure) -> Vec<TargetChange> {
    all.iter()
        .filter(|c| c.procedure_id == p.id)
        .cloned()
        .collect()
}

/// Changes loaded with their procedures and changes appended later read back oldest first, per
/// procedure, in insertion order when they share an instant; only the asked-for procedures.
pub async fn target_changes_kept_in_order(store: Arc<dyn Store>) {
    let b = seed_bureau(&store, "KANKYO").await;
    let mut seeds: Vec<_> = ["KANKYO-0001", "KANKYO-0002", "KANKYO-0003"]
        .iter()
        .map(|code| seed_with_history(procedure(code, b.id, at(10, 0)), 0))
        .collect();
    let (p1, p2, p3) = (
        seeds[0].procedure.clone(),
        seeds[1].procedure.clone(),
        seeds[2].procedure.clone(),
    );
    // Two changes at one instant: insertion order is the order.
    seeds[0].target_changes = vec![
        change(p1.id, None, Some("FY2025-Q3"), 20, None),
        change(
            p1.id,
            Some("FY2025-Q3"),
            Some("FY2026-Q1"),
            20,
            Some("予算"),
        ),
    ];
    seeds[1].target_changes = vec![change(p2.id, None, Some("FY2025-Q4"), 30, None)];
    seeds[2].target_changes = vec![change(p3.id, None, Some("FY2026-Q2"), 30, None)];
    let load = audit("procedure.import", "Import", "batch", at(40, 0));
    store.insert_procedures(&seeds, &load).await.unwrap();

    let later = change(p1.id, Some("FY2026-Q1"), None, 10, Some("clear"));
    let entry = audit("procedure.update", "Procedure", p1.id, at(50, 0));
    store
        .commit(&[Write::TargetChange(later.clone()), Write::Audit(entry)])
        .await
        .unwrap();

    let all = store.target_changes_for(&[p1.id, p2.id]).await.unwrap();
    let mut want_p1 = seeds[0].target_changes.clone();
    want_p1.push(later);
    assert_eq!(history_of(&all, &p1), want_p1, "p1's changes, oldest first");
    assert_eq!(history_of(&all, &p2), seeds[1].target_changes);
    assert!(history_of(&all, &p3).is_empty(), "p3 was not asked for");
    assert!(store.target_changes_for(&[]).await.unwrap().is_empty());
    let unknown = ProcedureId(Uuid::now_v7());
    assert!(
        store
            .target_changes_for(&[unknown])
            .await
            .unwrap()
            .is_empty()
    );
}

/// A seed whose change names an unknown procedure loads nothing at all; a batch change naming
/// one fails with its index and writes nothing.
pub async fn target_changes_need_their_procedure(store: Arc<dyn Store>) {
    let b = seed_bureau(&store, "KANKYO").await;
    let mut seed = seed_with_history(procedure("KANKYO-0001", b.id, at(10, 0)), 0);
    let p = seed.procedure.clone();
    let unknown = ProcedureId(Uuid::now_v7());
    seed.target_changes = vec![
        change(p.id, None, Some("FY2025-Q3"), 20, None),
        change(unknown, None, Some("FY2025-Q3"), 20, None),
    ];
    let trail_before = audit_trail(&store).await.len();
    let load = audit("procedure.import", "Import", "batch", at(40, 0));
    match store.insert_procedures(&[seed], &load).await {
        Err(StoreError::NotFound {
            entity: "procedure",
            ..
        }) => {}
        other => panic!("expected NotFound procedure, got {other:?}"),
    }
    assert_eq!(store.procedure(p.id).await.unwrap(), None);
    assert!(store.target_changes_for(&[p.id]).await.unwrap().is_empty());

    let entry = audit("procedure.update", "Procedure", unknown, at(50, 0));
    let err = store
        .commit(&[
            Write::Audit(entry),
            Write::TargetChange(change(unknown, None, Some("FY2025-Q3"), 50, None)),
        ])
        .await
        .unwrap_err();
    assert_eq!(err.index, 1);
    assert!(
        matches!(
            err.error,
            StoreError::NotFound {
                entity: "procedure",
                ..
            }
        ),
        "{:?}",
        err.error
    );
    assert_eq!(
        audit_trail(&store).await.len(),
        trail_before,
        "nothing audited"
    );
}
