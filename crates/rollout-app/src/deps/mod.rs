//! The dependency graph as the use cases see it: loaded from the store once per graph version
//! and shared by every request of the process ([`GraphCache`]). Each use of it costs one
//! statement (the version check); a change made by another replica bumps the version row in
//! the same transaction, so the next request here reloads. Procedures' own facts (state,
//! volumes, target) change without a graph change and are read fresh ([`App::procs`]).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use rollout_domain::blockers::{BlockerRef, LawChange, Milestone};
use rollout_domain::deps::{BlockerNode, DepGraph, Edge, LeadTimes, ProcedureNode, Procs};
use rollout_domain::workflow::StateKind;
use rollout_domain::{LawChangeId, MilestoneId, ProcedureId};
use rollout_store::{GraphRows, ProcedureFacts};

use crate::{App, AppResult};

mod reads;

pub use reads::{GraphConditions, LEAD_TIME_MIN_SAMPLES, LEAD_TIMES_TTL, MAX_GRAPH_DEPTH};

/// The graph of one version, with the rows it was built from.
#[derive(Debug)]
pub struct LoadedGraph {
    pub version: i64,
    pub graph: DepGraph,
    pub law_changes: HashMap<LawChangeId, LawChange>,
    pub milestones: HashMap<MilestoneId, Milestone>,
    /// Every active dependency, by id.
    pub dependencies: HashMap<rollout_domain::DependencyId, rollout_domain::blockers::Dependency>,
}

impl LoadedGraph {
    fn build(rows: GraphRows) -> Self {
        let mut nodes = HashMap::new();
        for lc in &rows.law_changes {
            nodes.insert(
                BlockerRef::LawChange(lc.id),
                BlockerNode {
                    label: lc.code.clone(),
                    open: lc.is_open(),
                    expected_on: lc.expected_on(),
                },
            );
        }
        for m in &rows.milestones {
            nodes.insert(
                BlockerRef::Milestone(m.id),
                BlockerNode {
                    label: m.name.clone(),
                    open: m.is_open(),
                    expected_on: m.expected_on(),
                },
            );
        }
        let edges: Vec<Edge> = rows
            .dependencies
            .iter()
            .map(|d| Edge {
                id: d.id,
                from: d.procedure_id,
                on: d.on,
            })
            .collect();
        Self {
            version: rows.version,
            graph: DepGraph::new(nodes, &edges),
            law_changes: rows.law_changes.into_iter().map(|l| (l.id, l)).collect(),
            milestones: rows.milestones.into_iter().map(|m| (m.id, m)).collect(),
            dependencies: rows.dependencies.into_iter().map(|d| (d.id, d)).collect(),
        }
    }
}

/// The process's copy of the graph, shared by every clone of the [`App`], and the lead times
/// of earliest release with the time they go stale.
#[derive(Debug, Default)]
pub struct GraphCache {
    current: Mutex<Option<Arc<LoadedGraph>>>,
    /// Held while the graph is read from the store, so that the requests that find the cache
    /// stale at the same moment load it once between them, not once each.
    loading: tokio::sync::Mutex<()>,
    lead_times: Mutex<Option<(LeadTimes, DateTime<Utc>)>>,
}

impl GraphCache {
    pub(crate) fn lead_times(&self, now: DateTime<Utc>) -> Option<LeadTimes> {
        let guard = self.lead_times.lock().unwrap_or_else(|e| e.into_inner());
        guard
            .as_ref()
            .filter(|(_, until)| now < *until)
            .map(|(l, _)| l.clone())
    }

    pub(crate) fn put_lead_times(&self, leads: LeadTimes, until: DateTime<Utc>) {
        *self.lead_times.lock().unwrap_or_else(|e| e.into_inner()) = Some((leads, until));
    }

    fn get(&self, version: i64) -> Option<Arc<LoadedGraph>> {
        let guard = self.current.lock().unwrap_or_else(|e| e.into_inner());
        guard.as_ref().filter(|g| g.version == version).cloned()
    }

    /// The cached graph if it is of `version` or newer (loaded by a request that waited less).
    fn at_least(&self, version: i64) -> Option<Arc<LoadedGraph>> {
        let guard = self.current.lock().unwrap_or_else(|e| e.into_inner());
        guard.as_ref().filter(|g| g.version >= version).cloned()
    }

    fn put(&self, graph: Arc<LoadedGraph>) {
        let mut guard = self.current.lock().unwrap_or_else(|e| e.into_inner());
        if guard.as_ref().is_none_or(|g| g.version < graph.version) {
            *guard = Some(graph);
        }
    }
}

impl App {
    /// The dependency graph as of now: the cached copy when the stored graph version still
    /// matches it, else a fresh load (a fixed number of statements whatever the graph's size).
    pub async fn graph(&self) -> AppResult<Arc<LoadedGraph>> {
        let version = self.store().graph_version().await?;
        if let Some(g) = self.graph_cache().get(version) {
            return Ok(g);
        }
        let _loading = self.graph_cache().loading.lock().await;
        if let Some(g) = self.graph_cache().at_least(version) {
            return Ok(g);
        }
        let rows = self.store().graph_rows().await?;
        let loaded = Arc::new(LoadedGraph::build(rows));
        self.graph_cache().put(loaded.clone());
        Ok(loaded)
    }

    /// The graph facts of the given procedures (every procedure when `None`), read fresh.
    pub async fn procs(&self, ids: Option<&[ProcedureId]>) -> AppResult<Procs> {
        let rows = self.store().procedure_facts(ids).await?;
        Ok(rows.into_iter().map(|f| (f.id, self.node_of(f))).collect())
    }

    /// The facts of `from` and of every procedure reachable from them towards their blockers
    /// through OPEN procedures: what open-only walks and earliest release need. Read frontier
    /// by frontier (one statement per level of open procedures, usually one or two), since a
    /// closed procedure ends the walk and most procedures upstream are closed: reading the
    /// whole upstream closure at once could mean thousands of rows for one page.
    pub async fn procs_upstream(
        &self,
        graph: &LoadedGraph,
        from: &[ProcedureId],
    ) -> AppResult<Procs> {
        let none = Procs::new();
        let mut procs = Procs::new();
        let mut frontier: Vec<ProcedureId> = from.to_vec();
        while !frontier.is_empty() {
            frontier.sort_unstable();
            frontier.dedup();
            frontier.retain(|p| !procs.contains_key(p));
            if frontier.is_empty() {
                break;
            }
            let found = self.procs(Some(&frontier)).await?;
            let mut next = Vec::new();
            for (id, node) in &found {
                if node.open {
                    next.extend(
                        graph
                            .graph
                            .blockers_of(*id, false, false, &none)
                            .into_iter()
                            .filter_map(|b| match b {
                                BlockerRef::Procedure(q) => Some(q),
                                _ => None,
                            }),
                    );
                }
            }
            procs.extend(found);
            frontier = next;
        }
        Ok(procs)
    }

    fn node_of(&self, f: ProcedureFacts) -> ProcedureNode {
        let kind = self
            .workflow()
            .state(&f.state)
            .map_or(StateKind::Active, |s| s.kind);
        ProcedureNode {
            code: f.code,
            bureau_id: f.bureau_id,
            open: !kind.is_terminal(),
            waiting: kind == StateKind::Blocked,
            released_on: f.released_on,
            process_count: f.process_count,
            annual_applications: f.annual_applications,
            platform: f.platform,
            target_quarter: f.target_quarter,
        }
    }
}
