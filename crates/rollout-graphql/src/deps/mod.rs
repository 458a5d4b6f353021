//! The read side of the dependency graph as the API shows it: `Procedure.blockers`,
//! `Procedure.dependents` and `Procedure.earliestRelease` (loaded for a whole page at once,
//! [`ProcedureDeps`]), and the project office's queries `blockerRanking`, `dependencyGraph`
//! and `nationalRequestSummary` ([`DepsQuery`]). The objects a blocker can be come from
//! [`crate::blockers`]; the answers from the app's graph use cases.

mod query;
mod types;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use rollout_app::App;
use rollout_domain::ProcedureId;
use rollout_domain::blockers::BlockerRef;
use rollout_domain::{LawChangeId, MilestoneId};

pub(crate) use query::DepsQuery;
pub(crate) use types::EarliestRelease;

use crate::blockers::Blocker;
use crate::errors;
use crate::ids::{NodeType, decode_global_id};
use crate::loaders::Batch;
use crate::procedure::Procedure;

/// The blocker a global id names (a law change, milestone or procedure), or a VALIDATION
/// error for any other id.
pub(crate) fn blocker_ref(raw: &str) -> async_graphql::Result<BlockerRef> {
    let (ty, uuid) = decode_global_id(raw).map_err(|e| errors::validation(e.0))?;
    match ty {
        NodeType::LawChange => Ok(BlockerRef::LawChange(LawChangeId(uuid))),
        NodeType::Milestone => Ok(BlockerRef::Milestone(MilestoneId(uuid))),
        NodeType::Procedure => Ok(BlockerRef::Procedure(ProcedureId(uuid))),
        other => Err(errors::validation(format!(
            "a {} id cannot block a procedure: give a LawChange, Milestone or Procedure id",
            other.name()
        ))),
    }
}

type Lists<V> = Mutex<HashMap<(bool, bool), Arc<Batch<ProcedureId, Vec<V>>>>>;

/// The graph fields of one page of procedures: one graph lookup and one read of the objects
/// named, per page and combination of arguments.
#[derive(Debug)]
pub(crate) struct ProcedureDeps {
    keys: Vec<ProcedureId>,
    blockers: Lists<Blocker>,
    /// The page's procedures as blockers of others.
    dependents: crate::blockers::BlockedBatches,
    earliest: Batch<ProcedureId, EarliestRelease>,
}

fn batch_for<V>(
    lists: &Lists<V>,
    keys: &[ProcedureId],
    args: (bool, bool),
) -> async_graphql::Result<Arc<Batch<ProcedureId, Vec<V>>>> {
    Ok(lists
        .lock()
        .map_err(|_| errors::internal("a dependency batch lock was poisoned"))?
        .entry(args)
        .or_insert_with(|| Arc::new(Batch::new(keys.iter().copied())))
        .clone())
}

impl ProcedureDeps {
    pub(crate) fn new(keys: impl IntoIterator<Item = ProcedureId>) -> Self {
        let keys: Vec<ProcedureId> = keys.into_iter().collect();
        Self {
            earliest: Batch::new(keys.iter().copied()),
            dependents: crate::blockers::BlockedBatches::new(
                keys.iter().map(|k| BlockerRef::Procedure(*k)),
            ),
            keys,
            blockers: Mutex::default(),
        }
    }

    pub(crate) async fn blockers(
        &self,
        app: &App,
        id: ProcedureId,
        transitive: bool,
        open_only: bool,
    ) -> async_graphql::Result<Vec<Blocker>> {
        let batch = batch_for(&self.blockers, &self.keys, (transitive, open_only))?;
        let map = batch
            .loaded("blockers", |keys| async move {
                let by_procedure = app.blockers_of(&keys, transitive, open_only).await?;
                let mut all: Vec<BlockerRef> = by_procedure.values().flatten().copied().collect();
                all.sort_unstable();
                all.dedup();
                let objects = crate::blockers::blocker_map(app, &all).await?;
                Ok(by_procedure
                    .into_iter()
                    .map(|(p, refs)| {
                        let list = refs
                            .iter()
                            .filter_map(|r| objects.get(r).cloned())
                            .collect();
                        (p, list)
                    })
                    .collect())
            })
            .await?;
        Ok(map.get(&id).cloned().unwrap_or_default())
    }

    pub(crate) async fn dependents(
        &self,
        app: &App,
        id: ProcedureId,
        transitive: bool,
    ) -> async_graphql::Result<Vec<Procedure>> {
        self.dependents
            .get(app, BlockerRef::Procedure(id), transitive, None)
            .await
    }

    pub(crate) async fn earliest_release(
        &self,
        app: &App,
        id: ProcedureId,
    ) -> async_graphql::Result<EarliestRelease> {
        let map = self
            .earliest
            .loaded("earliest_release", |keys| async move {
                let found = app.earliest_releases(&keys).await?;
                // The deciding chains of the whole page, resolved together (no read per row).
                let mut refs: Vec<BlockerRef> = found
                    .values()
                    .flat_map(|e| e.decided_by.iter().copied())
                    .collect();
                refs.sort_unstable();
                refs.dedup();
                let objects = crate::blockers::blocker_map(app, &refs).await?;
                Ok(found
                    .into_iter()
                    .map(|(k, v)| {
                        let decided_by = v
                            .decided_by
                            .iter()
                            .filter_map(|r| objects.get(r).cloned())
                            .collect();
                        (k, EarliestRelease::new(v, decided_by))
                    })
                    .collect())
            })
            .await?;
        map.get(&id)
            .cloned()
            .ok_or_else(|| errors::internal("earliest release missing for a procedure of the page"))
    }
}
