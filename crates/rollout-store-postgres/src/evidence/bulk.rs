//! Loading evidence in bulk (demo data, imports): hearings with their outcomes, user tests, tasks
//! and target changes in one transaction, as chunked `UNNEST` inserts with one audit entry for
//! the load, all or nothing. No workflow rule is applied; the caller vouches for the data, and
//! the histories it refers to must exist already.

use rollout_domain::audit::AuditEntry;
use rollout_store::{EvidenceSeed, StoreResult};
use sqlx::PgPool;

use super::{target, writes};
use crate::{audit, errors};

/// How many rows were inserted in all (outcomes included).
pub(crate) async fn insert(
    pool: &PgPool,
    seed: &EvidenceSeed,
    entry: &AuditEntry,
) -> StoreResult<u64> {
    let mut tx = pool.begin().await.map_err(errors::db("begin"))?;
    let hearings: Vec<_> = seed.hearings.iter().collect();
    let mut inserted = writes::insert_hearings(&mut tx, &hearings).await?;
    let tests: Vec<_> = seed.user_tests.iter().collect();
    inserted += writes::insert_user_tests(&mut tx, &tests).await?;
    let tasks: Vec<_> = seed.tasks.iter().collect();
    inserted += writes::insert_tasks(&mut tx, &tasks).await?;
    let changes: Vec<_> = seed.target_changes.iter().collect();
    inserted += target::insert(&mut tx, &changes).await?;
    audit::insert(&mut *tx, entry).await?;
    tx.commit().await.map_err(errors::db("commit"))?;
    refresh_statistics(pool).await;
    Ok(inserted)
}

/// Statistics and the visibility map for the freshly loaded tables, for the same reason as
/// after a procedure load (see `crate::bulk`): the overdue-task listing over tens of thousands
/// of rows should not wait for autovacuum to get its plan. A failure only loses the speed-up.
async fn refresh_statistics(pool: &PgPool) {
    if let Err(e) = sqlx::query(
        "VACUUM (ANALYZE) hearings, hearing_outcomes, user_tests, tasks, target_changes",
    )
    .execute(pool)
    .await
    {
        tracing::warn!(error = %e, "could not refresh table statistics after an evidence load");
    }
}
