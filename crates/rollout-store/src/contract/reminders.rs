//! Contract cases for reminder rules and their scheduling: rules round-trip every field, a
//! taken name and a stale version are refused, the evaluation lease is exclusive until it
//! expires, the cursor step needs the current attempt and cursor, and a rule's tick fires once.
//! A refused write leaves nothing of its batch.

use std::sync::Arc;

use chrono::Duration;
use rollout_domain::ReminderRuleId;
use rollout_domain::reminders::{
    Channel, HolidayPolicy, Language, MisfirePolicy, ReminderKind, ReminderRule, ReminderScope,
};
use uuid::Uuid;

use super::fixtures::at;
use super::people::{expect_conflict, expect_duplicate, expect_not_found, seed_user};
use super::reminder_fixtures::{firing, notification, rule, seed_rule};
use crate::reminder_codec::firing_key;
use crate::{NotificationQuery, Store, Write};

pub async fn reminder_rule_insert_update_and_conflicts(store: Arc<dyn Store>) {
    let author = seed_user(&store, "office@metro.tokyo.lg.jp").await;
    let mut weekly = rule("weekly overdue", at(10, 5));
    weekly.created_by = Some(author.id);
    weekly.kind = ReminderKind::TaskOverdue;
    weekly.scope = ReminderScope::default();
    weekly.recipients.users.clear();
    weekly.channels = vec![Channel::Webhook];
    weekly.holiday_policy = HolidayPolicy::Skip;
    weekly.misfire_policy = MisfirePolicy::Skip;
    weekly.last_fired_at = Some(at(9, 1));
    weekly.last_tick = Some(at(9, 0));
    weekly.missed_ticks = 4;
    let daily = rule("daily due soon", at(20, 0));
    seed_rule(&store, &weekly).await;
    seed_rule(&store, &daily).await;
    assert_eq!(
        store.reminder_rules().await.unwrap(),
        vec![daily.clone(), weekly.clone()],
        "by name, every field round-trips"
    );
    assert_eq!(
        store.reminder_rule(weekly.id).await.unwrap(),
        Some(weekly.clone())
    );
    assert_eq!(
        store
            .reminder_rule(ReminderRuleId(Uuid::now_v7()))
            .await
            .unwrap(),
        None
    );

    // A taken name fails at its index and leaves nothing of the batch.
    let twin = rule("daily due soon", at(30, 0));
    let err = store
        .commit(&[
            Write::SetLanguage {
                user_id: author.id,
                language: Language::En,
            },
            Write::InsertReminderRule(twin.clone()),
        ])
        .await
        .unwrap_err();
    assert_eq!(err.index, 1, "{err}");
    expect_duplicate::<()>(Err(err.error), "reminder rule", "daily due soon");
    assert_eq!(store.reminder_rule(twin.id).await.unwrap(), None);
    let people = store.people().await.unwrap();
    assert_eq!(
        people[0].language,
        Language::Ja,
        "the language was rolled back"
    );

    let mut ghost = rule("ghost author", at(30, 0));
    ghost.created_by = Some(rollout_domain::UserId(Uuid::now_v7()));
    let err = store
        .commit(&[Write::InsertReminderRule(ghost.clone())])
        .await
        .unwrap_err();
    expect_not_found::<()>(Err(err.error), "user", ghost.created_by.unwrap());

    // The definition changes under its version; the scheduling state stays.
    let mut edited = daily.clone();
    edited.name = "daily due within a week".to_owned();
    edited.kind = ReminderKind::TaskDueSoon { days: 7 };
    edited.enabled = false;
    edited.quiet_days = 0;
    edited.version = 2;
    edited.updated_at = at(40, 0);
    edited.cursor = at(999, 0);
    store
        .commit(&[Write::UpdateReminderRule {
            rule: edited.clone(),
            expected_version: 1,
            reset_cursor: None,
        }])
        .await
        .unwrap();
    let stored = store.reminder_rule(daily.id).await.unwrap().unwrap();
    assert_eq!(stored.cursor, daily.cursor, "no reset: the cursor stays");
    assert_eq!(
        stored,
        ReminderRule {
            cursor: daily.cursor,
            ..edited.clone()
        }
    );

    let err = store
        .commit(&[Write::UpdateReminderRule {
            rule: edited.clone(),
            expected_version: 1,
            reset_cursor: None,
        }])
        .await
        .unwrap_err();
    expect_conflict::<()>(Err(err.error), 1, 2);
    let mut renamed = edited.clone();
    renamed.name = "weekly overdue".to_owned();
    renamed.version = 3;
    let err = store
        .commit(&[Write::UpdateReminderRule {
            rule: renamed,
            expected_version: 2,
            reset_cursor: None,
        }])
        .await
        .unwrap_err();
    expect_duplicate::<()>(Err(err.error), "reminder rule", "weekly overdue");
    let unknown = rule("nowhere", at(0, 0));
    let err = store
        .commit(&[Write::UpdateReminderRule {
            rule: unknown.clone(),
            expected_version: 1,
            reset_cursor: None,
        }])
        .await
        .unwrap_err();
    expect_not_found::<()>(Err(err.error), "reminder rule", unknown.id);

    // A reset moves the cursor and drops a lease in flight under a new attempt.
    assert_eq!(
        store
            .claim_rule(daily.id, at(50, 0), at(110, 0))
            .await
            .unwrap(),
        Some(1)
    );
    let mut enabled = edited.clone();
    enabled.enabled = true;
    enabled.version = 3;
    store
        .commit(&[Write::UpdateReminderRule {
            rule: enabled,
            expected_version: 2,
            reset_cursor: Some(at(60, 0)),
        }])
        .await
        .unwrap();
    let stored = store.reminder_rule(daily.id).await.unwrap().unwrap();
    assert_eq!(
        (stored.cursor, stored.enabled, stored.version),
        (at(60, 0), true, 3)
    );
    assert_eq!(
        store
            .claim_rule(daily.id, at(61, 0), at(120, 0))
            .await
            .unwrap(),
        Some(3),
        "the reset released the lease and took attempt 2"
    );
}

