//! Row ↔ domain conversion for reminder rules, firings, notifications, deliveries, webhook
//! endpoints and the narrow rows the kinds read, in the encodings of [`crate::rows`] (lists as
//! JSON arrays). Column lists live beside the row structs that decode them, so the two cannot
//! drift.

use chrono::{DateTime, Utc};
use rollout_domain::reminders::{
    Channel, Delivery, DeliveryStatus, DeliveryTarget, Firing, Language, Notification, Recipients,
    ReminderKind, ReminderRule, ReminderScope, WebhookEndpoint,
};
use rollout_domain::{
    BureauId, DeliveryId, FiringId, NotificationId, ReminderRuleId, UserId, WebhookEndpointId,
};
use rollout_store::StoreResult;
use rollout_store::reminder_codec::{parse_holiday_policy, parse_lines, parse_misfire_policy};
use uuid::Uuid;

use crate::rows::{corrupt, parse_i32, parse_instant, parse_key, parse_uuid};

pub(crate) fn opt_instant(column: &str, raw: Option<String>) -> StoreResult<Option<DateTime<Utc>>> {
    raw.map(|raw| parse_instant(column, &raw)).transpose()
}

fn opt_uuid(column: &str, raw: Option<String>) -> StoreResult<Option<Uuid>> {
    raw.map(|raw| parse_uuid(column, &raw)).transpose()
}

fn strings(column: &str, raw: &str) -> StoreResult<Vec<String>> {
    serde_json::from_str(raw).map_err(|_| corrupt(column, raw))
}

fn uuids(column: &str, raw: &str) -> StoreResult<Vec<Uuid>> {
    strings(column, raw)?
        .iter()
        .map(|s| parse_uuid(column, s))
        .collect()
}

fn flag(column: &str, raw: i64) -> StoreResult<bool> {
    match raw {
        0 => Ok(false),
        1 => Ok(true),
        _ => Err(corrupt(column, &raw.to_string())),
    }
}

fn count_u32(column: &str, raw: i64) -> StoreResult<u32> {
    u32::try_from(raw).map_err(|_| corrupt(column, &raw.to_string()))
}

pub(crate) const RULE_COLUMNS: &str = "id, name, schedule, time_zone, kind, kind_days, \
     scope_bureaus, scope_states, priority_only, rcpt_assignee, rcpt_coordinators, rcpt_office, \
     rcpt_users, channels, holiday_policy, misfire_policy, quiet_days, enabled, cursor_at, \
     last_fired_at, last_tick_at, missed_ticks, created_by, created_at, updated_at, version";

#[derive(Debug, sqlx::FromRow)]
pub(crate) struct RuleRow {
    id: String,
    name: String,
    schedule: String,
    time_zone: String,
    kind: String,
    kind_days: Option<i64>,
    scope_bureaus: String,
    scope_states: String,
    priority_only: i64,
    rcpt_assignee: i64,
    rcpt_coordinators: i64,
    rcpt_office: i64,
    rcpt_users: String,
    channels: String,
    holiday_policy: String,
    misfire_policy: String,
    quiet_days: i64,
    enabled: i64,
    cursor_at: String,
    last_fired_at: Option<String>,
    last_tick_at: Option<String>,
    missed_ticks: i64,
    created_by: Option<String>,
    created_at: String,
    updated_at: String,
    version: i64,
}

