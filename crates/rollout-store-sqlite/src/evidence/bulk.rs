//! Loading evidence in bulk (demo data, imports): hearings with their outcomes, user tests, tasks
//! and target changes in one write transaction, as chunked multi-row INSERTs with one audit
//! entry for the load, all or nothing. No workflow rule is applied; the caller vouches for the
//! data, and the histories it refers to must exist already.

use rollout_domain::audit::AuditEntry;
use rollout_store::{EvidenceSeed, StoreResult};
use sqlx::SqlitePool;

use super::{target, writes};
use crate::{audit, begin_write, commit};

/// How many rows were inserted in all (outcomes included).
pub(crate) async fn insert(
    writer: &SqlitePool,
    seed: &EvidenceSeed,
    entry: &AuditEntry,
) -> StoreResult<u64> {
    let mut tx = begin_write(writer).await?;
    let hearings: Vec<_> = seed.hearings.iter().collect();
    let mut inserted = writes::insert_hearings(&mut tx, &hearings).await?;
    let tests: Vec<_> = seed.user_tests.iter().collect();
    inserted += writes::insert_user_tests(&mut tx, &tests).await?;
    let tasks: Vec<_> = seed.tasks.iter().collect();
    inserted += writes::insert_tasks(&mut tx, &tasks).await?;
    let changes: Vec<_> = seed.target_changes.iter().collect();
    inserted += target::insert(&mut tx, &changes).await?;
    audit::insert(&mut tx, entry).await?;
    commit(tx).await?;
    Ok(inserted)
}
