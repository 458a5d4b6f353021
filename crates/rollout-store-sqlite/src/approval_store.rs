//! [`ApprovalStore`] for [`SqliteStore`]: tracing spans around the statements in
//! [`crate::approvals`], [`crate::votes`], [`crate::approval_listing`] and
//! [`crate::delegations`]. Nothing is decided here.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use rollout_domain::approval::{ApprovalRequest, ApprovalStatus, ApprovalVote, Delegation};
use rollout_domain::audit::AuditEntry;
use rollout_domain::{ApprovalRequestId, DelegationId, ProcedureId, UserId};
use rollout_store::{
    ApprovalCursor, ApprovalFilter, ApprovalStore, Page, PageRequest, StoreResult, VoteResult,
    VoteWrite,
};

use crate::{SqliteStore, approval_listing, approvals, delegations, votes};

#[async_trait]
impl ApprovalStore for SqliteStore {
    #[tracing::instrument(name = "store.create_approval_request", skip(self, request, audit), fields(request_id = %request.id, procedure_id = %request.procedure_id))]
    async fn create_approval_request(
        &self,
        request: &ApprovalRequest,
        audit: &AuditEntry,
    ) -> StoreResult<ApprovalRequest> {
        approvals::create(&self.writer, request, audit).await
    }

    #[tracing::instrument(name = "store.approval_request", skip(self), fields(request_id = %id))]
    async fn approval_request(
        &self,
        id: ApprovalRequestId,
    ) -> StoreResult<Option<ApprovalRequest>> {
        approvals::get(&self.reader, id).await
    }

    #[tracing::instrument(name = "store.pending_approvals_for", skip(self, procedures), fields(count = procedures.len()))]
    async fn pending_approvals_for(
        &self,
        procedures: &[ProcedureId],
    ) -> StoreResult<Vec<ApprovalRequest>> {
        approvals::pending_for(&self.reader, procedures).await
    }

    #[tracing::instrument(name = "store.votes_for", skip(self, requests), fields(count = requests.len()))]
    async fn votes_for(&self, requests: &[ApprovalRequestId]) -> StoreResult<Vec<ApprovalVote>> {
        votes::for_requests(&self.reader, requests).await
    }

    #[tracing::instrument(name = "store.list_approval_requests", skip(self, filter, page), fields(first = page.first))]
    async fn list_approval_requests(
        &self,
        filter: &ApprovalFilter,
        page: &PageRequest<ApprovalCursor>,
    ) -> StoreResult<Page<ApprovalRequest>> {
        approval_listing::list(&self.reader, filter, page).await
    }

    #[tracing::instrument(name = "store.record_vote", skip(self, write), fields( request_id = %write.vote.request_id, approver = %write.vote.approver, applies = write.apply.is_some(), ))]
    async fn record_vote(&self, write: &VoteWrite) -> StoreResult<VoteResult> {
        votes::record(&self.writer, write).await
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
        approvals::close(
            &self.writer,
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
        approvals::expired_pending(&self.reader, now, limit).await
    }

    #[tracing::instrument(name = "store.create_delegation", skip(self, delegation, audit), fields(delegation_id = %delegation.id))]
    async fn create_delegation(
        &self,
        delegation: &Delegation,
        audit: &AuditEntry,
    ) -> StoreResult<Delegation> {
        delegations::create(&self.writer, delegation, audit).await
    }

    #[tracing::instrument(name = "store.delegation", skip(self), fields(delegation_id = %id))]
    async fn delegation(&self, id: DelegationId) -> StoreResult<Option<Delegation>> {
        delegations::get(&self.reader, id).await
    }

    #[tracing::instrument(name = "store.delegations_to", skip(self), fields(delegate = %delegate))]
    async fn delegations_to(
        &self,
        delegate: UserId,
        day: NaiveDate,
    ) -> StoreResult<Vec<Delegation>> {
        delegations::to_on(&self.reader, delegate, day).await
    }

    #[tracing::instrument(name = "store.list_delegations", skip(self))]
    async fn list_delegations(&self, user: Option<UserId>) -> StoreResult<Vec<Delegation>> {
        delegations::list(&self.reader, user).await
    }

    #[tracing::instrument(name = "store.revoke_delegation", skip(self, at, audit), fields(delegation_id = %id))]
    async fn revoke_delegation(
        &self,
        id: DelegationId,
        at: DateTime<Utc>,
        audit: &AuditEntry,
    ) -> StoreResult<Delegation> {
        delegations::revoke(&self.writer, id, at, audit).await
    }
}
