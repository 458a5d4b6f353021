//! Hearings, user tests, tasks and target-quarter history: the evidence behind a procedure's
//! moves, and the atomic write batch ([`Write`], [`EvidenceStore::commit`]) through which every
//! change of them is made.
//!
//! A batch is data, not a new trait method per combination: a hearing that patches three
//! procedures, moves them, opens an approval request, inserts itself and its tasks and appends
//! the audit entries is one `commit` of primitive writes, applied by each backend in one
//! database transaction in the order given. A failure names the index of the write that failed,
//! so the app can point at `outcomes[3]`. The store decides nothing: the app plans every write
//! with the domain's rules before it commits.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use rollout_domain::approval::ApprovalRequest;
use rollout_domain::audit::AuditEntry;
use rollout_domain::blockers::{Dependency, LawChange, LawChangeStatusChange, Milestone};
use rollout_domain::hearing::{Hearing, HearingKind};
use rollout_domain::quality::{QualityAssessment, UserReview};
use rollout_domain::reminders::{
    Delivery, Firing, Language, Notification, ReminderRule, Snooze, WebhookEndpoint,
};
use rollout_domain::target::TargetChange;
use rollout_domain::task::{Task, TaskStatus};
use rollout_domain::user_test::{UserTest, UserTestVerdict};
use rollout_domain::web_session::WebSession;
use rollout_domain::workflow::PlannedTransition;
use rollout_domain::{
    BureauId, DeliveryId, DependencyId, HearingId, IdempotencyKey, Procedure, ProcedureId,
    ProcedurePatch, ReminderRuleId, TaskId, TransitionRecord, UserId, UserTestId,
};

use crate::{Page, PageRequest, StoreError, StoreResult};

