//! Storage of approval requests, their votes, and substitute arrangements (delegations). The
//! decisive write, [`ApprovalStore::record_vote`], is one transaction: the vote, the request's
//! new status (compare-and-set on its version) and, when the count is reached, the transition
//! itself with its history record, plus the audit entries.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use rollout_domain::approval::{ApprovalRequest, ApprovalStatus, ApprovalVote, Delegation};
use rollout_domain::audit::AuditEntry;
use rollout_domain::identity::Role;
use rollout_domain::{ApprovalRequestId, BureauCode, DelegationId, Procedure, ProcedureId, UserId};

use crate::{Page, PageRequest, StoreResult, TransitionWrite};

/// Which approval requests to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ApprovalFilter {
    /// Empty means any status. Statuses are the stored ones: a pending request past its expiry
    /// is listed as PENDING until something closes it (the app closes such requests as EXPIRED
    /// before listing).
    pub statuses: Vec<ApprovalStatus>,
    /// Of procedures in these bureaus; empty means any.
    pub bureau_codes: Vec<BureauCode>,
    /// Needing a decision from this role.
    pub role: Option<Role>,
    pub requested_by: Option<UserId>,
    pub procedure_id: Option<ProcedureId>,
    /// Requests this user has NOT voted on (directly or as a substitute).
    pub not_voted_by: Option<UserId>,
}

/// Keyset position in an approval listing, newest first: creation time and id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ApprovalCursor {
    pub created_at: DateTime<Utc>,
    pub id: ApprovalRequestId,
}

/// A vote and everything it causes, applied atomically.
#[derive(Debug, Clone)]
pub struct VoteWrite {
    pub vote: ApprovalVote,
    /// The request version the decision was made against.
    pub expected_request_version: i32,
    /// When the vote closes the request: its final status and reason.
    pub close: Option<(ApprovalStatus, Option<String>)>,
    /// When the vote completes the count: the transition to apply (its record carries the
    /// request id), exactly as `apply_transition` would, including inserting `apply.audit`.
    /// A version conflict on the procedure rolls everything back.
    pub apply: Option<TransitionWrite>,
    /// The vote's own audit entries (not `apply.audit`, which travels with the transition).
    pub audit: Vec<AuditEntry>,
}

/// The outcome of [`ApprovalStore::record_vote`].
#[derive(Debug, Clone)]
pub struct VoteResult {
    pub request: ApprovalRequest,
    /// The procedure after the transition, when one was applied.
    pub procedure: Option<Procedure>,
}

/// Approval requests, votes and delegations.
#[async_trait]
pub trait ApprovalStore: Send + Sync {
    /// `Duplicate { entity: "approval request" }` when the procedure already has a pending
    /// request (at most one at a time, enforced by the database).
    async fn create_approval_request(
        &self,
        request: &ApprovalRequest,
        audit: &AuditEntry,
    ) -> StoreResult<ApprovalRequest>;
    async fn approval_request(&self, id: ApprovalRequestId)
    -> StoreResult<Option<ApprovalRequest>>;
    /// The pending requests of these procedures (for `Procedure.pendingApproval`, batched).
    async fn pending_approvals_for(
        &self,
        procedures: &[ProcedureId],
    ) -> StoreResult<Vec<ApprovalRequest>>;
    /// Votes on these requests, oldest first.
    async fn votes_for(&self, requests: &[ApprovalRequestId]) -> StoreResult<Vec<ApprovalVote>>;
    async fn list_approval_requests(
        &self,
        filter: &ApprovalFilter,
        page: &PageRequest<ApprovalCursor>,
    ) -> StoreResult<Page<ApprovalRequest>>;
    /// `Conflict` when the request version moved; `Duplicate { entity: "vote" }` when this
    /// person already voted; `Conflict` from the procedure when `apply` finds it changed.
    async fn record_vote(&self, write: &VoteWrite) -> StoreResult<VoteResult>;
    /// Closes a pending request without a vote (withdrawn, expired, failed), compare-and-set on
    /// its version.
    async fn close_approval_request(
        &self,
        id: ApprovalRequestId,
        expected_version: i32,
        status: ApprovalStatus,
        reason: Option<String>,
        at: DateTime<Utc>,
        audit: &AuditEntry,
    ) -> StoreResult<ApprovalRequest>;
    /// Pending requests whose `expires_at` is at or before `now` (for a sweep), oldest first.
    async fn expired_pending(
        &self,
        now: DateTime<Utc>,
        limit: usize,
    ) -> StoreResult<Vec<ApprovalRequest>>;

    async fn create_delegation(
        &self,
        delegation: &Delegation,
        audit: &AuditEntry,
    ) -> StoreResult<Delegation>;
    async fn delegation(&self, id: DelegationId) -> StoreResult<Option<Delegation>>;
    /// Unrevoked delegations to `delegate` that cover `day`.
    async fn delegations_to(
        &self,
        delegate: UserId,
        day: NaiveDate,
    ) -> StoreResult<Vec<Delegation>>;
    /// Delegations given by or to `user`, newest first (all when `None`).
    async fn list_delegations(&self, user: Option<UserId>) -> StoreResult<Vec<Delegation>>;
    async fn revoke_delegation(
        &self,
        id: DelegationId,
        at: DateTime<Utc>,
        audit: &AuditEntry,
    ) -> StoreResult<Delegation>;
}
