//! Contract cases for the analytics port: every procedure's facts load in code order with their
//! state changes, field revisions and target moves oldest first; the stamp moves with every
//! change; a quarter freezes once (a second freeze is `Duplicate` and writes nothing) and reads
//! back exactly; a revision naming an unknown procedure writes nothing.

use std::sync::Arc;

use rollout_domain::analytics::kpi::{KpiFigures, Ratio};
use rollout_domain::analytics::snapshot::{CategoryFigures, QuarterFigures};
use rollout_domain::analytics::{FieldRevision, RevisedField, StateChange, TargetMove};
use rollout_domain::{Category, ProcedureId, ProcedurePatch};
use uuid::Uuid;

use super::evidence_target::change;
use super::fixtures::{at, audit, plan, procedure, quarter, seed_bureau, seed_procedure};
use crate::{QuarterSnapshot, Store, StoreError, Write};

fn revision(p: ProcedureId, old: &str, new: &str, seconds: i64) -> FieldRevision {
    FieldRevision {
        procedure_id: p,
        field: RevisedField::ProcessCount,
        old: Some(old.into()),
        new: Some(new.into()),
        at: at(seconds, 5),
        actor: "tester".into(),
        reason: Some("再集計".into()),
    }
}

/// Facts load in code order with their whole history, and the stamp moves with each change.
pub async fn analytics_facts_and_stamp(store: Arc<dyn Store>) {
    let empty = store.analytics_stamp().await.unwrap();
    assert_eq!((empty.procedures, empty.version_sum), (0, 0));
    let b = seed_bureau(&store, "KANKYO").await;
    let p2 = seed_procedure(&store, procedure("KANKYO-0002", b.id, at(10, 0))).await;
    let p1 = seed_procedure(&store, procedure("KANKYO-0001", b.id, at(11, 0))).await;
    let s1 = store.analytics_stamp().await.unwrap();
    assert_eq!((s1.procedures, s1.version_sum), (2, 2));

    let step = plan(&p1, "scheduled", at(20, 0));
    store
        .commit(&[Write::Transition(step.clone())])
        .await
        .unwrap();
    let patch = ProcedurePatch {
        process_count: Some(7),
        target_quarter: Some(Some(quarter("FY2026-Q1"))),
        ..ProcedurePatch::default()
    };
    let update = Write::UpdateProcedure {
        id: p1.id,
        expected_version: 2,
        patch,
        now: at(30, 0),
    };
    let rev = revision(p1.id, "1", "7", 30);
    let moved = change(p1.id, None, Some("FY2026-Q1"), 30, None);
    let entry = audit("procedure.update", "Procedure", p1.id, at(30, 0));
    store
        .commit(&[
            update,
            Write::FieldRevision(rev.clone()),
            Write::TargetChange(moved),
            Write::Audit(entry),
        ])
        .await
        .unwrap();
    let s2 = store.analytics_stamp().await.unwrap();
    assert_eq!((s2.procedures, s2.version_sum), (2, 4), "two changes of p1");

    let facts = store.analytics_facts().await.unwrap();
    let codes: Vec<&str> = facts.iter().map(|f| f.code.as_str()).collect();
    assert_eq!(codes, ["KANKYO-0001", "KANKYO-0002"]);
    let f1 = &facts[0];
    assert_eq!(f1.process_count, 7);
    assert_eq!(
        f1.changes,
        vec![
            StateChange {
                at: p1.created_at,
                to: "hearing".into(),
                comment: None,
            },
            StateChange {
                at: at(20, 0),
                to: "scheduled".into(),
                comment: Some("承認します".into()),
            },
        ]
    );
    assert_eq!(f1.revisions, vec![rev]);
    assert_eq!(
        f1.target_moves,
        vec![TargetMove {
            at: at(30, 17),
            from: None,
            to: Some(quarter("FY2026-Q1")),
        }]
    );
    assert_eq!(facts[1].id, p2.id);
    assert_eq!(facts[1].changes.len(), 1);
    assert!(facts[1].revisions.is_empty() && facts[1].target_moves.is_empty());
}

/// A revision of an unknown procedure fails its batch, which writes nothing.
pub async fn field_revision_of_unknown_procedure_writes_nothing(store: Arc<dyn Store>) {
    let b = seed_bureau(&store, "KANKYO").await;
    let p = seed_procedure(&store, procedure("KANKYO-0001", b.id, at(10, 0))).await;
    let ghost = ProcedureId(Uuid::from_u128(99));
    let err = store
        .commit(&[
            Write::FieldRevision(revision(p.id, "1", "2", 20)),
            Write::FieldRevision(revision(ghost, "1", "2", 20)),
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
        "{err:?}"
    );
    let facts = store.analytics_facts().await.unwrap();
    assert!(
        facts[0].revisions.is_empty(),
        "the first revision was rolled back"
    );
}

fn figures(q: &str) -> QuarterFigures {
    let f = KpiFigures {
        procedures: Ratio {
            digitised: 71,
            in_scope: 119,
        },
        processes: Ratio {
            digitised: 8_700,
            in_scope: 28_000,
        },
        applications: Ratio {
            digitised: 764_687,
            in_scope: 1_000_000,
        },
        out_of_scope: 41,
    };
    QuarterFigures {
        quarter: quarter(q),
        overall: f,
        digitised_in_quarter: 3,
        processes_in_quarter: 12,
        categories: vec![CategoryFigures {
            category: Category::Major,
            figures: f,
            digitised_in_quarter: 3,
            processes_in_quarter: 12,
        }],
    }
}

/// A quarter freezes once and reads back exactly; a second freeze is `Duplicate`.
pub async fn quarter_freezes_once(store: Arc<dyn Store>) {
    assert_eq!(
        store.quarter_snapshot(quarter("FY2021-Q3")).await.unwrap(),
        None
    );
    let first = QuarterSnapshot {
        figures: figures("FY2021-Q3"),
        frozen_at: at(100, 123),
        frozen_by: "po".into(),
    };
    store
        .commit(&[Write::FreezeQuarter(first.clone())])
        .await
        .unwrap();
    assert_eq!(
        store.quarter_snapshot(quarter("FY2021-Q3")).await.unwrap(),
        Some(first.clone())
    );
    let mut again = first.clone();
    again.figures.digitised_in_quarter = 4;
    again.frozen_by = "other".into();
    let err = store
        .commit(&[Write::FreezeQuarter(again)])
        .await
        .unwrap_err();
    assert!(
        matches!(
            err.error,
            StoreError::Duplicate {
                entity: "quarter snapshot",
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(
        store.quarter_snapshot(quarter("FY2021-Q3")).await.unwrap(),
        Some(first),
        "the first freeze stands"
    );
    assert_eq!(
        store.quarter_snapshot(quarter("FY2021-Q4")).await.unwrap(),
        None
    );
}
