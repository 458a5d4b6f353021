//! Substitute arrangements: who may decide in whose place, and on which days. Whether a
//! delegation is allowed (roles, dates, nobody standing in for themselves) is decided by
//! `rollout_domain::approval::validate_delegation`; this module stores, finds and revokes.

use chrono::{DateTime, NaiveDate, Utc};
use rollout_domain::approval::Delegation;
use rollout_domain::audit::AuditEntry;
use rollout_domain::{DelegationId, UserId};
use rollout_store::StoreResult;
use sqlx::PgPool;

use crate::audit;
use crate::errors::{self, not_found};
use crate::rows::{self, delegation_columns};

pub(crate) async fn create(
    pool: &PgPool,
    delegation: &Delegation,
    entry: &AuditEntry,
) -> StoreResult<Delegation> {
    let mut tx = pool.begin().await.map_err(errors::db("begin"))?;
    let row = sqlx::query(concat!(
        "INSERT INTO delegations (",
        delegation_columns!(),
        ") VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ",
        delegation_columns!()
    ))
    .bind(delegation.id.as_uuid())
    .bind(delegation.delegator.as_uuid())
    .bind(delegation.delegate.as_uuid())
    .bind(delegation.starts_on)
    .bind(delegation.ends_on)
    .bind(delegation.created_at)
    .bind(delegation.revoked_at)
    .fetch_one(&mut *tx)
    .await
    .map_err(errors::write("insert delegation", |constraint| {
        Some(match constraint {
            "delegations_delegator_fkey" => delegation.delegator.to_string(),
            "delegations_delegate_fkey" => delegation.delegate.to_string(),
            _ => delegation.id.to_string(),
        })
    }))?;
    let stored = rows::delegation(&row)?;
    audit::insert(&mut *tx, entry).await?;
    tx.commit().await.map_err(errors::db("commit"))?;
    Ok(stored)
}

pub(crate) async fn by_id(pool: &PgPool, id: DelegationId) -> StoreResult<Option<Delegation>> {
    let found = sqlx::query(concat!(
        "SELECT ",
        delegation_columns!(),
        " FROM delegations WHERE id = $1"
    ))
    .bind(id.as_uuid())
    .fetch_optional(pool)
    .await
    .map_err(errors::db("load delegation"))?;
    found.as_ref().map(rows::delegation).transpose()
}

/// Oldest first, so that a voter with several principals sees them in a stable order.
pub(crate) async fn to(
    pool: &PgPool,
    delegate: UserId,
    day: NaiveDate,
) -> StoreResult<Vec<Delegation>> {
    let found = sqlx::query(concat!(
        "SELECT ",
        delegation_columns!(),
        " FROM delegations WHERE delegate = $1 AND revoked_at IS NULL \
         AND starts_on <= $2 AND $2 <= ends_on ORDER BY created_at, id"
    ))
    .bind(delegate.as_uuid())
    .bind(day)
    .fetch_all(pool)
    .await
    .map_err(errors::db("load delegations to a user"))?;
    rows::all(&found, rows::delegation)
}

pub(crate) async fn list(pool: &PgPool, user: Option<UserId>) -> StoreResult<Vec<Delegation>> {
    let found = sqlx::query(concat!(
        "SELECT ",
        delegation_columns!(),
        " FROM delegations WHERE $1::uuid IS NULL OR delegator = $1 OR delegate = $1 \
         ORDER BY created_at DESC, id DESC"
    ))
    .bind(user.map(|u| u.as_uuid()))
    .fetch_all(pool)
    .await
    .map_err(errors::db("list delegations"))?;
    rows::all(&found, rows::delegation)
}

/// Revoking twice keeps the first time, as with tokens.
pub(crate) async fn revoke(
    pool: &PgPool,
    id: DelegationId,
    at: DateTime<Utc>,
    entry: &AuditEntry,
) -> StoreResult<Delegation> {
    let mut tx = pool.begin().await.map_err(errors::db("begin"))?;
    let row = sqlx::query(concat!(
        "UPDATE delegations SET revoked_at = COALESCE(revoked_at, $2) WHERE id = $1 RETURNING ",
        delegation_columns!()
    ))
    .bind(id.as_uuid())
    .bind(at)
    .fetch_optional(&mut *tx)
    .await
    .map_err(errors::db("revoke delegation"))?;
    let stored = rows::delegation(&row.ok_or_else(|| not_found("delegation", id))?)?;
    audit::insert(&mut *tx, entry).await?;
    tx.commit().await.map_err(errors::db("commit"))?;
    Ok(stored)
}
