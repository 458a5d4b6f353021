//! Contract cases for the reads the graph questions lean on and for bulk loads: procedure ids
//! by listing filter and the `ids` filter in listings and counts, lead-time samples from a
//! constructed history, and `insert_blockers` (all or nothing, one graph version step, one
//! audit entry).

use std::sync::Arc;

use chrono::{DateTime, Utc};
use rollout_domain::blockers::{BlockerRef, LawChangeStatus};
use rollout_domain::{BureauId, Platform, Procedure, ProcedureId};
use uuid::Uuid;

use super::blocker_fixtures::{dependency, law_change, milestone, status_change};
use super::fixtures::{
    at, audit, audit_trail, creation, date, first, plan, procedure, seed_bureau, seed_procedure,
    sorted_codes,
};
use super::people::expect_not_found;
use crate::{BlockerSeed, LeadSample, ProcedureFilter, ProcedureOrder, ProcedureSeed, Store};

fn sorted(mut ids: Vec<ProcedureId>) -> Vec<ProcedureId> {
    ids.sort();
    ids
}

pub async fn procedure_ids_and_the_ids_filter(store: Arc<dyn Store>) {
    let bureau = seed_bureau(&store, "KANKYO").await;
    let mut ps = Vec::new();
    for i in 1..=4 {
        let p = procedure(&format!("KANKYO-{i:04}"), bureau.id, at(i, 0));
        ps.push(seed_procedure(&store, p).await);
    }
    let moved = plan(&ps[3], "scheduled", at(50, 0));
    store
        .apply_transition(&super::fixtures::transition(moved))
        .await
        .unwrap();
    let all = store
        .procedure_ids(&ProcedureFilter::default())
        .await
        .unwrap();
    assert_eq!(sorted(all), sorted(ps.iter().map(|p| p.id).collect()));

    let unknown = ProcedureId(Uuid::now_v7());
    let some = ProcedureFilter {
        ids: Some(vec![ps[1].id, ps[3].id, unknown]),
        ..ProcedureFilter::default()
    };
    assert_eq!(
        sorted(store.procedure_ids(&some).await.unwrap()),
        sorted(vec![ps[1].id, ps[3].id])
    );
    let page = store
        .list_procedures(&some, ProcedureOrder::default(), &first(10))
        .await
        .unwrap();
    assert_eq!(sorted_codes(&page.items), ["KANKYO-0002", "KANKYO-0004"]);
    assert_eq!(page.total_count, Some(2));
    let counts = store.count_by_state(&some).await.unwrap();
    assert_eq!(
        counts,
        [("hearing".to_owned(), 1), ("scheduled".to_owned(), 1)]
    );
    let narrowed = ProcedureFilter {
        states: vec!["scheduled".to_owned()],
        ..some.clone()
    };
    assert_eq!(store.procedure_ids(&narrowed).await.unwrap(), [ps[3].id]);

    let none = ProcedureFilter {
        ids: Some(Vec::new()),
        ..ProcedureFilter::default()
    };
    assert!(store.procedure_ids(&none).await.unwrap().is_empty());
    let page = store
        .list_procedures(&none, ProcedureOrder::default(), &first(10))
        .await
        .unwrap();
    assert_eq!((page.items.len(), page.total_count), (0, Some(0)));
    assert!(store.count_by_state(&none).await.unwrap().is_empty());
}

/// A seed of `p` whose history is its creation record and then `moves` (state, seconds after
/// the epoch of the fixtures), each bumping the version; the row reflects the last.
fn seed_moves(mut p: Procedure, moves: &[(&str, i64)], released: bool) -> ProcedureSeed {
    let mut history = vec![creation(&p)];
    for (to, second) in moves {
        let planned = plan(&p, to, at(*second, 0));
        p.state = planned.to_state.clone();
        p.version = planned.record.procedure_version;
        p.updated_at = planned.record.at;
        history.push(planned.record);
    }
    p.released_on = released.then(|| p.updated_at.date_naive());
    ProcedureSeed {
        procedure: p,
        history,
        target_changes: Vec::new(),
    }
}

fn sample(platform: Option<Platform>, scheduled: i64, released: i64) -> LeadSample {
    LeadSample {
        platform,
        scheduled_at: at(scheduled, 0),
        released_at: at(released, 0),
    }
}

pub async fn lead_samples_from_history(store: Arc<dyn Store>) {
    let bureau = seed_bureau(&store, "DIGITAL").await;
    let new = |code: &str, platform| {
        let mut p = procedure(code, bureau.id, at(0, 0));
        p.platform = platform;
        p
    };
    let path = [
        ("scheduled", 100),
        ("built", 200),
        ("user_tested", 300),
        ("released", 400),
    ];
    let seeds = vec![
        seed_moves(
            new("DIGITAL-0001", Some(Platform::SaasEApplication)),
            &path,
            true,
        ),
        // Scheduled twice: the latest entry into "scheduled" counts.
        seed_moves(
            new("DIGITAL-0002", None),
            &[
                ("scheduled", 10),
                ("hearing", 20),
                ("scheduled", 50),
                ("released", 90),
            ],
            true,
        ),
        // Released without ever being scheduled, not released yet, no release date: absent.
        seed_moves(new("DIGITAL-0003", None), &[("released", 10)], true),
        seed_moves(new("DIGITAL-0004", None), &path[..2], false),
        seed_moves(new("DIGITAL-0005", None), &path, false),
        // Abolished after scheduling: "abolished" is a done state too.
        seed_moves(
            new("DIGITAL-0006", Some(Platform::Jgrants)),
            &[("scheduled", 5), ("abolished", 7)],
            true,
        ),
    ];
    let entry = audit("import.load", "Import", "lead", at(0, 0));
    store.insert_procedures(&seeds, &entry).await.unwrap();

    let done = ["released".to_owned(), "abolished".to_owned()];
    let mut samples = store.lead_samples("scheduled", &done).await.unwrap();
    samples.sort_by_key(|s| s.scheduled_at);
    assert_eq!(
        samples,
        vec![
            sample(Some(Platform::Jgrants), 5, 7),
            sample(None, 50, 90),
            sample(Some(Platform::SaasEApplication), 100, 400),
        ]
    );
    let released_only = store.lead_samples("scheduled", &done[..1]).await.unwrap();
    assert_eq!(released_only.len(), 2);
    assert!(
        store
            .lead_samples("scheduled", &[])
            .await
            .unwrap()
            .is_empty()
    );
}