/// One primitive write of an atomic batch. Writes see the effects of earlier writes of the same
/// batch (a transition may follow an update of the same procedure, planned on the version the
/// update leaves).
#[derive(Debug, Clone)]
pub enum Write {
    /// Inserts a procedure (version 1, in its initial state) and its creation record.
    /// `Duplicate` when the code is taken, `NotFound` when the bureau is unknown.
    CreateProcedure {
        procedure: Procedure,
        creation: TransitionRecord,
    },
    /// Patches a procedure if its version is still `expected_version`: the version goes up by
    /// one, `updated_at` becomes `now`. `Conflict` (with the stored version) otherwise,
    /// `NotFound` when it is gone.
    UpdateProcedure {
        id: ProcedureId,
        expected_version: i32,
        patch: ProcedurePatch,
        now: DateTime<Utc>,
    },
    /// Applies a planned transition exactly as [`crate::Store::apply_transition`] does (without
    /// an idempotency claim): compare-and-set on `expected_version`, state, `released_on`,
    /// history record.
    Transition(PlannedTransition),
    /// Opens an approval request; `Duplicate { entity: "approval request" }` when the procedure
    /// already has a pending one.
    OpenApproval(ApprovalRequest),
    /// Inserts a hearing with its outcomes. Outcomes naming a history record or an approval
    /// request must come after the writes that create them.
    InsertHearing(Hearing),
    /// Claims `owner`'s idempotency key for a hearing: `Duplicate { entity: "idempotency key" }`
    /// when the key is taken. Must come after the hearing's insert.
    ClaimHearingKey {
        owner: String,
        key: IdempotencyKey,
        fingerprint: String,
        hearing: HearingId,
    },
    InsertUserTest(UserTest),
    InsertTask(Task),
    /// Replaces a task's fields with `task`'s if its stored version is still
    /// `expected_version` (`task.version` is the version after the change). `Conflict` with
    /// the stored version otherwise, `NotFound` when it is gone.
    UpdateTask {
        task: Task,
        expected_version: i32,
    },
    /// Appends one change of a procedure's target quarter.
    TargetChange(TargetChange),
    /// Appends one change of a descriptive field (see
    /// [`rollout_domain::analytics::RevisedField`]), in the batch of the update that makes it.
    FieldRevision(rollout_domain::analytics::FieldRevision),
    /// Stores a quarter's figures; `Duplicate { entity: "quarter snapshot" }` when that quarter
    /// is frozen already.
    FreezeQuarter(crate::QuarterSnapshot),
    /// Appends an audit entry.
    Audit(AuditEntry),
    /// Compare-and-set of the graph version: `Conflict` (with the stored version) unless it is
    /// still `expected`, then `expected + 1`. On PostgreSQL the row lock it takes serialises
    /// batches that change the graph. See [`crate::BlockerStore`].
    BumpGraphVersion {
        expected: i64,
    },
    /// Moves the graph version on by one whatever it is: for a change that cannot invalidate
    /// another batch's plan (an edge to a law change or milestone closes no cycle) but must
    /// still reach every replica's cached graph. Serialised with the other graph writes on
    /// PostgreSQL like [`Write::BumpGraphVersion`].
    AdvanceGraphVersion,
    /// Inserts a law change; `Duplicate { entity: "law change" }` when the code is taken,
    /// `NotFound` when the owner bureau is unknown.
    InsertLawChange(LawChange),
    /// Replaces a law change's fields with `law_change`'s if its stored version is still
    /// `expected_version` (`law_change.version` is the version after the change). `Conflict`
    /// with the stored version otherwise (the code is never changed), `NotFound` when unknown.
    UpdateLawChange {
        law_change: LawChange,
        expected_version: i32,
    },
    /// Appends one record of a law change's status history.
    LawChangeStatus(LawChangeStatusChange),
    InsertMilestone(Milestone),
    /// As [`Write::UpdateLawChange`], for a milestone.
    UpdateMilestone {
        milestone: Milestone,
        expected_version: i32,
    },
    /// Inserts a dependency; `Duplicate { entity: "dependency" }` when the same active edge
    /// exists, `NotFound` when the procedure is unknown.
    InsertDependency(Dependency),
    /// Marks a dependency removed (who, when, why); `NotFound` when it is unknown or already
    /// removed.
    RemoveDependency {
        id: DependencyId,
        removed_by: Option<UserId>,
        removed_at: DateTime<Utc>,
        reason: Option<String>,
    },
    /// Inserts a reminder rule; `Duplicate { entity: "reminder rule" }` when the name is taken.
    InsertReminderRule(ReminderRule),
    /// Replaces a rule's definition (name, schedule, kind, scope, recipients, channels,
    /// policies, quiet days, enabled) if its version is still `expected_version`
    /// (`rule.version` is the version after). `Conflict` otherwise, `NotFound` when unknown.
    /// The scheduling state (cursor, missed ticks, last firing, lease) is left alone unless
    /// `reset_cursor` is set (a rule re-enabled or rescheduled starts from that instant).
    UpdateReminderRule {
        rule: ReminderRule,
        expected_version: i32,
        reset_cursor: Option<DateTime<Utc>>,
    },
    /// The scheduler's step for one rule: if the rule's lease attempt is still `attempt` and its
    /// cursor still `from`, the cursor becomes `to`, `missed` is added to its missed ticks and,
    /// when `fired` is given, its last tick and firing instant are set; the lease is released.
    /// `Conflict` when the attempt or the cursor moved (another replica took over, or already
    /// handled these ticks): a stale completion changes nothing.
    AdvanceRuleCursor {
        rule_id: ReminderRuleId,
        attempt: i32,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        missed: i64,
        fired: Option<(DateTime<Utc>, DateTime<Utc>)>,
    },
    /// Inserts a firing; `Duplicate { entity: "firing" }` when the rule's tick already fired.
    InsertFiring(Firing),
    /// Inserts notifications (one per recipient of a firing).
    InsertNotifications(Vec<Notification>),
    /// Inserts outbox deliveries, pending from their `next_attempt_at`.
    InsertDeliveries(Vec<Delivery>),
    /// Notes that `rule` told each (person, item key) about the item at `at` (for the rule's
    /// quiet period): inserted or moved forward.
    RecordReminded {
        rule_id: ReminderRuleId,
        at: DateTime<Utc>,
        entries: Vec<(UserId, String)>,
    },
    /// Sets (or replaces) a person's snooze of an item.
    Snooze(Snooze),
    /// Sets a person's language, for reminders and the web dashboard alike (an upsert);
    /// `NotFound` when the user is unknown.
    SetLanguage {
        user_id: UserId,
        language: Language,
    },
    /// Inserts a webhook endpoint.
    InsertWebhookEndpoint(WebhookEndpoint),
    /// Replaces an endpoint's fields under its version, as [`Write::UpdateReminderRule`].
    UpdateWebhookEndpoint {
        endpoint: WebhookEndpoint,
        expected_version: i32,
    },
    /// Puts a DEAD delivery back in the queue: PENDING, due at `now`, attempts kept, lease
    /// cleared. `NotFound` when it is unknown or not DEAD.
    RetryDelivery {
        id: DeliveryId,
        now: DateTime<Utc>,
    },
    /// Appends a quality assessment (issue 13); `NotFound` when the procedure or the assessor is
    /// unknown. See [`crate::QualityStore`].
    InsertQualityAssessment(QualityAssessment),
    /// Appends a user review with the fiscal quarter of its Tokyo day; `NotFound` when the
    /// procedure or the submitting identity is unknown.
    InsertUserReview(UserReview),
    /// Inserts a web session (issue 14); `Duplicate { entity: "web session" }` when the hash is
    /// taken (a broken generator: refused, never overwritten), `NotFound` when the user is
    /// unknown. Housekeeping in the same statement batch: the user's sessions that expired more
    /// than [`crate::EXPIRED_SESSION_RETENTION`] before the new one's `created_at` are deleted
    /// first, so the table stays near the number of people signed in without a sweeper.
    InsertWebSession(WebSession),
    /// Sets a session's `revoked_at` to `at` unless it is revoked already (revoking twice keeps
    /// the first time). `NotFound` when no session has that hash.
    RevokeWebSession {
        id_hash: String,
        at: DateTime<Utc>,
    },
    /// Revokes, at `at`, every session of `user` that is live at `at`; none is not an error.
    RevokeUserWebSessions {
        user: UserId,
        at: DateTime<Utc>,
    },
}

