//! Reminder deliveries end to end, on both backends: a firing's webhook call to a local
//! receiver that fails three times arrives on the fourth attempt with the same `webhook-id` and
//! a signature that verifies with the secret shown at creation; a 410 makes the delivery DEAD
//! at once, visible to operators and retryable; downtime over three ticks gives one catch-up
//! firing and two missed ticks under FIRE_ONCE; notifications are each person's own.

use std::time::Duration;

use chrono::Utc;
use rollout_scheduler::delivery::webhook::{SignedHeaders, WebhookSecret, verify};
use serde_json::{Value, json};

use crate::common::{
    Options, Receiver, TestServer, both_backends, daily_ticks, ok_data, payload_errors,
};

both_backends!(
    with crate::reminders_delivery::fast_retries;
    webhook_retries_keep_their_id_and_gone_endpoints_are_dead,
    downtime_over_three_ticks_fires_once_and_counts_two_missed,
    notifications_are_each_persons_own,
);

/// Retries after 50–100 ms, and a scheduler that re-reads the outbox at least every second
/// (a `run-once` on SQLite cannot wake the server).
pub(crate) fn fast_retries() -> Options {
    let reminders = rollout_server::reminder_config::ReminderConfig {
        retry_base: Duration::from_millis(50),
        retry_max: Duration::from_millis(100),
        max_sleep: Duration::from_secs(1),
        ..Default::default()
    };
    Options {
        reminders: Some(reminders),
        ..Options::default()
    }
}

async fn endpoint(server: &TestServer, url: &str) -> (String, String) {
    let data = ok_data(
        server
            .gql_as(
                &server.admin,
                "mutation($i: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $i) { endpoint { id url } secret errors { code message } } }",
                json!({"i": {"url": url, "eventTypes": ["MILESTONE_DUE"]}}),
            )
            .await,
    );
    let p = &data["createWebhookEndpoint"];
    assert_eq!(payload_errors(p), vec![], "{p}");
    (
        p["endpoint"]["id"].as_str().unwrap().to_owned(),
        p["secret"].as_str().unwrap().to_owned(),
    )
}

async fn dead(server: &TestServer) -> Vec<Value> {
    let data = ok_data(
        server
            .gql(
                "{ deliveries(status: DEAD, first: 20) { id channel status attempts lastError } }",
                json!({}),
            )
            .await,
    );
    data["deliveries"].as_array().unwrap().clone()
}

async fn webhook_retries_keep_their_id_and_gone_endpoints_are_dead(server: TestServer) {
    let receiver = Receiver::start().await;
    let (_, flaky_secret) = endpoint(&server, &format!("{}/flaky", receiver.base)).await;
    let (_, gone_secret) = endpoint(&server, &format!("{}/gone", receiver.base)).await;
    assert!(flaky_secret.starts_with("whsec_") && flaky_secret != gone_secret);
    server.milestone("SaaS電子申請基盤の稼働").await;
    server
        .daily_milestone_rule("朝のマイルストーン確認", json!(["WEBHOOK"]), json!({}))
        .await;
    let tick = daily_ticks(Utc::now(), 1)[0];
    let report = server.run_once(tick).await;
    assert_eq!(report.firings.len(), 1);
    assert_eq!(report.firings[0].deliveries, 2, "one call per endpoint");

    let got = receiver.wait_for("/flaky", 4).await;
    assert_eq!(
        got.len(),
        4,
        "three failures, then the success: no fifth call"
    );
    assert!(
        got.iter().all(|r| r.id == got[0].id),
        "the same webhook-id on every retry"
    );
    let secret = WebhookSecret::parse(&flaky_secret).unwrap();
    for r in &got {
        let headers = SignedHeaders {
            id: &r.id,
            timestamp: &r.timestamp,
            signature: &r.signature,
        };
        verify(
            &[&secret],
            &headers,
            r.body.as_bytes(),
            Utc::now().timestamp(),
            Duration::from_secs(300),
        )
        .expect("the signature verifies with the secret shown at creation");
    }
    let body: Value = serde_json::from_str(&got[3].body).unwrap();
    assert_eq!(body["type"], "reminder.fired");
    assert_eq!(
        body["data"]["items"][0]["titleJa"],
        "SaaS電子申請基盤の稼働"
    );

    // 410: DEAD after one attempt, listed for operators, and retryable under the same id.
    let gone = receiver.wait_for("/gone", 1).await;
    let mut listed = dead(&server).await;
    for _ in 0..100 {
        if !listed.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
        listed = dead(&server).await;
    }
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0]["attempts"], 1);
    assert_eq!(listed[0]["channel"], "WEBHOOK");
    let retried = ok_data(
        server
            .gql(
                "mutation($i: RetryDeliveryInput!) { retryDelivery(input: $i) { delivery { status } errors { code message } } }",
                json!({"i": {"id": listed[0]["id"]}}),
            )
            .await,
    );
    assert_eq!(payload_errors(&retried["retryDelivery"]), vec![]);
    let again = receiver.wait_for("/gone", 2).await;
    assert_eq!(again[1].id, gone[0].id, "a retried delivery keeps its id");
    // A coordinator or viewer may not operate the outbox.
    let refused = server
        .gql_as(
            &server.viewer,
            "{ deliveries(status: DEAD) { id } }",
            json!({}),
        )
        .await;
    assert!(refused.to_string().contains("FORBIDDEN"), "{refused}");
}

