//! Approval requests and their votes: creating a request, the decisive vote (one transaction
//! with the request's compare-and-set, the vote, the transition it completes and the audit
//! entries), closing without a vote, and point and batch reads. Quorum, four eyes and who may
//! vote are decided by `rollout_domain::approval` before anything is written here; the database
//! only backs the two rules races could break (one pending request per procedure, one vote per
//! person) with unique constraints. Listings live in [`crate::approval_listing`].
//!
//! Concurrent votes serialise on the request row: the compare-and-set comes first, so the
//! second voter waits for the first to commit, then matches no row and reports a conflict.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use rollout_domain::approval::{ApprovalRequest, ApprovalStatus, ApprovalVote, Delegation};
use rollout_domain::audit::AuditEntry;
use rollout_domain::{ApprovalRequestId, DelegationId, ProcedureId, UserId};
use rollout_store::{
    ApprovalCursor, ApprovalFilter, ApprovalStore, Page, PageRequest, StoreError, StoreResult,
    VoteResult, VoteWrite,
};
use sqlx::{PgConnection, PgPool, Postgres, QueryBuilder};
use uuid::Uuid;

use crate::errors::{self, not_found};
use crate::rows::{self, request_columns, vote_columns};
use crate::{PgStore, approval_listing, audit, delegations, transitions};

async fn create(
    pool: &PgPool,
    request: &ApprovalRequest,
    entry: &AuditEntry,
) -> StoreResult<ApprovalRequest> {
    let mut tx = pool.begin().await.map_err(errors::db("begin"))?;
    let stored = create_in(&mut tx, request).await?;
    audit::insert(&mut *tx, entry).await?;
    tx.commit().await.map_err(errors::db("commit"))?;
    Ok(stored)
}

/// Inserts the request on the caller's connection (inside its transaction) and returns it as
/// stored, decoded before the caller commits.
pub(crate) async fn create_in(
    conn: &mut PgConnection,
    request: &ApprovalRequest,
) -> StoreResult<ApprovalRequest> {
    let required = i32::try_from(request.policy.required)
        .map_err(|e| StoreError::internal("approval count out of range", e))?;
    let row = sqlx::query(concat!(
        "INSERT INTO approval_requests (",
        request_columns!(),
        ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) \
         RETURNING ",
        request_columns!()
    ))
    .bind(request.id.as_uuid())
    .bind(request.procedure_id.as_uuid())
    .bind(&request.transition)
    .bind(&request.from_state)
    .bind(&request.to_state)
    .bind(request.expected_version)
    .bind(&request.comment)
    .bind(request.requested_by.as_uuid())
    .bind(request.policy.role.as_str())
    .bind(required)
    .bind(request.status.as_str())
    .bind(&request.reason)
    .bind(request.created_at)
    .bind(request.expires_at)
    .bind(request.closed_at)
    .bind(request.version)
    .fetch_one(&mut *conn)
    .await
    .map_err(errors::write("insert approval request", |constraint| {
        Some(match constraint {
            "approval_requests_pkey" => request.id.to_string(),
            "approval_requests_requested_by_fkey" => request.requested_by.to_string(),
            _ => request.procedure_id.to_string(),
        })
    }))?;
    rows::request(&row)
}

/// Compare-and-set on a pending request: the version goes up by one and, when `close` is
/// given, the status, reason and closing time are set. Zero rows is `NotFound`, or `Conflict`
/// with the stored version: a request that is no longer pending conflicts even when the caller
/// read its latest version, because whoever closed it decided first.
async fn compare_and_set(
    conn: &mut PgConnection,
    id: ApprovalRequestId,
    expected: i32,
    close: Option<(ApprovalStatus, Option<&str>, DateTime<Utc>)>,
) -> StoreResult<ApprovalRequest> {
    let mut q = QueryBuilder::<Postgres>::new("UPDATE approval_requests SET version = version + 1");
    if let Some((status, reason, at)) = close {
        q.push(", status = ")
            .push_bind(status.as_str())
            .push(", reason = ")
            .push_bind(reason.map(str::to_owned))
            .push(", closed_at = ")
            .push_bind(at);
    }
    q.push(" WHERE id = ")
        .push_bind(id.as_uuid())
        .push(" AND version = ")
        .push_bind(expected)
        .push(concat!(
            " AND status = 'PENDING' RETURNING ",
            request_columns!()
        ));
    let row = q
        .build()
        .fetch_optional(&mut *conn)
        .await
        .map_err(errors::db("update approval request"))?;
    if let Some(row) = row {
        return rows::request(&row);
    }
    let stored: Option<i32> =
        sqlx::query_scalar("SELECT version FROM approval_requests WHERE id = $1")
            .bind(id.as_uuid())
            .fetch_optional(&mut *conn)
            .await
            .map_err(errors::db("read approval request version"))?;
    Err(match stored {
        Some(actual) => StoreError::Conflict { expected, actual },
        None => not_found("approval request", id),
    })
}

