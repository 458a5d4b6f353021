//! The graph as one snapshot, the graph version, and the step a bulk load makes. The snapshot is
//! a REPEATABLE READ, READ ONLY transaction ([`crate::begin_snapshot`]): the version and the
//! rows it describes belong together even while batches commit.

use rollout_store::{GraphRows, StoreResult};
use sqlx::{AssertSqlSafe, PgConnection, PgPool};

use super::rows::{
    self as blocker_rows, DEPENDENCY_COLUMNS, LAW_CHANGE_COLUMNS, MILESTONE_COLUMNS,
};
use crate::{begin_snapshot, errors, rows};

pub(crate) async fn version(pool: &PgPool) -> StoreResult<i64> {
    sqlx::query_scalar("SELECT version FROM graph_version WHERE id = 1")
        .fetch_one(pool)
        .await
        .map_err(errors::db("read the graph version"))
}

/// Four statements in one snapshot, whatever the graph's size.
pub(crate) async fn rows(pool: &PgPool) -> StoreResult<GraphRows> {
    let mut tx = begin_snapshot(pool).await?;
    let version: i64 = sqlx::query_scalar("SELECT version FROM graph_version WHERE id = 1")
        .fetch_one(&mut *tx)
        .await
        .map_err(errors::db("read the graph version"))?;
    let law_changes = sqlx::query(AssertSqlSafe(format!(
        "SELECT {LAW_CHANGE_COLUMNS} FROM law_changes"
    )))
    .fetch_all(&mut *tx)
    .await
    .map_err(errors::db("load law changes"))?;
    let milestones = sqlx::query(AssertSqlSafe(format!(
        "SELECT {MILESTONE_COLUMNS} FROM milestones"
    )))
    .fetch_all(&mut *tx)
    .await
    .map_err(errors::db("load milestones"))?;
    let dependencies = sqlx::query(AssertSqlSafe(format!(
        "SELECT {DEPENDENCY_COLUMNS} FROM dependencies WHERE removed_at IS NULL"
    )))
    .fetch_all(&mut *tx)
    .await
    .map_err(errors::db("load active dependencies"))?;
    tx.commit().await.map_err(errors::db("commit"))?;
    Ok(GraphRows {
        version,
        law_changes: rows::all(&law_changes, blocker_rows::law_change)?,
        milestones: rows::all(&milestones, blocker_rows::milestone)?,
        dependencies: rows::all(&dependencies, blocker_rows::dependency)?,
    })
}

/// Moves the graph version on by one whatever it is (a bulk load, which plans on no graph).
pub(crate) async fn advance(conn: &mut PgConnection) -> StoreResult<()> {
    sqlx::query("UPDATE graph_version SET version = version + 1 WHERE id = 1")
        .execute(&mut *conn)
        .await
        .map(drop)
        .map_err(errors::db("advance the graph version"))
}
