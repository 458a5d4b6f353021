//! Delegations (substitute approvers): creation, look-up, the arrangements that cover a day
//! (dates are `YYYY-MM-DD` text, so text comparison is date comparison, both ends inclusive),
//! newest-first listings by either party, and revocation that keeps the first time. Who may
//! stand in for whom is the domain's rule.

use chrono::{DateTime, NaiveDate, Utc};
use rollout_domain::approval::Delegation;
use rollout_domain::audit::AuditEntry;
use rollout_domain::{DelegationId, UserId};
use rollout_store::StoreResult;
use sqlx::{AssertSqlSafe, FromRow, SqlitePool};

use crate::errors::{self, UniqueKey, ctx};
use crate::refs::{self, Ref};
use crate::rows::{day, decode_all, instant, parse_day, parse_instant, parse_uuid, uuid};
use crate::{audit, begin_write, commit};

const DELEGATION_COLUMNS: &str =
    "id, delegator, delegate, starts_on, ends_on, created_at, revoked_at";

#[derive(Debug, FromRow)]
struct DelegationRow {
    id: String,
    delegator: String,
    delegate: String,
    starts_on: String,
    ends_on: String,
    created_at: String,
    revoked_at: Option<String>,
}

impl DelegationRow {
    fn into_domain(self) -> StoreResult<Delegation> {
        Ok(Delegation {
            id: DelegationId(parse_uuid("delegations.id", &self.id)?),
            delegator: UserId(parse_uuid("delegations.delegator", &self.delegator)?),
            delegate: UserId(parse_uuid("delegations.delegate", &self.delegate)?),
            starts_on: parse_day("delegations.starts_on", &self.starts_on)?,
            ends_on: parse_day("delegations.ends_on", &self.ends_on)?,
            created_at: parse_instant("delegations.created_at", &self.created_at)?,
            revoked_at: self
                .revoked_at
                .map(|raw| parse_instant("delegations.revoked_at", &raw))
                .transpose()?,
        })
    }
}

pub(crate) async fn create(
    writer: &SqlitePool,
    d: &Delegation,
    entry: &AuditEntry,
) -> StoreResult<Delegation> {
    let sql = format!(
        "INSERT INTO delegations ({DELEGATION_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?) \
         RETURNING {DELEGATION_COLUMNS}"
    );
    let mut tx = begin_write(writer).await?;
    let inserted: Result<DelegationRow, _> = sqlx::query_as(AssertSqlSafe(sql))
        .bind(uuid(d.id.0))
        .bind(uuid(d.delegator.0))
        .bind(uuid(d.delegate.0))
        .bind(day(d.starts_on))
        .bind(day(d.ends_on))
        .bind(instant(d.created_at))
        .bind(d.revoked_at.map(instant))
        .fetch_one(&mut *tx)
        .await;
    let row = match inserted {
        Ok(row) => row,
        Err(e) if errors::unique_violation(&e) == Some(UniqueKey::DelegationId) => {
            return Err(errors::duplicate("delegation", d.id));
        }
        Err(e) => {
            let people = [Ref::user(d.delegator.0), Ref::user(d.delegate.0)];
            return Err(refs::missing(&mut tx, e, "insert delegation", &people).await);
        }
    };
    audit::insert(&mut tx, entry).await?;
    // Decoded before the commit, so that a row which cannot be read back is never written.
    let stored = row.into_domain()?;
    commit(tx).await?;
    Ok(stored)
}

pub(crate) async fn get(reader: &SqlitePool, id: DelegationId) -> StoreResult<Option<Delegation>> {
    let sql = format!("SELECT {DELEGATION_COLUMNS} FROM delegations WHERE id = ?");
    let row: Option<DelegationRow> = sqlx::query_as(AssertSqlSafe(sql))
        .bind(uuid(id.0))
        .fetch_optional(reader)
        .await
        .map_err(ctx("load delegation"))?;
    row.map(DelegationRow::into_domain).transpose()
}

pub(crate) async fn to_on(
    reader: &SqlitePool,
    delegate: UserId,
    on: NaiveDate,
) -> StoreResult<Vec<Delegation>> {
    let sql = format!(
        "SELECT {DELEGATION_COLUMNS} FROM delegations WHERE delegate = ?1 \
         AND revoked_at IS NULL AND starts_on <= ?2 AND ends_on >= ?2 ORDER BY created_at, id"
    );
    let rows: Vec<DelegationRow> = sqlx::query_as(AssertSqlSafe(sql))
        .bind(uuid(delegate.0))
        .bind(day(on))
        .fetch_all(reader)
        .await
        .map_err(ctx("load delegations covering a day"))?;
    decode_all(rows, DelegationRow::into_domain)
}

pub(crate) async fn list(
    reader: &SqlitePool,
    user: Option<UserId>,
) -> StoreResult<Vec<Delegation>> {
    let sql = format!(
        "SELECT {DELEGATION_COLUMNS} FROM delegations \
         WHERE ?1 IS NULL OR delegator = ?1 OR delegate = ?1 ORDER BY created_at DESC, id DESC"
    );
    let rows: Vec<DelegationRow> = sqlx::query_as(AssertSqlSafe(sql))
        .bind(user.map(|u| uuid(u.0)))
        .fetch_all(reader)
        .await
        .map_err(ctx("list delegations"))?;
    decode_all(rows, DelegationRow::into_domain)
}

pub(crate) async fn revoke(
    writer: &SqlitePool,
    id: DelegationId,
    at: DateTime<Utc>,
    entry: &AuditEntry,
) -> StoreResult<Delegation> {
    let sql = format!(
        "UPDATE delegations SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ? \
         RETURNING {DELEGATION_COLUMNS}"
    );
    let mut tx = begin_write(writer).await?;
    let row: Option<DelegationRow> = sqlx::query_as(AssertSqlSafe(sql))
        .bind(instant(at))
        .bind(uuid(id.0))
        .fetch_optional(&mut *tx)
        .await
        .map_err(ctx("revoke delegation"))?;
    let Some(row) = row else {
        return Err(errors::not_found("delegation", id));
    };
    audit::insert(&mut tx, entry).await?;
    // Decoded before the commit, so that a row which cannot be read back is never written.
    let stored = row.into_domain()?;
    commit(tx).await?;
    Ok(stored)
}
