//! Contract cases for dependencies and the graph: one active edge per pair (a removed edge may
//! come back), removal recorded rather than deleted, edges to unknown blockers refused, the
//! graph version's compare-and-set (a stale batch writes nothing; of two concurrent batches
//! planned on one version exactly one lands), the graph snapshot and the procedure facts.
//! Procedure ids by filter, lead samples and bulk loads are in [`super::blocker_reads`].

use std::sync::Arc;

use rollout_domain::blockers::BlockerRef;
use rollout_domain::{MilestoneId, Platform, ProcedureId};
use uuid::Uuid;

use super::blocker_fixtures::{
    commit_graph_change, dependency, law_change, milestone, seed_law_change,
};
use super::fixtures::{
    at, audit, audit_trail, date, procedure, quarter, seed_bureau, seed_procedure,
};
use super::people::{expect_conflict, expect_duplicate, expect_not_found, seed_user};
use crate::{ProcedureFacts, Store, StoreError, Write, dependency_key};

pub async fn dependency_insert_remove_and_readd(store: Arc<dyn Store>) {
    let bureau = seed_bureau(&store, "KANKYO").await;
    let user = seed_user(&store, "coordinator@metro.tokyo.lg.jp").await;
    let p = seed_procedure(&store, procedure("KANKYO-0012", bureau.id, at(1, 0))).await;
    let l = law_change("LAW-0003", bureau.id, at(2, 0));
    seed_law_change(&store, &l).await;
    let mut edge = dependency(p.id, BlockerRef::LawChange(l.id), at(10, 42));
    edge.created_by = Some(user.id);
    commit_graph_change(&store, vec![Write::InsertDependency(edge.clone())]).await;
    assert_eq!(
        store.dependency(edge.id).await.unwrap().as_ref(),
        Some(&edge)
    );

    // The same active edge again: refused, naming the edge.
    let twin = dependency(p.id, BlockerRef::LawChange(l.id), at(11, 0));
    let err = store
        .commit(&[Write::InsertDependency(twin.clone())])
        .await
        .unwrap_err();
    expect_duplicate::<()>(Err(err.error), "dependency", dependency_key(&twin));
    // What it points at, and the procedure, must exist.
    let ghost = MilestoneId(Uuid::now_v7());
    let err = store
        .commit(&[Write::InsertDependency(dependency(
            p.id,
            BlockerRef::Milestone(ghost),
            at(12, 0),
        ))])
        .await
        .unwrap_err();
    expect_not_found::<()>(Err(err.error), "milestone", ghost);
    let stray = ProcedureId(Uuid::now_v7());
    let err = store
        .commit(&[Write::InsertDependency(dependency(
            stray,
            BlockerRef::LawChange(l.id),
            at(12, 0),
        ))])
        .await
        .unwrap_err();
    expect_not_found::<()>(Err(err.error), "procedure", stray);

    let remove = Write::RemoveDependency {
        id: edge.id,
        removed_by: Some(user.id),
        removed_at: at(20, 5),
        reason: Some("法改正不要と判明".to_owned()),
    };
    commit_graph_change(&store, vec![remove.clone()]).await;
    let removed = store.dependency(edge.id).await.unwrap().unwrap();
    assert_eq!(
        (
            removed.removed_at,
            removed.removed_by,
            removed.removed_reason.as_deref()
        ),
        (Some(at(20, 5)), Some(user.id), Some("法改正不要と判明"))
    );
    let err = store.commit(&[remove]).await.unwrap_err();
    expect_not_found::<()>(Err(err.error), "dependency", edge.id);

    // Removed, the edge may be added again: a new row beside the recorded one.
    commit_graph_change(&store, vec![Write::InsertDependency(twin.clone())]).await;
    let graph = store.graph_rows().await.unwrap();
    assert_eq!(graph.dependencies, vec![twin.clone()]);
    assert_eq!(
        store.all_dependencies().await.unwrap(),
        vec![removed.clone(), twin.clone()]
    );
    let mut both = store
        .dependencies_by_ids(&[twin.id, edge.id])
        .await
        .unwrap();
    both.sort_by_key(|d| d.created_at);
    assert_eq!(both, vec![removed, twin]);
}

pub async fn graph_version_conflict_writes_nothing(store: Arc<dyn Store>) {
    let bureau = seed_bureau(&store, "TOSHI").await;
    let p = seed_procedure(&store, procedure("TOSHI-0003", bureau.id, at(1, 0))).await;
    let m = milestone("SaaS電子申請 稼働", Some(date(2022, 3, 1)), at(2, 0));
    commit_graph_change(&store, vec![Write::InsertMilestone(m.clone())]).await;
    assert_eq!(store.graph_version().await.unwrap(), 1);
    let trail = audit_trail(&store).await.len();

    let edge = dependency(p.id, BlockerRef::Milestone(m.id), at(3, 0));
    let l = law_change("LAW-0100", bureau.id, at(3, 0));
    let err = store
        .commit(&[
            Write::InsertLawChange(l.clone()),
            Write::InsertDependency(edge.clone()),
            Write::BumpGraphVersion { expected: 0 },
            Write::Audit(audit("dependency.add", "Dependency", edge.id, at(3, 0))),
        ])
        .await
        .unwrap_err();
    assert_eq!(err.index, 2, "{err}");
    expect_conflict::<()>(Err(err.error), 0, 1);
    assert_eq!(store.graph_version().await.unwrap(), 1);
    assert_eq!(store.law_change(l.id).await.unwrap(), None);
    assert_eq!(store.dependency(edge.id).await.unwrap(), None);
    assert!(store.graph_rows().await.unwrap().dependencies.is_empty());
    assert_eq!(audit_trail(&store).await.len(), trail);

    let ok = store
        .commit(&[
            Write::BumpGraphVersion { expected: 1 },
            Write::InsertDependency(edge.clone()),
        ])
        .await;
    assert!(ok.is_ok(), "{ok:?}");
    assert_eq!(store.graph_version().await.unwrap(), 2);

    // An unconditional advance moves whatever version is stored, by one per write.
    let ok = store
        .commit(&[Write::AdvanceGraphVersion, Write::AdvanceGraphVersion])
        .await;
    assert!(ok.is_ok(), "{ok:?}");
    assert_eq!(store.graph_version().await.unwrap(), 4);
}

