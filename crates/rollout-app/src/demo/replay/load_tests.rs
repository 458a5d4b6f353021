//! The replay on a real (SQLite) store: it loads once into an empty database with progress per
//! chunk, writes what the dataset holds, and refuses a clock that reads earlier than the
//! dataset's last day (leaving the database empty).

use std::sync::{Arc, Mutex};

use chrono::{DateTime, NaiveDate, Utc};
use rollout_domain::workflow::default_workflow;
use rollout_store_sqlite::SqliteStore;

use super::super::{DemoError, DemoProgress};
use super::ReplayDataset;
use crate::{App, FixedClock};

async fn app(now: &str) -> App {
    let store = SqliteStore::connect("sqlite::memory:").await.unwrap();
    store.migrate().await.unwrap();
    let now: DateTime<Utc> = now.parse().unwrap();
    App::new(
        Arc::new(store),
        default_workflow(),
        Arc::new(FixedClock::new(now)),
    )
}

#[tokio::test]
async fn the_replay_loads_into_an_empty_database_once() {
    let app = app("2026-12-06T00:30:00Z").await;
    let dataset = ReplayDataset::embedded().unwrap();
    let seen = Mutex::new(Vec::new());
    let report = app
        .load_replay(&|p: DemoProgress| seen.lock().unwrap().push((p.done, p.total)))
        .await
        .expect("the replay loads");
    let total = dataset.procedures.len();
    let real = dataset.procedures.iter().filter(|p| !p.synthetic).count();
    assert_eq!(
        (
            report.bureaus,
            report.real_procedures,
            report.synthetic_procedures
        ),
        (31, real as u64, (total - real) as u64)
    );
    assert_eq!(real, 44);
    let moves: usize = dataset.procedures.iter().map(|p| p.events.len()).sum();
    assert_eq!(report.history_records, moves as u64);
    assert_eq!(report.law_changes, 31);
    assert!(
        report.dependencies >= 67 && report.user_tests > 0,
        "{report:?}"
    );
    let seen = seen.into_inner().unwrap();
    assert_eq!(seen.first(), Some(&(0, total)));
    assert_eq!(seen.last(), Some(&(total, total)));
    assert_eq!(
        seen.len(),
        total.div_ceil(super::REPLAY_CHUNK) + 1,
        "{seen:?}"
    );

    let code = rollout_domain::ProcedureCode::parse("DIGITAL-0001").unwrap();
    let p = app.store().procedure_by_code(&code).await.unwrap().unwrap();
    assert_eq!(p.name, "実習用通学定期乗車券の発売申込の届出");
    assert_eq!(p.state, "released");
    let released = p.released_on.unwrap();
    assert!(
        (NaiveDate::from_ymd_opt(2021, 10, 1).unwrap()
            ..=NaiveDate::from_ymd_opt(2021, 12, 31).unwrap())
            .contains(&released),
        "{released}"
    );

    let again = app.load_replay(&|_| {}).await;
    assert!(matches!(again, Err(DemoError::NotEmpty)), "{again:?}");
}

#[tokio::test]
async fn a_clock_before_the_datasets_end_is_refused_and_nothing_is_written() {
    let app = app("2025-09-30T06:00:00Z").await;
    let refused = app.load_replay(&|_| {}).await;
    match refused {
        Err(DemoError::Replay(why)) => assert!(why.contains("in the future"), "{why}"),
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert!(app.store().is_empty().await.unwrap());
}
