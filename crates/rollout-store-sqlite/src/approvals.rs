//! Approval requests outside voting: creation (at most one pending per procedure, enforced by
//! the partial unique index `approval_requests_one_pending`), look-ups, the compare-and-set that
//! every change of a request goes through, closing without a vote, and the expiry sweep. Votes
//! are in [`crate::votes`], listings in [`crate::approval_listing`].

use chrono::{DateTime, Utc};
use rollout_domain::approval::{ApprovalPolicy, ApprovalRequest, ApprovalStatus};
use rollout_domain::audit::AuditEntry;
use rollout_domain::identity::Role;
use rollout_domain::{ApprovalRequestId, ProcedureId, UserId};
use rollout_store::{StoreError, StoreResult};
use sqlx::{AssertSqlSafe, FromRow, QueryBuilder, Sqlite, SqliteConnection, SqlitePool};

use crate::bureaus::IN_CHUNK;
use crate::errors::{self, UniqueKey, ctx};
use crate::refs::{self, Ref};
use crate::rows::{decode_all, instant, parse_i32, parse_instant, parse_key, parse_uuid, uuid};
use crate::{audit, begin_write, commit};

pub(crate) const REQUEST_COLUMNS: &str = "id, procedure_id, transition, from_state, to_state, \
     expected_version, comment, requested_by, role, required, status, reason, created_at, \
     expires_at, closed_at, version";

#[derive(Debug, FromRow)]
pub(crate) struct RequestRow {
    id: String,
    procedure_id: String,
    transition: String,
    from_state: String,
    to_state: String,
    expected_version: i64,
    comment: Option<String>,
    requested_by: String,
    role: String,
    required: i64,
    status: String,
    reason: Option<String>,
    created_at: String,
    expires_at: String,
    closed_at: Option<String>,
    version: i64,
}

impl RequestRow {
    pub(crate) fn into_domain(self) -> StoreResult<ApprovalRequest> {
        let required = u32::try_from(self.required).map_err(|_| {
            StoreError::corrupt(format!(
                "corrupt value {} in column approval_requests.required",
                self.required
            ))
        })?;
        Ok(ApprovalRequest {
            id: ApprovalRequestId(parse_uuid("approval_requests.id", &self.id)?),
            procedure_id: ProcedureId(parse_uuid(
                "approval_requests.procedure_id",
                &self.procedure_id,
            )?),
            transition: self.transition,
            from_state: self.from_state,
            to_state: self.to_state,
            expected_version: parse_i32(
                "approval_requests.expected_version",
                self.expected_version,
            )?,
            comment: self.comment,
            requested_by: UserId(parse_uuid(
                "approval_requests.requested_by",
                &self.requested_by,
            )?),
            policy: ApprovalPolicy {
                role: parse_key("approval_requests.role", &self.role, Role::parse)?,
                required,
            },
            status: parse_key(
                "approval_requests.status",
                &self.status,
                ApprovalStatus::parse,
            )?,
            reason: self.reason,
            created_at: parse_instant("approval_requests.created_at", &self.created_at)?,
            expires_at: parse_instant("approval_requests.expires_at", &self.expires_at)?,
            closed_at: self
                .closed_at
                .map(|raw| parse_instant("approval_requests.closed_at", &raw))
                .transpose()?,
            version: parse_i32("approval_requests.version", self.version)?,
        })
    }
}

pub(crate) async fn create(
    writer: &SqlitePool,
    r: &ApprovalRequest,
    entry: &AuditEntry,
) -> StoreResult<ApprovalRequest> {
    let mut tx = begin_write(writer).await?;
    let stored = create_in(&mut tx, r).await?;
    audit::insert(&mut tx, entry).await?;
    commit(tx).await?;
    Ok(stored)
}

/// Inserts the request inside the caller's write transaction and returns it as stored, decoded
/// (so that a row which cannot be read back is never committed).
pub(crate) async fn create_in(
    conn: &mut SqliteConnection,
    r: &ApprovalRequest,
) -> StoreResult<ApprovalRequest> {
    let sql = format!(
        "INSERT INTO approval_requests ({REQUEST_COLUMNS}) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING {REQUEST_COLUMNS}"
    );
    let inserted: Result<RequestRow, _> = sqlx::query_as(AssertSqlSafe(sql))
        .bind(uuid(r.id.0))
        .bind(uuid(r.procedure_id.0))
        .bind(r.transition.as_str())
        .bind(r.from_state.as_str())
        .bind(r.to_state.as_str())
        .bind(i64::from(r.expected_version))
        .bind(r.comment.as_deref())
        .bind(uuid(r.requested_by.0))
        .bind(r.policy.role.as_str())
        .bind(i64::from(r.policy.required))
        .bind(r.status.as_str())
        .bind(r.reason.as_deref())
        .bind(instant(r.created_at))
        .bind(instant(r.expires_at))
        .bind(r.closed_at.map(instant))
        .bind(i64::from(r.version))
        .fetch_one(&mut *conn)
        .await;
    let row = match inserted {
        Ok(row) => row,
        Err(e) => {
            return Err(match errors::unique_violation(&e) {
                Some(UniqueKey::OnePendingRequest) => {
                    errors::duplicate("approval request", r.procedure_id)
                }
                Some(UniqueKey::RequestId) => errors::duplicate("approval request", r.id),
                _ => {
                    let references = [
                        Ref::procedure(r.procedure_id.0),
                        Ref::user(r.requested_by.0),
                    ];
                    refs::missing(conn, e, "insert approval request", &references).await
                }
            });
        }
    };
    row.into_domain()
}

