//! Law changes, milestones and dependencies as the API shows them: the `LawChange`,
//! `LawChangeStatusChange`, `Milestone` and `Dependency` types, the `Blocker` union (what a
//! procedure may wait on), their queries (`lawChanges`, `lawChange`, `milestones`) and
//! mutations. Rules live in the `App`; this module only shapes results.
//!
//! Law changes and milestones named by the graph come from the app's cached graph (no read
//! beyond its version check); the procedures a page refers to load together, one read per
//! page ([`resolve_blockers`], [`BlockedBatches`]). The read-side questions (blocker ranking,
//! earliest release, `Procedure.blockers`) are built on these types in `crate::deps`.

mod dependency;
mod inputs;
mod law_change;
mod milestone;
mod mutation;
mod query;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use async_graphql::{SimpleObject, Union};
use rollout_app::App;
use rollout_domain::ProcedureId;
use rollout_domain::blockers::BlockerRef;

pub(crate) use dependency::Dependency;
pub(crate) use law_change::LawChange;
pub(crate) use milestone::Milestone;
pub(crate) use mutation::BlockerMutation;
pub(crate) use query::BlockerQuery;

use crate::errors;
use crate::loaders::{Batch, keyed, missing};
use crate::procedure::Procedure;

/// What a procedure may wait on: a law change, a milestone or another procedure.
#[derive(Debug, Clone, Union)]
pub enum Blocker {
    LawChange(LawChange),
    Milestone(Milestone),
    Procedure(Procedure),
}

/// A waiting procedure that a cleared blocker did not free, with what still holds it back
/// (empty when nothing does but no way out of its state has guards that hold).
#[derive(Debug, Clone, SimpleObject)]
pub struct BlockedProcedure {
    pub procedure: Procedure,
    pub blockers: Vec<Blocker>,
}

/// The API objects behind `refs`, in their order: law changes and milestones from the cached
/// graph, procedures in one read (as one page).
pub(crate) async fn resolve_blockers(
    app: &App,
    refs: &[BlockerRef],
) -> async_graphql::Result<Vec<Blocker>> {
    let map = blocker_map(app, refs)
        .await
        .map_err(|e| errors::graphql_error(&e))?;
    refs.iter()
        .map(|r| {
            map.get(r)
                .cloned()
                .ok_or_else(|| missing("blocker", r.uuid()))
        })
        .collect()
}

/// The objects behind `refs`, by reference (absent when unknown).
pub(crate) async fn blocker_map(
    app: &App,
    refs: &[BlockerRef],
) -> Result<HashMap<BlockerRef, Blocker>, rollout_app::AppError> {
    let graph = app.graph().await?;
    let procedure_ids: Vec<ProcedureId> = refs
        .iter()
        .filter_map(|r| match r {
            BlockerRef::Procedure(p) => Some(*p),
            _ => None,
        })
        .collect();
    let procedures = if procedure_ids.is_empty() {
        Vec::new()
    } else {
        Procedure::page(app.store().procedures_by_ids(&procedure_ids).await?)
    };
    let law_changes = LawChange::page(
        refs.iter()
            .filter_map(|r| match r {
                BlockerRef::LawChange(id) => graph.law_changes.get(id).cloned(),
                _ => None,
            })
            .collect(),
    );
    let milestones = Milestone::page(
        refs.iter()
            .filter_map(|r| match r {
                BlockerRef::Milestone(id) => graph.milestones.get(id).cloned(),
                _ => None,
            })
            .collect(),
    );
    let mut map = HashMap::new();
    for p in procedures {
        map.insert(BlockerRef::Procedure(p.row().id), Blocker::Procedure(p));
    }
    for l in law_changes {
        map.insert(BlockerRef::LawChange(l.row().id), Blocker::LawChange(l));
    }
    for m in milestones {
        map.insert(BlockerRef::Milestone(m.row().id), Blocker::Milestone(m));
    }
    Ok(map)
}

/// The blockers of a page of dependencies (their `on`), loaded together.
pub(crate) type BlockerBatch = Batch<BlockerRef, Blocker>;

impl BlockerBatch {
    pub(crate) async fn get(&self, app: &App, r: BlockerRef) -> async_graphql::Result<Blocker> {
        let map = self
            .loaded(
                "blockers",
                |refs| async move { blocker_map(app, &refs).await },
            )
            .await?;
        map.get(&r)
            .cloned()
            .ok_or_else(|| missing("blocker", r.uuid()))
    }
}

