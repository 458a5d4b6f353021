//! The questions the project office and coordinators ask of the dependency graph: what blocks a
//! procedure and who depends on it, which blockers matter most (`blockerRanking`), when each
//! procedure can realistically be released (`earliestRelease`), the neighbourhood of a node
//! (`dependencyGraph`), the national-request split as of a date, and the graph-answered
//! listing filters (`blocked`, `atRisk`, `blockedBy`) turned into an id set for the store.
//!
//! Each answer costs a fixed number of statements: the graph version check (the graph itself
//! is cached per version), one read of the procedures' facts, and for earliest release the
//! lead-time samples (cached for [`LEAD_TIMES_TTL`]).

use std::collections::{HashMap, HashSet};

use chrono::{NaiveTime, TimeZone};
use rollout_domain::blockers::BlockerRef;
use rollout_domain::deps::national::{NationalRequestSummary, national_request_summary};
use rollout_domain::deps::{BlockerImpact, Direction, EarliestRelease, LeadTimes, Procs};
use rollout_domain::workflow::StateKind;
use rollout_domain::{DependencyId, ProcedureId};
use rollout_store::ProcedureFilter;
use tracing::instrument;

use crate::{App, AppError, AppResult, TOKYO};

/// Lead times from history are recomputed at most this often (they move only when procedures
/// are released, and a day's difference does not change a quarter).
pub const LEAD_TIMES_TTL: chrono::TimeDelta = chrono::TimeDelta::minutes(10);

/// Platforms with fewer released procedures than this use the configured default lead time.
pub const LEAD_TIME_MIN_SAMPLES: usize = 5;

/// The deepest neighbourhood `dependencyGraph` walks.
pub const MAX_GRAPH_DEPTH: usize = 10;

/// The graph-answered listing conditions.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GraphConditions {
    /// Procedures with (true) or without (false) an open blocker, direct or transitive.
    pub blocked: Option<bool>,
    /// Procedures whose earliest release falls after their target quarter (or the others).
    pub at_risk: Option<bool>,
    /// Procedures that depend on this blocker, directly or transitively.
    pub blocked_by: Option<BlockerRef>,
}

impl GraphConditions {
    pub fn is_empty(&self) -> bool {
        self.blocked.is_none() && self.at_risk.is_none() && self.blocked_by.is_none()
    }
}

impl App {
    /// The blockers of each of `ids` (direct, or transitive), open ones only or all.
    pub async fn blockers_of(
        &self,
        ids: &[ProcedureId],
        transitive: bool,
        open_only: bool,
    ) -> AppResult<HashMap<ProcedureId, Vec<BlockerRef>>> {
        let graph = self.graph().await?;
        let procs = if open_only {
            self.procs_upstream(&graph, ids).await?
        } else {
            Procs::new()
        };
        Ok(ids
            .iter()
            .map(|p| {
                (
                    *p,
                    graph.graph.blockers_of(*p, transitive, open_only, &procs),
                )
            })
            .collect())
    }

    /// The procedures that depend on `b`, directly or transitively.
    pub async fn dependents_of(
        &self,
        b: BlockerRef,
        transitive: bool,
    ) -> AppResult<Vec<ProcedureId>> {
        Ok(self.graph().await?.graph.dependents_of(b, transitive))
    }

    /// Open blockers ranked by what clearing each would unblock, counting only procedures the
    /// filter matches (all when `None`).
    #[instrument(name = "app.blocker_ranking", skip(self, filter))]
    pub async fn blocker_ranking(
        &self,
        first: usize,
        filter: Option<&ProcedureFilter>,
    ) -> AppResult<Vec<BlockerImpact>> {
        let graph = self.graph().await?;
        // Procedures outside the graph neither block nor are blocked: read only the others.
        let procs = self.procs(Some(&graph.graph.procedures())).await?;
        let counted: Option<HashSet<ProcedureId>> = match filter {
            Some(f) if *f != ProcedureFilter::default() => {
                Some(self.store().procedure_ids(f).await?.into_iter().collect())
            }
            _ => None,
        };
        let is_counted = |p: ProcedureId| counted.as_ref().is_none_or(|c| c.contains(&p));
        Ok(graph.graph.ranking(&procs, &is_counted, first))
    }

