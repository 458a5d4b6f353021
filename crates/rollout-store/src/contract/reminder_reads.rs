//! Contract cases for what the reminder kinds read and remember: procedures with the instant
//! they entered their state, open tasks due by a date, pending approvals with their procedure,
//! open law changes with their last status change, planned milestones, people with their
//! language, snoozes running on a day and the quiet-period record (a bulk upsert).

use std::sync::Arc;

use chrono::Duration;
use rollout_domain::blockers::{LawChangeStatus, MilestoneStatus};
use rollout_domain::reminders::{Language, Snooze};
use rollout_domain::task::TaskStatus;
use rollout_domain::{ReminderRuleId, UserId};
use uuid::Uuid;

use super::blocker_fixtures::{
    commit_graph_change, law_change, milestone, seed_law_change, status_change,
};
use super::evidence_fixtures::{commit_audited, task};
use super::fixtures::{
    at, date, plan, procedure, quarter, seed_bureau, seed_procedure, transition,
};
use super::people::{approval_request, expect_not_found, seed_request, seed_user};
use super::reminder_fixtures::{rule, seed_rule};
use crate::{Store, Write};

pub async fn procedure_activity_state_entered_at(store: Arc<dyn Store>) {
    let bureau = seed_bureau(&store, "KANKYO").await;
    let mut moved = procedure("KANKYO-0002", bureau.id, at(10, 0));
    moved.annual_applications = Some(12_000);
    moved.target_quarter = Some(quarter("FY2025-Q4"));
    let moved = seed_procedure(&store, moved).await;
    let still = seed_procedure(&store, procedure("KANKYO-0001", bureau.id, at(20, 3))).await;
    // Two moves; the second is recorded with an earlier clock than the first (a skewed replica):
    // the latest record is the latest version, not the latest time.
    let scheduled = store
        .apply_transition(&transition(plan(&moved, "scheduled", at(500, 9))))
        .await
        .unwrap();
    let built = store
        .apply_transition(&transition(plan(&scheduled, "built", at(400, 1))))
        .await
        .unwrap();

    let all = store.procedure_activity(&[]).await.unwrap();
    let codes: Vec<&str> = all.iter().map(|a| a.code.as_str()).collect();
    assert_eq!(codes, ["KANKYO-0001", "KANKYO-0002"]);
    let (a, b) = (&all[0], &all[1]);
    assert_eq!(
        (a.id, a.state.as_str(), a.state_entered_at, a.updated_at),
        (still.id, "hearing", at(20, 3), still.updated_at)
    );
    assert_eq!(
        (b.id, b.state.as_str(), b.state_entered_at, b.updated_at),
        (built.id, "built", at(400, 1), built.updated_at)
    );
    assert_eq!(
        (
            b.annual_applications,
            b.target_quarter,
            b.bureau_id,
            b.name.as_str()
        ),
        (
            Some(12_000),
            Some(quarter("FY2025-Q4")),
            bureau.id,
            "KANKYO-0002 申請"
        )
    );
    assert!(b.is_priority());
    let built_only = store
        .procedure_activity(&["built".to_owned(), "released".to_owned()])
        .await
        .unwrap();
    assert_eq!(built_only, vec![b.clone()]);
}

