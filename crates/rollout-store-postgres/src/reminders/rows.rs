//! Decoding reminder rules, firings, notifications, deliveries and webhook endpoints. Column
//! lists live here beside their decoders, as in [`crate::rows`], whose helpers report unknown
//! keys and malformed values as corrupt data naming the column.

use rollout_domain::reminders::{
    Channel, Delivery, DeliveryStatus, DeliveryTarget, Firing, Language, Notification, Recipients,
    ReminderKind, ReminderRule, ReminderScope, WebhookEndpoint,
};
use rollout_domain::{
    BureauId, DeliveryId, FiringId, NotificationId, ReminderRuleId, UserId, WebhookEndpointId,
};
use rollout_store::StoreResult;
use rollout_store::reminder_codec::{parse_holiday_policy, parse_lines, parse_misfire_policy};
use sqlx::postgres::PgRow;
use uuid::Uuid;

use crate::rows::{corrupt, get, keyed, parsed};

pub(crate) const RULE_COLUMNS: &str = "id, name, schedule, time_zone, kind, kind_days, \
     scope_bureaus, scope_states, priority_only, rcpt_assignee, rcpt_coordinators, rcpt_office, \
     rcpt_users, channels, holiday_policy, misfire_policy, quiet_days, enabled, cursor_at, \
     last_fired_at, last_tick_at, missed_ticks, created_by, created_at, updated_at, version";

pub(crate) fn rule(row: &PgRow) -> StoreResult<ReminderRule> {
    const T: &str = "reminder_rules";
    let kind_name: String = get(row, "kind")?;
    let days: Option<i32> = get(row, "kind_days")?;
    let kind = ReminderKind::from_parts(&kind_name, days.map(i64::from))
        .map_err(|_| corrupt(T, "kind", &kind_name))?;
    let channels = get::<Vec<String>>(row, "channels")?
        .iter()
        .map(|c| Channel::parse(c).ok_or_else(|| corrupt(T, "channels", c)))
        .collect::<StoreResult<_>>()?;
    let quiet: i32 = get(row, "quiet_days")?;
    Ok(ReminderRule {
        id: ReminderRuleId(get(row, "id")?),
        name: get(row, "name")?,
        schedule: get(row, "schedule")?,
        time_zone: get(row, "time_zone")?,
        kind,
        scope: ReminderScope {
            bureaus: get::<Vec<Uuid>>(row, "scope_bureaus")?
                .into_iter()
                .map(BureauId)
                .collect(),
            states: get(row, "scope_states")?,
            priority_only: get(row, "priority_only")?,
        },
        recipients: Recipients {
            assignee: get(row, "rcpt_assignee")?,
            bureau_coordinators: get(row, "rcpt_coordinators")?,
            project_office: get(row, "rcpt_office")?,
            users: get::<Vec<Uuid>>(row, "rcpt_users")?
                .into_iter()
                .map(UserId)
                .collect(),
        },
        channels,
        holiday_policy: parsed(row, T, "holiday_policy", keyed(parse_holiday_policy))?,
        misfire_policy: parsed(row, T, "misfire_policy", keyed(parse_misfire_policy))?,
        quiet_days: u32::try_from(quiet)
            .map_err(|_| corrupt(T, "quiet_days", &quiet.to_string()))?,
        enabled: get(row, "enabled")?,
        cursor: get(row, "cursor_at")?,
        last_fired_at: get(row, "last_fired_at")?,
        last_tick: get(row, "last_tick_at")?,
        missed_ticks: get(row, "missed_ticks")?,
        created_by: get::<Option<Uuid>>(row, "created_by")?.map(UserId),
        created_at: get(row, "created_at")?,
        updated_at: get(row, "updated_at")?,
        version: get(row, "version")?,
    })
}

pub(crate) const FIRING_COLUMNS: &str =
    "id, rule_id, tick_at, fired_at, items, recipients, deliveries, attempt";

