//! Contract case for concurrent batches: two batches that change the same procedures in
//! opposite orders (two hearings listing them differently) must queue, not deadlock. One lands;
//! the other fails with a version conflict at its first write, as if they had come one after
//! the other.

use std::sync::Arc;

use rollout_domain::{Procedure, ProcedurePatch};

use super::fixtures::{at, procedure, quarter, seed_bureau, seed_procedure};
use crate::{Store, StoreError, Write};

fn update(p: &Procedure, q: &str, second: i64) -> Write {
    Write::UpdateProcedure {
        id: p.id,
        expected_version: p.version,
        patch: ProcedurePatch {
            target_quarter: Some(Some(quarter(q))),
            ..ProcedurePatch::default()
        },
        now: at(second, 0),
    }
}

pub async fn crossed_batches_queue_instead_of_deadlocking(store: Arc<dyn Store>) {
    let bureau = seed_bureau(&store, "TOSHI").await;
    for round in 0..8_i64 {
        let mut pair = Vec::new();
        for i in 0..2 {
            let code = format!("TOSHI-{:04}", round * 2 + i + 1);
            pair.push(seed_procedure(&store, procedure(&code, bureau.id, at(round, 0))).await);
        }
        let forward = vec![
            update(&pair[0], "FY2026-Q1", 100),
            update(&pair[1], "FY2026-Q1", 100),
        ];
        let backward = vec![
            update(&pair[1], "FY2026-Q2", 100),
            update(&pair[0], "FY2026-Q2", 100),
        ];
        let (a, b) = tokio::join!(store.commit(&forward), store.commit(&backward));
        let outcomes = [a, b];
        let landed = outcomes.iter().filter(|r| r.is_ok()).count();
        assert_eq!(
            landed, 1,
            "round {round}: exactly one batch lands: {outcomes:?}"
        );
        let failure = outcomes.into_iter().find_map(Result::err).unwrap();
        assert_eq!(failure.index, 0, "round {round}: {failure}");
        assert!(
            matches!(
                failure.error,
                StoreError::Conflict {
                    expected: 1,
                    actual: 2
                }
            ),
            "round {round}: the loser sees a version conflict, not {:?}",
            failure.error
        );
    }
}