pub async fn reminder_kind_reads(store: Arc<dyn Store>) {
    let bureau = seed_bureau(&store, "FUKUSHI").await;
    let author = seed_user(&store, "office@metro.tokyo.lg.jp").await;
    let p = seed_procedure(&store, procedure("FUKUSHI-0001", bureau.id, at(0, 0))).await;

    // Tasks: open and due by the date, undated and done ones left out.
    let mut due = task(
        "due",
        bureau.id,
        author.id,
        Some(date(2025, 4, 3)),
        at(1, 0),
    );
    due.procedure_id = Some(p.id);
    let overdue = task(
        "overdue",
        bureau.id,
        author.id,
        Some(date(2025, 3, 1)),
        at(2, 0),
    );
    let later = task(
        "later",
        bureau.id,
        author.id,
        Some(date(2025, 4, 4)),
        at(3, 0),
    );
    let undated = task("undated", bureau.id, author.id, None, at(4, 0));
    let mut done = task(
        "done",
        bureau.id,
        author.id,
        Some(date(2025, 4, 1)),
        at(5, 0),
    );
    done.status = TaskStatus::Done;
    done.completed_at = Some(at(6, 0));
    let writes = [&due, &overdue, &later, &undated, &done]
        .into_iter()
        .map(|t| Write::InsertTask(t.clone()))
        .collect();
    commit_audited(&store, writes, at(7, 0)).await;
    assert_eq!(
        store.open_tasks_due_by(date(2025, 4, 3)).await.unwrap(),
        vec![overdue.clone(), due.clone()],
        "by due date"
    );

    // Pending approvals carry their procedure's code, name and bureau.
    let request = seed_request(&store, &approval_request(&p, author.id, 2, at(8, 0))).await;
    let pending = store.pending_approvals().await.unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].request, request);
    assert_eq!(
        (
            pending[0].procedure_code.clone(),
            pending[0].procedure_name.as_str(),
            pending[0].bureau_id
        ),
        (p.code.clone(), "FUKUSHI-0001 申請", bureau.id)
    );

    // Law changes: open ones with their latest status change (creation included).
    let asked = law_change("LAW-0001", bureau.id, at(10, 0));
    let studied = law_change("LAW-0002", bureau.id, at(11, 0));
    let mut enacted = law_change("LAW-0003", bureau.id, at(12, 0));
    enacted.status = LawChangeStatus::Enacted;
    for l in [&asked, &studied, &enacted] {
        seed_law_change(&store, l).await;
    }
    let mut under_study = studied.clone();
    under_study.status = LawChangeStatus::UnderStudy;
    under_study.version = 2;
    commit_graph_change(
        &store,
        vec![
            Write::UpdateLawChange {
                law_change: under_study.clone(),
                expected_version: 1,
            },
            Write::LawChangeStatus(status_change(
                &studied,
                Some(LawChangeStatus::Requested),
                LawChangeStatus::UnderStudy,
                at(900, 5),
            )),
        ],
    )
    .await;
    let open = store.open_law_change_activity().await.unwrap();
    let seen: Vec<_> = open
        .iter()
        .map(|a| (a.law_change.code.as_str(), a.last_status_at))
        .collect();
    assert_eq!(seen, [("LAW-0001", at(10, 0)), ("LAW-0002", at(900, 5))]);
    assert_eq!(open[1].law_change, under_study);

    // Milestones: the planned ones only.
    let soon = milestone("portal", Some(date(2025, 5, 1)), at(13, 0));
    let mut finished = milestone("gateway", Some(date(2025, 4, 1)), at(14, 0));
    finished.status = MilestoneStatus::Done;
    finished.done_on = Some(date(2025, 4, 1));
    commit_graph_change(
        &store,
        vec![
            Write::InsertMilestone(soon.clone()),
            Write::InsertMilestone(finished),
        ],
    )
    .await;
    assert_eq!(store.planned_milestones().await.unwrap(), vec![soon]);
}

