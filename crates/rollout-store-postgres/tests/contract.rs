//! The shared store contract, run against PostgreSQL: one fresh database per case, created
//! through the admin URL in `ROLLOUT_TEST_POSTGRES_URL` and dropped when the case's store goes.
//! Without that variable every case is skipped (and says so); with it, an unreachable server
//! fails the cases rather than skipping them.

mod common;

use std::sync::Arc;

use rollout_store::Store;

async fn fresh_store() -> Option<Arc<dyn Store>> {
    let db = common::database("contract").await?;
    // The store's handle keeps the database alive after `db` goes; it is dropped with the store.
    Some(Arc::new(db.store()))
}

rollout_store::store_contract_tests!(fresh_store);