pub async fn reminder_claim_exclusive_until_lease_expires(store: Arc<dyn Store>) {
    let r = rule("claims", at(0, 0));
    seed_rule(&store, &r).await;
    let t0 = at(100, 0);
    let lease = Duration::seconds(60);
    assert_eq!(
        store.claim_rule(r.id, t0, t0 + lease).await.unwrap(),
        Some(1)
    );
    assert_eq!(
        store
            .claim_rule(r.id, t0 + Duration::seconds(30), t0 + lease * 2)
            .await
            .unwrap(),
        None,
        "held until the lease ends"
    );
    assert_eq!(
        store
            .claim_rule(r.id, t0 + lease, t0 + lease * 2)
            .await
            .unwrap(),
        Some(2),
        "an expired lease is taken over under the next attempt"
    );
    // Releasing under the stale attempt changes nothing; under the current one frees it.
    store.release_rule(r.id, 1).await.unwrap();
    let later = t0 + Duration::seconds(70);
    assert_eq!(
        store.claim_rule(r.id, later, later + lease).await.unwrap(),
        None
    );
    store.release_rule(r.id, 2).await.unwrap();
    assert_eq!(
        store.claim_rule(r.id, later, later + lease).await.unwrap(),
        Some(3)
    );
    let unknown = ReminderRuleId(Uuid::now_v7());
    assert_eq!(
        store.claim_rule(unknown, t0, t0 + lease).await.unwrap(),
        None
    );

    // Racing claims: exactly one wins.
    let r2 = rule("raced", at(0, 0));
    seed_rule(&store, &r2).await;
    let (a, b) = tokio::join!(
        store.claim_rule(r2.id, t0, t0 + lease),
        store.claim_rule(r2.id, t0, t0 + lease)
    );
    let mut won = [a.unwrap(), b.unwrap()];
    won.sort();
    assert_eq!(won, [None, Some(1)]);
}

