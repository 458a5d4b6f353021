//! The storage port. [`Store`] is shaped around use cases ("apply this transition if the version
//! is still N", "list this page of procedures"), not around tables; it speaks domain types only.
//! [`StoreError`] is the one error type of this boundary.
//!
//! Business rules are absent on purpose: which transition is allowed, guards and summaries are
//! decided in `rollout-domain`, so the SQLite and PostgreSQL implementations cannot drift apart on
//! them. The [`contract`] module holds the one test suite both implementations must pass.
#![forbid(unsafe_code)]

mod analytics;
pub mod analytics_codec;
mod approvals;
mod audit;
mod blockers;
pub mod contract;
mod error;
mod evidence;
mod identity;
// Issue 15: what `rollout verify` checks in the stored data.
pub mod integrity;
mod query;
// Issue 13: quality assessments and user reviews.
mod quality;
pub mod reminder_codec;
mod reminders;
mod schema;
// Issue 15: the rows `rollout migrate-data` carries between the backends.
pub mod table_copy;
// Issue 14: web sessions.
mod web;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rollout_domain::audit::AuditEntry;
use rollout_domain::{
    Bureau, BureauCode, BureauId, IdempotencyKey, NewBureau, Procedure, ProcedureCode, ProcedureId,
    ProcedurePatch, TransitionRecord, TransitionRecordId, workflow::PlannedTransition,
};

pub use analytics::{AnalyticsStamp, AnalyticsStore, QuarterSnapshot};
pub use approvals::{ApprovalCursor, ApprovalFilter, ApprovalStore, VoteResult, VoteWrite};
pub use audit::{AuditCursor, AuditFilter, AuditStore};
pub use blockers::{
    BlockerSeed, BlockerStore, GraphRows, LawChangeCursor, LawChangeFilter, LeadSample,
    ProcedureFacts, dependency_key, graph_version_conflict,
};
pub use error::StoreError;
pub use evidence::{
    BatchError, EvidenceSeed, EvidenceStore, HearingCursor, HearingFilter, HearingKeyHit,
    OverdueAsOf, TaskCursor, TaskFilter, Write,
};
pub use identity::IdentityStore;
pub use integrity::{Finding, IntegrityReport};
pub use quality::{QualityStore, ReviewCount};
pub use query::{
    HistoryCursor, MAX_PAGE_SIZE, OrderDirection, Page, PageRequest, ProcedureCursor,
    ProcedureFilter, ProcedureOrder, ProcedureOrderField, SlipCondition, SortValue, first_pages,
};
pub use reminders::{NotificationQuery, OutboxStats, ReminderStore};
pub use schema::{PoolStats, SchemaState};
pub use web::{EXPIRED_SESSION_RETENTION, WebStore};

pub type StoreResult<T> = Result<T, StoreError>;

/// A transition to apply atomically: compare-and-set on the version, state update, history
/// insert and (when a key is given) the idempotency record, in one database transaction.
#[derive(Debug, Clone)]
pub struct TransitionWrite {
    pub plan: PlannedTransition,
    pub idempotency: Option<IdempotencyClaim>,
    pub audit: AuditEntry,
}

/// The idempotency key of a request and a fingerprint of what was asked, so that a retry with
/// the same key but a different request can be told apart from a genuine retry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyClaim {
    /// Whose key this is (the acting user's id, or a system actor's label): keys are unique per
    /// owner, so one user's key never collides with, nor reveals, another's.
    pub owner: String,
    pub key: IdempotencyKey,
    pub fingerprint: String,
}

/// What a previously used idempotency key recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyHit {
    pub fingerprint: String,
    pub record: TransitionRecord,
}

/// A procedure as loaded in bulk (import, demo data): the row and its complete history, which
/// must begin with a creation record. Inserted as-is; no workflow rule is applied by the store.
#[derive(Debug, Clone)]
pub struct ProcedureSeed {
    pub procedure: Procedure,
    pub history: Vec<TransitionRecord>,
    /// Changes of the target quarter to keep with the procedure, oldest first.
    pub target_changes: Vec<rollout_domain::target::TargetChange>,
}

