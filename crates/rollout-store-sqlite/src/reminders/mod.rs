//! Reminders on SQLite ([`rollout_store::ReminderStore`]). Inside a batch's transaction (the
//! reminder arms of `Write` in `crate::evidence`), [`rules`] writes rules, their cursor step and
//! firings, and [`writes`] notifications, deliveries and the rest; [`outbox`] claims rules and
//! deliveries and reads the outbox and webhook endpoints, [`notices`] reads and marks
//! notifications, [`reads`] answers the rule and kind reads,
//! with encodings in [`rows`]. Claims and marks go through the single writer connection, reads
//! through the reader pool. It decides nothing: which items are due, who hears of them and when
//! to retry are the domain's and the app's.

mod notices;
mod outbox;
mod reads;
mod rows;
pub(crate) mod rules;
pub(crate) mod writes;

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
use rollout_store::{NotificationQuery, OutboxStats, ReminderStore, StoreResult};

use crate::SqliteStore;

#[async_trait]
impl ReminderStore for SqliteStore {
    #[tracing::instrument(name = "store.reminder_rules", skip(self))]
    async fn reminder_rules(&self) -> StoreResult<Vec<ReminderRule>> {
        reads::rules(&self.reader, None).await
    }

    #[tracing::instrument(name = "store.reminder_rule", skip(self), fields(rule_id = %id))]
    async fn reminder_rule(&self, id: ReminderRuleId) -> StoreResult<Option<ReminderRule>> {
        Ok(reads::rules(&self.reader, Some(id)).await?.pop())
    }

    #[tracing::instrument(name = "store.claim_rule", skip(self), fields(rule_id = %id))]
    async fn claim_rule(
        &self,
        id: ReminderRuleId,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
    ) -> StoreResult<Option<i32>> {
        outbox::claim_rule(&self.writer, id, now, lease_until).await
    }

    #[tracing::instrument(name = "store.release_rule", skip(self), fields(rule_id = %id))]
    async fn release_rule(&self, id: ReminderRuleId, attempt: i32) -> StoreResult<()> {
        outbox::release_rule(&self.writer, id, attempt).await
    }

    #[tracing::instrument(name = "store.firings", skip(self), fields(rule_id = %rule))]
    async fn firings(&self, rule: ReminderRuleId, limit: usize) -> StoreResult<Vec<Firing>> {
        reads::firings(&self.reader, rule, limit).await
    }

    #[tracing::instrument(name = "store.firing", skip(self), fields(firing_id = %id))]
    async fn firing(&self, id: FiringId) -> StoreResult<Option<Firing>> {
        reads::firing(&self.reader, id).await
    }

    #[tracing::instrument(name = "store.open_tasks_due_by", skip(self))]
    async fn open_tasks_due_by(&self, date: NaiveDate) -> StoreResult<Vec<Task>> {
        reads::open_tasks_due_by(&self.reader, date).await
    }

    #[tracing::instrument(name = "store.procedure_activity", skip(self))]
    async fn procedure_activity(&self, states: &[String]) -> StoreResult<Vec<ProcedureActivity>> {
        reads::procedure_activity(&self.reader, states).await
    }

    #[tracing::instrument(name = "store.pending_approvals", skip(self))]
    async fn pending_approvals(&self) -> StoreResult<Vec<PendingApproval>> {
        reads::pending_approvals(&self.reader).await
    }

    #[tracing::instrument(name = "store.open_law_change_activity", skip(self))]
    async fn open_law_change_activity(&self) -> StoreResult<Vec<LawChangeActivity>> {
        reads::open_law_change_activity(&self.reader).await
    }

    #[tracing::instrument(name = "store.planned_milestones", skip(self))]
    async fn planned_milestones(&self) -> StoreResult<Vec<Milestone>> {
        reads::planned_milestones(&self.reader).await
    }

    #[tracing::instrument(name = "store.people", skip(self))]
    async fn people(&self) -> StoreResult<Vec<Person>> {
        reads::people(&self.reader).await
    }

    #[tracing::instrument(name = "store.snoozed", skip(self))]
    async fn snoozed(&self, today: NaiveDate) -> StoreResult<Vec<(UserId, String)>> {
        reads::snoozed(&self.reader, today).await
    }