fn seed_of(bureau: BureauId, procedures: &[ProcedureId], when: DateTime<Utc>) -> BlockerSeed {
    let l = law_change("LAW-0001", bureau, when);
    let mut shown = law_change("LAW-0002", bureau, when);
    shown.status = LawChangeStatus::DateShown;
    shown.expected_effective_on = Some(date(2022, 4, 1));
    let m = milestone("SaaS電子申請 稼働", Some(date(2022, 3, 1)), when);
    let history = vec![
        status_change(&l, None, l.status, when),
        status_change(&shown, None, LawChangeStatus::Requested, when),
        status_change(
            &shown,
            Some(LawChangeStatus::Requested),
            LawChangeStatus::DateShown,
            when + chrono::Duration::seconds(1),
        ),
    ];
    let dependencies = procedures
        .iter()
        .flat_map(|p| {
            [
                dependency(*p, BlockerRef::LawChange(l.id), when),
                dependency(*p, BlockerRef::Milestone(m.id), when),
            ]
        })
        .collect();
    BlockerSeed {
        law_changes: vec![l, shown],
        law_change_history: history,
        milestones: vec![m],
        dependencies,
        planned_on_graph: None,
    }
}

pub async fn insert_blockers_all_or_nothing(store: Arc<dyn Store>) {
    let bureau = seed_bureau(&store, "SEIKATSU").await;
    let mut ids = Vec::new();
    for i in 1..=3 {
        let p = procedure(&format!("SEIKATSU-{i:04}"), bureau.id, at(i, 0));
        ids.push(seed_procedure(&store, p).await.id);
    }
    let trail = audit_trail(&store).await.len();

    // One dependency names a procedure that does not exist: nothing of the seed lands.
    let stray = ProcedureId(Uuid::now_v7());
    let bad = seed_of(bureau.id, &[ids[0], stray], at(10, 0));
    let entry = audit("import.blockers", "Import", "blockers", at(10, 0));
    expect_not_found(
        store.insert_blockers(&bad, &entry).await,
        "procedure",
        stray,
    );
    assert_eq!(store.graph_version().await.unwrap(), 0);
    assert!(
        store
            .law_change_by_code("LAW-0001")
            .await
            .unwrap()
            .is_none()
    );
    assert!(store.list_milestones().await.unwrap().is_empty());
    assert_eq!(audit_trail(&store).await.len(), trail);

    let seed = seed_of(bureau.id, &ids, at(20, 0));
    let entry = audit("import.blockers", "Import", "blockers", at(20, 0));
    let inserted = store.insert_blockers(&seed, &entry).await.unwrap();
    assert_eq!(inserted, 2 + 3 + 1 + 6);
    assert_eq!(store.graph_version().await.unwrap(), 1);
    let mut graph = store.graph_rows().await.unwrap();
    graph.law_changes.sort_by(|a, b| a.code.cmp(&b.code));
    graph.dependencies.sort_by_key(|d| d.id);
    let mut want = seed.dependencies.clone();
    want.sort_by_key(|d| d.id);
    assert_eq!(graph.law_changes, seed.law_changes);
    assert_eq!(graph.milestones, seed.milestones);
    assert_eq!(graph.dependencies, want);
    assert_eq!(
        store.law_change_history(None).await.unwrap(),
        seed.law_change_history
    );
    let trail_after = audit_trail(&store).await;
    assert_eq!(trail_after.len(), trail + 1);
    assert!(trail_after.contains(&entry));

    // A second load of the same edges is refused whole: the edges are active already.
    let again = BlockerSeed {
        dependencies: seed.dependencies[..1]
            .iter()
            .map(|d| dependency(d.procedure_id, d.on, at(30, 0)))
            .collect(),
        ..BlockerSeed::default()
    };
    let err = store.insert_blockers(&again, &entry).await.unwrap_err();
    assert!(
        matches!(
            err,
            crate::StoreError::Duplicate {
                entity: "dependency",
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(store.graph_version().await.unwrap(), 1);

    // A load checked against an older graph is refused whole; on the current one it lands.
    let fresh = ProcedureId(ids[2].0);
    let mut planned = BlockerSeed {
        dependencies: vec![dependency(fresh, BlockerRef::Procedure(ids[0]), at(40, 0))],
        planned_on_graph: Some(0),
        ..BlockerSeed::default()
    };
    let err = store.insert_blockers(&planned, &entry).await.unwrap_err();
    assert!(matches!(err, crate::StoreError::Conflict { .. }), "{err:?}");
    assert_eq!(store.graph_version().await.unwrap(), 1);
    planned.planned_on_graph = Some(1);
    let entry = audit("import.blockers", "Import", "blockers", at(40, 0));
    store.insert_blockers(&planned, &entry).await.unwrap();
    assert_eq!(store.graph_version().await.unwrap(), 2);
}