/// Why a batch was not committed: the index of the write that failed and the failure. Nothing
/// of the batch is written.
#[derive(Debug, thiserror::Error)]
#[error("write {index} of the batch failed: {error}")]
pub struct BatchError {
    pub index: usize,
    #[source]
    pub error: StoreError,
}

impl BatchError {
    /// A failure that belongs to no single write (the connection, the commit).
    pub fn whole(error: StoreError) -> Self {
        Self {
            index: usize::MAX,
            error,
        }
    }
}

/// Which hearings to list. Empty lists mean "any".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HearingFilter {
    pub bureau_ids: Vec<BureauId>,
    /// Held on or after this day.
    pub held_from: Option<NaiveDate>,
    /// Held on or before this day.
    pub held_to: Option<NaiveDate>,
    /// Hearings with an outcome for this procedure.
    pub procedure_id: Option<ProcedureId>,
    pub kind: Option<HearingKind>,
}

/// Position in the hearing listing, which is ordered by `held_on` descending, then id
/// descending (the latest hearing first).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HearingCursor {
    pub held_on: NaiveDate,
    pub id: HearingId,
}

/// Open tasks due before `today` (`overdue: true`), or every other task (`overdue: false`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OverdueAsOf {
    pub today: NaiveDate,
    pub overdue: bool,
}

/// Which tasks to list. Empty lists mean "any".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TaskFilter {
    pub bureau_ids: Vec<BureauId>,
    pub assignee_id: Option<UserId>,
    pub statuses: Vec<TaskStatus>,
    /// Due strictly before this day.
    pub due_before: Option<NaiveDate>,
    pub overdue: Option<OverdueAsOf>,
    pub procedure_id: Option<ProcedureId>,
    pub hearing_id: Option<HearingId>,
}

/// Position in the task listing, which is ordered by due date (tasks without one last), then id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TaskCursor {
    pub due_on: Option<NaiveDate>,
    pub id: TaskId,
}