    #[tracing::instrument(name = "store.reminded_since", skip(self), fields(rule_id = %rule))]
    async fn reminded_since(
        &self,
        rule: ReminderRuleId,
        since: DateTime<Utc>,
    ) -> StoreResult<Vec<(UserId, String)>> {
        reads::reminded_since(&self.reader, rule, since).await
    }

    #[tracing::instrument(name = "store.notifications", skip_all, fields(user_id = %query.user_id))]
    async fn notifications(&self, query: &NotificationQuery) -> StoreResult<Vec<Notification>> {
        notices::page(&self.reader, query).await
    }

    #[tracing::instrument(name = "store.firing_notifications", skip(self), fields(firing_id = %firing, user_id = %user))]
    async fn firing_notifications(
        &self,
        firing: FiringId,
        user: UserId,
    ) -> StoreResult<Vec<Notification>> {
        notices::of_firing(&self.reader, firing, user).await
    }

    #[tracing::instrument(name = "store.notifications_by_ids", skip_all, fields(count = ids.len()))]
    async fn notifications_by_ids(&self, ids: &[NotificationId]) -> StoreResult<Vec<Notification>> {
        notices::by_ids(&self.reader, ids).await
    }

    #[tracing::instrument(name = "store.unread_notifications", skip(self), fields(user_id = %user))]
    async fn unread_notifications(&self, user: UserId) -> StoreResult<i64> {
        notices::unread(&self.reader, user).await
    }

    #[tracing::instrument(name = "store.mark_notifications_read", skip(self, ids), fields(user_id = %user))]
    async fn mark_notifications_read(
        &self,
        user: UserId,
        ids: Option<&[NotificationId]>,
        now: DateTime<Utc>,
    ) -> StoreResult<u64> {
        notices::mark_read(&self.writer, user, ids, now).await
    }

    #[tracing::instrument(name = "store.claim_deliveries", skip(self))]
    async fn claim_deliveries(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: usize,
    ) -> StoreResult<Vec<Delivery>> {
        outbox::claim_deliveries(&self.writer, now, lease_until, limit).await
    }

    #[tracing::instrument(name = "store.complete_delivery", skip(self), fields(delivery_id = %id))]
    async fn complete_delivery(
        &self,
        id: DeliveryId,
        attempt: i32,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        outbox::complete_delivery(&self.writer, id, attempt, now).await
    }

    #[tracing::instrument(name = "store.fail_delivery", skip(self, error), fields(delivery_id = %id))]
    async fn fail_delivery(
        &self,
        id: DeliveryId,
        attempt: i32,
        error: &str,
        retry_at: Option<DateTime<Utc>>,
    ) -> StoreResult<bool> {
        outbox::fail_delivery(&self.writer, id, attempt, error, retry_at).await
    }

    #[tracing::instrument(name = "store.delivery", skip(self), fields(delivery_id = %id))]
    async fn delivery(&self, id: DeliveryId) -> StoreResult<Option<Delivery>> {
        outbox::delivery(&self.reader, id).await
    }

    #[tracing::instrument(name = "store.deliveries", skip(self))]
    async fn deliveries(
        &self,
        status: Option<DeliveryStatus>,
        limit: usize,
    ) -> StoreResult<Vec<Delivery>> {
        outbox::deliveries(&self.reader, status, limit).await
    }

    #[tracing::instrument(name = "store.outbox_stats", skip(self))]
    async fn outbox_stats(&self) -> StoreResult<OutboxStats> {
        outbox::stats(&self.reader).await
    }

    #[tracing::instrument(name = "store.webhook_endpoints", skip(self))]
    async fn webhook_endpoints(&self) -> StoreResult<Vec<WebhookEndpoint>> {
        outbox::endpoints(&self.reader, None).await
    }

    #[tracing::instrument(name = "store.webhook_endpoint", skip(self), fields(endpoint_id = %id))]
    async fn webhook_endpoint(
        &self,
        id: WebhookEndpointId,
    ) -> StoreResult<Option<WebhookEndpoint>> {
        Ok(outbox::endpoints(&self.reader, Some(id)).await?.pop())
    }
}