pub(crate) async fn get(
    reader: &SqlitePool,
    id: ApprovalRequestId,
) -> StoreResult<Option<ApprovalRequest>> {
    let sql = format!("SELECT {REQUEST_COLUMNS} FROM approval_requests WHERE id = ?");
    let row: Option<RequestRow> = sqlx::query_as(AssertSqlSafe(sql))
        .bind(uuid(id.0))
        .fetch_optional(reader)
        .await
        .map_err(ctx("load approval request"))?;
    row.map(RequestRow::into_domain).transpose()
}

pub(crate) async fn pending_for(
    reader: &SqlitePool,
    procedures: &[ProcedureId],
) -> StoreResult<Vec<ApprovalRequest>> {
    let mut out = Vec::new();
    for chunk in procedures.chunks(IN_CHUNK) {
        let mut qb = QueryBuilder::<Sqlite>::new(format!(
            "SELECT {REQUEST_COLUMNS} FROM approval_requests \
             WHERE status = 'PENDING' AND procedure_id IN ("
        ));
        let mut list = qb.separated(", ");
        for id in chunk {
            list.push_bind(uuid(id.0));
        }
        qb.push(")");
        let rows: Vec<RequestRow> = qb
            .build_query_as()
            .fetch_all(reader)
            .await
            .map_err(ctx("load pending approval requests"))?;
        out.extend(decode_all(rows, RequestRow::into_domain)?);
    }
    Ok(out)
}

/// How a compare-and-set leaves a request: closed with a status and reason at a time, or (for a
/// vote that does not decide) still pending with only its version moved.
pub(crate) type Closing<'a> = Option<(ApprovalStatus, Option<&'a str>, DateTime<Utc>)>;

/// Bumps the version of a pending request still at `expected`, closing it when asked, inside the
/// caller's transaction. Zero rows is `NotFound`, or `Conflict` with the stored version (also
/// when the version matches but the request is already closed).
pub(crate) async fn compare_and_set(
    conn: &mut SqliteConnection,
    id: ApprovalRequestId,
    expected: i32,
    closing: Closing<'_>,
) -> StoreResult<ApprovalRequest> {
    let mut qb = QueryBuilder::<Sqlite>::new("UPDATE approval_requests SET version = version + 1");
    if let Some((status, reason, at)) = closing {
        qb.push(", status = ")
            .push_bind(status.as_str())
            .push(", reason = ")
            .push_bind(reason.map(str::to_owned))
            .push(", closed_at = ")
            .push_bind(instant(at));
    }
    qb.push(" WHERE id = ")
        .push_bind(uuid(id.0))
        .push(" AND version = ")
        .push_bind(i64::from(expected))
        .push(" AND status = 'PENDING'")
        .push(format!(" RETURNING {REQUEST_COLUMNS}"));
    let row: Option<RequestRow> = qb
        .build_query_as()
        .fetch_optional(&mut *conn)
        .await
        .map_err(ctx("update approval request"))?;
    match row {
        Some(row) => row.into_domain(),
        None => Err(mismatch(conn, id, expected).await),
    }
}

/// Why a compare-and-set on a request matched no row, read in the same transaction.
async fn mismatch(conn: &mut SqliteConnection, id: ApprovalRequestId, expected: i32) -> StoreError {
    let stored: Result<Option<i64>, _> =
        sqlx::query_scalar("SELECT version FROM approval_requests WHERE id = ?")
            .bind(uuid(id.0))
            .fetch_optional(conn)
            .await;
    match stored {
        Ok(None) => errors::not_found("approval request", id),
        Ok(Some(actual)) => match parse_i32("approval_requests.version", actual) {
            Ok(actual) => StoreError::Conflict { expected, actual },
            Err(corrupt) => corrupt,
        },
        Err(e) => errors::from_sqlx("read approval request version", e),
    }
}

pub(crate) async fn close(
    writer: &SqlitePool,
    id: ApprovalRequestId,
    expected: i32,
    status: ApprovalStatus,
    reason: Option<&str>,
    at: DateTime<Utc>,
    entry: &AuditEntry,
) -> StoreResult<ApprovalRequest> {
    let mut tx = begin_write(writer).await?;
    let closed = compare_and_set(&mut tx, id, expected, Some((status, reason, at))).await?;
    audit::insert(&mut tx, entry).await?;
    commit(tx).await?;
    Ok(closed)
}

pub(crate) async fn expired_pending(
    reader: &SqlitePool,
    now: DateTime<Utc>,
    limit: usize,
) -> StoreResult<Vec<ApprovalRequest>> {
    // At `expires_at` itself a request is expired (`ApprovalRequest::status_at`), hence `<=`.
    let sql = format!(
        "SELECT {REQUEST_COLUMNS} FROM approval_requests \
         WHERE status = 'PENDING' AND expires_at <= ? ORDER BY expires_at, id LIMIT ?"
    );
    let rows: Vec<RequestRow> = sqlx::query_as(AssertSqlSafe(sql))
        .bind(instant(now))
        .bind(i64::try_from(limit).unwrap_or(i64::MAX))
        .fetch_all(reader)
        .await
        .map_err(ctx("load expired approval requests"))?;
    decode_all(rows, RequestRow::into_domain)
}