pub async fn advance_cursor_needs_attempt_and_cursor(store: Arc<dyn Store>) {
    let user = seed_user(&store, "kato@metro.tokyo.lg.jp").await;
    let r = rule("advance", at(0, 0));
    seed_rule(&store, &r).await;
    let lease = Duration::seconds(60);
    assert_eq!(
        store
            .claim_rule(r.id, at(100, 0), at(160, 0))
            .await
            .unwrap(),
        Some(1)
    );
    // The lease expires and another replica takes the rule over.
    assert_eq!(
        store
            .claim_rule(r.id, at(160, 0), at(220, 0))
            .await
            .unwrap(),
        Some(2)
    );

    let tick = at(150, 0);
    let f = firing(r.id, tick, 1);
    let n = notification(&f, user.id, f.fired_at);
    let step = |attempt: i32, from| Write::AdvanceRuleCursor {
        rule_id: r.id,
        attempt,
        from,
        to: tick,
        missed: 2,
        fired: Some((tick, f.fired_at)),
    };
    let batch = |attempt, from| {
        vec![
            Write::InsertFiring(f.clone()),
            Write::InsertNotifications(vec![n.clone()]),
            step(attempt, from),
        ]
    };
    let err = store.commit(&batch(1, r.cursor)).await.unwrap_err();
    assert_eq!(err.index, 2, "{err}");
    expect_conflict::<()>(Err(err.error), 1, 2);
    let err = store.commit(&batch(2, at(1, 0))).await.unwrap_err();
    assert_eq!(err.index, 2, "{err}");
    expect_conflict::<()>(Err(err.error), 2, -1);
    assert_eq!(store.firing(f.id).await.unwrap(), None);
    assert_eq!(store.firings(r.id, 10).await.unwrap(), vec![]);
    let query = NotificationQuery {
        user_id: user.id,
        unread_only: false,
        before: None,
        limit: 10,
    };
    assert!(store.notifications(&query).await.unwrap().is_empty());
    let untouched = store.reminder_rule(r.id).await.unwrap().unwrap();
    assert_eq!((untouched.cursor, untouched.missed_ticks), (r.cursor, 0));

    store.commit(&batch(2, r.cursor)).await.unwrap();
    let stored = store.reminder_rule(r.id).await.unwrap().unwrap();
    assert_eq!(
        (
            stored.cursor,
            stored.missed_ticks,
            stored.last_tick,
            stored.last_fired_at
        ),
        (tick, 2, Some(tick), Some(f.fired_at))
    );
    assert_eq!(store.firing(f.id).await.unwrap(), Some(f.clone()));
    assert_eq!(store.notifications(&query).await.unwrap(), vec![n]);
    assert_eq!(
        store
            .claim_rule(r.id, at(170, 0), at(170, 0) + lease)
            .await
            .unwrap(),
        Some(3),
        "the step released the lease"
    );
    // A step without a firing moves the cursor and counts the missed ticks only.
    store
        .commit(&[Write::AdvanceRuleCursor {
            rule_id: r.id,
            attempt: 3,
            from: tick,
            to: at(400, 0),
            missed: 1,
            fired: None,
        }])
        .await
        .unwrap();
    let stored = store.reminder_rule(r.id).await.unwrap().unwrap();
    assert_eq!(
        (stored.cursor, stored.missed_ticks, stored.last_tick),
        (at(400, 0), 3, Some(tick))
    );

    let ghost = ReminderRuleId(Uuid::now_v7());
    let err = store
        .commit(&[Write::AdvanceRuleCursor {
            rule_id: ghost,
            attempt: 1,
            from: tick,
            to: tick,
            missed: 0,
            fired: None,
        }])
        .await
        .unwrap_err();
    expect_not_found::<()>(Err(err.error), "reminder rule", ghost);
}

pub async fn firing_once_per_rule_and_tick(store: Arc<dyn Store>) {
    let user = seed_user(&store, "sato@metro.tokyo.lg.jp").await;
    let r = rule("once", at(0, 0));
    seed_rule(&store, &r).await;
    let first = firing(r.id, at(100, 7), 1);
    let second = firing(r.id, at(200, 0), 1);
    store
        .commit(&[
            Write::InsertFiring(first.clone()),
            Write::InsertFiring(second.clone()),
        ])
        .await
        .unwrap();
    assert_eq!(
        store.firings(r.id, 10).await.unwrap(),
        vec![second.clone(), first.clone()],
        "newest tick first"
    );
    assert_eq!(store.firings(r.id, 1).await.unwrap(), vec![second.clone()]);

    // Another replica fires the same tick: refused with the (rule, tick) key, nothing written.
    let again = firing(r.id, first.tick_at, 2);
    let err = store
        .commit(&[
            Write::SetLanguage {
                user_id: user.id,
                language: Language::En,
            },
            Write::InsertFiring(again.clone()),
        ])
        .await
        .unwrap_err();
    assert_eq!(err.index, 1, "{err}");
    expect_duplicate::<()>(Err(err.error), "firing", firing_key(&again));
    assert_eq!(store.firing(again.id).await.unwrap(), None);
    assert_eq!(store.people().await.unwrap()[0].language, Language::Ja);

    let stray = firing(ReminderRuleId(Uuid::now_v7()), at(0, 0), 1);
    let err = store
        .commit(&[Write::InsertFiring(stray.clone())])
        .await
        .unwrap_err();
    expect_not_found::<()>(Err(err.error), "reminder rule", stray.rule_id);
}