impl RuleRow {
    pub(crate) fn into_domain(self) -> StoreResult<ReminderRule> {
        const T: &str = "reminder_rules";
        let kind = ReminderKind::from_parts(&self.kind, self.kind_days)
            .map_err(|_| corrupt(&format!("{T}.kind"), &self.kind))?;
        let channels = strings("reminder_rules.channels", &self.channels)?
            .iter()
            .map(|c| parse_key("reminder_rules.channels", c, Channel::parse))
            .collect::<StoreResult<_>>()?;
        Ok(ReminderRule {
            id: ReminderRuleId(parse_uuid("reminder_rules.id", &self.id)?),
            name: self.name,
            schedule: self.schedule,
            time_zone: self.time_zone,
            kind,
            scope: ReminderScope {
                bureaus: uuids("reminder_rules.scope_bureaus", &self.scope_bureaus)?
                    .into_iter()
                    .map(BureauId)
                    .collect(),
                states: strings("reminder_rules.scope_states", &self.scope_states)?,
                priority_only: flag("reminder_rules.priority_only", self.priority_only)?,
            },
            recipients: Recipients {
                assignee: flag("reminder_rules.rcpt_assignee", self.rcpt_assignee)?,
                bureau_coordinators: flag(
                    "reminder_rules.rcpt_coordinators",
                    self.rcpt_coordinators,
                )?,
                project_office: flag("reminder_rules.rcpt_office", self.rcpt_office)?,
                users: uuids("reminder_rules.rcpt_users", &self.rcpt_users)?
                    .into_iter()
                    .map(UserId)
                    .collect(),
            },
            channels,
            holiday_policy: parse_key(
                "reminder_rules.holiday_policy",
                &self.holiday_policy,
                parse_holiday_policy,
            )?,
            misfire_policy: parse_key(
                "reminder_rules.misfire_policy",
                &self.misfire_policy,
                parse_misfire_policy,
            )?,
            quiet_days: count_u32("reminder_rules.quiet_days", self.quiet_days)?,
            enabled: flag("reminder_rules.enabled", self.enabled)?,
            cursor: parse_instant("reminder_rules.cursor_at", &self.cursor_at)?,
            last_fired_at: opt_instant("reminder_rules.last_fired_at", self.last_fired_at)?,
            last_tick: opt_instant("reminder_rules.last_tick_at", self.last_tick_at)?,
            missed_ticks: self.missed_ticks,
            created_by: opt_uuid("reminder_rules.created_by", self.created_by)?.map(UserId),
            created_at: parse_instant("reminder_rules.created_at", &self.created_at)?,
            updated_at: parse_instant("reminder_rules.updated_at", &self.updated_at)?,
            version: parse_i32("reminder_rules.version", self.version)?,
        })
    }
}

pub(crate) const FIRING_COLUMNS: &str =
    "id, rule_id, tick_at, fired_at, items, recipients, deliveries, attempt";

#[derive(Debug, sqlx::FromRow)]
pub(crate) struct FiringRow {
    id: String,
    rule_id: String,
    tick_at: String,
    fired_at: String,
    items: i64,
    recipients: i64,
    deliveries: i64,
    attempt: i64,
}

impl FiringRow {
    pub(crate) fn into_domain(self) -> StoreResult<Firing> {
        Ok(Firing {
            id: FiringId(parse_uuid("reminder_firings.id", &self.id)?),
            rule_id: ReminderRuleId(parse_uuid("reminder_firings.rule_id", &self.rule_id)?),
            tick_at: parse_instant("reminder_firings.tick_at", &self.tick_at)?,
            fired_at: parse_instant("reminder_firings.fired_at", &self.fired_at)?,
            items: self.items,
            recipients: self.recipients,
            deliveries: self.deliveries,
            attempt: parse_i32("reminder_firings.attempt", self.attempt)?,
        })
    }
}

pub(crate) const NOTIFICATION_COLUMNS: &str = "id, user_id, rule_id, firing_id, kind, language, \
     subject, body, lines, created_at, read_at";

#[derive(Debug, sqlx::FromRow)]
pub(crate) struct NotificationRow {
    id: String,
    user_id: String,
    rule_id: String,
    firing_id: String,
    kind: String,
    language: String,
    subject: String,
    body: String,
    lines: String,
    created_at: String,
    read_at: Option<String>,
}

impl NotificationRow {
    pub(crate) fn into_domain(self) -> StoreResult<Notification> {
        Ok(Notification {
            id: NotificationId(parse_uuid("notifications.id", &self.id)?),
            user_id: UserId(parse_uuid("notifications.user_id", &self.user_id)?),
            rule_id: ReminderRuleId(parse_uuid("notifications.rule_id", &self.rule_id)?),
            firing_id: FiringId(parse_uuid("notifications.firing_id", &self.firing_id)?),
            kind: self.kind,
            language: parse_key("notifications.language", &self.language, Language::parse)?,
            subject: self.subject,
            body: self.body,
            lines: parse_key("notifications.lines", &self.lines, parse_lines)?,
            created_at: parse_instant("notifications.created_at", &self.created_at)?,
            read_at: opt_instant("notifications.read_at", self.read_at)?,
        })
    }
}

pub(crate) const DELIVERY_COLUMNS: &str = "id, firing_id, channel, email_to, email_to_name, \
     subject, body, endpoint_id, event_type, status, attempts, next_attempt_at, lease_until, \
     last_error, created_at, delivered_at";

