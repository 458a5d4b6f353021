//! Reminder fixtures: a milestone every MILESTONE_DUE rule reports, rules, `run-once` as the
//! command runs it (the command's own library function on the test database), the next daily
//! tick, and a local webhook receiver that records what arrives and answers as told.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, TimeZone, Utc};
use serde_json::{Value, json};

use super::{TestServer, TestUser, ok_data, payload_errors};

pub const RULE_FIELDS: &str = "id name schedule timeZone kind days enabled version missedTicks \
    lastTickAt channels holidayPolicy misfirePolicy quietDays";

impl TestServer {
    /// Creates a rule as `user` from `input` (the fields of CreateReminderRuleInput); the
    /// payload (rule and errors).
    pub async fn create_rule(&self, user: &TestUser, input: Value) -> Value {
        let query = format!(
            "mutation($i: CreateReminderRuleInput!) {{ createReminderRule(input: $i) {{ rule {{ {RULE_FIELDS} }} errors {{ code message path }} }} }}"
        );
        ok_data(self.gql_as(user, &query, json!({"i": input})).await)["createReminderRule"].clone()
    }

    /// A MILESTONE_DUE rule daily at 09:00 Tokyo for the project office, on `channels`.
    pub async fn daily_milestone_rule(&self, name: &str, channels: Value, extra: Value) -> Value {
        let mut input = json!({
            "name": name, "schedule": "0 9 * * *", "kind": "MILESTONE_DUE", "days": 3650,
            "scope": {}, "recipients": {"projectOffice": true}, "channels": channels,
        });
        if let (Some(i), Some(e)) = (input.as_object_mut(), extra.as_object()) {
            i.extend(e.clone());
        }
        let payload = self.create_rule(&self.po, input).await;
        assert_eq!(payload_errors(&payload), vec![], "{payload}");
        payload["rule"].clone()
    }

    /// What `rollout reminders run-once --now T` does, on this server's database.
    pub async fn run_once(&self, now: DateTime<Utc>) -> rollout_app::reminders::FireReport {
        rollout_server::commands::reminders::run_once(
            &rollout_server::DatabaseUrl::new(self.database_url.clone()),
            false,
            None,
            // As a deployment with e-mail configured: rules with the EMAIL channel queue mail.
            true,
            None,
            now,
        )
        .await
        .expect("run-once succeeds")
    }
}

/// The first 09:00 Tokyo (00:00 UTC) strictly after `after`, and the `n - 1` days after it.
pub fn daily_ticks(after: DateTime<Utc>, n: usize) -> Vec<DateTime<Utc>> {
    let mut first = Utc.from_utc_datetime(&after.date_naive().and_hms_opt(0, 0, 0).unwrap());
    while first <= after {
        first += chrono::Duration::days(1);
    }
    (0..n as i64)
        .map(|k| first + chrono::Duration::days(k))
        .collect()
}

/// One request a [`Receiver`] got.
#[derive(Debug, Clone)]
pub struct Received {
    pub path: String,
    pub id: String,
    pub timestamp: String,
    pub signature: String,
    pub body: String,
}

/// A local webhook receiver on 127.0.0.1: `/flaky` fails (500) the first three requests of
/// each message id and accepts the fourth, `/gone` answers 410, `/ok` accepts.
#[derive(Debug, Clone, Default)]
pub struct Receiver {
    pub log: Arc<Mutex<Vec<Received>>>,
    pub base: String,
}

impl Receiver {
    pub async fn start() -> Self {
        use axum::http::{HeaderMap, StatusCode};
        use axum::routing::post;
        let log: Arc<Mutex<Vec<Received>>> = Arc::default();
        let record = |path: &'static str, log: Arc<Mutex<Vec<Received>>>| {
            move |headers: HeaderMap, body: String| {
                let log = log.clone();
                async move {
                    let h = |n: &str| {
                        headers
                            .get(n)
                            .and_then(|v| v.to_str().ok())
                            .unwrap_or("")
                            .to_owned()
                    };
                    let received = Received {
                        path: path.to_owned(),
                        id: h("webhook-id"),
                        timestamp: h("webhook-timestamp"),
                        signature: h("webhook-signature"),
                        body,
                    };
                    let mut log = log.lock().unwrap();
                    let earlier = log
                        .iter()
                        .filter(|r| r.path == path && r.id == received.id)
                        .count();
                    log.push(received);
                    match path {
                        "/flaky" if earlier < 3 => StatusCode::INTERNAL_SERVER_ERROR,
                        "/gone" => StatusCode::GONE,
                        _ => StatusCode::NO_CONTENT,
                    }
                }
            }
        };
        let app = axum::Router::new()
            .route("/flaky", post(record("/flaky", log.clone())))
            .route("/gone", post(record("/gone", log.clone())))
            .route("/ok", post(record("/ok", log.clone())));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self { log, base }
    }

    pub fn received(&self, path: &str) -> Vec<Received> {
        self.log
            .lock()
            .unwrap()
            .iter()
            .filter(|r| r.path == path)
            .cloned()
            .collect()
    }

    /// Waits (up to 20 s) until `path` got at least `n` requests.
    pub async fn wait_for(&self, path: &str, n: usize) -> Vec<Received> {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        loop {
            let got = self.received(path);
            if got.len() >= n {
                return got;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "{path} got {} of {n} requests",
                got.len()
            );
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }
}
