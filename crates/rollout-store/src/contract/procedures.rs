//! Contract cases for single procedures: creation with its history record, unique codes, the
//! bureau reference, lookups, exact round-trips, and optimistic updates.

use std::sync::Arc;

use rollout_domain::audit::AuditEntry;
use rollout_domain::{
    Authority, BureauId, Category, Platform, Procedure, ProcedureId, ProcedurePatch,
};
use uuid::Uuid;

use super::fixtures::{
    at, audit, bureau_code, creation, date, first, procedure, procedure_code, quarter, seed_bureau,
    seed_procedure,
};
use crate::{Store, StoreError};

fn created_audit(p: &Procedure) -> AuditEntry {
    audit("procedure.create", "Procedure", p.id, p.created_at)
}

fn updated_audit(id: ProcedureId) -> AuditEntry {
    audit("procedure.update", "Procedure", id, at(0, 0))
}

/// `create_procedure` stores the row as given and its creation record in the history.
pub async fn procedure_create_records_history(store: Arc<dyn Store>) {
    let b = seed_bureau(&store, "KANKYO").await;
    let p = procedure("KANKYO-0001", b.id, at(0, 1));
    let record = creation(&p);
    let created = store
        .create_procedure(p.clone(), record.clone(), &created_audit(&p))
        .await
        .unwrap();
    assert_eq!(created, p);

    let history = store.history(p.id, &first(100)).await.unwrap();
    assert_eq!(history.items, vec![record]);
    assert_eq!(history.total_count, Some(1));
    assert!(!history.has_next_page);
    assert!(!history.has_previous_page);
}

/// A taken code is `Duplicate { entity: "procedure", key: code }`; nothing of the second
/// procedure is stored.
pub async fn procedure_duplicate_code(store: Arc<dyn Store>) {
    let b = seed_bureau(&store, "KANKYO").await;
    let original = seed_procedure(&store, procedure("KANKYO-0001", b.id, at(0, 0))).await;
    let second = procedure("KANKYO-0001", b.id, at(1, 0));
    let err = store
        .create_procedure(second.clone(), creation(&second), &created_audit(&second))
        .await
        .unwrap_err();
    match err {
        StoreError::Duplicate { entity, key } => {
            assert_eq!(entity, "procedure");
            assert_eq!(key, "KANKYO-0001");
        }
        other => panic!("expected Duplicate, got {other:?}"),
    }
    assert_eq!(store.procedure(second.id).await.unwrap(), None);
    assert_eq!(
        store
            .history(second.id, &first(100))
            .await
            .unwrap()
            .total_count,
        Some(0)
    );
    assert_eq!(store.procedure(original.id).await.unwrap(), Some(original));
}

/// An unknown bureau is `NotFound { entity: "bureau", key: id }` and stores nothing.
pub async fn procedure_unknown_bureau(store: Arc<dyn Store>) {
    let ghost = BureauId(Uuid::now_v7());
    let p = procedure("KANKYO-0001", ghost, at(0, 0));
    let err = store
        .create_procedure(p.clone(), creation(&p), &created_audit(&p))
        .await
        .unwrap_err();
    match err {
        StoreError::NotFound { entity, key } => {
            assert_eq!(entity, "bureau");
            assert_eq!(key, ghost.to_string());
        }
        other => panic!("expected NotFound, got {other:?}"),
    }
    assert!(store.is_empty().await.unwrap());
}

/// Lookups by id, by code and in batch; unknown ids and codes are absent, not errors.
pub async fn procedure_lookups(store: Arc<dyn Store>) {
    let b = seed_bureau(&store, "KANKYO").await;
    let p1 = seed_procedure(&store, procedure("KANKYO-0001", b.id, at(0, 0))).await;
    let p2 = seed_procedure(&store, procedure("KANKYO-0002", b.id, at(1, 0))).await;
    seed_procedure(&store, procedure("KANKYO-0003", b.id, at(2, 0))).await;
    let ghost = ProcedureId(Uuid::now_v7());

    assert_eq!(store.procedure(p1.id).await.unwrap(), Some(p1.clone()));
    assert_eq!(store.procedure(ghost).await.unwrap(), None);
    let by_code = store
        .procedure_by_code(&procedure_code("KANKYO-0002"))
        .await
        .unwrap();
    assert_eq!(by_code, Some(p2.clone()));
    let missing = store
        .procedure_by_code(&procedure_code("KANKYO-9999"))
        .await
        .unwrap();
    assert_eq!(missing, None);

    let mut batch = store
        .procedures_by_ids(&[p2.id, ghost, p1.id])
        .await
        .unwrap();
    batch.sort_by(|x, y| x.code.cmp(&y.code));
    assert_eq!(batch, vec![p1, p2]);
    assert!(store.procedures_by_ids(&[]).await.unwrap().is_empty());
}

