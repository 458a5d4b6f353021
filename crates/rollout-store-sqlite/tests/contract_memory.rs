//! The store contract suite again, against `sqlite::memory:`, where one pool serves reads and
//! writes: the in-memory set-up must keep the same promises as the file-backed one.

use std::sync::Arc;

use rollout_store::Store;
use rollout_store_sqlite::SqliteStore;

async fn memory_store() -> Option<Arc<dyn Store>> {
    let store = SqliteStore::connect("sqlite::memory:")
        .await
        .expect("connect");
    store.migrate().await.expect("migrate");
    Some(Arc::new(store))
}

rollout_store::store_contract_tests!(memory_store);
