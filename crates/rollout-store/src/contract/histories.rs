//! `Store::histories`: the first history page of many procedures in one read must be exactly
//! what `Store::history` gives for each of them alone, totals included, with unknown procedures
//! absent and the cursor ignored.

use std::sync::Arc;

use rollout_domain::ProcedureId;
use uuid::Uuid;

use super::fixtures::{at, audit, procedure, seed_bureau, seed_with_history};
use crate::{HistoryCursor, PageRequest, Store};

fn request(first: usize, with_total: bool) -> PageRequest<HistoryCursor> {
    PageRequest {
        first,
        after: None,
        with_total,
    }
}

/// Twelve procedures with one to five records each, read in one call with page sizes that cut
/// some histories and not others, with and without totals.
pub async fn histories_match_history_per_procedure(store: Arc<dyn Store>) {
    let b = seed_bureau(&store, "KANKYO").await;
    let seeds: Vec<_> = (0..12)
        .map(|n| {
            let p = procedure(&format!("KANKYO-{:04}", n + 1), b.id, at(n, 0));
            seed_with_history(p, n as usize % 5)
        })
        .collect();
    store
        .insert_procedures(
            &seeds,
            &audit("procedure.import", "Import", "batch", at(0, 0)),
        )
        .await
        .unwrap();
    let unknown = ProcedureId(Uuid::now_v7());
    let mut ids: Vec<ProcedureId> = seeds.iter().map(|s| s.procedure.id).collect();
    ids.push(unknown);
    for (first, with_total) in [(2, true), (2, false), (0, true), (10, true)] {
        let pages = store
            .histories(&ids, &request(first, with_total))
            .await
            .unwrap();
        assert_eq!(
            pages.len(),
            seeds.len(),
            "first {first}: one page per known procedure"
        );
        assert!(pages.iter().all(|(id, _)| *id != unknown));
        for (id, page) in pages {
            let alone = store
                .history(id, &request(first, with_total))
                .await
                .unwrap();
            assert_eq!(
                page, alone,
                "first {first}, with_total {with_total}, procedure {id}"
            );
        }
    }
    // A cursor names a place in one procedure's history; the batched read gives first pages.
    let with_cursor = PageRequest {
        first: 1,
        after: Some(HistoryCursor {
            procedure_version: 3,
        }),
        with_total: true,
    };
    let pages = store.histories(&ids[..1], &with_cursor).await.unwrap();
    assert_eq!(
        pages[0].1,
        store.history(ids[0], &request(1, true)).await.unwrap()
    );
    assert!(
        store
            .histories(&[], &request(5, true))
            .await
            .unwrap()
            .is_empty()
    );
}

/// `Store::transition_records_by_ids`: the records asked for, each exactly as
/// `transition_record` reads it alone; unknown ids are absent; no ids, no records.
pub async fn records_by_ids_match_single_reads(store: Arc<dyn Store>) {
    let b = seed_bureau(&store, "TOSHI").await;
    let seeds: Vec<_> = (0..3)
        .map(|n| {
            let p = procedure(&format!("TOSHI-{:04}", n + 1), b.id, at(n, 0));
            seed_with_history(p, 2)
        })
        .collect();
    store
        .insert_procedures(
            &seeds,
            &audit("procedure.import", "Import", "batch", at(0, 0)),
        )
        .await
        .unwrap();
    let mut wanted: Vec<_> = seeds.iter().map(|s| s.history[1].id).collect();
    wanted.push(seeds[2].history[0].id);
    let mut asked = wanted.clone();
    asked.push(rollout_domain::TransitionRecordId(Uuid::now_v7()));
    let mut found = store.transition_records_by_ids(&asked).await.unwrap();
    found.sort_by_key(|r| r.id);
    wanted.sort();
    assert_eq!(found.iter().map(|r| r.id).collect::<Vec<_>>(), wanted);
    for record in &found {
        let alone = store.transition_record(record.id).await.unwrap();
        assert_eq!(alone.as_ref(), Some(record));
    }
    assert!(
        store
            .transition_records_by_ids(&[])
            .await
            .unwrap()
            .is_empty()
    );
}
