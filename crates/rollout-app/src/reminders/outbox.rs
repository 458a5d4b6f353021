//! The outbox, seen from the app: the scheduler's delivery worker claims due deliveries,
//! resolves a webhook's endpoint (URL and the secrets valid now) and records each attempt's
//! outcome under the attempt number its claim took; operators see the scheduler's status, list
//! failed deliveries and put a dead one back (`Action::OperateScheduler`, audited).

use chrono::{DateTime, Duration, Utc};
use rollout_domain::DeliveryId;
use rollout_domain::authz::Action;
use rollout_domain::reminders::ReminderRule;
use rollout_domain::reminders::records::{Delivery, DeliveryStatus, WebhookEndpoint};
use rollout_store::{OutboxStats, Write};
use serde_json::json;

use super::timing_glue::{next_fire_times, schedule_of};
use crate::audit::Target;
use crate::{Actor, App, AppError, AppResult};

/// How long a claimed delivery is held before another worker may take it over.
pub const DELIVERY_LEASE: Duration = Duration::seconds(60);

/// One rule as the status shows it.
#[derive(Debug, Clone)]
pub struct RuleStatus {
    pub rule: ReminderRule,
    pub next_fire_at: Option<DateTime<Utc>>,
}

/// `schedulerStatus`.
#[derive(Debug, Clone)]
pub struct SchedulerStatus {
    pub rules: Vec<RuleStatus>,
    pub outbox: OutboxStats,
    pub missed_ticks: i64,
}

impl App {
    /// Claims up to `limit` due deliveries for this worker.
    pub async fn claim_deliveries(&self, limit: usize) -> AppResult<Vec<Delivery>> {
        let now = self.now();
        Ok(self
            .store()
            .claim_deliveries(now, now + DELIVERY_LEASE, limit)
            .await?)
    }

    pub async fn webhook_endpoint_for_delivery(
        &self,
        id: rollout_domain::WebhookEndpointId,
    ) -> AppResult<Option<WebhookEndpoint>> {
        Ok(self.store().webhook_endpoint(id).await?)
    }

    /// Records a delivered attempt; `false` when the claim was stale (another worker took over).
    pub async fn delivery_succeeded(&self, id: DeliveryId, attempt: i32) -> AppResult<bool> {
        Ok(self
            .store()
            .complete_delivery(id, attempt, self.now())
            .await?)
    }

    /// Records a failed attempt: retried at `retry_at`, or DEAD when `None`.
    pub async fn delivery_failed(
        &self,
        id: DeliveryId,
        attempt: i32,
        error: &str,
        retry_at: Option<DateTime<Utc>>,
    ) -> AppResult<bool> {
        let error: String = error.chars().take(500).collect();
        Ok(self
            .store()
            .fail_delivery(id, attempt, &error, retry_at)
            .await?)
    }

    /// When the earliest pending delivery is due, for the worker's sleep.
    pub async fn next_delivery_due(&self) -> AppResult<Option<DateTime<Utc>>> {
        Ok(self.store().outbox_stats().await?.next_attempt_at)
    }

    /// The earliest next fire time over the enabled rules (after their cursors and `now`).
    pub async fn next_fire_time(&self) -> AppResult<Option<DateTime<Utc>>> {
        let now = self.now();
        let rules = self.store().reminder_rules().await?;
        Ok(rules
            .iter()
            .filter(|r| r.enabled)
            .filter_map(|r| next_fire_of(r, now))
            .min())
    }

    pub async fn scheduler_status(&self, actor: &Actor) -> AppResult<SchedulerStatus> {
        self.require_quietly(actor, Action::OperateScheduler)?;
        let now = self.now();
        let rules = self.store().reminder_rules().await?;
        let missed_ticks = rules.iter().map(|r| r.missed_ticks).sum();
        let outbox = self.store().outbox_stats().await?;
        let rules = rules
            .into_iter()
            .map(|rule| RuleStatus {
                next_fire_at: rule.enabled.then(|| next_fire_of(&rule, now)).flatten(),
                rule,
            })
            .collect();
        Ok(SchedulerStatus {
            rules,
            outbox,
            missed_ticks,
        })
    }

    /// Deliveries with a status (DEAD by default in the API), newest first.
    pub async fn deliveries(
        &self,
        actor: &Actor,
        status: Option<DeliveryStatus>,
        first: usize,
    ) -> AppResult<Vec<Delivery>> {
        self.require_quietly(actor, Action::OperateScheduler)?;
        if first > 100 {
            return Err(AppError::validation(
                "first",
                "at most 100 deliveries per page",
            ));
        }
        Ok(self.store().deliveries(status, first).await?)
    }

    /// Puts a DEAD delivery back in the queue, due now, under the same id.
    pub async fn retry_delivery(&self, actor: &Actor, id: DeliveryId) -> AppResult<Delivery> {
        let target = Target::new("Delivery", id);
        self.require(actor, Action::OperateScheduler, "delivery.retry", &target)
            .await?;
        let before = self
            .store()
            .delivery(id)
            .await?
            .ok_or_else(|| no_delivery(id))?;
        if before.status != DeliveryStatus::Dead {
            return Err(AppError::validation(
                "id",
                format!(
                    "only a DEAD delivery can be retried; this one is {}",
                    before.status.as_str()
                ),
            ));
        }
        let now = self.now();
        let audit = self.audit_entry(
            actor,
            "delivery.retry",
            &target,
            Some(json!({"status": "DEAD", "attempts": before.attempts, "lastError": before.last_error})),
            Some(json!({"status": "PENDING"})),
        );
        self.store()
            .commit(&[Write::RetryDelivery { id, now }, Write::Audit(audit)])
            .await
            .map_err(|e| AppError::from(e.error))?;
        self.wake_scheduler();
        let after = self
            .store()
            .delivery(id)
            .await?
            .ok_or_else(|| no_delivery(id))?;
        Ok(after)
    }
}

fn no_delivery(id: DeliveryId) -> AppError {
    AppError::NotFound {
        entity: "delivery",
        key: id.to_string(),
    }
}

/// A rule's next fire time: the first effective tick after its cursor (in the past when ticks
/// are waiting to be handled: the scheduler then evaluates at once) or, for the status, after
/// `now` when the cursor is behind.
pub fn next_fire_of(rule: &ReminderRule, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let schedule = schedule_of(rule).ok()?;
    let after = rule.cursor.max(now - super::timing_glue::GRACE);
    next_fire_times(&schedule, rule.holiday_policy, after, 1)
        .into_iter()
        .next()
}