#[derive(Debug, sqlx::FromRow)]
pub(crate) struct DeliveryRow {
    id: String,
    firing_id: Option<String>,
    channel: String,
    email_to: Option<String>,
    email_to_name: Option<String>,
    subject: Option<String>,
    body: String,
    endpoint_id: Option<String>,
    event_type: Option<String>,
    status: String,
    attempts: i64,
    next_attempt_at: String,
    lease_until: Option<String>,
    last_error: Option<String>,
    created_at: String,
    delivered_at: Option<String>,
}

/// The columns a delivery's target fills: (channel, email_to, email_to_name, subject, body,
/// endpoint_id, event_type).
pub(crate) type TargetColumns<'a> = (
    &'static str,
    Option<&'a str>,
    Option<&'a str>,
    Option<&'a str>,
    &'a str,
    Option<String>,
    Option<&'a str>,
);

pub(crate) fn target_columns(d: &Delivery) -> TargetColumns<'_> {
    match &d.target {
        DeliveryTarget::Email {
            to,
            to_name,
            subject,
            body,
        } => (
            "EMAIL",
            Some(to),
            to_name.as_deref(),
            Some(subject),
            body,
            None,
            None,
        ),
        DeliveryTarget::Webhook {
            endpoint,
            event_type,
            payload,
        } => (
            "WEBHOOK",
            None,
            None,
            None,
            payload,
            Some(crate::rows::uuid(endpoint.0)),
            Some(event_type),
        ),
    }
}

impl DeliveryRow {
    pub(crate) fn into_domain(self) -> StoreResult<Delivery> {
        let missing = |column: &str| corrupt(column, "NULL");
        let target = match self.channel.as_str() {
            "EMAIL" => DeliveryTarget::Email {
                to: self
                    .email_to
                    .ok_or_else(|| missing("deliveries.email_to"))?,
                to_name: self.email_to_name,
                subject: self.subject.ok_or_else(|| missing("deliveries.subject"))?,
                body: self.body,
            },
            "WEBHOOK" => DeliveryTarget::Webhook {
                endpoint: WebhookEndpointId(parse_uuid(
                    "deliveries.endpoint_id",
                    self.endpoint_id
                        .as_deref()
                        .ok_or_else(|| missing("deliveries.endpoint_id"))?,
                )?),
                event_type: self
                    .event_type
                    .ok_or_else(|| missing("deliveries.event_type"))?,
                payload: self.body,
            },
            other => return Err(corrupt("deliveries.channel", other)),
        };
        Ok(Delivery {
            id: DeliveryId(parse_uuid("deliveries.id", &self.id)?),
            firing_id: opt_uuid("deliveries.firing_id", self.firing_id)?.map(FiringId),
            target,
            status: parse_key("deliveries.status", &self.status, DeliveryStatus::parse)?,
            attempts: parse_i32("deliveries.attempts", self.attempts)?,
            next_attempt_at: parse_instant("deliveries.next_attempt_at", &self.next_attempt_at)?,
            lease_until: opt_instant("deliveries.lease_until", self.lease_until)?,
            last_error: self.last_error,
            created_at: parse_instant("deliveries.created_at", &self.created_at)?,
            delivered_at: opt_instant("deliveries.delivered_at", self.delivered_at)?,
        })
    }
}

pub(crate) const ENDPOINT_COLUMNS: &str = "id, url, description, event_types, secret, \
     previous_secret, previous_secret_expires_at, enabled, created_at, updated_at, version";

#[derive(Debug, sqlx::FromRow)]
pub(crate) struct EndpointRow {
    id: String,
    url: String,
    description: Option<String>,
    event_types: String,
    secret: String,
    previous_secret: Option<String>,
    previous_secret_expires_at: Option<String>,
    enabled: i64,
    created_at: String,
    updated_at: String,
    version: i64,
}

impl EndpointRow {
    pub(crate) fn into_domain(self) -> StoreResult<WebhookEndpoint> {
        Ok(WebhookEndpoint {
            id: WebhookEndpointId(parse_uuid("webhook_endpoints.id", &self.id)?),
            url: self.url,
            description: self.description,
            event_types: strings("webhook_endpoints.event_types", &self.event_types)?,
            secret: self.secret,
            previous_secret: self.previous_secret,
            previous_secret_expires_at: opt_instant(
                "webhook_endpoints.previous_secret_expires_at",
                self.previous_secret_expires_at,
            )?,
            enabled: flag("webhook_endpoints.enabled", self.enabled)?,
            created_at: parse_instant("webhook_endpoints.created_at", &self.created_at)?,
            updated_at: parse_instant("webhook_endpoints.updated_at", &self.updated_at)?,
            version: parse_i32("webhook_endpoints.version", self.version)?,
        })
    }
}
