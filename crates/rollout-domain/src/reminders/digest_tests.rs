//! Digests: each person once per item, recipients by kind, snoozes and the quiet period
//! (both as suppressed keys), disabled people left out; rendering in both languages.

use chrono::NaiveDate;
use uuid::Uuid;

use crate::identity::Role;
use crate::reminders::digest::{Digest, Language, Person, Suppressed, digests};
use crate::reminders::item::{ItemSubject, ReminderItem};
use crate::reminders::render::render;
use crate::reminders::rule::{Recipients, ReminderKind};
use crate::{BureauId, TaskId, UserId};

const B1: BureauId = BureauId(Uuid::from_u128(10));
const B2: BureauId = BureauId(Uuid::from_u128(11));

fn user(n: u128) -> UserId {
    UserId(Uuid::from_u128(n))
}

fn person(n: u128, role: Role, bureau: Option<BureauId>) -> Person {
    Person {
        id: user(n),
        display_name: format!("person {n}"),
        email: format!("p{n}@example.jp"),
        role,
        bureau,
        disabled: false,
        language: Language::Ja,
    }
}

fn item(n: u128, bureau: BureauId, assignee: Option<u128>) -> ReminderItem {
    ReminderItem {
        subject: ItemSubject::Task(TaskId(Uuid::from_u128(n))),
        bureau: Some(bureau),
        assignee: assignee.map(user),
        reference: format!("KANKYO-{n:04}"),
        title_ja: format!("タスク{n}"),
        title_en: Some(format!("Task {n}")),
        date: NaiveDate::from_ymd_opt(2026, 12, 1),
        days: 6,
    }
}

fn people() -> Vec<Person> {
    let mut gone = person(5, Role::BureauCoordinator, Some(B1));
    gone.disabled = true;
    vec![
        person(1, Role::BureauCoordinator, Some(B1)),
        person(2, Role::BureauCoordinator, Some(B2)),
        person(3, Role::ProjectOffice, None),
        person(4, Role::Viewer, None),
        gone,
    ]
}

fn share(user_n: u128, items: &[usize]) -> Digest {
    Digest {
        user: user(user_n),
        items: items.to_vec(),
    }
}

#[test]
fn each_person_hears_of_each_item_once_whatever_hats_they_wear() {
    // Person 1 is item 0's assignee AND its bureau's coordinator AND named: still once.
    let items = vec![
        item(1, B1, Some(1)),
        item(2, B2, None),
        item(3, B1, Some(4)),
    ];
    let recipients = Recipients {
        assignee: true,
        bureau_coordinators: true,
        project_office: false,
        users: vec![user(1)],
    };
    let got = digests(&recipients, &items, &people(), &Suppressed::default());
    assert_eq!(
        got,
        vec![share(1, &[0, 1, 2]), share(2, &[1]), share(4, &[2])],
        "named user 1 gets all; coordinators their bureau's; the assignee theirs; disabled 5 nothing"
    );
}

#[test]
fn the_project_office_gets_everything_and_suppressed_keys_are_left_out_per_person() {
    let items = vec![item(1, B1, None), item(2, B2, None)];
    let recipients = Recipients {
        project_office: true,
        bureau_coordinators: true,
        ..Recipients::default()
    };
    let mut suppressed = Suppressed::default();
    suppressed.keys.insert((user(3), items[0].key()));
    suppressed.keys.insert((user(2), items[1].key()));
    let got = digests(&recipients, &items, &people(), &suppressed);
    // Person 2 has nothing left, so no digest at all.
    assert_eq!(got, vec![share(1, &[0]), share(3, &[1])]);
}

#[test]
fn unknown_named_users_and_empty_firings_give_no_digest() {
    let recipients = Recipients {
        users: vec![user(77)],
        ..Recipients::default()
    };
    assert!(
        digests(
            &recipients,
            &[item(1, B1, None)],
            &people(),
            &Suppressed::default()
        )
        .is_empty()
    );
    let all = Recipients {
        project_office: true,
        ..Recipients::default()
    };
    assert!(digests(&all, &[], &people(), &Suppressed::default()).is_empty());
}

#[test]
fn digests_render_in_the_recipients_language() {
    let items = [item(1, B1, None), item(2, B2, None)];
    let refs: Vec<&ReminderItem> = items.iter().collect();
    let day = NaiveDate::from_ymd_opt(2026, 12, 7).unwrap();
    let ja = render(
        "毎朝の確認",
        ReminderKind::TaskOverdue,
        day,
        &refs,
        Language::Ja,
    );
    assert_eq!(ja.subject, "【rollout】期限切れのタスク（2件）");
    assert!(
        ja.body
            .starts_with("毎朝の確認\n期限切れのタスク（2026年12月7日）\n\n"),
        "{}",
        ja.body
    );
    assert!(
        ja.body
            .contains("- KANKYO-0001 タスク1: 期日 2026年12月1日（6日超過）\n"),
        "{}",
        ja.body
    );
    let en = render(
        "Morning check",
        ReminderKind::TaskOverdue,
        day,
        &refs,
        Language::En,
    );
    assert_eq!(en.subject, "[rollout] Overdue tasks (2)");
    assert!(
        en.body
            .contains("- KANKYO-0002 Task 2: due 2026-12-01 (6 days overdue)\n"),
        "{}",
        en.body
    );
}