/// Every field comes back exactly as stored: microsecond times, dates, quarters, every enum
/// value, Japanese text, large volumes.
pub async fn procedure_values_round_trip(store: Arc<dyn Store>) {
    let b = seed_bureau(&store, "KANKYO").await;
    let platforms = Platform::ALL.iter().copied().map(Some).chain([None]);
    let categories = Category::ALL.iter().copied().cycle();
    let authorities = Authority::ALL.iter().copied().cycle();
    for (n, ((platform, category), authority)) in
        platforms.zip(categories).zip(authorities).enumerate()
    {
        let mut p = procedure(&format!("KANKYO-{:04}", n + 1), b.id, at(n as i64, 999_999));
        p.name = "産業廃棄物処理業許可申請（新規）".to_owned();
        p.name_en = Some("Industrial waste licence \"new\" 100%".to_owned());
        p.category = category;
        p.authority = authority;
        p.annual_applications = Some(9_000_000_000 + n as i64);
        p.process_count = 100_000;
        p.platform = platform;
        p.target_quarter = Some(quarter(&format!("FY{}-Q{}", 2024 + n, n % 4 + 1)));
        p.released_on = Some(date(2026, 2, 28));
        p.updated_at = at(n as i64 + 86_400 * 400, 1);
        let stored = seed_procedure(&store, p.clone()).await;
        assert_eq!(stored, p);
        assert_eq!(store.procedure(p.id).await.unwrap(), Some(p.clone()));
    }
}

fn full_patch(other_bureau: BureauId) -> ProcedurePatch {
    ProcedurePatch {
        name: Some("改名された手続".to_owned()),
        name_en: Some(Some("Renamed procedure".to_owned())),
        bureau_id: Some(other_bureau),
        category: Some(Category::Major),
        authority: Some(Authority::National),
        annual_applications: Some(Some(12_345)),
        process_count: Some(7),
        platform: Some(Some(Platform::MynaPortal)),
        target_quarter: Some(Some(quarter("FY2026-Q2"))),
        released_on: Some(Some(date(2026, 7, 1))),
    }
}

/// A patch changes exactly the fields it names, bumps the version and sets `updated_at`; the
/// state, code and `created_at` stay.
pub async fn update_changes_fields(store: Arc<dyn Store>) {
    let b1 = seed_bureau(&store, "KANKYO").await;
    let b2 = seed_bureau(&store, "ZAIMU").await;
    let p = seed_procedure(&store, procedure("KANKYO-0001", b1.id, at(0, 0))).await;
    let now = at(3600, 250_001);
    let patch = full_patch(b2.id);
    let updated = store
        .update_procedure(p.id, 1, &patch, now, &updated_audit(p.id))
        .await
        .unwrap();

    let mut expected = patch.apply_to(&p);
    expected.version = 2;
    expected.updated_at = now;
    assert_eq!(updated, expected);
    assert_eq!(store.procedure(p.id).await.unwrap(), Some(expected.clone()));

    let name_only = ProcedurePatch {
        name: Some("二度目".to_owned()),
        ..ProcedurePatch::default()
    };
    let again = store
        .update_procedure(p.id, 2, &name_only, at(7200, 0), &updated_audit(p.id))
        .await
        .unwrap();
    assert_eq!(again.name, "二度目");
    assert_eq!(again.name_en.as_deref(), Some("Renamed procedure"));
    assert_eq!(again.bureau_id, b2.id);
    assert_eq!(again.version, 3);
    assert_eq!(again.updated_at, at(7200, 0));
    assert_eq!(again.created_at, at(0, 0));
}