/// The storage port. Implementations must pass [`contract`]. Writes carry their audit entry,
/// which the implementation inserts in the same transaction as the change.
#[async_trait]
pub trait Store:
    IdentityStore
    + AnalyticsStore
    + ApprovalStore
    + AuditStore
    + EvidenceStore
    + BlockerStore
    + ReminderStore
    + QualityStore
    + WebStore
    + Send
    + Sync
    + std::fmt::Debug
    + 'static
{
    /// Cheap round trip, for readiness checks.
    async fn ping(&self) -> StoreResult<()>;

    // --- bureaus ---
    /// `Duplicate` when the code is taken.
    async fn create_bureau(
        &self,
        id: BureauId,
        new: NewBureau,
        audit: &AuditEntry,
    ) -> StoreResult<Bureau>;
    /// All bureaus, ordered by code.
    async fn list_bureaus(&self) -> StoreResult<Vec<Bureau>>;
    /// The bureaus among `ids` that exist, in no particular order (for data loaders).
    async fn bureaus_by_ids(&self, ids: &[BureauId]) -> StoreResult<Vec<Bureau>>;
    async fn bureau_by_code(&self, code: &BureauCode) -> StoreResult<Option<Bureau>>;

    // --- procedures ---
    /// Inserts a procedure (version 1, already in its initial state) and its creation record in
    /// one transaction. `Duplicate` when the code is taken, `NotFound` when the bureau is unknown.
    async fn create_procedure(
        &self,
        procedure: Procedure,
        creation: TransitionRecord,
        audit: &AuditEntry,
    ) -> StoreResult<Procedure>;
    /// Applies a patch if the stored version is still `expected_version`; the version goes up
    /// by one and `updated_at` becomes `now`. `Conflict` carries the stored version.
    async fn update_procedure(
        &self,
        id: ProcedureId,
        expected_version: i32,
        patch: &ProcedurePatch,
        now: DateTime<Utc>,
        audit: &AuditEntry,
    ) -> StoreResult<Procedure>;
    async fn procedure(&self, id: ProcedureId) -> StoreResult<Option<Procedure>>;
    async fn procedure_by_code(&self, code: &ProcedureCode) -> StoreResult<Option<Procedure>>;
    /// The procedures among `ids` that exist, in no particular order (for data loaders).
    async fn procedures_by_ids(&self, ids: &[ProcedureId]) -> StoreResult<Vec<Procedure>>;
    /// Which of `codes` are already taken (for import pre-checks with line numbers).
    async fn existing_procedure_codes(
        &self,
        codes: &[ProcedureCode],
    ) -> StoreResult<Vec<ProcedureCode>>;
    /// One keyset-paginated page, filtered and ordered in SQL, with the filter's total count.
    async fn list_procedures(
        &self,
        filter: &ProcedureFilter,
        order: ProcedureOrder,
        page: &PageRequest<ProcedureCursor>,
    ) -> StoreResult<Page<Procedure>>;
    /// `(state, count)` for the procedures matching the filter; states with no rows are absent.
    async fn count_by_state(&self, filter: &ProcedureFilter) -> StoreResult<Vec<(String, i64)>>;
    /// Every state key in use, to check stored data against a replacement workflow definition.
    async fn states_in_use(&self) -> StoreResult<Vec<String>>;

    // --- transitions ---
    /// Applies a planned transition: `Conflict` (with the stored version) when the version moved,
    /// `NotFound` when the procedure is gone, `Duplicate` when the idempotency key was claimed
    /// concurrently. Nothing is written unless everything is.
    async fn apply_transition(&self, write: &TransitionWrite) -> StoreResult<Procedure>;
    /// What `owner` recorded under `key`; another owner's use of the same key is not seen.
    async fn idempotency_hit(
        &self,
        owner: &str,
        key: &IdempotencyKey,
    ) -> StoreResult<Option<IdempotencyHit>>;
    /// One history record by id (for `node(id)`).
    async fn transition_record(
        &self,
        id: TransitionRecordId,
    ) -> StoreResult<Option<TransitionRecord>>;
    /// The history records among `ids` that exist, in no particular order, in one read (for a
    /// page of hearing outcomes and other references to records).
    async fn transition_records_by_ids(
        &self,
        ids: &[TransitionRecordId],
    ) -> StoreResult<Vec<TransitionRecord>>;
    /// A procedure's history in version order (oldest first), keyset-paginated on the version.
    async fn history(
        &self,
        procedure: ProcedureId,
        page: &PageRequest<HistoryCursor>,
    ) -> StoreResult<Page<TransitionRecord>>;
    /// The first page of the history of each of `procedures` (oldest first), in one read
    /// whatever their number: what a page of procedures with their `history` needs. A procedure
    /// without records, or unknown, is absent. The page request's cursor is ignored: a cursor
    /// belongs to one procedure's history, so later pages are read with [`Store::history`].
    async fn histories(
        &self,
        procedures: &[ProcedureId],
        page: &PageRequest<HistoryCursor>,
    ) -> StoreResult<Vec<(ProcedureId, Page<TransitionRecord>)>>;

    // --- bulk loading ---
    /// Inserts bureaus in one transaction: all or nothing.
    async fn insert_bureaus(&self, bureaus: &[Bureau], audit: &AuditEntry) -> StoreResult<u64>;
    /// Inserts procedures with their histories and target changes in one transaction: all or
    /// nothing.
    async fn insert_procedures(
        &self,
        seeds: &[ProcedureSeed],
        audit: &AuditEntry,
    ) -> StoreResult<u64>;
    /// Whether the database holds no bureaus and no procedures (for `--demo`).
    async fn is_empty(&self) -> StoreResult<bool>;

    // --- operations ---
    /// Runs the stored-data checks of [`integrity`] (versions against histories, the audit of
    /// transitions, every reference of [`integrity::REFERENCES`]) on one snapshot and reports
    /// what it read and what it found. Changes nothing; `rollout verify` calls it.
    async fn integrity(&self) -> StoreResult<IntegrityReport>;
}