    /// The lead times of earliest release: medians of history per platform, cached.
    pub async fn lead_times(&self) -> AppResult<LeadTimes> {
        let now = self.now();
        if let Some(cached) = self.graph_cache().lead_times(now) {
            return Ok(cached);
        }
        let wf = self.workflow();
        // The workflow's "scheduled" state, or else its first working state.
        let scheduled = wf
            .state("scheduled")
            .map(|s| s.key.as_str())
            .or_else(|| wf.states_of_kind(StateKind::Active).next())
            .unwrap_or_default()
            .to_owned();
        let done: Vec<String> = wf
            .states_of_kind(StateKind::Done)
            .map(str::to_owned)
            .collect();
        let samples: Vec<_> = self
            .store()
            .lead_samples(&scheduled, &done)
            .await?
            .into_iter()
            .map(|s| (s.platform, (s.released_at - s.scheduled_at).num_days()))
            .collect();
        let leads = LeadTimes::from_samples(
            &samples,
            LEAD_TIME_MIN_SAMPLES,
            self.settings().release_lead_days,
        );
        self.graph_cache()
            .put_lead_times(leads.clone(), now + LEAD_TIMES_TTL);
        Ok(leads)
    }

    /// The earliest release of each of `ids`.
    #[instrument(name = "app.earliest_releases", skip(self, ids), fields(count = ids.len()))]
    pub async fn earliest_releases(
        &self,
        ids: &[ProcedureId],
    ) -> AppResult<HashMap<ProcedureId, EarliestRelease>> {
        let graph = self.graph().await?;
        let procs = self.procs_upstream(&graph, ids).await?;
        let leads = self.lead_times().await?;
        Ok(graph
            .graph
            .earliest_releases(ids, &procs, &leads, self.today()))
    }

    /// The nodes within `depth` of `root` and the dependencies between them.
    pub async fn dependency_subgraph(
        &self,
        root: BlockerRef,
        depth: usize,
        direction: Direction,
    ) -> AppResult<(Vec<BlockerRef>, Vec<DependencyId>)> {
        if depth > MAX_GRAPH_DEPTH {
            return Err(AppError::validation(
                "depth",
                format!("depth may be at most {MAX_GRAPH_DEPTH}, not {depth}"),
            ));
        }
        Ok(self
            .graph()
            .await?
            .graph
            .neighbourhood(root, depth, direction))
    }

    /// National requests by status as of the end of `as_of` in Tokyo (today when `None`).
    pub async fn national_request_summary(
        &self,
        as_of: Option<chrono::NaiveDate>,
    ) -> AppResult<NationalRequestSummary> {
        let as_of = as_of.unwrap_or_else(|| self.today());
        let end = as_of
            .succ_opt()
            .and_then(|next| {
                TOKYO
                    .from_local_datetime(&next.and_time(NaiveTime::MIN))
                    .single()
            })
            .ok_or_else(|| AppError::validation("asOf", format!("{as_of} is out of range")))?
            .with_timezone(&chrono::Utc)
            - chrono::TimeDelta::nanoseconds(1);
        let graph = self.graph().await?;
        let law_changes: Vec<_> = graph.law_changes.values().cloned().collect();
        let history = self.store().law_change_history(None).await?;
        let dependencies = self.store().all_dependencies().await?;
        Ok(national_request_summary(
            &law_changes,
            &history,
            &dependencies,
            as_of,
            end,
        ))
    }

    /// The ids the graph-answered conditions select, for [`ProcedureFilter::ids`]; `None` when
    /// there are none.
    pub async fn graph_condition_ids(
        &self,
        cond: GraphConditions,
    ) -> AppResult<Option<Vec<ProcedureId>>> {
        if cond.is_empty() {
            return Ok(None);
        }
        let graph = self.graph().await?;
        let procs = self.procs(None).await?;
        let mut selected: Vec<ProcedureId> = procs.keys().copied().collect();
        if let Some(b) = cond.blocked_by {
            let dependents: HashSet<_> = graph.graph.dependents_of(b, true).into_iter().collect();
            selected.retain(|p| dependents.contains(p));
        }
        if let Some(blocked) = cond.blocked {
            selected.retain(|p| {
                let open = !graph.graph.blockers_of(*p, false, true, &procs).is_empty();
                open == blocked
            });
        }
        if let Some(at_risk) = cond.at_risk {
            let leads = self.lead_times().await?;
            let er = graph
                .graph
                .earliest_releases(&selected, &procs, &leads, self.today());
            selected.retain(|p| er.get(p).is_some_and(|e| e.at_risk) == at_risk);
        }
        selected.sort_unstable();
        Ok(Some(selected))
    }
}
