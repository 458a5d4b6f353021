//! A store wrapper for the API tests: delegates to the real SQLite store, counts the calls the
//! data loaders make (to prove batching), records whether each page read asked for its total,
//! and fails every call with `Unavailable` while an outage is on.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use rollout_domain::approval::{ApprovalRequest, ApprovalStatus, ApprovalVote, Delegation};
use rollout_domain::audit::AuditEntry;
use rollout_domain::identity::{Email, User};
use rollout_domain::token::{ApiToken, TokenHash};
use rollout_domain::{
    ApprovalRequestId, Bureau, BureauCode, BureauId, DelegationId, IdempotencyKey, NewBureau,
    Procedure, ProcedureCode, ProcedureId, ProcedurePatch, TokenId, TransitionRecord,
    TransitionRecordId, UserId,
};
use rollout_store::{
    ApprovalCursor, ApprovalFilter, ApprovalStore, AuditCursor, AuditFilter, AuditStore,
    HistoryCursor, IdempotencyHit, IdentityStore, Page, PageRequest, ProcedureCursor,
    ProcedureFilter, ProcedureOrder, ProcedureSeed, Store, StoreError, StoreResult,
    TransitionWrite, VoteResult, VoteWrite,
};

#[derive(Debug)]
pub struct CountingStore {
    inner: Arc<dyn Store>,
    calls: Mutex<BTreeMap<&'static str, usize>>,
    pages: Mutex<Vec<(&'static str, bool)>>,
    outage: AtomicBool,
}

impl CountingStore {
    pub fn new(inner: Arc<dyn Store>) -> Self {
        Self {
            inner,
            calls: Mutex::new(BTreeMap::new()),
            pages: Mutex::new(Vec::new()),
            outage: AtomicBool::new(false),
        }
    }

    pub fn set_outage(&self, on: bool) {
        self.outage.store(on, Ordering::SeqCst);
    }

    /// Counts the call and fails it during an outage.
    pub(crate) fn inner(&self) -> &Arc<dyn Store> {
        &self.inner
    }

    pub(crate) fn call(&self, method: &'static str) -> StoreResult<()> {
        *self.calls.lock().unwrap().entry(method).or_default() += 1;
        if self.outage.load(Ordering::SeqCst) {
            let cause = std::io::Error::other("connection refused by db.internal:5432");
            return Err(StoreError::Unavailable(Box::new(cause)));
        }
        Ok(())
    }

    /// Counts a page read and records whether it asked for the total.
    pub(crate) fn paged<C>(&self, method: &'static str, page: &PageRequest<C>) -> StoreResult<()> {
        self.pages.lock().unwrap().push((method, page.with_total));
        self.call(method)
    }

    /// Page reads since the last reset, in order: the method and whether it asked for the total.
    pub fn pages(&self) -> Vec<(&'static str, bool)> {
        self.pages.lock().unwrap().clone()
    }

    /// Calls of `method` since the last reset.
    pub fn calls(&self, method: &str) -> usize {
        self.calls.lock().unwrap().get(method).copied().unwrap_or(0)
    }

    /// Calls of any method since the last reset.
    pub fn total_calls(&self) -> usize {
        self.calls.lock().unwrap().values().sum()
    }

    /// `bureaus_by_ids` calls since the last reset.
    pub fn bureau_reads(&self) -> usize {
        self.calls("bureaus_by_ids")
    }

