//! Firing on a real (SQLite) store with a fixed clock: two apps evaluating the same tick fire
//! it once; digests go to each recipient in their language; a snooze and the quiet period
//! leave items out per person.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use rollout_domain::identity::{Role, User};
use rollout_domain::reminders::{
    Channel, HolidayPolicy, Language, MisfirePolicy, Recipients, ReminderScope,
};
use rollout_domain::workflow::default_workflow;
use rollout_store::NotificationQuery;
use rollout_store_sqlite::SqliteStore;

use super::RuleDefinition;

use crate::{Actor, App, CreateMilestone, CreateUser, FixedClock, RequestMeta};

fn at(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

struct World {
    app: App,
    store: Arc<SqliteStore>,
    ja: User,
    en: User,
}

async fn world() -> World {
    let store = SqliteStore::connect("sqlite::memory:").await.unwrap();
    store.migrate().await.unwrap();
    let store = Arc::new(store);
    let clock = Arc::new(FixedClock::new(at("2026-12-06T12:00:00Z")));
    let app = App::new(store.clone(), default_workflow(), clock);
    let system = Actor::system("test");
    let mut users = Vec::new();
    for (name, email) in [("佐藤", "sato@example.jp"), ("Smith", "smith@example.jp")] {
        let input = CreateUser {
            display_name: name.into(),
            email: email.into(),
            role: Role::ProjectOffice,
            bureau_code: None,
        };
        users.push(app.create_user(&system, input).await.unwrap());
    }
    let en = users.pop().unwrap();
    let ja = users.pop().unwrap();
    app.set_my_language(&actor(&en), Language::En)
        .await
        .unwrap();
    for name in ["SaaS電子申請基盤の稼働", "jGrants連携の開始"] {
        let m = CreateMilestone {
            name: name.into(),
            platform: None,
            planned_on: "2027-03-31".parse().ok(),
            notes: None,
        };
        app.create_milestone(&system, m).await.unwrap();
    }
    World { app, store, ja, en }
}

fn actor(user: &User) -> Actor {
    Actor::user(user.clone(), RequestMeta::default())
}

fn rule(name: &str, quiet_days: i64) -> RuleDefinition {
    RuleDefinition {
        name: name.into(),
        schedule: "0 9 * * *".into(),
        time_zone: None,
        kind: "MILESTONE_DUE".into(),
        days: Some(3650),
        scope: ReminderScope::default(),
        recipients: Recipients {
            project_office: true,
            ..Recipients::default()
        },
        channels: vec![Channel::InApp],
        holiday_policy: HolidayPolicy::Fire,
        misfire_policy: MisfirePolicy::FireOnce,
        quiet_days,
        enabled: true,
    }
}

async fn lines(w: &World, user: &User) -> Vec<Vec<String>> {
    let query = NotificationQuery {
        user_id: user.id,
        unread_only: false,
        before: None,
        limit: 50,
    };
    let mut got = w.app.store().notifications(&query).await.unwrap();
    got.reverse();
    got.into_iter()
        .map(|n| n.lines.into_iter().map(|l| l.title).collect())
        .collect()
}

#[tokio::test]
async fn two_apps_evaluating_one_tick_fire_it_once() {
    let w = world().await;
    w.app
        .create_reminder_rule(&Actor::system("test"), rule("朝", 0))
        .await
        .unwrap();
    let other = App::new(
        w.store.clone(),
        default_workflow(),
        Arc::new(FixedClock::new(at("2026-12-06T12:00:00Z"))),
    );
    let tick = at("2026-12-07T00:00:00Z");
    let (a, b) = tokio::join!(w.app.run_due_reminders(tick), other.run_due_reminders(tick));
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.firings.len() + b.firings.len(), 1, "{a:?} {b:?}");
    assert_eq!(lines(&w, &w.ja).await.len(), 1);
    assert_eq!(lines(&w, &w.en).await.len(), 1);
    let again = other.run_due_reminders(tick).await.unwrap();
    assert!(again.firings.is_empty());
}

#[tokio::test]
async fn each_recipient_reads_their_digest_in_their_language() {
    let w = world().await;
    w.app
        .create_reminder_rule(&Actor::system("test"), rule("朝", 0))
        .await
        .unwrap();
    w.app
        .run_due_reminders(at("2026-12-07T00:00:00Z"))
        .await
        .unwrap();
    let query = |user: &User| NotificationQuery {
        user_id: user.id,
        unread_only: true,
        before: None,
        limit: 5,
    };
    let ja = w.app.store().notifications(&query(&w.ja)).await.unwrap();
    let en = w.app.store().notifications(&query(&w.en)).await.unwrap();
    assert_eq!(ja[0].subject, "【rollout】期日が近いマイルストーン（2件）");
    assert_eq!(en[0].subject, "[rollout] Milestones due (2)");
    assert!(
        en[0].body.contains("due 2027-03-31 (in 114 days)"),
        "{}",
        en[0].body
    );
}

#[tokio::test]
async fn a_snooze_and_the_quiet_period_leave_items_out_per_person() {
    let w = world().await;
    let system = Actor::system("test");
    w.app
        .create_reminder_rule(&system, rule("毎朝", 0))
        .await
        .unwrap();
    w.app
        .run_due_reminders(at("2026-12-07T00:00:00Z"))
        .await
        .unwrap();
    let first = w
        .app
        .store()
        .notifications(&NotificationQuery {
            user_id: w.ja.id,
            unread_only: false,
            before: None,
            limit: 5,
        })
        .await
        .unwrap();
    let key = first[0]
        .lines
        .iter()
        .find(|l| l.title == "jGrants連携の開始")
        .unwrap()
        .key
        .clone();
    w.app
        .snooze_item(&actor(&w.ja), key, "2026-12-08".parse().unwrap())
        .await
        .unwrap();
    w.app
        .run_due_reminders(at("2026-12-08T00:00:00Z"))
        .await
        .unwrap();
    w.app
        .run_due_reminders(at("2026-12-09T00:00:00Z"))
        .await
        .unwrap();
    let both = vec![
        "SaaS電子申請基盤の稼働".to_owned(),
        "jGrants連携の開始".to_owned(),
    ];
    let mut sorted_both = both.clone();
    sorted_both.sort();
    let sorted = |v: Vec<Vec<String>>| {
        v.into_iter()
            .map(|mut l| {
                l.sort();
                l
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(
        sorted(lines(&w, &w.ja).await),
        vec![
            sorted_both.clone(),
            vec!["SaaS電子申請基盤の稼働".to_owned()],
            sorted_both.clone()
        ],
        "snoozed until the 8th: left out on the 8th, back on the 9th"
    );
    assert_eq!(
        lines(&w, &w.en).await.len(),
        3,
        "the other person's digests are whole"
    );

    // A quiet period of 7 days: told on the 7th, not again until the 14th.
    let w = world().await;
    w.app
        .create_reminder_rule(&system, rule("週に一度まで", 7))
        .await
        .unwrap();
    for day in 7..=14 {
        w.app
            .run_due_reminders(at(&format!("2026-12-{day:02}T00:00:00Z")))
            .await
            .unwrap();
    }
    assert_eq!(lines(&w, &w.ja).await.len(), 2, "the 7th and the 14th");
}
