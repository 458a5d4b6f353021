//! `notificationAdded` across replicas (PostgreSQL): a graphql-ws client subscribed on one
//! replica receives its notification of a firing another process committed, through the
//! relay's LISTEN/NOTIFY, and nobody else's.

use std::time::Duration;

use chrono::Utc;
use serde_json::{Value, json};

use crate::common::{Backend, Options, daily_ticks, start, start_replica};
use crate::subscriptions::{Frame, MODERN, connect};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_replicas_on_postgres() {
    let Some((server, harness)) = start(Backend::Postgres, Options::default()).await else {
        return;
    };
    let (replica, running) = start_replica(&server).await;
    let mut socket = connect(&replica, "/graphql/ws", MODERN, None)
        .await
        .unwrap();
    socket
        .init(json!({"Authorization": format!("Bearer {}", replica.po.token)}))
        .await;
    socket
        .send(json!({"id": "n", "type": "subscribe", "payload": {
            "query": "subscription { notificationAdded { subject lines { title } read } }"}}))
        .await;
    server.milestone("SaaS電子申請基盤の稼働").await;
    server
        .daily_milestone_rule("live", json!(["IN_APP"]), json!({}))
        .await;
    // A fresh subscription becomes live when the server has processed it, which no message
    // confirms: fire tick after tick (another process, like `run-once`) until one arrives.
    let mut received: Option<Value> = None;
    for tick in daily_ticks(Utc::now(), 20) {
        assert_eq!(server.run_once(tick).await.firings.len(), 1);
        if let Some(Frame::Message(m)) = socket.next_within(Duration::from_secs(2)).await {
            received = Some(m);
            break;
        }
    }
    let message = received.expect("notificationAdded delivered a notification");
    assert_eq!(message["type"], "next", "{message}");
    let n = &message["payload"]["data"]["notificationAdded"];
    assert_eq!(n["subject"], "【rollout】期日が近いマイルストーン（1件）");
    assert_eq!(n["lines"][0]["title"], "SaaS電子申請基盤の稼働");
    assert_eq!(n["read"], false);
    running.shutdown().await.unwrap();
    harness.shutdown().await;
}
