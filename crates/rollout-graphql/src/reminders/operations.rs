//! What operators see of the reminder machinery: `SchedulerStatus` (each rule's last and next
//! fire, missed ticks, the outbox's depth and its dead deliveries), `Delivery` (one e-mail or
//! webhook call of the outbox) and `WebhookEndpoint` (where webhook deliveries go; never its
//! secret, which only the payload that created or rotated it shows).

use async_graphql::{ID, Object, SimpleObject};
use rollout_domain::reminders as domain;
use rollout_domain::reminders::DeliveryTarget;

use super::enums::{DeliveryStatus, NotificationChannel, ReminderKind};
use super::rule::ReminderRule;
use crate::ids::{NodeType, global_id};
use crate::scalars::DateTime;

/// The scheduler at a glance.
#[derive(Debug, Clone, SimpleObject)]
pub struct SchedulerStatus {
    /// Every rule, by name.
    pub rules: Vec<RuleStatus>,
    /// Ticks missed over all rules.
    pub missed_ticks: i64,
    /// Deliveries waiting to be sent (due or waiting for a retry).
    pub outbox_depth: i64,
    /// When the oldest waiting delivery was queued.
    pub oldest_pending_at: Option<DateTime>,
    /// Deliveries out of attempts or refused for good (`deliveries(status: DEAD)`).
    pub dead_deliveries: i64,
}

impl From<rollout_app::reminders::SchedulerStatus> for SchedulerStatus {
    fn from(s: rollout_app::reminders::SchedulerStatus) -> Self {
        let (next, rows): (Vec<_>, Vec<_>) = s
            .rules
            .into_iter()
            .map(|r| (r.next_fire_at, r.rule))
            .unzip();
        let rules = ReminderRule::page(rows)
            .into_iter()
            .zip(next)
            .map(|(rule, next_fire_at)| RuleStatus {
                next_fire_at: next_fire_at.map(DateTime),
                last_fired_at: rule.row().last_fired_at.map(DateTime),
                missed_ticks: rule.row().missed_ticks,
                rule,
            })
            .collect();
        Self {
            rules,
            missed_ticks: s.missed_ticks,
            outbox_depth: s.outbox.pending,
            oldest_pending_at: s.outbox.oldest_pending_at.map(DateTime),
            dead_deliveries: s.outbox.dead,
        }
    }
}

/// One rule as the scheduler sees it.
#[derive(Debug, Clone, SimpleObject)]
pub struct RuleStatus {
    pub rule: ReminderRule,
    /// Its next effective tick; null while it is paused. In the past when ticks are waiting to
    /// be evaluated.
    pub next_fire_at: Option<DateTime>,
    pub last_fired_at: Option<DateTime>,
    pub missed_ticks: i64,
}

/// One message of the outbox: an e-mail or a webhook call, sent at least once under the same id.
#[derive(Debug, Clone)]
pub struct Delivery(pub(crate) domain::Delivery);

#[Object]
impl Delivery {
    /// Stable across retries: a webhook's `webhook-id` is derived from it.
    async fn id(&self) -> ID {
        global_id(NodeType::Delivery, self.0.id.as_uuid())
    }

    /// EMAIL or WEBHOOK.
    async fn channel(&self) -> NotificationChannel {
        match self.0.target {
            DeliveryTarget::Email { .. } => NotificationChannel::Email,
            DeliveryTarget::Webhook { .. } => NotificationChannel::Webhook,
        }
    }

    async fn status(&self) -> DeliveryStatus {
        self.0.status.into()
    }

    /// Attempts started so far.
    async fn attempts(&self) -> i32 {
        self.0.attempts
    }

    /// When the next attempt is due (for a PENDING delivery).
    async fn next_attempt_at(&self) -> DateTime {
        DateTime(self.0.next_attempt_at)
    }

    /// Why the last attempt failed.
    async fn last_error(&self) -> Option<&str> {
        self.0.last_error.as_deref()
    }

    async fn created_at(&self) -> DateTime {
        DateTime(self.0.created_at)
    }

    async fn delivered_at(&self) -> Option<DateTime> {
        self.0.delivered_at.map(DateTime)
    }

    /// Where it goes: the e-mail address, or the id of the `WebhookEndpoint` (whose URL only
    /// admins read, through `webhookEndpoints`).
    async fn recipient(&self) -> String {
        match &self.0.target {
            DeliveryTarget::Email { to, .. } => to.clone(),
            DeliveryTarget::Webhook { endpoint, .. } => {
                global_id(NodeType::WebhookEndpoint, endpoint.as_uuid()).0
            }
        }
    }
}

/// Where webhook deliveries go. Its signing secret is shown only by `createWebhookEndpoint`
/// and by `updateWebhookEndpoint` with `rotateSecret`, once.
#[derive(Debug, Clone)]
pub struct WebhookEndpoint(pub(crate) domain::WebhookEndpoint);

#[Object]
impl WebhookEndpoint {
    async fn id(&self) -> ID {
        global_id(NodeType::WebhookEndpoint, self.0.id.as_uuid())
    }

    async fn url(&self) -> &str {
        &self.0.url
    }

    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }

    /// The reminder kinds it receives; empty: all of them.
    async fn event_types(&self) -> async_graphql::Result<Vec<ReminderKind>> {
        self.0
            .event_types
            .iter()
            .map(|k| ReminderKind::parse(k))
            .collect()
    }

    async fn enabled(&self) -> bool {
        self.0.enabled
    }

    async fn created_at(&self) -> DateTime {
        DateTime(self.0.created_at)
    }

    async fn updated_at(&self) -> DateTime {
        DateTime(self.0.updated_at)
    }

    /// Give it back as `expectedVersion` when changing the endpoint.
    async fn version(&self) -> i32 {
        self.0.version
    }
}
