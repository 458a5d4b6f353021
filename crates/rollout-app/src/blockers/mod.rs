//! Law changes, milestones and dependencies as use cases: recording and following law changes
//! (`law_changes`), milestones (`milestones`), linking a procedure to what it needs
//! (`dependencies`), and the automatic unblocking that a cleared blocker sets off (`unblock`).
//! Reads by id with the visibility of the listings live here too.
//!
//! Every write is ONE `commit` batch with its audit entries, and every batch moves the graph
//! version on, first, so that every replica's cached graph notices it (updates that change no
//! edge too: the cached graph holds the rows, titles and planned dates, that reads and
//! earliest-release answers show). A batch whose plan the graph decides (an edge between
//! procedures and its cycle check, a status change that frees waiting procedures) asserts the
//! version it was planned on (`BumpGraphVersion`), so that two batches planned on the same graph
//! cannot both commit: the loser gets `Conflict` and plans again on the new graph
//! ([`App::commit_on_graph`], at most [`GRAPH_ATTEMPTS`] times). That is what keeps two
//! concurrent `addDependency` calls from closing a cycle together. The others
//! (`AdvanceGraphVersion`) never lose a race: nothing another graph change does can make them
//! wrong.
//!
//! Deliberately not here: the graph algorithms (pure, `rollout_domain::deps`), the read-side
//! questions (ranking, earliest release), and the law change's allowed moves (its workflow
//! file, planned by `rollout_domain::workflow::law_change`).

mod dependencies;
mod law_change_status;
mod law_changes;
mod milestones;
#[cfg(test)]
mod tests;
mod unblock;

use std::future::Future;
use std::sync::Arc;

use rollout_domain::blockers::check_law_change_code;
use rollout_domain::blockers::{BlockerRef, Dependency, LawChange, Milestone};
use rollout_domain::deps::Procs;
use rollout_domain::text::TextKind;
use rollout_domain::{DependencyId, LawChangeId, MilestoneId};
use rollout_store::{LawChangeCursor, LawChangeFilter, Page, PageRequest, StoreError, Write};
use serde_json::{Value, json};

pub use dependencies::AddDependency;
pub use law_change_status::{ChangeLawChangeStatus, LawChangeStatusChanged};
pub use law_changes::{CreateLawChange, UpdateLawChange};
pub use milestones::{
    ChangeMilestoneStatus, CreateMilestone, MilestoneStatusChanged, UpdateMilestone,
};
pub use unblock::{StillBlocked, Unblocked};

use crate::audit::opt;
use crate::deps::LoadedGraph;
use crate::reads::reads;
use crate::text::TextChecks;
use crate::{Actor, App, AppError, AppResult, ProcedureEvent};

/// How often a graph write is planned at most. Each lost race means another batch committed, so
/// the writers as a whole always progress; a writer among many concurrent ones may lose several
/// times in a row, hence the randomised, growing pause before planning again (at most
/// [`MAX_BACKOFF_MS`]), which spreads a burst of writers out instead of having them collide again.
pub const GRAPH_ATTEMPTS: u32 = 12;

/// The longest pause between two attempts, in milliseconds.
const MAX_BACKOFF_MS: u64 = 32;

/// The actor label of automatic moves.
pub const UNBLOCK_ACTOR: &str = "unblock";

/// A write batch planned on one graph version, ready to commit.
pub(crate) struct GraphBatch<T> {
    /// Begins with the graph version bump.
    pub(crate) writes: Vec<Write>,
    /// Published after the commit.
    pub(crate) events: Vec<ProcedureEvent>,
    pub(crate) value: T,
}

impl<T> GraphBatch<T> {
    /// A batch whose plan depends on `graph` (a cycle check, the procedures a cleared blocker
    /// frees): a compare-and-set of its version first, then `writes`.
    pub(crate) fn on(graph: &LoadedGraph, writes: Vec<Write>, value: T) -> Self {
        Self::first(
            Write::BumpGraphVersion {
                expected: graph.version,
            },
            writes,
            value,
        )
    }