/// `Some(None)` clears an optional field; `None` leaves it alone.
pub async fn update_clears_optional_fields(store: Arc<dyn Store>) {
    let b = seed_bureau(&store, "KANKYO").await;
    let p = seed_procedure(&store, procedure("KANKYO-0001", b.id, at(0, 0))).await;
    let filled = store
        .update_procedure(p.id, 1, &full_patch(b.id), at(10, 0), &updated_audit(p.id))
        .await
        .unwrap();
    let clear = ProcedurePatch {
        name_en: Some(None),
        annual_applications: Some(None),
        platform: Some(None),
        target_quarter: Some(None),
        released_on: Some(None),
        ..ProcedurePatch::default()
    };
    let cleared = store
        .update_procedure(p.id, 2, &clear, at(20, 0), &updated_audit(p.id))
        .await
        .unwrap();
    assert_eq!(cleared.name_en, None);
    assert_eq!(cleared.annual_applications, None);
    assert_eq!(cleared.platform, None);
    assert_eq!(cleared.target_quarter, None);
    assert_eq!(cleared.released_on, None);
    assert_eq!(cleared.name, filled.name);
    assert_eq!(cleared.category, Category::Major);
    assert_eq!(cleared.process_count, 7);
    assert_eq!(cleared.version, 3);
    assert_eq!(store.procedure(p.id).await.unwrap(), Some(cleared));
}

/// A stale version is `Conflict { expected, actual }` and changes nothing.
pub async fn update_stale_version_conflicts(store: Arc<dyn Store>) {
    let b = seed_bureau(&store, "KANKYO").await;
    let p = seed_procedure(&store, procedure("KANKYO-0001", b.id, at(0, 0))).await;
    let rename = |name: &str| ProcedurePatch {
        name: Some(name.to_owned()),
        ..ProcedurePatch::default()
    };
    let v2 = store
        .update_procedure(p.id, 1, &rename("一回目"), at(1, 0), &updated_audit(p.id))
        .await
        .unwrap();
    let err = store
        .update_procedure(
            p.id,
            1,
            &rename("古い版から"),
            at(2, 0),
            &updated_audit(p.id),
        )
        .await
        .unwrap_err();
    match err {
        StoreError::Conflict { expected, actual } => {
            assert_eq!((expected, actual), (1, 2));
        }
        other => panic!("expected Conflict, got {other:?}"),
    }
    assert_eq!(store.procedure(p.id).await.unwrap(), Some(v2));
}

/// Updating an unknown procedure is `NotFound { entity: "procedure", key: id }`; moving a
/// procedure to an unknown bureau is `NotFound { entity: "bureau" }` and changes nothing.
pub async fn update_not_found(store: Arc<dyn Store>) {
    let ghost = ProcedureId(Uuid::now_v7());
    let patch = ProcedurePatch {
        name: Some("x".to_owned()),
        ..ProcedurePatch::default()
    };
    match store
        .update_procedure(ghost, 1, &patch, at(0, 0), &updated_audit(ghost))
        .await
    {
        Err(StoreError::NotFound { entity, key }) => {
            assert_eq!(entity, "procedure");
            assert_eq!(key, ghost.to_string());
        }
        other => panic!("expected NotFound, got {other:?}"),
    }

    let b = seed_bureau(&store, "KANKYO").await;
    let p = seed_procedure(&store, procedure("KANKYO-0001", b.id, at(0, 0))).await;
    let nowhere = BureauId(Uuid::now_v7());
    let move_it = ProcedurePatch {
        bureau_id: Some(nowhere),
        ..ProcedurePatch::default()
    };
    match store
        .update_procedure(p.id, 1, &move_it, at(1, 0), &updated_audit(p.id))
        .await
    {
        Err(StoreError::NotFound { entity, key }) => {
            assert_eq!(entity, "bureau");
            assert_eq!(key, nowhere.to_string());
        }
        other => panic!("expected NotFound, got {other:?}"),
    }
    assert_eq!(store.procedure(p.id).await.unwrap(), Some(p));
    assert_eq!(
        store.bureau_by_code(&bureau_code("KANKYO")).await.unwrap(),
        Some(b)
    );
}