    pub fn reset(&self) {
        self.calls.lock().unwrap().clear();
        self.pages.lock().unwrap().clear();
    }
}

#[async_trait]
impl Store for CountingStore {
    async fn ping(&self) -> StoreResult<()> {
        self.call("ping")?;
        self.inner.ping().await
    }
    async fn create_bureau(
        &self,
        id: BureauId,
        new: NewBureau,
        audit: &AuditEntry,
    ) -> StoreResult<Bureau> {
        self.call("create_bureau")?;
        self.inner.create_bureau(id, new, audit).await
    }
    async fn list_bureaus(&self) -> StoreResult<Vec<Bureau>> {
        self.call("list_bureaus")?;
        self.inner.list_bureaus().await
    }
    async fn bureaus_by_ids(&self, ids: &[BureauId]) -> StoreResult<Vec<Bureau>> {
        self.call("bureaus_by_ids")?;
        self.inner.bureaus_by_ids(ids).await
    }
    async fn bureau_by_code(&self, code: &BureauCode) -> StoreResult<Option<Bureau>> {
        self.call("bureau_by_code")?;
        self.inner.bureau_by_code(code).await
    }
    async fn create_procedure(
        &self,
        procedure: Procedure,
        creation: TransitionRecord,
        audit: &AuditEntry,
    ) -> StoreResult<Procedure> {
        self.call("create_procedure")?;
        self.inner
            .create_procedure(procedure, creation, audit)
            .await
    }
    async fn update_procedure(
        &self,
        id: ProcedureId,
        expected_version: i32,
        patch: &ProcedurePatch,
        now: DateTime<Utc>,
        audit: &AuditEntry,
    ) -> StoreResult<Procedure> {
        self.call("update_procedure")?;
        self.inner
            .update_procedure(id, expected_version, patch, now, audit)
            .await
    }
    async fn procedure(&self, id: ProcedureId) -> StoreResult<Option<Procedure>> {
        self.call("procedure")?;
        self.inner.procedure(id).await
    }
    async fn procedure_by_code(&self, code: &ProcedureCode) -> StoreResult<Option<Procedure>> {
        self.call("procedure_by_code")?;
        self.inner.procedure_by_code(code).await
    }
    async fn procedures_by_ids(&self, ids: &[ProcedureId]) -> StoreResult<Vec<Procedure>> {
        self.call("procedures_by_ids")?;
        self.inner.procedures_by_ids(ids).await
    }
    async fn existing_procedure_codes(
        &self,
        codes: &[ProcedureCode],
    ) -> StoreResult<Vec<ProcedureCode>> {
        self.call("existing_procedure_codes")?;
        self.inner.existing_procedure_codes(codes).await
    }
    async fn list_procedures(
        &self,
        filter: &ProcedureFilter,
        order: ProcedureOrder,
        page: &PageRequest<ProcedureCursor>,
    ) -> StoreResult<Page<Procedure>> {
        self.paged("list_procedures", page)?;
        self.inner.list_procedures(filter, order, page).await
    }
    async fn count_by_state(&self, filter: &ProcedureFilter) -> StoreResult<Vec<(String, i64)>> {
        self.call("count_by_state")?;
        self.inner.count_by_state(filter).await
    }
    async fn states_in_use(&self) -> StoreResult<Vec<String>> {
        self.call("states_in_use")?;
        self.inner.states_in_use().await
    }
    async fn apply_transition(&self, write: &TransitionWrite) -> StoreResult<Procedure> {
        self.call("apply_transition")?;
        self.inner.apply_transition(write).await
    }
    async fn idempotency_hit(
        &self,
        owner: &str,
        key: &IdempotencyKey,
    ) -> StoreResult<Option<IdempotencyHit>> {
        self.call("idempotency_hit")?;
        self.inner.idempotency_hit(owner, key).await
    }
    async fn transition_record(
        &self,
        id: TransitionRecordId,
    ) -> StoreResult<Option<TransitionRecord>> {
        self.call("transition_record")?;
        self.inner.transition_record(id).await
    }
    async fn transition_records_by_ids(
        &self,
        ids: &[TransitionRecordId],
    ) -> StoreResult<Vec<TransitionRecord>> {
        self.call("transition_records_by_ids")?;
        self.inner.transition_records_by_ids(ids).await
    }
    async fn history(
        &self,
        procedure: ProcedureId,
        page: &PageRequest<HistoryCursor>,
    ) -> StoreResult<Page<TransitionRecord>> {
        self.paged("history", page)?;
        self.inner.history(procedure, page).await
    }
    async fn histories(
        &self,
        procedures: &[ProcedureId],
        page: &PageRequest<HistoryCursor>,
    ) -> StoreResult<Vec<(ProcedureId, Page<TransitionRecord>)>> {
        self.paged("histories", page)?;
        self.inner.histories(procedures, page).await
    }
    async fn insert_bureaus(&self, bureaus: &[Bureau], audit: &AuditEntry) -> StoreResult<u64> {
        self.call("insert_bureaus")?;
        self.inner.insert_bureaus(bureaus, audit).await
    }
    async fn insert_procedures(
        &self,
        seeds: &[ProcedureSeed],
        audit: &AuditEntry,
    ) -> StoreResult<u64> {
        self.call("insert_procedures")?;
        self.inner.insert_procedures(seeds, audit).await
    }
    async fn is_empty(&self) -> StoreResult<bool> {
        self.call("is_empty")?;
        self.inner.is_empty().await
    }
    async fn integrity(&self) -> StoreResult<rollout_store::IntegrityReport> {
        self.call("integrity")?;
        self.inner.integrity().await
    }
}

#[async_trait]
impl IdentityStore for CountingStore {
    async fn create_user(&self, user: &User, audit: &AuditEntry) -> StoreResult<User> {
        self.call("create_user")?;
        self.inner.create_user(user, audit).await
    }
    async fn update_user(&self, user: &User, audit: &AuditEntry) -> StoreResult<User> {
        self.call("update_user")?;
        self.inner.update_user(user, audit).await
    }
    async fn user(&self, id: UserId) -> StoreResult<Option<User>> {
        self.call("user")?;
        self.inner.user(id).await
    }
    async fn user_by_email(&self, email: &Email) -> StoreResult<Option<User>> {
        self.call("user_by_email")?;
        self.inner.user_by_email(email).await
    }
    async fn users_by_ids(&self, ids: &[UserId]) -> StoreResult<Vec<User>> {
        self.call("users_by_ids")?;
        self.inner.users_by_ids(ids).await
    }
    async fn list_users(&self) -> StoreResult<Vec<User>> {
        self.call("list_users")?;
        self.inner.list_users().await
    }
    async fn count_users(&self) -> StoreResult<i64> {
        self.call("count_users")?;
        self.inner.count_users().await
    }
    async fn create_token(
        &self,
        token: &ApiToken,
        hash: &TokenHash,
        audit: &AuditEntry,
    ) -> StoreResult<ApiToken> {
        self.call("create_token")?;
        self.inner.create_token(token, hash, audit).await
    }
    async fn token_by_hash(&self, hash: &TokenHash) -> StoreResult<Option<(ApiToken, User)>> {
        self.call("token_by_hash")?;
        self.inner.token_by_hash(hash).await
    }
    async fn token(&self, id: TokenId) -> StoreResult<Option<ApiToken>> {
        self.call("token")?;
        self.inner.token(id).await
    }
    async fn touch_tokens(&self, uses: &[(TokenId, DateTime<Utc>)]) -> StoreResult<()> {
        self.call("touch_tokens")?;
        self.inner.touch_tokens(uses).await
    }
    async fn list_tokens(&self, user: Option<UserId>) -> StoreResult<Vec<ApiToken>> {
        self.call("list_tokens")?;
        self.inner.list_tokens(user).await
    }
    async fn revoke_token(
        &self,
        id: TokenId,
        at: DateTime<Utc>,
        audit: &AuditEntry,
    ) -> StoreResult<ApiToken> {
        self.call("revoke_token")?;
        self.inner.revoke_token(id, at, audit).await
    }
}

#[async_trait]
impl ApprovalStore for CountingStore {
    async fn create_approval_request(
        &self,
        request: &ApprovalRequest,
        audit: &AuditEntry,
    ) -> StoreResult<ApprovalRequest> {
        self.call("create_approval_request")?;
        self.inner.create_approval_request(request, audit).await
    }
    async fn approval_request(
        &self,
        id: ApprovalRequestId,
    ) -> StoreResult<Option<ApprovalRequest>> {
        self.call("approval_request")?;
        self.inner.approval_request(id).await
    }
    async fn pending_approvals_for(
        &self,
        procedures: &[ProcedureId],
    ) -> StoreResult<Vec<ApprovalRequest>> {
        self.call("pending_approvals_for")?;
        self.inner.pending_approvals_for(procedures).await
    }
    async fn votes_for(&self, requests: &[ApprovalRequestId]) -> StoreResult<Vec<ApprovalVote>> {
        self.call("votes_for")?;
        self.inner.votes_for(requests).await
    }
    async fn list_approval_requests(
        &self,
        filter: &ApprovalFilter,
        page: &PageRequest<ApprovalCursor>,
    ) -> StoreResult<Page<ApprovalRequest>> {
        self.paged("list_approval_requests", page)?;
        self.inner.list_approval_requests(filter, page).await
    }
    async fn record_vote(&self, write: &VoteWrite) -> StoreResult<VoteResult> {
        self.call("record_vote")?;
        self.inner.record_vote(write).await
    }
    async fn close_approval_request(
        &self,
        id: ApprovalRequestId,
        expected_version: i32,
        status: ApprovalStatus,
        reason: Option<String>,
        at: DateTime<Utc>,
        audit: &AuditEntry,
    ) -> StoreResult<ApprovalRequest> {
        self.call("close_approval_request")?;
        self.inner
            .close_approval_request(id, expected_version, status, reason, at, audit)
            .await
    }
    async fn expired_pending(
        &self,
        now: DateTime<Utc>,
        limit: usize,
    ) -> StoreResult<Vec<ApprovalRequest>> {
        self.call("expired_pending")?;
        self.inner.expired_pending(now, limit).await
    }
    async fn create_delegation(
        &self,
        delegation: &Delegation,
        audit: &AuditEntry,
    ) -> StoreResult<Delegation> {
        self.call("create_delegation")?;
        self.inner.create_delegation(delegation, audit).await
    }
    async fn delegation(&self, id: DelegationId) -> StoreResult<Option<Delegation>> {
        self.call("delegation")?;
        self.inner.delegation(id).await
    }
    async fn delegations_to(
        &self,
        delegate: UserId,
        day: NaiveDate,
    ) -> StoreResult<Vec<Delegation>> {
        self.call("delegations_to")?;
        self.inner.delegations_to(delegate, day).await
    }
    async fn list_delegations(&self, user: Option<UserId>) -> StoreResult<Vec<Delegation>> {
        self.call("list_delegations")?;
        self.inner.list_delegations(user).await
    }
    async fn revoke_delegation(
        &self,
        id: DelegationId,
        at: DateTime<Utc>,
        audit: &AuditEntry,
    ) -> StoreResult<Delegation> {
        self.call("revoke_delegation")?;
        self.inner.revoke_delegation(id, at, audit).await
    }
}

#[async_trait]
impl AuditStore for CountingStore {
    async fn append_audit(&self, entry: &AuditEntry) -> StoreResult<()> {
        self.call("append_audit")?;
        self.inner.append_audit(entry).await
    }
    async fn list_audit(
        &self,
        filter: &AuditFilter,
        page: &PageRequest<AuditCursor>,
    ) -> StoreResult<Page<AuditEntry>> {
        self.paged("list_audit", page)?;
        self.inner.list_audit(filter, page).await
    }
}