/// What an earlier `recordHearing` with the same idempotency key recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HearingKeyHit {
    pub fingerprint: String,
    pub hearing: HearingId,
}

/// Evidence loaded in bulk (demo data, imports): inserted as-is in one transaction, all or
/// nothing, with multi-row statements. No workflow rule is applied by the store; histories the
/// evidence refers to must already exist.
#[derive(Debug, Clone, Default)]
pub struct EvidenceSeed {
    pub hearings: Vec<Hearing>,
    pub user_tests: Vec<UserTest>,
    pub tasks: Vec<Task>,
    pub target_changes: Vec<TargetChange>,
}

/// Hearings, user tests, tasks and target history. Nested lists have batch reads (one statement
/// for a whole page of procedures), returned in no particular order of procedures but, within
/// one procedure, in the order each method states.
#[async_trait]
pub trait EvidenceStore: Send + Sync {
    /// Applies every write in one transaction, in order: all or nothing.
    async fn commit(&self, writes: &[Write]) -> Result<(), BatchError>;
    /// Inserts a seed in one transaction (multi-row inserts, for tens of thousands of rows):
    /// all or nothing. Returns how many rows were inserted in all.
    async fn insert_evidence(&self, seed: &EvidenceSeed, audit: &AuditEntry) -> StoreResult<u64>;

    async fn hearing(&self, id: HearingId) -> StoreResult<Option<Hearing>>;
    async fn hearings_by_ids(&self, ids: &[HearingId]) -> StoreResult<Vec<Hearing>>;
    async fn list_hearings(
        &self,
        filter: &HearingFilter,
        page: &PageRequest<HearingCursor>,
    ) -> StoreResult<Page<Hearing>>;
    /// Every hearing with an outcome for each of `procedures`, oldest `held_on` first (then by
    /// id), as `(procedure, hearing)` pairs.
    async fn hearings_for_procedures(
        &self,
        procedures: &[ProcedureId],
    ) -> StoreResult<Vec<(ProcedureId, Hearing)>>;
    /// What `owner` recorded under `key`; another owner's key is not seen.
    async fn hearing_key_hit(
        &self,
        owner: &str,
        key: &IdempotencyKey,
    ) -> StoreResult<Option<HearingKeyHit>>;

    async fn user_test(&self, id: UserTestId) -> StoreResult<Option<UserTest>>;
    /// Every user test of each of `procedures`, oldest first (by `created_at`, then id).
    async fn user_tests_for_procedures(
        &self,
        procedures: &[ProcedureId],
    ) -> StoreResult<Vec<UserTest>>;
    /// For each of `procedures`, the verdict of the latest user test (by `created_at`, then id)
    /// recorded at or after the procedure's latest transition record, i.e. since it entered its
    /// current state. Procedures without such a test are absent. One statement.
    async fn latest_user_test_verdicts(
        &self,
        procedures: &[ProcedureId],
    ) -> StoreResult<Vec<(ProcedureId, UserTestVerdict)>>;

    async fn task(&self, id: TaskId) -> StoreResult<Option<Task>>;
    async fn tasks_by_ids(&self, ids: &[TaskId]) -> StoreResult<Vec<Task>>;
    /// One keyset-paginated page, ordered by due date (none last), then id.
    async fn list_tasks(
        &self,
        filter: &TaskFilter,
        page: &PageRequest<TaskCursor>,
    ) -> StoreResult<Page<Task>>;
    /// The tasks of each of `procedures` (with `status` when given), in listing order.
    async fn tasks_for_procedures(
        &self,
        procedures: &[ProcedureId],
        status: Option<TaskStatus>,
    ) -> StoreResult<Vec<Task>>;
    /// The tasks each of `hearings` left, in creation order (by id).
    async fn tasks_for_hearings(&self, hearings: &[HearingId]) -> StoreResult<Vec<Task>>;

    /// Every change of the target quarter of each of `procedures`, oldest first.
    async fn target_changes_for(
        &self,
        procedures: &[ProcedureId],
    ) -> StoreResult<Vec<TargetChange>>;
}
