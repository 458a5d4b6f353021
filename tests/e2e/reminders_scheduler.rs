//! The in-process scheduler, on both backends: a server fires a per-second rule by itself
//! within a few seconds, one firing per tick; a server with `[scheduler] enabled = false`
//! fires nothing, and `run-once` does the evaluating instead (every tick still within the
//! misfire grace fires).

use std::time::Duration;

use chrono::{SubsecRound, Utc};
use serde_json::{Value, json};

use crate::common::{Backend, Options, TestServer, ok_data, start};

async fn firings(server: &TestServer, rule: &Value) -> Vec<Value> {
    let data = ok_data(
        server
            .gql(
                "query($id: ID!) { node(id: $id) { ... on ReminderRule { firings(first: 100) { tickAt items recipients } } } }",
                json!({"id": rule["id"]}),
            )
            .await,
    );
    data["node"]["firings"].as_array().unwrap().clone()
}

async fn every_second(server: &TestServer) -> Value {
    server.milestone("SaaS電子申請基盤の稼働").await;
    let payload = server
        .create_rule(
            &server.po,
            json!({"name": "毎秒", "schedule": "* * * * * *", "kind": "MILESTONE_DUE", "days": 3650,
                   "recipients": {"projectOffice": true}, "channels": ["IN_APP"]}),
        )
        .await;
    assert_eq!(payload["errors"], json!([]), "{payload}");
    payload["rule"].clone()
}

async fn run(backend: Backend, enabled: bool) {
    let reminders = rollout_server::reminder_config::ReminderConfig {
        enabled,
        ..Default::default()
    };
    let options = Options {
        reminders: Some(reminders),
        ..Options::default()
    };
    let Some((server, harness)) = start(backend, options).await else {
        return;
    };
    let rule = every_second(&server).await;
    tokio::time::sleep(Duration::from_millis(3500)).await;
    let fired = firings(&server, &rule).await;
    if enabled {
        assert!(fired.len() >= 2, "the scheduler fired by itself: {fired:?}");
        let mut ticks: Vec<&str> = fired
            .iter()
            .map(|f| f["tickAt"].as_str().unwrap())
            .collect();
        let n = ticks.len();
        ticks.sort_unstable();
        ticks.dedup();
        assert_eq!(ticks.len(), n, "one firing per tick");
        assert!(
            fired
                .iter()
                .all(|f| f["recipients"] == 3 && f["items"] == 1),
            "{fired:?}"
        );
    } else {
        assert_eq!(
            fired,
            Vec::<Value>::new(),
            "a disabled scheduler fires nothing"
        );
        // The ticks since the rule was made are all within the misfire grace (a minute): each
        // fires, once, and a second run-once finds nothing left.
        let report = server.run_once(Utc::now().trunc_subsecs(6)).await;
        assert!(report.firings.len() >= 3, "{report:?}");
        assert_eq!(firings(&server, &rule).await.len(), report.firings.len());
        let again = server.run_once(Utc::now().trunc_subsecs(6)).await;
        assert!(
            again.firings.len() <= 1,
            "at most the one new tick: {again:?}"
        );
    }
    harness.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_scheduler_fires_by_itself_on_sqlite() {
    run(Backend::Sqlite, true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_scheduler_fires_by_itself_on_postgres() {
    run(Backend::Postgres, true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_disabled_scheduler_leaves_it_to_run_once_on_sqlite() {
    run(Backend::Sqlite, false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_disabled_scheduler_leaves_it_to_run_once_on_postgres() {
    run(Backend::Postgres, false).await;
}