/// The procedures that depend on each blocker of a page, per `transitive` flag.
type BlockedLists = Mutex<HashMap<(bool, Option<usize>), Arc<Batch<BlockerRef, Vec<Procedure>>>>>;

/// The procedures that depend on each law change or milestone of a page (directly, or
/// transitively): one graph lookup and one procedure read per page and flag.
#[derive(Debug)]
pub(crate) struct BlockedBatches {
    keys: Vec<BlockerRef>,
    by_transitive: BlockedLists,
    /// `blockedCount` of the page's keys: one graph read per page and flag.
    counts: Mutex<HashMap<bool, Arc<Batch<BlockerRef, i32>>>>,
}

/// The most `blockedProcedures(first:)` returns.
pub(crate) const MAX_BLOCKED_FIRST: i32 = 500;

/// `first` of `blockedProcedures` checked: `None` for all, VALIDATION outside 0..=500.
pub(crate) fn blocked_first(first: Option<i32>) -> async_graphql::Result<Option<usize>> {
    match first {
        None => Ok(None),
        Some(n) if (0..=MAX_BLOCKED_FIRST).contains(&n) => Ok(Some(n as usize)),
        Some(n) => Err(errors::validation(format!(
            "first must be between 0 and {MAX_BLOCKED_FIRST}, not {n}"
        ))),
    }
}

impl BlockedBatches {
    pub(crate) fn new(keys: impl IntoIterator<Item = BlockerRef>) -> Self {
        Self {
            keys: keys.into_iter().collect(),
            by_transitive: Mutex::new(HashMap::new()),
            counts: Mutex::new(HashMap::new()),
        }
    }

    /// How many procedures depend on `key` (directly, or also transitively), from the graph
    /// alone; the counts of the whole page come from one read of the graph.
    pub(crate) async fn count(
        &self,
        app: &App,
        key: BlockerRef,
        transitive: bool,
    ) -> async_graphql::Result<i32> {
        let batch = self
            .counts
            .lock()
            .map_err(|_| errors::internal("a blocked-count batch lock was poisoned"))?
            .entry(transitive)
            .or_insert_with(|| Arc::new(Batch::new(self.keys.iter().copied())))
            .clone();
        let map = batch
            .loaded("blocked_counts", |keys| async move {
                let graph = app.graph().await?;
                Ok(keys
                    .into_iter()
                    .map(|k| {
                        let n = graph.graph.dependents_of(k, transitive).len();
                        (k, i32::try_from(n).unwrap_or(i32::MAX))
                    })
                    .collect())
            })
            .await?;
        Ok(map.get(&key).copied().unwrap_or_default())
    }

    pub(crate) async fn get(
        &self,
        app: &App,
        key: BlockerRef,
        transitive: bool,
        first: Option<usize>,
    ) -> async_graphql::Result<Vec<Procedure>> {
        let batch = self
            .by_transitive
            .lock()
            .map_err(|_| errors::internal("a blocked-procedures batch lock was poisoned"))?
            .entry((transitive, first))
            .or_insert_with(|| Arc::new(Batch::new(self.keys.iter().copied())))
            .clone();
        let map = batch
            .loaded("blocked_procedures", |keys| async move {
                let graph = app.graph().await?;
                let by_key: Vec<(BlockerRef, Vec<ProcedureId>)> = keys
                    .into_iter()
                    .map(|k| {
                        let mut ids = graph.graph.dependents_of(k, transitive);
                        if let Some(n) = first {
                            ids.truncate(n);
                        }
                        (k, ids)
                    })
                    .collect();
                let mut ids: Vec<ProcedureId> = by_key
                    .iter()
                    .flat_map(|(_, ps)| ps.iter().copied())
                    .collect();
                ids.sort_unstable();
                ids.dedup();
                let rows = if ids.is_empty() {
                    Vec::new()
                } else {
                    app.store().procedures_by_ids(&ids).await?
                };
                let procedures = keyed(Procedure::page(rows), |p| p.row().id);
                Ok(by_key
                    .into_iter()
                    .map(|(k, ps)| {
                        let list = ps
                            .iter()
                            .filter_map(|p| procedures.get(p).cloned())
                            .collect();
                        (k, list)
                    })
                    .collect())
            })
            .await?;
        Ok(map.get(&key).cloned().unwrap_or_default())
    }
}
