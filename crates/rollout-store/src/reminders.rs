//! Reminders' storage (issue 12): rules and their scheduling state, firings, notifications,
//! the delivery outbox, snoozes, the quiet-period record, webhook endpoints and people's
//! language. Writes that belong together (a firing with its cursor step, notifications and
//! deliveries) are [`crate::Write`]s of one batch; this trait holds the reads and the two kinds
//! of claim, each a single statement so that replicas cannot both win:
//!
//! - a rule is claimed for evaluation with a short lease and an attempt number
//!   ([`ReminderStore::claim_rule`]); the batch that records the firing asserts the attempt
//!   (`Write::AdvanceRuleCursor`), so a replica whose lease expired and was taken over changes
//!   nothing, and the firing's unique (rule, tick) key is the last line of defence;
//! - outbox deliveries are claimed the same way ([`ReminderStore::claim_deliveries`]:
//!   `FOR UPDATE SKIP LOCKED` on PostgreSQL, the single writer on SQLite), and completed or
//!   failed only under the attempt number the claim gave.
//!
//! No rule is decided here: which items are due, who receives them and when to retry are the
//! domain's and the app's; the store filters by plain conditions only.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use rollout_domain::blockers::Milestone;
use rollout_domain::reminders::{
    Delivery, DeliveryStatus, Firing, LawChangeActivity, Notification, PendingApproval, Person,
    ProcedureActivity, ReminderRule, WebhookEndpoint,
};
use rollout_domain::task::Task;
use rollout_domain::{
    DeliveryId, FiringId, NotificationId, ReminderRuleId, UserId, WebhookEndpointId,
};

use crate::StoreResult;

/// The outbox at a glance, for `schedulerStatus` and metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct OutboxStats {
    /// PENDING deliveries (due or waiting for a retry).
    pub pending: i64,
    /// The oldest PENDING delivery's creation.
    pub oldest_pending_at: Option<DateTime<Utc>>,
    /// The earliest `next_attempt_at` of a PENDING delivery (when the sender should wake).
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub dead: i64,
}

/// A page of a person's notifications: newest first, after a (created_at, id) cursor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotificationQuery {
    pub user_id: UserId,
    pub unread_only: bool,
    /// Strictly older than this (created_at, id).
    pub before: Option<(DateTime<Utc>, NotificationId)>,
    pub limit: usize,
}

#[async_trait]
pub trait ReminderStore: Send + Sync {
    // --- rules ---
    /// Every rule, by name.
    async fn reminder_rules(&self) -> StoreResult<Vec<ReminderRule>>;
    async fn reminder_rule(&self, id: ReminderRuleId) -> StoreResult<Option<ReminderRule>>;
    /// Claims a rule for evaluation: succeeds when its lease is free or expired at `now`,
    /// taking the next attempt number (returned) and holding the lease until `lease_until`.
    /// `None` when another claim holds it (or the rule is gone).
    async fn claim_rule(
        &self,
        id: ReminderRuleId,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
    ) -> StoreResult<Option<i32>>;
    /// Releases a lease held under `attempt` without advancing (nothing was due); a stale
    /// attempt changes nothing.
    async fn release_rule(&self, id: ReminderRuleId, attempt: i32) -> StoreResult<()>;
    /// A rule's firings, newest tick first.
    async fn firings(&self, rule: ReminderRuleId, limit: usize) -> StoreResult<Vec<Firing>>;
    async fn firing(&self, id: FiringId) -> StoreResult<Option<Firing>>;

    // --- what the kinds read ---
    /// Open tasks due on or before `date`.
    async fn open_tasks_due_by(&self, date: NaiveDate) -> StoreResult<Vec<Task>>;
    /// Every procedure in one of `states` (all when empty), with when it entered its state.
    async fn procedure_activity(&self, states: &[String]) -> StoreResult<Vec<ProcedureActivity>>;
    /// Pending approval requests with their procedure's code, name and bureau.
    async fn pending_approvals(&self) -> StoreResult<Vec<PendingApproval>>;
    /// Law changes not ENACTED or WITHDRAWN, with their last status change (or creation).
    async fn open_law_change_activity(&self) -> StoreResult<Vec<LawChangeActivity>>;
    /// PLANNED milestones.
    async fn planned_milestones(&self) -> StoreResult<Vec<Milestone>>;
    /// Every user, with their language (Japanese when never set).
    async fn people(&self) -> StoreResult<Vec<Person>>;
    /// (person, item key) of snoozes running on `today` (until ≥ today).
    async fn snoozed(&self, today: NaiveDate) -> StoreResult<Vec<(UserId, String)>>;
    /// (person, item key) this rule reminded at or after `since`.
    async fn reminded_since(
        &self,
        rule: ReminderRuleId,
        since: DateTime<Utc>,
    ) -> StoreResult<Vec<(UserId, String)>>;

    // --- notifications ---
    async fn notifications(&self, query: &NotificationQuery) -> StoreResult<Vec<Notification>>;
    /// One person's notifications of one firing (what a `notificationAdded` subscriber loads).
    async fn firing_notifications(
        &self,
        firing: FiringId,
        user: UserId,
    ) -> StoreResult<Vec<Notification>>;
    async fn notifications_by_ids(&self, ids: &[NotificationId]) -> StoreResult<Vec<Notification>>;
    async fn unread_notifications(&self, user: UserId) -> StoreResult<i64>;
    /// Marks `user`'s notifications read at `now`: those in `ids`, or all when `None`. Others'
    /// notifications are never touched. Returns how many changed.
    async fn mark_notifications_read(
        &self,
        user: UserId,
        ids: Option<&[NotificationId]>,
        now: DateTime<Utc>,
    ) -> StoreResult<u64>;

    // --- the outbox ---
    /// Claims up to `limit` PENDING deliveries due at `now` whose lease is free or expired,
    /// oldest due first: each takes its next attempt number and a lease until `lease_until`.
    async fn claim_deliveries(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: usize,
    ) -> StoreResult<Vec<Delivery>>;
    /// DELIVERED, if the delivery is still at `attempt`; `false` (nothing changed) otherwise.
    async fn complete_delivery(
        &self,
        id: DeliveryId,
        attempt: i32,
        now: DateTime<Utc>,
    ) -> StoreResult<bool>;
    /// Records a failed attempt, if still at `attempt`: PENDING again from `retry_at`, or DEAD
    /// when `retry_at` is `None`; the lease is cleared. `false` when the attempt is stale.
    async fn fail_delivery(
        &self,
        id: DeliveryId,
        attempt: i32,
        error: &str,
        retry_at: Option<DateTime<Utc>>,
    ) -> StoreResult<bool>;
    async fn delivery(&self, id: DeliveryId) -> StoreResult<Option<Delivery>>;
    /// Deliveries with this status (all when `None`), newest first.
    async fn deliveries(
        &self,
        status: Option<DeliveryStatus>,
        limit: usize,
    ) -> StoreResult<Vec<Delivery>>;
    async fn outbox_stats(&self) -> StoreResult<OutboxStats>;

    // --- webhooks ---
    async fn webhook_endpoints(&self) -> StoreResult<Vec<WebhookEndpoint>>;
    async fn webhook_endpoint(&self, id: WebhookEndpointId)
    -> StoreResult<Option<WebhookEndpoint>>;
}
