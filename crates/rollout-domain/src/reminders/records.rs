//! What a firing leaves behind, as stored: the firing itself (unique per rule and tick), the
//! in-app notifications (one per recipient), the outbox deliveries (e-mails and webhook calls,
//! sent at least once), snoozes and the webhook endpoints deliveries go to.

use chrono::{DateTime, NaiveDate, Utc};

use super::digest::Language;
use crate::{DeliveryId, FiringId, NotificationId, ReminderRuleId, UserId, WebhookEndpointId};

/// One rule's tick, fired once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Firing {
    pub id: FiringId,
    pub rule_id: ReminderRuleId,
    /// The scheduled instant (after the holiday policy), the unique key with the rule.
    pub tick_at: DateTime<Utc>,
    pub fired_at: DateTime<Utc>,
    pub items: i64,
    pub recipients: i64,
    pub deliveries: i64,
    /// The lease attempt that fired it.
    pub attempt: i32,
}

/// One line of a notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotificationLine {
    pub key: String,
    pub reference: String,
    pub title: String,
    pub date: Option<NaiveDate>,
    pub days: i64,
}

/// One recipient's digest of one firing, readable in the app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    pub id: NotificationId,
    pub user_id: UserId,
    pub rule_id: ReminderRuleId,
    pub firing_id: FiringId,
    pub kind: String,
    pub language: Language,
    pub subject: String,
    pub body: String,
    pub lines: Vec<NotificationLine>,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
}

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryStatus {
    Pending,
    Delivered,
    /// Out of attempts or refused for good; an operator may retry it.
    Dead,
}

impl DeliveryStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "PENDING",
            Self::Delivered => "DELIVERED",
            Self::Dead => "DEAD",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Pending, Self::Delivered, Self::Dead]
            .into_iter()
            .find(|x| x.as_str() == s)
    }
}

/// What a delivery carries and where to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeliveryTarget {
    Email {
        to: String,
        to_name: Option<String>,
        subject: String,
        body: String,
    },
    /// A webhook call: the endpoint's URL and secrets are read when it is sent, so a rotated
    /// secret applies to retries too. `payload` is the JSON body.
    Webhook {
        endpoint: WebhookEndpointId,
        event_type: String,
        payload: String,
    },
}

/// One message in the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// Stable across retries: the webhook's `webhook-id`, the e-mail's Message-ID seed.
    pub id: DeliveryId,
    pub firing_id: Option<FiringId>,
    pub target: DeliveryTarget,
    pub status: DeliveryStatus,
    /// Attempts started so far; a claim takes the next number.
    pub attempts: i32,
    pub next_attempt_at: DateTime<Utc>,
    pub lease_until: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub delivered_at: Option<DateTime<Utc>>,
}

impl Delivery {
    pub fn channel(&self) -> &'static str {
        match self.target {
            DeliveryTarget::Email { .. } => "EMAIL",
            DeliveryTarget::Webhook { .. } => "WEBHOOK",
        }
    }
}

/// A person's snooze of one item until a date (inclusive).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snooze {
    pub user_id: UserId,
    pub item_key: String,
    pub until: NaiveDate,
    pub created_at: DateTime<Utc>,
}

/// Where webhook deliveries go. `Debug` hides the secrets: endpoints travel through `tracing`
/// fields and error messages, which end up in log lines.
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookEndpoint {
    pub id: WebhookEndpointId,
    pub url: String,
    pub description: Option<String>,
    /// Reminder kinds it receives (empty: all).
    pub event_types: Vec<String>,
    /// `whsec_…`; shown once, when created or rotated.
    pub secret: String,
    /// The secret before the last rotation, still signed with until it expires.
    pub previous_secret: Option<String>,
    pub previous_secret_expires_at: Option<DateTime<Utc>>,
    pub enabled: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

impl std::fmt::Debug for WebhookEndpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        const HIDDEN: &str = "<redacted>";
        f.debug_struct("WebhookEndpoint")
            .field("id", &self.id)
            .field("url", &self.url)
            .field("description", &self.description)
            .field("event_types", &self.event_types)
            .field("secret", &HIDDEN)
            .field(
                "previous_secret",
                &self.previous_secret.as_ref().map(|_| HIDDEN),
            )
            .field(
                "previous_secret_expires_at",
                &self.previous_secret_expires_at,
            )
            .field("enabled", &self.enabled)
            .field("created_at", &self.created_at)
            .field("updated_at", &self.updated_at)
            .field("version", &self.version)
            .finish()
    }
}

impl WebhookEndpoint {
    /// Whether it receives events of this reminder kind.
    pub fn wants(&self, kind: &str) -> bool {
        self.enabled && (self.event_types.is_empty() || self.event_types.iter().any(|k| k == kind))
    }

    /// The secrets to sign with at `now`: the current one, and the previous one while valid.
    pub fn signing_secrets(&self, now: DateTime<Utc>) -> Vec<&str> {
        let mut out = vec![self.secret.as_str()];
        if let (Some(prev), Some(until)) = (&self.previous_secret, self.previous_secret_expires_at)
            && until > now
        {
            out.push(prev);
        }
        out
    }
}
