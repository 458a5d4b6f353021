//! Contract cases for the task listing: every filter, the order (due date, tasks without one
//! last, then id), keyset paging across pages and across the last dated task, "overdue" on
//! both sides of a date boundary (a task due today is not overdue), totals only when asked, and
//! the per-procedure and per-hearing batch reads.

use std::sync::Arc;

use rollout_domain::hearing::HearingDecision;
use rollout_domain::task::{Task, TaskStatus};
use rollout_domain::{TaskId, UserId};

use super::evidence_fixtures::{commit_audited, hearing, outcome, task};
use super::fixtures::{at, date, first, procedure, seed_bureau, seed_procedure};
use super::people::seed_user;
use crate::{OverdueAsOf, Page, PageRequest, Store, TaskCursor, TaskFilter, Write};

/// The listing order, computed independently of the store.
fn listing_order(mut tasks: Vec<Task>) -> Vec<TaskId> {
    tasks.sort_by_key(|t| (t.due_on.is_none(), t.due_on, t.id));
    tasks.into_iter().map(|t| t.id).collect()
}

fn ids(page: &Page<Task>) -> Vec<TaskId> {
    page.items.iter().map(|t| t.id).collect()
}

async fn list(store: &Arc<dyn Store>, filter: TaskFilter) -> Page<Task> {
    store.list_tasks(&filter, &first(100)).await.unwrap()
}

/// Every filter alone and combined, with the order and totals of each result.
pub async fn task_list_filters(store: Arc<dyn Store>) {
    let a = seed_bureau(&store, "KANKYO").await;
    let b = seed_bureau(&store, "ZAIMU").await;
    let u1 = seed_user(&store, "u1@metro.tokyo.lg.jp").await;
    let u2 = seed_user(&store, "u2@metro.tokyo.lg.jp").await;
    let p1 = seed_procedure(&store, procedure("KANKYO-0001", a.id, at(1, 0))).await;
    let h = hearing(
        b.id,
        u2.id,
        date(2025, 4, 1),
        at(2, 0),
        vec![outcome(p1.id, HearingDecision::Undecided)],
    );
    let mk = |title: &str, bureau, due: Option<(u32, u32)>, status: TaskStatus| {
        let mut t = task(
            title,
            bureau,
            u1.id,
            due.map(|(m, d)| date(2025, m, d)),
            at(3, 0),
        );
        t.status = status;
        t
    };
    let mut t1 = mk("t1", a.id, Some((5, 1)), TaskStatus::Open);
    t1.assignee_id = Some(u1.id);
    t1.procedure_id = Some(p1.id);
    let t2 = mk("t2", a.id, Some((5, 2)), TaskStatus::Open);
    let t3 = mk("t3", a.id, Some((4, 30)), TaskStatus::Done);
    let mut t4 = mk("t4", a.id, None, TaskStatus::Open);
    t4.assignee_id = Some(u1.id);
    let t5 = mk("t5", a.id, Some((5, 1)), TaskStatus::Open);
    let t6 = mk("t6", a.id, None, TaskStatus::Cancelled);
    let mut t7 = mk("t7", b.id, Some((4, 1)), TaskStatus::Open);
    t7.assignee_id = Some(u2.id);
    t7.hearing_id = Some(h.id);
    let t8 = mk("t8", b.id, Some((6, 1)), TaskStatus::Open);
    let all = vec![
        t1.clone(),
        t2.clone(),
        t3.clone(),
        t4.clone(),
        t5.clone(),
        t6.clone(),
        t7.clone(),
        t8.clone(),
    ];
    let mut writes = vec![Write::InsertHearing(h.clone())];
    // Inserted out of listing order, so that the order cannot come from insertion.
    for t in all.iter().rev() {
        writes.push(Write::InsertTask(t.clone()));
    }
    commit_audited(&store, writes, at(4, 0)).await;

    let pick = |names: &[&Task]| listing_order(names.iter().map(|t| (*t).clone()).collect());
    let everything = list(&store, TaskFilter::default()).await;
    assert_eq!(ids(&everything), listing_order(all.clone()));
    assert_eq!(
        everything.items,
        {
            let mut sorted = all.clone();
            sorted.sort_by_key(|t| (t.due_on.is_none(), t.due_on, t.id));
            sorted
        },
        "every field round-trips"
    );
    assert_eq!(everything.total_count, Some(8));
    assert!(!everything.has_next_page && !everything.has_previous_page);

    let cases: Vec<(&str, TaskFilter, Vec<TaskId>)> = vec![
        (
            "bureau",
            TaskFilter {
                bureau_ids: vec![b.id],
                ..TaskFilter::default()
            },
            pick(&[&t7, &t8]),
        ),
        (
            "assignee",
            TaskFilter {
                assignee_id: Some(u1.id),
                ..TaskFilter::default()
            },
            pick(&[&t1, &t4]),
        ),
        (
            "statuses",
            TaskFilter {
                statuses: vec![TaskStatus::Done, TaskStatus::Cancelled],
                ..TaskFilter::default()
            },
            pick(&[&t3, &t6]),
        ),
        (
            "due before (no due date never matches)",
            TaskFilter {
                due_before: Some(date(2025, 5, 2)),
                ..TaskFilter::default()
            },
            pick(&[&t1, &t3, &t5, &t7]),
        ),
        (
            "overdue on 2025-05-02",
            TaskFilter {
                overdue: Some(OverdueAsOf {
                    today: date(2025, 5, 2),
                    overdue: true,
                }),
                ..TaskFilter::default()
            },
            pick(&[&t1, &t5, &t7]),
        ),
        (
            "not overdue on 2025-05-02",
            TaskFilter {
                overdue: Some(OverdueAsOf {
                    today: date(2025, 5, 2),
                    overdue: false,
                }),
                ..TaskFilter::default()
            },
            pick(&[&t2, &t3, &t4, &t6, &t8]),
        ),
        (
            "overdue on 2025-05-01: due today is not overdue",
            TaskFilter {
                overdue: Some(OverdueAsOf {
                    today: date(2025, 5, 1),
                    overdue: true,
                }),
                ..TaskFilter::default()
            },
            pick(&[&t7]),
        ),
        (
            "not overdue on 2025-05-01",
            TaskFilter {
                overdue: Some(OverdueAsOf {
                    today: date(2025, 5, 1),
                    overdue: false,
                }),
                ..TaskFilter::default()
            },
            pick(&[&t1, &t2, &t3, &t4, &t5, &t6, &t8]),
        ),
        (
            "a bureau's overdue tasks",
            TaskFilter {
                bureau_ids: vec![a.id],
                overdue: Some(OverdueAsOf {
                    today: date(2025, 5, 2),
                    overdue: true,
                }),
                ..TaskFilter::default()
            },
            pick(&[&t1, &t5]),
        ),
        (
            "procedure",
            TaskFilter {
                procedure_id: Some(p1.id),
                ..TaskFilter::default()
            },
            pick(&[&t1]),
        ),
        (
            "hearing",
            TaskFilter {
                hearing_id: Some(h.id),
                ..TaskFilter::default()
            },
            pick(&[&t7]),
        ),
        (
            "open and assigned to nobody known",
            TaskFilter {
                assignee_id: Some(UserId(uuid::Uuid::now_v7())),
                ..TaskFilter::default()
            },
            vec![],
        ),
    ];
    for (name, filter, want) in cases {
        let page = list(&store, filter).await;
        assert_eq!(ids(&page), want, "{name}");
        assert_eq!(page.total_count, Some(want.len() as i64), "{name}: total");
    }

    let mut request: PageRequest<TaskCursor> = first(2);
    request.with_total = false;
    let untotalled = store
        .list_tasks(&TaskFilter::default(), &request)
        .await
        .unwrap();
    assert_eq!(untotalled.total_count, None, "no total unless asked");
    assert!(untotalled.has_next_page);

    assert_eq!(
        store.tasks_for_procedures(&[p1.id], None).await.unwrap(),
        vec![t1.clone()]
    );
    assert!(
        store
            .tasks_for_procedures(&[p1.id], Some(TaskStatus::Done))
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        store.tasks_for_hearings(&[h.id]).await.unwrap(),
        vec![t7.clone()]
    );
    let mut some = store
        .tasks_by_ids(&[t3.id, t8.id, TaskId(uuid::Uuid::now_v7())])
        .await
        .unwrap();
    some.sort_by_key(|t| t.id);
    let mut want = vec![t3, t8];
    want.sort_by_key(|t| t.id);
    assert_eq!(some, want, "only the asked-for ids that exist");
    assert!(store.tasks_by_ids(&[]).await.unwrap().is_empty());
}