pub(crate) fn firing(row: &PgRow) -> StoreResult<Firing> {
    Ok(Firing {
        id: FiringId(get(row, "id")?),
        rule_id: ReminderRuleId(get(row, "rule_id")?),
        tick_at: get(row, "tick_at")?,
        fired_at: get(row, "fired_at")?,
        items: get(row, "items")?,
        recipients: get(row, "recipients")?,
        deliveries: get(row, "deliveries")?,
        attempt: get(row, "attempt")?,
    })
}

/// `lines` is selected as text, so that its decoding is the shared codec's.
pub(crate) const NOTIFICATION_COLUMNS: &str = "id, user_id, rule_id, firing_id, kind, language, \
     subject, body, lines::text AS lines, created_at, read_at";

pub(crate) fn notification(row: &PgRow) -> StoreResult<Notification> {
    const T: &str = "notifications";
    Ok(Notification {
        id: NotificationId(get(row, "id")?),
        user_id: UserId(get(row, "user_id")?),
        rule_id: ReminderRuleId(get(row, "rule_id")?),
        firing_id: FiringId(get(row, "firing_id")?),
        kind: get(row, "kind")?,
        language: parsed(row, T, "language", keyed(Language::parse))?,
        subject: get(row, "subject")?,
        body: get(row, "body")?,
        lines: parsed(row, T, "lines", keyed(parse_lines))?,
        created_at: get(row, "created_at")?,
        read_at: get(row, "read_at")?,
    })
}

pub(crate) const DELIVERY_COLUMNS: &str = "id, firing_id, channel, email_to, email_to_name, \
     subject, body, endpoint_id, event_type, status, attempts, next_attempt_at, lease_until, \
     last_error, created_at, delivered_at";

pub(crate) fn delivery(row: &PgRow) -> StoreResult<Delivery> {
    const T: &str = "deliveries";
    let missing = |column: &str| corrupt(T, column, "NULL");
    let channel: String = get(row, "channel")?;
    let target = match channel.as_str() {
        "EMAIL" => DeliveryTarget::Email {
            to: get::<Option<String>>(row, "email_to")?.ok_or_else(|| missing("email_to"))?,
            to_name: get(row, "email_to_name")?,
            subject: get::<Option<String>>(row, "subject")?.ok_or_else(|| missing("subject"))?,
            body: get(row, "body")?,
        },
        "WEBHOOK" => DeliveryTarget::Webhook {
            endpoint: WebhookEndpointId(
                get::<Option<Uuid>>(row, "endpoint_id")?.ok_or_else(|| missing("endpoint_id"))?,
            ),
            event_type: get::<Option<String>>(row, "event_type")?
                .ok_or_else(|| missing("event_type"))?,
            payload: get(row, "body")?,
        },
        other => return Err(corrupt(T, "channel", other)),
    };
    Ok(Delivery {
        id: DeliveryId(get(row, "id")?),
        firing_id: get::<Option<Uuid>>(row, "firing_id")?.map(FiringId),
        target,
        status: parsed(row, T, "status", keyed(DeliveryStatus::parse))?,
        attempts: get(row, "attempts")?,
        next_attempt_at: get(row, "next_attempt_at")?,
        lease_until: get(row, "lease_until")?,
        last_error: get(row, "last_error")?,
        created_at: get(row, "created_at")?,
        delivered_at: get(row, "delivered_at")?,
    })
}

pub(crate) const ENDPOINT_COLUMNS: &str = "id, url, description, event_types, secret, \
     previous_secret, previous_secret_expires_at, enabled, created_at, updated_at, version";

pub(crate) fn endpoint(row: &PgRow) -> StoreResult<WebhookEndpoint> {
    Ok(WebhookEndpoint {
        id: WebhookEndpointId(get(row, "id")?),
        url: get(row, "url")?,
        description: get(row, "description")?,
        event_types: get(row, "event_types")?,
        secret: get(row, "secret")?,
        previous_secret: get(row, "previous_secret")?,
        previous_secret_expires_at: get(row, "previous_secret_expires_at")?,
        enabled: get(row, "enabled")?,
        created_at: get(row, "created_at")?,
        updated_at: get(row, "updated_at")?,
        version: get(row, "version")?,
    })
}
