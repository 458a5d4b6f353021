//! Loading law changes, their history, milestones and dependencies in bulk (demo data, imports):
//! one write transaction of chunked multi-row INSERTs, one step of the graph version and one
//! audit entry, all or nothing. No rule is applied; the caller vouches for the data.

use rollout_domain::audit::AuditEntry;
use rollout_store::{BlockerSeed, StoreResult};
use sqlx::SqlitePool;

use super::{graph, writes};
use crate::{audit, begin_write, commit};

/// How many rows were inserted in all.
pub(crate) async fn insert(
    writer: &SqlitePool,
    seed: &BlockerSeed,
    entry: &AuditEntry,
) -> StoreResult<u64> {
    let mut tx = begin_write(writer).await?;
    let law_changes: Vec<_> = seed.law_changes.iter().collect();
    let mut inserted = writes::insert_law_changes(&mut tx, &law_changes).await?;
    let history: Vec<_> = seed.law_change_history.iter().collect();
    inserted += writes::insert_history(&mut tx, &history).await?;
    let milestones: Vec<_> = seed.milestones.iter().collect();
    inserted += writes::insert_milestones(&mut tx, &milestones).await?;
    let dependencies: Vec<_> = seed.dependencies.iter().collect();
    inserted += writes::insert_dependencies(&mut tx, &dependencies).await?;
    match seed.planned_on_graph {
        Some(expected) => graph::bump_graph_version(&mut tx, expected).await?,
        None => graph::advance_graph_version(&mut tx).await?,
    }
    audit::insert(&mut tx, entry).await?;
    commit(tx).await?;
    Ok(inserted)
}