    /// A batch that changes the graph but whose plan no other graph change can invalidate (a
    /// new law change, an edge to a law change or milestone, a removal): it moves the version
    /// on whatever it is, so that every replica's cache notices, and never loses a race.
    pub(crate) fn advancing(writes: Vec<Write>, value: T) -> Self {
        Self::first(Write::AdvanceGraphVersion, writes, value)
    }

    /// [`GraphBatch::on`] when `depends` (the plan read the graph), else
    /// [`GraphBatch::advancing`].
    pub(crate) fn on_if(depends: bool, graph: &LoadedGraph, writes: Vec<Write>, value: T) -> Self {
        if depends {
            Self::on(graph, writes, value)
        } else {
            Self::advancing(writes, value)
        }
    }

    fn first(bump: Write, writes: Vec<Write>, value: T) -> Self {
        let mut all = Vec::with_capacity(writes.len() + 1);
        all.push(bump);
        all.extend(writes);
        Self {
            writes: all,
            events: Vec::new(),
            value,
        }
    }
}

impl App {
    /// Plans on the current graph and commits, planning again on the new graph when the batch
    /// lost a race (a `Conflict`: another batch bumped the graph version or changed a row the
    /// plan read); `plan` re-reads and re-checks everything, so a stale `expectedVersion` still
    /// ends as VERSION_CONFLICT and a cycle closed meanwhile as CYCLE.
    pub(crate) async fn commit_on_graph<T, F, Fut>(&self, mut plan: F) -> AppResult<T>
    where
        F: FnMut(Arc<LoadedGraph>) -> Fut,
        Fut: Future<Output = AppResult<GraphBatch<T>>>,
    {
        let mut last = None;
        for attempt in 0..GRAPH_ATTEMPTS {
            if attempt > 0 {
                let cap = (1_u64 << attempt.min(6)).min(MAX_BACKOFF_MS);
                let pause = rand::random_range(0..=cap);
                tokio::time::sleep(std::time::Duration::from_millis(pause)).await;
            }
            let graph = self.graph().await?;
            let batch = plan(graph).await?;
            match self.store().commit(&batch.writes).await {
                Ok(()) => {
                    crate::metrics::committed(&batch.writes);
                    for event in batch.events {
                        self.publish(event);
                    }
                    return Ok(batch.value);
                }
                Err(e) => match e.error {
                    conflict @ StoreError::Conflict { .. } => last = Some(conflict),
                    other => return Err(other.into()),
                },
            }
        }
        tracing::warn!(
            attempts = GRAPH_ATTEMPTS,
            "a graph write kept losing races; giving up"
        );
        Err(last.map_or_else(
            || AppError::validation("input", "the dependency graph kept changing; try again"),
            AppError::from,
        ))
    }

    /// One page of law changes, by code, to whoever may read (every role).
    pub async fn list_law_changes(
        &self,
        actor: &Actor,
        filter: &LawChangeFilter,
        page: PageRequest<LawChangeCursor>,
    ) -> AppResult<Page<LawChange>> {
        self.require_reads(actor, "LawChange").await?;
        crate::procedures::check_page_size(page.first)?;
        let mut filter = filter.clone();
        TextChecks::default()
            .check_opt("search", TextKind::Search, filter.search.as_mut())
            .finish()?;
        Ok(self.store().list_law_changes(&filter, &page).await?)
    }

    /// The law change with this code (VALIDATION for a malformed code), to whoever may read.
    pub async fn law_change_by_code(
        &self,
        actor: &Actor,
        code: &str,
    ) -> AppResult<Option<LawChange>> {
        self.require_reads(actor, "LawChange").await?;
        let code = check_law_change_code(code).map_err(|m| AppError::validation("code", m))?;
        Ok(self.store().law_change_by_code(&code).await?)
    }

    /// Every milestone, by planned date (none last), then name, to whoever may read.
    pub async fn list_milestones(&self, actor: &Actor) -> AppResult<Vec<Milestone>> {
        self.require_reads(actor, "Milestone").await?;
        Ok(self.store().list_milestones().await?)
    }

