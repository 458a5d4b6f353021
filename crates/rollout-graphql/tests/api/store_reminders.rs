//! The counting store's forwarding of the reminder reads, claims and marks: each call is
//! counted and fails during an outage.

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

use crate::store::CountingStore;

#[async_trait]
impl ReminderStore for CountingStore {
    async fn reminder_rules(&self) -> StoreResult<Vec<ReminderRule>> {
        self.call("reminder_rules")?;
        self.inner().reminder_rules().await
    }
    async fn reminder_rule(&self, id: ReminderRuleId) -> StoreResult<Option<ReminderRule>> {
        self.call("reminder_rule")?;
        self.inner().reminder_rule(id).await
    }
    async fn claim_rule(
        &self,
        id: ReminderRuleId,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
    ) -> StoreResult<Option<i32>> {
        self.call("claim_rule")?;
        self.inner().claim_rule(id, now, lease_until).await
    }
    async fn release_rule(&self, id: ReminderRuleId, attempt: i32) -> StoreResult<()> {
        self.call("release_rule")?;
        self.inner().release_rule(id, attempt).await
    }
    async fn firings(&self, rule: ReminderRuleId, limit: usize) -> StoreResult<Vec<Firing>> {
        self.call("firings")?;
        self.inner().firings(rule, limit).await
    }
    async fn firing(&self, id: FiringId) -> StoreResult<Option<Firing>> {
        self.call("firing")?;
        self.inner().firing(id).await
    }
    async fn open_tasks_due_by(&self, date: NaiveDate) -> StoreResult<Vec<Task>> {
        self.call("open_tasks_due_by")?;
        self.inner().open_tasks_due_by(date).await
    }
    async fn procedure_activity(&self, states: &[String]) -> StoreResult<Vec<ProcedureActivity>> {
        self.call("procedure_activity")?;
        self.inner().procedure_activity(states).await
    }
    async fn pending_approvals(&self) -> StoreResult<Vec<PendingApproval>> {
        self.call("pending_approvals")?;
        self.inner().pending_approvals().await
    }
    async fn open_law_change_activity(&self) -> StoreResult<Vec<LawChangeActivity>> {
        self.call("open_law_change_activity")?;
        self.inner().open_law_change_activity().await
    }
    async fn planned_milestones(&self) -> StoreResult<Vec<Milestone>> {
        self.call("planned_milestones")?;
        self.inner().planned_milestones().await
    }
    async fn people(&self) -> StoreResult<Vec<Person>> {
        self.call("people")?;
        self.inner().people().await
    }
    async fn snoozed(&self, today: NaiveDate) -> StoreResult<Vec<(UserId, String)>> {
        self.call("snoozed")?;
        self.inner().snoozed(today).await
    }
    async fn reminded_since(
        &self,
        rule: ReminderRuleId,
        since: DateTime<Utc>,
    ) -> StoreResult<Vec<(UserId, String)>> {
        self.call("reminded_since")?;
        self.inner().reminded_since(rule, since).await
    }
    async fn notifications(&self, query: &NotificationQuery) -> StoreResult<Vec<Notification>> {
        self.call("notifications")?;
        self.inner().notifications(query).await
    }
    async fn firing_notifications(
        &self,
        firing: FiringId,
        user: UserId,
    ) -> StoreResult<Vec<Notification>> {
        self.call("firing_notifications")?;
        self.inner().firing_notifications(firing, user).await
    }
    async fn notifications_by_ids(&self, ids: &[NotificationId]) -> StoreResult<Vec<Notification>> {
        self.call("notifications_by_ids")?;
        self.inner().notifications_by_ids(ids).await
    }
    async fn unread_notifications(&self, user: UserId) -> StoreResult<i64> {
        self.call("unread_notifications")?;
        self.inner().unread_notifications(user).await
    }
    async fn mark_notifications_read(
        &self,
        user: UserId,
        ids: Option<&[NotificationId]>,
        now: DateTime<Utc>,
    ) -> StoreResult<u64> {
        self.call("mark_notifications_read")?;
        self.inner().mark_notifications_read(user, ids, now).await
    }
    async fn claim_deliveries(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: usize,
    ) -> StoreResult<Vec<Delivery>> {
        self.call("claim_deliveries")?;
        self.inner().claim_deliveries(now, lease_until, limit).await
    }
    async fn complete_delivery(
        &self,
        id: DeliveryId,
        attempt: i32,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        self.call("complete_delivery")?;
        self.inner().complete_delivery(id, attempt, now).await
    }
    async fn fail_delivery(
        &self,
        id: DeliveryId,
        attempt: i32,
        error: &str,
        retry_at: Option<DateTime<Utc>>,
    ) -> StoreResult<bool> {
        self.call("fail_delivery")?;
        self.inner()
            .fail_delivery(id, attempt, error, retry_at)
            .await
    }
    async fn delivery(&self, id: DeliveryId) -> StoreResult<Option<Delivery>> {
        self.call("delivery")?;
        self.inner().delivery(id).await
    }
    async fn deliveries(
        &self,
        status: Option<DeliveryStatus>,
        limit: usize,
    ) -> StoreResult<Vec<Delivery>> {
        self.call("deliveries")?;
        self.inner().deliveries(status, limit).await
    }
    async fn outbox_stats(&self) -> StoreResult<OutboxStats> {
        self.call("outbox_stats")?;
        self.inner().outbox_stats().await
    }
    async fn webhook_endpoints(&self) -> StoreResult<Vec<WebhookEndpoint>> {
        self.call("webhook_endpoints")?;
        self.inner().webhook_endpoints().await
    }
    async fn webhook_endpoint(
        &self,
        id: WebhookEndpointId,
    ) -> StoreResult<Option<WebhookEndpoint>> {
        self.call("webhook_endpoint")?;
        self.inner().webhook_endpoint(id).await
    }
}