async fn downtime_over_three_ticks_fires_once_and_counts_two_missed(server: TestServer) {
    server.milestone("SaaS電子申請基盤の稼働").await;
    let once = server
        .daily_milestone_rule("catch up once", json!(["IN_APP"]), json!({}))
        .await;
    let skip = server
        .daily_milestone_rule(
            "skip missed",
            json!(["IN_APP"]),
            json!({"misfirePolicy": "SKIP"}),
        )
        .await;
    let ticks = daily_ticks(Utc::now(), 3);
    // Nobody evaluated for three days: the first look is two minutes after the third tick.
    let report = server
        .run_once(ticks[2] + chrono::Duration::minutes(2))
        .await;
    assert_eq!(report.firings.len(), 1, "{report:?}");
    assert_eq!(
        report.firings[0].tick_at, ticks[2],
        "the catch-up firing is the latest tick"
    );
    assert_eq!(report.missed, 2 + 3);
    let query = "query($id: ID!) { node(id: $id) { ... on ReminderRule { missedTicks lastTickAt firings { tickAt } } } }";
    let once_now = ok_data(server.gql(query, json!({"id": once["id"]})).await);
    assert_eq!(once_now["node"]["missedTicks"], 2);
    assert_eq!(once_now["node"]["firings"].as_array().unwrap().len(), 1);
    let skip_now = ok_data(server.gql(query, json!({"id": skip["id"]})).await);
    assert_eq!(skip_now["node"]["missedTicks"], 3);
    assert_eq!(skip_now["node"]["firings"], json!([]));
    let status = ok_data(
        server
            .gql("{ schedulerStatus { missedTicks } }", json!({}))
            .await,
    );
    assert_eq!(status["schedulerStatus"]["missedTicks"], 5);
    // Evaluating the same instant again changes nothing.
    let again = server
        .run_once(ticks[2] + chrono::Duration::minutes(2))
        .await;
    assert!(again.firings.is_empty() && again.missed == 0, "{again:?}");
}

async fn notifications_are_each_persons_own(server: TestServer) {
    server.milestone("SaaS電子申請基盤の稼働").await;
    server
        .daily_milestone_rule("inbox", json!(["IN_APP"]), json!({}))
        .await;
    let tick = daily_ticks(Utc::now(), 1)[0];
    server.run_once(tick).await;
    let mine = "{ unreadNotificationCount notifications(first: 10) { edges { node { id subject lines { key title } read } } } }";
    let po = ok_data(server.gql_as(&server.po, mine, json!({})).await);
    assert_eq!(po["unreadNotificationCount"], 1);
    let node = &po["notifications"]["edges"][0]["node"];
    assert_eq!(
        node["subject"],
        "【rollout】期日が近いマイルストーン（1件）"
    );
    assert_eq!(node["lines"][0]["title"], "SaaS電子申請基盤の稼働");
    // Another person marking po's notification read changes nothing.
    let mark = "mutation($i: MarkNotificationsReadInput!) { markNotificationsRead(input: $i) { count errors { code } } }";
    let other = ok_data(
        server
            .gql_as(&server.po2, mark, json!({"i": {"ids": [node["id"]]}}))
            .await,
    );
    assert_eq!(other["markNotificationsRead"]["count"], 0);
    let po = ok_data(server.gql_as(&server.po, mine, json!({})).await);
    assert_eq!(po["unreadNotificationCount"], 1);
    let own = ok_data(
        server
            .gql_as(&server.po, mark, json!({"i": {"ids": [node["id"]]}}))
            .await,
    );
    assert_eq!(own["markNotificationsRead"]["count"], 1);
    let po = ok_data(server.gql_as(&server.po, mine, json!({})).await);
    assert_eq!(po["unreadNotificationCount"], 0);
    // The viewer is no recipient of this rule: nothing.
    let viewer = ok_data(server.gql_as(&server.viewer, mine, json!({})).await);
    assert_eq!(viewer["unreadNotificationCount"], 0);
}
