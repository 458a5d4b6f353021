//! A demo load on a real (SQLite) store with a fixed clock: the store takes the evidence as
//! generated, reads it back whole, and judges the `user_test_passed` guard the way the engine
//! did when the history was made; the demo users are created once and reused for their tokens.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use rollout_domain::task::TaskStatus;
use rollout_domain::user_test::UserTestVerdict;
use rollout_domain::workflow::default_workflow;
use rollout_domain::{Procedure, ProcedureId};
use rollout_store::{OverdueAsOf, PageRequest, ProcedureFilter, TaskFilter};
use rollout_store_sqlite::SqliteStore;

use super::calendar::tokyo_date;
use super::{DemoOptions, DemoReport};
use crate::{App, FixedClock};

fn now() -> DateTime<Utc> {
    "2026-12-06T00:30:00Z".parse().unwrap()
}

async fn loaded(synthetic: usize) -> (App, DemoReport, Vec<Procedure>) {
    let store = SqliteStore::connect("sqlite::memory:").await.unwrap();
    store.migrate().await.unwrap();
    let app = App::new(
        Arc::new(store),
        default_workflow(),
        Arc::new(FixedClock::new(now())),
    );
    let options = DemoOptions {
        synthetic,
        ..DemoOptions::default()
    };
    let report = app.load_demo(options, &|_| {}).await.expect("demo loads");
    let page = PageRequest {
        first: 10_000,
        after: None,
        with_total: false,
    };
    let procedures = app
        .store()
        .list_procedures(&ProcedureFilter::default(), Default::default(), &page)
        .await
        .unwrap()
        .items;
    (app, report, procedures)
}

#[tokio::test]
async fn the_store_takes_the_evidence_and_judges_the_guard_as_the_generator_did() {
    let (app, report, procedures) = loaded(400).await;
    let store = app.store();
    assert_eq!(procedures.len(), 444);
    let ids: Vec<ProcedureId> = procedures.iter().map(|p| p.id).collect();
    let hearings = store.hearings_for_procedures(&ids).await.unwrap();
    assert_eq!(hearings.len() as u64, report.hearings);
    let tests = store.user_tests_for_procedures(&ids).await.unwrap();
    assert_eq!(tests.len() as u64, report.user_tests);
    let tasks = store.tasks_for_procedures(&ids, None).await.unwrap();
    assert_eq!(tasks.len() as u64, report.tasks);
    assert!(report.hearings > 700 && report.tasks > 1_100, "{report:?}");

    // What the guard would say now: a procedure waiting in `built` is judged on the tests
    // recorded since it got there; one past it has none since its latest move.
    let verdicts: HashMap<ProcedureId, UserTestVerdict> = store
        .latest_user_test_verdicts(&ids)
        .await
        .unwrap()
        .into_iter()
        .collect();
    for p in &procedures {
        let v = verdicts.get(&p.id);
        if p.state == "built" {
            assert!(
                matches!(v, None | Some(UserTestVerdict::Fail)),
                "{}",
                p.code
            );
        } else {
            assert_eq!(v, None, "{} in {}", p.code, p.state);
        }
        if p.state == "released" {
            assert!(
                tests
                    .iter()
                    .any(|t| t.procedure_id == p.id && t.verdict == UserTestVerdict::Pass),
                "{} was released without passing a user test",
                p.code
            );
        }
    }

    let today = tokyo_date(now());
    let open = tasks
        .iter()
        .filter(|t| t.status == TaskStatus::Open)
        .count();
    let overdue: Vec<_> = tasks.iter().filter(|t| t.is_overdue(today)).collect();
    let filter = TaskFilter {
        overdue: Some(OverdueAsOf {
            today,
            overdue: true,
        }),
        ..TaskFilter::default()
    };
    let page = PageRequest {
        first: 1_000,
        after: None,
        with_total: true,
    };
    let listed = store.list_tasks(&filter, &page).await.unwrap();
    assert_eq!(listed.items.len(), overdue.len());
    assert!(
        !overdue.is_empty() && overdue.len() * 4 < open,
        "{} of {open}",
        overdue.len()
    );

    let changes = store.target_changes_for(&ids).await.unwrap();
    for p in procedures.iter().filter(|p| p.target_quarter.is_some()) {
        let last = changes.iter().rfind(|c| c.procedure_id == p.id);
        assert_eq!(last.map(|c| c.to), Some(p.target_quarter), "{}", p.code);
    }
}

#[tokio::test]
async fn the_demo_users_come_with_the_data_and_get_their_tokens_later() {
    let (app, _, _) = loaded(0).await;
    assert_eq!(app.store().count_users().await.unwrap(), 5);
    let identities = app.create_demo_identities().await.unwrap();
    assert_eq!(identities.len(), 5);
    assert_eq!(
        app.store().count_users().await.unwrap(),
        5,
        "the same users, now with tokens"
    );
    assert_eq!(identities[0].user.email.as_str(), "sato@office.demo");
}