async fn insert_vote(conn: &mut PgConnection, vote: &ApprovalVote) -> StoreResult<()> {
    sqlx::query(concat!(
        "INSERT INTO approval_votes (",
        vote_columns!(),
        ") VALUES ($1, $2, $3, $4, $5, $6)"
    ))
    .bind(vote.request_id.as_uuid())
    .bind(vote.approver.as_uuid())
    .bind(vote.on_behalf_of.map(|u| u.as_uuid()))
    .bind(vote.decision.as_str())
    .bind(&vote.comment)
    .bind(vote.at)
    .execute(conn)
    .await
    // A taken vote is named by who tried to cast it, whichever of the two keys it hit.
    .map_err(errors::write("insert vote", |constraint| {
        Some(match constraint {
            "approval_votes_on_behalf_of_fkey" => {
                vote.on_behalf_of.map(|u| u.to_string()).unwrap_or_default()
            }
            "approval_votes_request_id_fkey" => vote.request_id.to_string(),
            _ => vote.approver.to_string(),
        })
    }))?;
    Ok(())
}

async fn record_vote(pool: &PgPool, write: &VoteWrite) -> StoreResult<VoteResult> {
    let vote = &write.vote;
    let close = write
        .close
        .as_ref()
        .map(|(status, reason)| (*status, reason.as_deref(), vote.at));
    let mut tx = pool.begin().await.map_err(errors::db("begin"))?;
    let request = compare_and_set(
        &mut tx,
        vote.request_id,
        write.expected_request_version,
        close,
    )
    .await?;
    insert_vote(&mut tx, vote).await?;
    let procedure = match &write.apply {
        Some(apply) => Some(transitions::apply_in(&mut tx, apply).await?),
        None => None,
    };
    // The transition's own entry went in with it, as in `apply_transition`; these are the vote's.
    for entry in &write.audit {
        audit::insert(&mut *tx, entry).await?;
    }
    tx.commit().await.map_err(errors::db("commit"))?;
    Ok(VoteResult { request, procedure })
}

async fn close(
    pool: &PgPool,
    id: ApprovalRequestId,
    expected_version: i32,
    status: ApprovalStatus,
    reason: Option<&str>,
    at: DateTime<Utc>,
    entry: &AuditEntry,
) -> StoreResult<ApprovalRequest> {
    let mut tx = pool.begin().await.map_err(errors::db("begin"))?;
    let closed = compare_and_set(&mut tx, id, expected_version, Some((status, reason, at))).await?;
    audit::insert(&mut *tx, entry).await?;
    tx.commit().await.map_err(errors::db("commit"))?;
    Ok(closed)
}

async fn by_id(pool: &PgPool, id: ApprovalRequestId) -> StoreResult<Option<ApprovalRequest>> {
    let found = sqlx::query(concat!(
        "SELECT ",
        request_columns!(),
        " FROM approval_requests WHERE id = $1"
    ))
    .bind(id.as_uuid())
    .fetch_optional(pool)
    .await
    .map_err(errors::db("load approval request"))?;
    found.as_ref().map(rows::request).transpose()
}

async fn pending_for(
    pool: &PgPool,
    procedures: &[ProcedureId],
) -> StoreResult<Vec<ApprovalRequest>> {
    if procedures.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<Uuid> = procedures.iter().map(ProcedureId::as_uuid).collect();
    let found = sqlx::query(concat!(
        "SELECT ",
        request_columns!(),
        " FROM approval_requests WHERE status = 'PENDING' AND procedure_id = ANY($1)"
    ))
    .bind(ids)
    .fetch_all(pool)
    .await
    .map_err(errors::db("load pending approval requests"))?;
    rows::all(&found, rows::request)
}

/// Oldest first; votes cast in the same microsecond fall back to request and approver order.
async fn votes_for(
    pool: &PgPool,
    requests: &[ApprovalRequestId],
) -> StoreResult<Vec<ApprovalVote>> {
    if requests.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<Uuid> = requests.iter().map(ApprovalRequestId::as_uuid).collect();
    let found = sqlx::query(concat!(
        "SELECT ",
        vote_columns!(),
        " FROM approval_votes WHERE request_id = ANY($1) ORDER BY at, request_id, approver"
    ))
    .bind(ids)
    .fetch_all(pool)
    .await
    .map_err(errors::db("load votes"))?;
    rows::all(&found, rows::vote)
}