/// Two batches planned on the same graph version, each adding one edge (together they would
/// close a cycle): exactly one lands, the other fails at its bump with the version moved on.
pub async fn concurrent_graph_changes_single_winner(store: Arc<dyn Store>) {
    let bureau = seed_bureau(&store, "KANKYO").await;
    for round in 0..6_i64 {
        let a = procedure(
            &format!("KANKYO-{:04}", round * 2 + 1),
            bureau.id,
            at(round, 0),
        );
        let b = procedure(
            &format!("KANKYO-{:04}", round * 2 + 2),
            bureau.id,
            at(round, 0),
        );
        let (a, b) = (
            seed_procedure(&store, a).await,
            seed_procedure(&store, b).await,
        );
        let v = store.graph_version().await.unwrap();
        let batch = |from: ProcedureId, on: ProcedureId| {
            let edge = dependency(from, BlockerRef::Procedure(on), at(100, 0));
            vec![
                Write::BumpGraphVersion { expected: v },
                Write::InsertDependency(edge.clone()),
                Write::Audit(audit("dependency.add", "Dependency", edge.id, at(100, 0))),
            ]
        };
        let (forward, backward) = (batch(a.id, b.id), batch(b.id, a.id));
        let (x, y) = tokio::join!(store.commit(&forward), store.commit(&backward));
        let outcomes = [x, y];
        assert_eq!(
            outcomes.iter().filter(|r| r.is_ok()).count(),
            1,
            "round {round}: {outcomes:?}"
        );
        let loser = outcomes.into_iter().find_map(Result::err).unwrap();
        assert_eq!(loser.index, 0, "round {round}: {loser}");
        let (expected, actual) = (v as i32, v as i32 + 1);
        assert!(
            matches!(loser.error, StoreError::Conflict { expected: e, actual: s } if (e, s) == (expected, actual)),
            "round {round}: {:?}",
            loser.error
        );
        assert_eq!(store.graph_version().await.unwrap(), v + 1);
        let edges = store.graph_rows().await.unwrap().dependencies;
        assert_eq!(edges.len() as i64, round + 1, "round {round}");
    }
}

pub async fn graph_rows_and_procedure_facts(store: Arc<dyn Store>) {
    let bureau = seed_bureau(&store, "FUKUSHI").await;
    let mut p = procedure("FUKUSHI-0001", bureau.id, at(1, 0));
    p.process_count = 3;
    p.annual_applications = Some(12_000);
    p.platform = Some(Platform::JointEApplication);
    p.target_quarter = Some(quarter("FY2025-Q3"));
    let p = seed_procedure(&store, p).await;
    let q = seed_procedure(&store, procedure("FUKUSHI-0002", bureau.id, at(2, 0))).await;
    let l = law_change("LAW-0001", bureau.id, at(3, 0));
    let m = milestone("SaaS電子申請 稼働", None, at(3, 0));
    let on_law = dependency(p.id, BlockerRef::LawChange(l.id), at(4, 0));
    let on_milestone = dependency(q.id, BlockerRef::Milestone(m.id), at(5, 0));
    let on_procedure = dependency(q.id, BlockerRef::Procedure(p.id), at(6, 0));
    commit_graph_change(
        &store,
        vec![
            Write::InsertLawChange(l.clone()),
            Write::InsertMilestone(m.clone()),
            Write::InsertDependency(on_law.clone()),
            Write::InsertDependency(on_milestone.clone()),
            Write::InsertDependency(on_procedure.clone()),
        ],
    )
    .await;
    let mut graph = store.graph_rows().await.unwrap();
    graph.dependencies.sort_by_key(|d| d.created_at);
    assert_eq!(graph.version, 1);
    assert_eq!(graph.law_changes, vec![l]);
    assert_eq!(graph.milestones, vec![m]);
    assert_eq!(graph.dependencies, vec![on_law, on_milestone, on_procedure]);

    let facts_p = ProcedureFacts {
        id: p.id,
        code: "FUKUSHI-0001".to_owned(),
        bureau_id: bureau.id,
        state: p.state.clone(),
        released_on: None,
        process_count: 3,
        annual_applications: 12_000,
        platform: Some(Platform::JointEApplication),
        target_quarter: Some(quarter("FY2025-Q3")),
    };
    let facts_q = ProcedureFacts {
        id: q.id,
        code: "FUKUSHI-0002".to_owned(),
        bureau_id: bureau.id,
        state: q.state.clone(),
        released_on: None,
        process_count: 1,
        annual_applications: 0,
        platform: None,
        target_quarter: None,
    };
    let mut all = store.procedure_facts(None).await.unwrap();
    all.sort_by(|a, b| a.code.cmp(&b.code));
    assert_eq!(all, vec![facts_p, facts_q.clone()]);
    let unknown = ProcedureId(Uuid::now_v7());
    assert_eq!(
        store.procedure_facts(Some(&[q.id, unknown])).await.unwrap(),
        vec![facts_q]
    );
    assert!(store.procedure_facts(Some(&[])).await.unwrap().is_empty());
}
