//! Contract cases for bureaus: creation, the unique code, listing order and the batch getter.

use std::sync::Arc;

use rollout_domain::{BureauId, NewBureau};
use uuid::Uuid;

use super::fixtures::{at, audit, bureau, bureau_code, seed_bureau};
use crate::{Store, StoreError};

/// `create_bureau` returns what it stored; `bureau_by_code` and `bureaus_by_ids` find it.
pub async fn bureau_create_and_lookup(store: Arc<dyn Store>) {
    let wanted = bureau("KANKYO");
    let new = NewBureau {
        code: wanted.code.clone(),
        name_ja: "環境局".to_owned(),
        name_en: "Bureau of Environment".to_owned(),
    };
    let entry = audit("bureau.create", "Bureau", wanted.id, at(0, 0));
    let created = store.create_bureau(wanted.id, new, &entry).await.unwrap();
    assert_eq!(created.id, wanted.id);
    assert_eq!(created.code.as_str(), "KANKYO");
    assert_eq!(created.name_ja, "環境局");
    assert_eq!(created.name_en, "Bureau of Environment");

    let by_code = store.bureau_by_code(&bureau_code("KANKYO")).await.unwrap();
    assert_eq!(by_code, Some(created.clone()));
    let missing = store.bureau_by_code(&bureau_code("ZAIMU")).await.unwrap();
    assert_eq!(missing, None);
}

/// A second bureau with a taken code is `Duplicate { entity: "bureau", key: code }` and the
/// first one is left as it was.
pub async fn bureau_duplicate_code(store: Arc<dyn Store>) {
    let first = seed_bureau(&store, "KANKYO").await;
    let again = NewBureau {
        code: bureau_code("KANKYO"),
        name_ja: "別の局".to_owned(),
        name_en: "Another".to_owned(),
    };
    let id = BureauId(Uuid::now_v7());
    let err = store
        .create_bureau(id, again, &audit("bureau.create", "Bureau", id, at(1, 0)))
        .await
        .unwrap_err();
    match err {
        StoreError::Duplicate { entity, key } => {
            assert_eq!(entity, "bureau");
            assert_eq!(key, "KANKYO");
        }
        other => panic!("expected Duplicate, got {other:?}"),
    }
    assert_eq!(store.list_bureaus().await.unwrap(), vec![first]);
}

/// `list_bureaus` orders by code whatever the insertion order.
pub async fn bureau_list_ordered_by_code(store: Arc<dyn Store>) {
    assert!(store.list_bureaus().await.unwrap().is_empty());
    for code in ["TOSHI", "KANKYO", "ZAIMU", "FUKUSHI"] {
        seed_bureau(&store, code).await;
    }
    let codes: Vec<String> = store
        .list_bureaus()
        .await
        .unwrap()
        .into_iter()
        .map(|b| b.code.as_str().to_owned())
        .collect();
    assert_eq!(codes, ["FUKUSHI", "KANKYO", "TOSHI", "ZAIMU"]);
}

/// `bureaus_by_ids` returns the existing bureaus among the ids and ignores unknown ones.
pub async fn bureau_by_ids_ignores_unknown(store: Arc<dyn Store>) {
    let a = seed_bureau(&store, "KANKYO").await;
    let b = seed_bureau(&store, "ZAIMU").await;
    seed_bureau(&store, "TOSHI").await;
    let unknown = BureauId(Uuid::now_v7());

    let mut found = store.bureaus_by_ids(&[b.id, unknown, a.id]).await.unwrap();
    found.sort_by(|x, y| x.code.cmp(&y.code));
    assert_eq!(found, vec![a, b]);
    assert!(store.bureaus_by_ids(&[]).await.unwrap().is_empty());
    assert!(store.bureaus_by_ids(&[unknown]).await.unwrap().is_empty());
}