#[async_trait]
impl ApprovalStore for PgStore {
    #[tracing::instrument(name = "store.create_approval_request", skip(self, request, audit), fields(request_id = %request.id, procedure_id = %request.procedure_id))]
    async fn create_approval_request(
        &self,
        request: &ApprovalRequest,
        audit: &AuditEntry,
    ) -> StoreResult<ApprovalRequest> {
        create(&self.pool, request, audit).await
    }

    #[tracing::instrument(name = "store.approval_request", skip(self), fields(request_id = %id))]
    async fn approval_request(
        &self,
        id: ApprovalRequestId,
    ) -> StoreResult<Option<ApprovalRequest>> {
        by_id(&self.pool, id).await
    }

    #[tracing::instrument(name = "store.pending_approvals_for", skip(self, procedures), fields(count = procedures.len()))]
    async fn pending_approvals_for(
        &self,
        procedures: &[ProcedureId],
    ) -> StoreResult<Vec<ApprovalRequest>> {
        pending_for(&self.pool, procedures).await
    }

    #[tracing::instrument(name = "store.votes_for", skip(self, requests), fields(count = requests.len()))]
    async fn votes_for(&self, requests: &[ApprovalRequestId]) -> StoreResult<Vec<ApprovalVote>> {
        votes_for(&self.pool, requests).await
    }

    #[tracing::instrument(name = "store.list_approval_requests", skip(self, filter, page), fields(first = page.first))]
    async fn list_approval_requests(
        &self,
        filter: &ApprovalFilter,
        page: &PageRequest<ApprovalCursor>,
    ) -> StoreResult<Page<ApprovalRequest>> {
        approval_listing::list(&self.pool, filter, page).await
    }

    #[tracing::instrument(name = "store.record_vote", skip(self, write), fields( request_id = %write.vote.request_id, approver = %write.vote.approver, applies = write.apply.is_some(), ))]
    async fn record_vote(&self, write: &VoteWrite) -> StoreResult<VoteResult> {
        record_vote(&self.pool, write).await
    }

    #[tracing::instrument(name = "store.close_approval_request", skip(self, reason, at, audit), fields(request_id = %id, status = status.as_str()))]
    async fn close_approval_request(
        &self,
        id: ApprovalRequestId,
        expected_version: i32,
        status: ApprovalStatus,
        reason: Option<String>,
        at: DateTime<Utc>,
        audit: &AuditEntry,
    ) -> StoreResult<ApprovalRequest> {
        close(
            &self.pool,
            id,
            expected_version,
            status,
            reason.as_deref(),
            at,
            audit,
        )
        .await
    }

    #[tracing::instrument(name = "store.expired_pending", skip(self))]
    async fn expired_pending(
        &self,
        now: DateTime<Utc>,
        limit: usize,
    ) -> StoreResult<Vec<ApprovalRequest>> {
        approval_listing::expired_pending(&self.pool, now, limit).await
    }

    #[tracing::instrument(name = "store.create_delegation", skip(self, delegation, audit), fields(delegation_id = %delegation.id))]
    async fn create_delegation(
        &self,
        delegation: &Delegation,
        audit: &AuditEntry,
    ) -> StoreResult<Delegation> {
        delegations::create(&self.pool, delegation, audit).await
    }

    #[tracing::instrument(name = "store.delegation", skip(self), fields(delegation_id = %id))]
    async fn delegation(&self, id: DelegationId) -> StoreResult<Option<Delegation>> {
        delegations::by_id(&self.pool, id).await
    }

    #[tracing::instrument(name = "store.delegations_to", skip(self), fields(delegate = %delegate))]
    async fn delegations_to(
        &self,
        delegate: UserId,
        day: NaiveDate,
    ) -> StoreResult<Vec<Delegation>> {
        delegations::to(&self.pool, delegate, day).await
    }

    #[tracing::instrument(name = "store.list_delegations", skip(self))]
    async fn list_delegations(&self, user: Option<UserId>) -> StoreResult<Vec<Delegation>> {
        delegations::list(&self.pool, user).await
    }

    #[tracing::instrument(name = "store.revoke_delegation", skip(self, at, audit), fields(delegation_id = %id))]
    async fn revoke_delegation(
        &self,
        id: DelegationId,
        at: DateTime<Utc>,
        audit: &AuditEntry,
    ) -> StoreResult<Delegation> {
        delegations::revoke(&self.pool, id, at, audit).await
    }
}