pub async fn people_languages_and_snoozes(store: Arc<dyn Store>) {
    let kato = seed_user(&store, "kato@metro.tokyo.lg.jp").await;
    let sato = seed_user(&store, "sato@metro.tokyo.lg.jp").await;
    store
        .commit(&[Write::SetLanguage {
            user_id: sato.id,
            language: Language::En,
        }])
        .await
        .unwrap();
    let people = store.people().await.unwrap();
    let seen: Vec<_> = people
        .iter()
        .map(|p| (p.id, p.email.as_str(), p.language, p.role, p.disabled))
        .collect();
    assert_eq!(
        seen,
        [
            (
                kato.id,
                "kato@metro.tokyo.lg.jp",
                Language::Ja,
                kato.role,
                false
            ),
            (
                sato.id,
                "sato@metro.tokyo.lg.jp",
                Language::En,
                sato.role,
                false
            ),
        ]
    );
    assert_eq!(people[0].display_name, kato.display_name);
    store
        .commit(&[Write::SetLanguage {
            user_id: sato.id,
            language: Language::Ja,
        }])
        .await
        .unwrap();
    assert_eq!(store.people().await.unwrap()[1].language, Language::Ja);
    let ghost = UserId(Uuid::now_v7());
    let err = store
        .commit(&[Write::SetLanguage {
            user_id: ghost,
            language: Language::En,
        }])
        .await
        .unwrap_err();
    expect_not_found::<()>(Err(err.error), "user", ghost);

    // Snoozes run through their last day; a second snooze of an item replaces the first.
    let snooze = |user: UserId, key: &str, until| Snooze {
        user_id: user,
        item_key: key.to_owned(),
        until,
        created_at: at(0, 0),
    };
    store
        .commit(&[
            Write::Snooze(snooze(kato.id, "task:1", date(2025, 4, 10))),
            Write::Snooze(snooze(kato.id, "task:2", date(2025, 4, 5))),
            Write::Snooze(snooze(sato.id, "task:1", date(2025, 4, 1))),
            Write::Snooze(snooze(kato.id, "task:2", date(2025, 4, 20))),
        ])
        .await
        .unwrap();
    let mut expected = vec![
        (kato.id, "task:1".to_owned()),
        (kato.id, "task:2".to_owned()),
    ];
    expected.sort();
    assert_eq!(store.snoozed(date(2025, 4, 10)).await.unwrap(), expected);
    assert_eq!(
        store.snoozed(date(2025, 4, 11)).await.unwrap(),
        vec![(kato.id, "task:2".to_owned())]
    );
    let err = store
        .commit(&[Write::Snooze(snooze(ghost, "task:1", date(2025, 4, 1)))])
        .await
        .unwrap_err();
    expect_not_found::<()>(Err(err.error), "user", ghost);
}

pub async fn reminded_items_upsert_in_bulk(store: Arc<dyn Store>) {
    let kato = seed_user(&store, "kato@metro.tokyo.lg.jp").await;
    let sato = seed_user(&store, "sato@metro.tokyo.lg.jp").await;
    let r = rule("quiet", at(0, 0));
    let other = rule("other", at(0, 0));
    seed_rule(&store, &r).await;
    seed_rule(&store, &other).await;
    // Thousands of entries in one write (more than one chunk), one of them repeated.
    let mut entries: Vec<(UserId, String)> = (0..3_000)
        .map(|i| {
            (
                if i % 2 == 0 { kato.id } else { sato.id },
                format!("task:{i:05}"),
            )
        })
        .collect();
    entries.push(entries[0].clone());
    let first = at(1_000, 0);
    store
        .commit(&[Write::RecordReminded {
            rule_id: r.id,
            at: first,
            entries: entries.clone(),
        }])
        .await
        .unwrap();
    let mut all = store.reminded_since(r.id, first).await.unwrap();
    assert_eq!(all.len(), 3_000);
    all.sort();
    let mut expected = entries[..3_000].to_vec();
    expected.sort();
    assert_eq!(all, expected);
    assert!(
        store
            .reminded_since(other.id, at(0, 0))
            .await
            .unwrap()
            .is_empty()
    );

    // Reminded again later: moved forward; an older instant never moves it back.
    let second = first + Duration::days(3);
    store
        .commit(&[
            Write::RecordReminded {
                rule_id: r.id,
                at: second,
                entries: vec![entries[1].clone(), (kato.id, "task:new".to_owned())],
            },
            Write::RecordReminded {
                rule_id: r.id,
                at: first,
                entries: vec![entries[1].clone()],
            },
        ])
        .await
        .unwrap();
    let mut recent = store.reminded_since(r.id, second).await.unwrap();
    recent.sort();
    let mut expected = vec![entries[1].clone(), (kato.id, "task:new".to_owned())];
    expected.sort();
    assert_eq!(recent, expected);
    assert_eq!(
        store.reminded_since(r.id, first).await.unwrap().len(),
        3_001
    );

    let err = store
        .commit(&[Write::RecordReminded {
            rule_id: ReminderRuleId(Uuid::now_v7()),
            at: first,
            entries: vec![(kato.id, "task:1".to_owned())],
        }])
        .await
        .unwrap_err();
    assert!(
        matches!(
            err.error,
            crate::StoreError::NotFound {
                entity: "reminder rule",
                ..
            }
        ),
        "{err}"
    );
}
