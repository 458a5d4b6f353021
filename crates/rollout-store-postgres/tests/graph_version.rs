//! The graph version on PostgreSQL, where batches really run in parallel (several connections,
//! several replicas): batches planned on one version are serialised by the version row's lock,
//! so exactly one of them commits and the others get `Conflict`, and a graph change that also
//! moves procedures cannot deadlock with one that takes the locks in the other order.

mod common;

use std::sync::Arc;

use futures::future::join_all;
use rollout_domain::blockers::BlockerRef;
use rollout_domain::{Bureau, Procedure, ProcedureId};
use rollout_store::contract::blocker_fixtures::dependency;
use rollout_store::contract::fixtures::{at, audit, plan, procedure, seed_bureau, seed_procedure};
use rollout_store::{BatchError, Store, StoreError, Write};
use rollout_store_postgres::PgStore;

fn add_edge(expected: i64, from: ProcedureId, on: ProcedureId) -> Vec<Write> {
    let edge = dependency(from, BlockerRef::Procedure(on), at(100, 0));
    vec![
        Write::BumpGraphVersion { expected },
        Write::InsertDependency(edge.clone()),
        Write::Audit(audit("dependency.add", "Dependency", edge.id, at(100, 0))),
    ]
}

/// Two fresh procedures of `bureau`, coded `<prefix>-<2n+1>` and `<prefix>-<2n+2>`.
async fn pair(store: &Arc<dyn Store>, bureau: &Bureau, n: i64) -> (Procedure, Procedure) {
    let mut out = Vec::new();
    for i in [2 * n + 1, 2 * n + 2] {
        let code = format!("{}-{i:04}", bureau.code.as_str());
        out.push(seed_procedure(store, procedure(&code, bureau.id, at(n, 0))).await);
    }
    let second = out.pop().unwrap();
    (out.pop().unwrap(), second)
}

fn is_graph_conflict(e: &BatchError, v: i64) -> bool {
    let (expected, actual) = (v as i32, v as i32 + 1);
    e.index == 0
        && matches!(e.error, StoreError::Conflict { expected: x, actual: y } if (x, y) == (expected, actual))
}

/// Two replicas (separate pools) each add one edge of a would-be cycle, planned on the same
/// version, at the same moment: one lands, the other is told the graph moved.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_replicas_planned_on_one_version_one_lands() {
    let Some(db) = common::database("graph_two_replicas").await else {
        return;
    };
    let first: Arc<dyn Store> = Arc::new(db.store());
    let second: Arc<dyn Store> = Arc::new(PgStore::connect(db.url()).await.unwrap());
    let bureau = seed_bureau(&first, "KANKYO").await;
    for round in 0..10_i64 {
        let (a, b) = pair(&first, &bureau, round).await;
        let v = first.graph_version().await.unwrap();
        let (forward, backward) = (add_edge(v, a.id, b.id), add_edge(v, b.id, a.id));
        let (x, y) = tokio::join!(first.commit(&forward), second.commit(&backward));
        let outcomes = [x, y];
        assert_eq!(
            outcomes.iter().filter(|r| r.is_ok()).count(),
            1,
            "round {round}: {outcomes:?}"
        );
        let loser = outcomes.iter().find_map(|r| r.as_ref().err()).unwrap();
        assert!(is_graph_conflict(loser, v), "round {round}: {loser:?}");
        let edges = second.graph_rows().await.unwrap();
        assert_eq!(edges.version, v + 1);
        assert_eq!(edges.dependencies.len() as i64, round + 1);
    }
}

/// Eight clients planned on one version: one commit, seven conflicts, one step of the version.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn eight_clients_planned_on_one_version_one_lands() {
    let Some(db) = common::database("graph_eight_clients").await else {
        return;
    };
    let store: Arc<dyn Store> = Arc::new(db.store());
    let bureau = seed_bureau(&store, "TOSHI").await;
    let hub = seed_procedure(&store, procedure("TOSHI-0000", bureau.id, at(0, 0))).await;
    let mut batches = Vec::new();
    for i in 1..=8 {
        let p = procedure(&format!("TOSHI-{i:04}"), bureau.id, at(i, 0));
        let p = seed_procedure(&store, p).await;
        batches.push(add_edge(0, p.id, hub.id));
    }
    let outcomes = join_all(batches.iter().map(|b| store.commit(b))).await;
    assert_eq!(
        outcomes.iter().filter(|r| r.is_ok()).count(),
        1,
        "{outcomes:?}"
    );
    for loser in outcomes.iter().filter_map(|r| r.as_ref().err()) {
        assert!(is_graph_conflict(loser, 0), "{loser:?}");
    }
    let graph = store.graph_rows().await.unwrap();
    assert_eq!((graph.version, graph.dependencies.len()), (1, 1));
}

/// One batch moves a procedure before its bump, the other after: were the version row locked
/// where the bump stands, each could hold the row the other waits for. The version row is
/// locked first in every graph-changing batch, so they queue, and the loser fails cleanly.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn graph_and_procedure_locks_do_not_deadlock() {
    let Some(db) = common::database("graph_lock_order").await else {
        return;
    };
    let store: Arc<dyn Store> = Arc::new(db.store());
    let bureau = seed_bureau(&store, "FUKUSHI").await;
    for round in 0..6_i64 {
        let (p, q) = pair(&store, &bureau, round).await;
        let v = store.graph_version().await.unwrap();
        let mut move_first = vec![Write::Transition(plan(&p, "scheduled", at(200, 0)))];
        move_first.extend(add_edge(v, p.id, q.id));
        let mut move_last = add_edge(v, q.id, p.id);
        move_last.push(Write::Transition(plan(&p, "scheduled", at(200, 0))));
        let (x, y) = tokio::join!(store.commit(&move_first), store.commit(&move_last));
        let outcomes = [x, y];
        assert_eq!(
            outcomes.iter().filter(|r| r.is_ok()).count(),
            1,
            "round {round}: {outcomes:?}"
        );
        let loser = outcomes.iter().find_map(|r| r.as_ref().err()).unwrap();
        assert!(
            matches!(loser.error, StoreError::Conflict { .. }),
            "round {round}: the loser sees a conflict, not a deadlock: {loser:?}"
        );
        assert_eq!(store.graph_version().await.unwrap(), v + 1);
    }
}
