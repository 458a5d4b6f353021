//! The graph as one snapshot and the graph version: its compare-and-set inside a batch, and its
//! unconditional step for bulk loads. Every read here runs in one read transaction, so the
//! version and the rows it describes belong together.

use rollout_store::{GraphRows, StoreResult, graph_version_conflict};
use sqlx::{AssertSqlSafe, SqliteConnection, SqlitePool};

use super::rows::{
    DEPENDENCY_COLUMNS, DependencyRow, LAW_CHANGE_COLUMNS, LawChangeRow, MILESTONE_COLUMNS,
    MilestoneRow,
};
use crate::errors::ctx;
use crate::rows::decode_all;
use crate::{begin_read, commit};

pub(crate) async fn version(reader: &SqlitePool) -> StoreResult<i64> {
    sqlx::query_scalar("SELECT version FROM graph_version WHERE id = 1")
        .fetch_one(reader)
        .await
        .map_err(ctx("read the graph version"))
}

/// Four statements in one read transaction (WAL: one snapshot), whatever the graph's size.
pub(crate) async fn rows(reader: &SqlitePool) -> StoreResult<GraphRows> {
    let mut tx = begin_read(reader).await?;
    let version: i64 = sqlx::query_scalar("SELECT version FROM graph_version WHERE id = 1")
        .fetch_one(&mut *tx)
        .await
        .map_err(ctx("read the graph version"))?;
    let law_changes: Vec<LawChangeRow> = sqlx::query_as(AssertSqlSafe(format!(
        "SELECT {LAW_CHANGE_COLUMNS} FROM law_changes"
    )))
    .fetch_all(&mut *tx)
    .await
    .map_err(ctx("load law changes"))?;
    let milestones: Vec<MilestoneRow> = sqlx::query_as(AssertSqlSafe(format!(
        "SELECT {MILESTONE_COLUMNS} FROM milestones"
    )))
    .fetch_all(&mut *tx)
    .await
    .map_err(ctx("load milestones"))?;
    let dependencies: Vec<DependencyRow> = sqlx::query_as(AssertSqlSafe(format!(
        "SELECT {DEPENDENCY_COLUMNS} FROM dependencies WHERE removed_at IS NULL"
    )))
    .fetch_all(&mut *tx)
    .await
    .map_err(ctx("load active dependencies"))?;
    commit(tx).await?;
    Ok(GraphRows {
        version,
        law_changes: decode_all(law_changes, LawChangeRow::into_domain)?,
        milestones: decode_all(milestones, MilestoneRow::into_domain)?,
        dependencies: decode_all(dependencies, DependencyRow::into_domain)?,
    })
}

/// The graph version's compare-and-set: `expected + 1` if it is still `expected`, else
/// `Conflict` with the stored version. The single writer has the write lock already, so two
/// batches planned on one version cannot both pass.
pub(crate) async fn bump_graph_version(
    conn: &mut SqliteConnection,
    expected: i64,
) -> StoreResult<()> {
    let done =
        sqlx::query("UPDATE graph_version SET version = version + 1 WHERE id = 1 AND version = ?")
            .bind(expected)
            .execute(&mut *conn)
            .await
            .map_err(ctx("bump the graph version"))?;
    if done.rows_affected() == 1 {
        return Ok(());
    }
    let stored: i64 = sqlx::query_scalar("SELECT version FROM graph_version WHERE id = 1")
        .fetch_one(&mut *conn)
        .await
        .map_err(ctx("read the graph version"))?;
    Err(graph_version_conflict(expected, stored))
}

/// Moves the graph version on by one whatever it is (a bulk load, which plans on no graph).
pub(crate) async fn advance_graph_version(conn: &mut SqliteConnection) -> StoreResult<()> {
    sqlx::query("UPDATE graph_version SET version = version + 1 WHERE id = 1")
        .execute(&mut *conn)
        .await
        .map(drop)
        .map_err(ctx("advance the graph version"))
}
