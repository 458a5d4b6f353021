//! Builders for the reminder values the contract cases store: rules, firings, notifications,
//! deliveries and webhook endpoints, with fresh ids and fixed, microsecond-precise times. Like
//! [`super::fixtures`] they decide nothing: the store records whatever the app planned.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use rollout_domain::reminders::{
    Channel, Delivery, DeliveryStatus, DeliveryTarget, Firing, HolidayPolicy, Language,
    MisfirePolicy, Notification, NotificationLine, Recipients, ReminderKind, ReminderRule,
    ReminderScope, WebhookEndpoint,
};
use rollout_domain::{
    BureauId, DeliveryId, FiringId, NotificationId, ReminderRuleId, UserId, WebhookEndpointId,
};
use uuid::Uuid;

use super::fixtures::{at, date};
use crate::{Store, Write};

/// A version-1 enabled rule named `name` (tasks due within 3 days, to assignees and two named
/// users, in-app and by e-mail), its cursor at `created`.
pub fn rule(name: &str, created: DateTime<Utc>) -> ReminderRule {
    ReminderRule {
        id: ReminderRuleId(Uuid::now_v7()),
        name: name.to_owned(),
        schedule: "0 9 * * 1-5".to_owned(),
        time_zone: "Asia/Tokyo".to_owned(),
        kind: ReminderKind::TaskDueSoon { days: 3 },
        scope: ReminderScope {
            bureaus: vec![BureauId(Uuid::now_v7()), BureauId(Uuid::now_v7())],
            states: vec!["hearing".to_owned(), "scheduled".to_owned()],
            priority_only: true,
        },
        recipients: Recipients {
            assignee: true,
            bureau_coordinators: false,
            project_office: true,
            users: vec![UserId(Uuid::now_v7())],
        },
        channels: vec![Channel::InApp, Channel::Email],
        holiday_policy: HolidayPolicy::NextBusinessDay,
        misfire_policy: MisfirePolicy::FireAll,
        quiet_days: 7,
        enabled: true,
        cursor: created,
        last_fired_at: None,
        last_tick: None,
        missed_ticks: 0,
        created_by: None,
        created_at: created,
        updated_at: created,
        version: 1,
    }
}

/// Stores `r` in a batch of its own.
pub async fn seed_rule(store: &Arc<dyn Store>, r: &ReminderRule) {
    store
        .commit(&[Write::InsertReminderRule(r.clone())])
        .await
        .unwrap();
}

/// A stored rule with one stored firing (tick at 50 s), for what a firing leaves behind.
pub async fn seed_firing(store: &Arc<dyn Store>) -> Firing {
    let r = rule("outbox", at(0, 0));
    seed_rule(store, &r).await;
    let f = firing(r.id, at(50, 0), 1);
    store
        .commit(&[Write::InsertFiring(f.clone())])
        .await
        .unwrap();
    f
}

/// `rule`'s firing of `tick`, fired a second later under `attempt`.
pub fn firing(rule: ReminderRuleId, tick: DateTime<Utc>, attempt: i32) -> Firing {
    Firing {
        id: FiringId(Uuid::now_v7()),
        rule_id: rule,
        tick_at: tick,
        fired_at: tick + chrono::Duration::seconds(1),
        items: 2,
        recipients: 1,
        deliveries: 1,
        attempt,
    }
}

/// An unread Japanese notification of `f` for `user`, created at `created`, with two lines.
pub fn notification(f: &Firing, user: UserId, created: DateTime<Utc>) -> Notification {
    Notification {
        id: NotificationId(Uuid::now_v7()),
        user_id: user,
        rule_id: f.rule_id,
        firing_id: f.id,
        kind: "TASK_DUE_SOON".to_owned(),
        language: Language::Ja,
        subject: "期限が近いタスク (2件)".to_owned(),
        body: "次のタスクの期限が近づいています。".to_owned(),
        lines: vec![
            NotificationLine {
                key: "task:1".to_owned(),
                reference: "KANKYO-0001".to_owned(),
                title: "書式の確認".to_owned(),
                date: Some(date(2025, 4, 3)),
                days: 2,
            },
            NotificationLine {
                key: "task:2".to_owned(),
                reference: "KANKYO-0002".to_owned(),
                title: "\"引用\" と改行\nを含む".to_owned(),
                date: None,
                days: 0,
            },
        ],
        created_at: created,
        read_at: None,
    }
}

/// A PENDING e-mail of `firing`, never tried, due at `due`, created at `created`.
pub fn email(firing: Option<FiringId>, due: DateTime<Utc>, created: DateTime<Utc>) -> Delivery {
    Delivery {
        id: DeliveryId(Uuid::now_v7()),
        firing_id: firing,
        target: DeliveryTarget::Email {
            to: "kato@metro.tokyo.lg.jp".to_owned(),
            to_name: Some("加藤".to_owned()),
            subject: "期限が近いタスク".to_owned(),
            body: "本文".to_owned(),
        },
        status: DeliveryStatus::Pending,
        attempts: 0,
        next_attempt_at: due,
        lease_until: None,
        last_error: None,
        created_at: created,
        delivered_at: None,
    }
}

/// A PENDING webhook call to `endpoint`, due at `created`.
pub fn webhook_call(endpoint: WebhookEndpointId, created: DateTime<Utc>) -> Delivery {
    Delivery {
        target: DeliveryTarget::Webhook {
            endpoint,
            event_type: "reminder.fired".to_owned(),
            payload: r#"{"type":"reminder.fired","items":2}"#.to_owned(),
        },
        ..email(None, created, created)
    }
}

/// A version-1 enabled endpoint receiving two kinds.
pub fn endpoint(created: DateTime<Utc>) -> WebhookEndpoint {
    WebhookEndpoint {
        id: WebhookEndpointId(Uuid::now_v7()),
        url: "https://hooks.example.jp/rollout".to_owned(),
        description: Some("チャット通知".to_owned()),
        event_types: vec!["TASK_OVERDUE".to_owned(), "APPROVAL_PENDING".to_owned()],
        secret: "whsec_c2VjcmV0".to_owned(),
        previous_secret: None,
        previous_secret_expires_at: None,
        enabled: true,
        created_at: created,
        updated_at: created,
        version: 1,
    }
}