    /// FORBIDDEN for an actor who may not read (as the other listings, not audited).
    async fn require_reads(&self, actor: &Actor, kind: &'static str) -> AppResult<()> {
        if reads(actor) {
            Ok(())
        } else {
            Err(AppError::Forbidden {
                message: format!("this account may not read {kind} records"),
            })
        }
    }

    /// A law change by id, to whoever may read (every role), as `lawChanges` shows it.
    pub async fn visible_law_change(
        &self,
        actor: &Actor,
        id: LawChangeId,
    ) -> AppResult<Option<LawChange>> {
        if !reads(actor) {
            return Ok(None);
        }
        Ok(self.store().law_change(id).await?)
    }

    /// A milestone by id, to whoever may read, as `milestones` shows it.
    pub async fn visible_milestone(
        &self,
        actor: &Actor,
        id: MilestoneId,
    ) -> AppResult<Option<Milestone>> {
        if !reads(actor) {
            return Ok(None);
        }
        Ok(self.store().milestone(id).await?)
    }

    /// A dependency by id (removed ones included), to whoever may read.
    pub async fn visible_dependency(
        &self,
        actor: &Actor,
        id: DependencyId,
    ) -> AppResult<Option<Dependency>> {
        if !reads(actor) {
            return Ok(None);
        }
        Ok(self.store().dependency(id).await?)
    }
}

/// The law change as the audit trail keeps it.
pub(crate) fn law_change_json(l: &LawChange) -> Value {
    json!({
        "id": l.id.to_string(), "code": l.code, "titleJa": l.title_ja, "titleEn": l.title_en,
        "level": l.level.as_str(), "ministryJa": l.ministry_ja, "ministryEn": l.ministry_en,
        "lawName": l.law_name, "article": l.article, "ownerBureauId": l.owner_bureau_id.to_string(),
        "status": l.status.as_str(), "requestedOn": opt(&l.requested_on),
        "expectedEffectiveOn": opt(&l.expected_effective_on), "enactedOn": opt(&l.enacted_on),
        "notes": l.notes, "version": l.version,
    })
}

/// The milestone as the audit trail keeps it.
pub(crate) fn milestone_json(m: &Milestone) -> Value {
    json!({
        "id": m.id.to_string(), "name": m.name, "platform": m.platform.map(|p| p.as_str()),
        "plannedOn": opt(&m.planned_on), "status": m.status.as_str(), "doneOn": opt(&m.done_on),
        "notes": m.notes, "version": m.version,
    })
}

/// The dependency as the audit trail keeps it.
pub(crate) fn dependency_json(d: &Dependency) -> Value {
    json!({
        "id": d.id.to_string(), "procedureId": d.procedure_id.to_string(),
        "onKind": d.on.kind(), "onId": d.on.uuid().to_string(), "reason": d.reason,
        "createdBy": opt(&d.created_by), "removedBy": opt(&d.removed_by),
        "removedReason": d.removed_reason, "removed": d.is_removed(),
    })
}

/// How messages name a blocker: a procedure or law change by its code, a milestone by its
/// name (a procedure absent from `procs` by its id).
pub(crate) fn blocker_label(graph: &LoadedGraph, procs: &Procs, b: BlockerRef) -> String {
    match b {
        BlockerRef::Procedure(p) => procs
            .get(&p)
            .map_or_else(|| p.to_string(), |n| n.code.clone()),
        other => graph
            .graph
            .blocker(other)
            .map_or_else(|| other.uuid().to_string(), |n| n.label.clone()),
    }
}

/// Blank optional text is no text.
pub(crate) fn non_blank(v: Option<String>) -> Option<String> {
    v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())
}

/// VERSION_CONFLICT unless `actual` is `expected`.
pub(crate) fn check_version(expected: i32, actual: i32) -> AppResult<()> {
    if expected == actual {
        Ok(())
    } else {
        Err(AppError::VersionConflict { expected, actual })
    }
}