/// Keyset pages of every size walk the whole listing once, in order, across tasks sharing a
/// due date and across the boundary to tasks without one.
pub async fn task_list_pages(store: Arc<dyn Store>) {
    let b = seed_bureau(&store, "KANKYO").await;
    let u = seed_user(&store, "u@metro.tokyo.lg.jp").await;
    let tasks: Vec<Task> = (0..13)
        .map(|i| {
            let due = match i % 4 {
                0 => None,
                1 => Some(date(2025, 5, 1)),
                2 => Some(date(2025, 4, 1 + i)),
                _ => Some(date(2026, 1, 1)),
            };
            task(&format!("task {i}"), b.id, u.id, due, at(i64::from(i), 0))
        })
        .collect();
    commit_audited(
        &store,
        tasks.iter().cloned().map(Write::InsertTask).collect(),
        at(50, 0),
    )
    .await;
    let want = listing_order(tasks.clone());
    for size in [1, 2, 3, 5, 13, 20] {
        let mut seen = Vec::new();
        let mut request: PageRequest<TaskCursor> = first(size);
        loop {
            let page = store
                .list_tasks(&TaskFilter::default(), &request)
                .await
                .unwrap();
            assert_eq!(page.has_previous_page, request.after.is_some());
            seen.extend(ids(&page));
            let Some(last) = page.items.last() else { break };
            if !page.has_next_page {
                break;
            }
            request.after = Some(TaskCursor {
                due_on: last.due_on,
                id: last.id,
            });
        }
        assert_eq!(seen, want, "pages of {size}");
    }
}
