//! The store contract suite, run against SQLite: one fresh, migrated temp-file database per case.

use std::sync::Arc;

use rollout_store::Store;
use rollout_store_sqlite::SqliteStore;

/// A migrated store in a new temp directory. The directory must outlive the store, which the
/// case holds after this returns, so a parked task owns it: each case runs on its own runtime,
/// and dropping that runtime when the case ends drops the task and so removes the directory.
async fn fresh_store() -> Option<Arc<dyn Store>> {
    let dir = tempfile::tempdir().expect("create temp dir");
    let url = format!("sqlite://{}", dir.path().join("contract.db").display());
    let store = SqliteStore::connect(&url).await.expect("connect");
    store.migrate().await.expect("migrate");
    tokio::spawn(async move {
        let _dir = dir;
        std::future::pending::<()>().await;
    });
    Some(Arc::new(store))
}

rollout_store::store_contract_tests!(fresh_store);
