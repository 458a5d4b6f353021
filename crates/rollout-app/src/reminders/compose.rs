//! What one firing writes: its row, one in-app notification per recipient (in their language),
//! one e-mail per recipient when the rule mails and e-mail is configured, one webhook call per
//! endpoint that subscribes to the rule's kind, and the quiet-period record. Snoozed items and
//! items within the quiet period are left out per person before the digests are made.

use std::collections::HashSet;

use chrono::{DateTime, Duration, Utc};
use rollout_domain::reminders::records::{
    Delivery, DeliveryStatus, DeliveryTarget, Firing, Notification, NotificationLine,
};
use rollout_domain::reminders::{
    Channel, Language, Person, ReminderItem, ReminderRule, Suppressed, digests, render,
};
use rollout_domain::{DeliveryId, NotificationId};
use rollout_store::Write;
use serde_json::json;

use super::fire::new_firing_id;
use crate::{App, AppResult, TOKYO, new_uuid};

fn line(item: &ReminderItem, lang: Language) -> NotificationLine {
    let title = match lang {
        Language::En => item
            .title_en
            .clone()
            .unwrap_or_else(|| item.title_ja.clone()),
        Language::Ja => item.title_ja.clone(),
    };
    NotificationLine {
        key: item.key(),
        reference: item.reference.clone(),
        title,
        date: item.date,
        days: item.days,
    }
}

impl App {
    /// The writes of `rule`'s firing at `tick` (the firing row first).
    pub(crate) async fn firing_writes(
        &self,
        rule: &ReminderRule,
        tick: DateTime<Utc>,
        now: DateTime<Utc>,
        attempt: i32,
        people: &[Person],
    ) -> AppResult<(Firing, Vec<Write>)> {
        let store = self.store();
        let items = self.select_items(rule, tick).await?;
        let today = tick.with_timezone(&TOKYO).date_naive();
        let mut suppressed = Suppressed::default();
        if !items.is_empty() {
            suppressed.keys.extend(store.snoozed(today).await?);
            if rule.quiet_days > 0 {
                // Quiet for N days: told at T, told again from T + N days on (not before).
                let since =
                    tick - Duration::days(i64::from(rule.quiet_days)) + Duration::microseconds(1);
                suppressed
                    .keys
                    .extend(store.reminded_since(rule.id, since).await?);
            }
        }
        let shares = digests(&rule.recipients, &items, people, &suppressed);
        let firing_id = new_firing_id();
        let by_id: std::collections::HashMap<_, _> = people.iter().map(|p| (p.id, p)).collect();
        let mut notifications = Vec::new();
        let mut deliveries = Vec::new();
        let mut reminded = Vec::new();
        let mailing = rule.channels.contains(&Channel::Email) && self.settings().email_enabled;
        for share in &shares {
            let Some(person) = by_id.get(&share.user) else {
                continue;
            };
            let lang = person.language;
            let mine: Vec<&ReminderItem> = share.items.iter().map(|&i| &items[i]).collect();
            let text = render(&rule.name, rule.kind, today, &mine, lang);
            if rule.quiet_days > 0 {
                reminded.extend(mine.iter().map(|i| (person.id, i.key())));
            }
            if rule.channels.contains(&Channel::InApp) {
                notifications.push(Notification {
                    id: NotificationId(new_uuid()),
                    user_id: person.id,
                    rule_id: rule.id,
                    firing_id,
                    kind: rule.kind.name().to_owned(),
                    language: lang,
                    subject: text.subject.clone(),
                    body: text.body.clone(),
                    lines: mine.iter().map(|i| line(i, lang)).collect(),
                    created_at: now,
                    read_at: None,
                });
            }
            if mailing {
                deliveries.push(pending(
                    firing_id,
                    now,
                    DeliveryTarget::Email {
                        to: person.email.clone(),
                        to_name: Some(person.display_name.clone()),
                        subject: text.subject,
                        body: text.body,
                    },
                ));
            }
        }
        if rule.channels.contains(&Channel::Webhook) {
            let endpoints = store.webhook_endpoints().await?;
            let wanted: Vec<_> = endpoints
                .iter()
                .filter(|e| e.wants(rule.kind.name()))
                .collect();
            if !wanted.is_empty() {
                let payload =
                    webhook_payload(rule, firing_id, tick, &items, shares.len()).to_string();
                for endpoint in wanted {
                    deliveries.push(pending(
                        firing_id,
                        now,
                        DeliveryTarget::Webhook {
                            endpoint: endpoint.id,
                            event_type: "reminder.fired".into(),
                            payload: payload.clone(),
                        },
                    ));
                }
            }
        }
        let firing = Firing {
            id: firing_id,
            rule_id: rule.id,
            tick_at: tick,
            fired_at: now,
            items: items.len() as i64,
            recipients: shares.len() as i64,
            deliveries: deliveries.len() as i64,
            attempt,
        };
        let mut writes = vec![Write::InsertFiring(firing.clone())];
        if !notifications.is_empty() {
            writes.push(Write::InsertNotifications(notifications));
        }
        if !deliveries.is_empty() {
            writes.push(Write::InsertDeliveries(deliveries));
        }
        if !reminded.is_empty() {
            let unique: HashSet<_> = reminded.into_iter().collect();
            writes.push(Write::RecordReminded {
                rule_id: rule.id,
                at: tick,
                entries: unique.into_iter().collect(),
            });
        }
        Ok((firing, writes))
    }
}

fn pending(
    firing: rollout_domain::FiringId,
    now: DateTime<Utc>,
    target: DeliveryTarget,
) -> Delivery {
    Delivery {
        id: DeliveryId(new_uuid()),
        firing_id: Some(firing),
        target,
        status: DeliveryStatus::Pending,
        attempts: 0,
        next_attempt_at: now,
        lease_until: None,
        last_error: None,
        created_at: now,
        delivered_at: None,
    }
}

/// The JSON body of a webhook call: Standard Webhooks' `type`/`timestamp`/`data` envelope.
fn webhook_payload(
    rule: &ReminderRule,
    firing: rollout_domain::FiringId,
    tick: DateTime<Utc>,
    items: &[ReminderItem],
    recipients: usize,
) -> serde_json::Value {
    json!({
        "type": "reminder.fired",
        "timestamp": rollout_domain::bounds::utc_text(tick),
        "data": {
            "firingId": firing.to_string(),
            "rule": { "id": rule.id.to_string(), "name": rule.name, "kind": rule.kind.name() },
            "tick": rollout_domain::bounds::utc_text(tick),
            "recipients": recipients,
            "items": items.iter().map(|i| json!({
                "key": i.key(),
                "reference": i.reference,
                "titleJa": i.title_ja,
                "titleEn": i.title_en,
                "bureauId": i.bureau.map(|b| b.to_string()),
                "date": i.date.map(|d| d.to_string()),
                "days": i.days,
            })).collect::<Vec<_>>(),
        }
    })
}
