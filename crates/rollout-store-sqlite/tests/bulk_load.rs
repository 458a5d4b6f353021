//! SQLite-specific load check: an import the size of Tokyo's whole inventory (28,000
//! procedures, four history records each) goes in as one transaction and comes out complete.
//! How long it takes is the benchmark's business (`rollout-bench`, import budget), never a test's:
//! the time is only printed.

use std::sync::Arc;
use std::time::Instant;

use rollout_store::contract::fixtures::{at, audit, bureau, procedure, seed_with_history};
use rollout_store::{ProcedureFilter, ProcedureOrder, ProcedureSeed, Store};
use rollout_store_sqlite::SqliteStore;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn imports_the_whole_inventory_in_one_transaction() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let url = format!("sqlite://{}", dir.path().join("load.db").display());
    let store = SqliteStore::connect(&url).await?;
    store.migrate().await?;

    let bureaus: Vec<_> = (0..40).map(|n| bureau(&format!("B{n:02}"))).collect();
    let entry = audit("bureau.import", "Import", "load", at(0, 0));
    store.insert_bureaus(&bureaus, &entry).await?;
    let seeds: Vec<ProcedureSeed> = (0..28_000)
        .map(|n| {
            let b = &bureaus[n % bureaus.len()];
            let code = format!("{}-{:05}", b.code, n);
            seed_with_history(procedure(&code, b.id, at(n as i64, 0)), 3)
        })
        .collect();

    let started = Instant::now();
    let entry = audit("procedure.import", "Import", "load", at(0, 0));
    let inserted = store.insert_procedures(&seeds, &entry).await?;
    let elapsed = started.elapsed();
    eprintln!("inserted 28,000 procedures and 112,000 records in {elapsed:?}");
    assert_eq!(inserted, 28_000);

    let store: Arc<dyn Store> = Arc::new(store);
    let page = store
        .list_procedures(
            &ProcedureFilter::default(),
            ProcedureOrder::default(),
            &rollout_store::PageRequest {
                first: 0,
                after: None,
                with_total: true,
            },
        )
        .await?;
    assert_eq!(page.total_count, Some(28_000));
    let last = &seeds[27_999];
    let history = store
        .history(
            last.procedure.id,
            &rollout_store::PageRequest {
                first: 10,
                after: None,
                with_total: false,
            },
        )
        .await?;
    assert_eq!(history.items, last.history);
    Ok(())
}
