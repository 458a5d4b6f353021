//! LISTEN/NOTIFY primitives against a real server: payloads arrive in the order they were sent,
//! one by one or many in one statement, a payload PostgreSQL would refuse is refused before
//! anything is sent, and a listener whose
//! connection the server terminated reconnects and goes on receiving.
//!
//! Nothing sleeps. The reconnection test cannot know when the new connection listens (no
//! message says so), so it sends probes until one arrives, each with a short wait, as the
//! end-to-end subscription tests do.

mod common;

use std::time::Duration;

use rollout_store_postgres::{Listener, MAX_PAYLOAD_BYTES, PgStore};

const CHANNEL: &str = "rollout_test_channel";

/// How long a test waits for a payload that must come.
const PATIENCE: Duration = Duration::from_secs(10);

async fn next(listener: &mut Listener) -> String {
    tokio::time::timeout(PATIENCE, listener.recv())
        .await
        .expect("no notification arrived in time")
        .expect("the listener ended")
}

async fn send(store: &PgStore, payload: &str) {
    store
        .notify(CHANNEL, payload)
        .await
        .unwrap_or_else(|e| panic!("NOTIFY {payload:?} failed: {e:?}"));
}

#[tokio::test]
async fn payloads_arrive_in_the_order_they_were_sent() {
    let Some(db) = common::database("payloads_arrive_in_order").await else {
        return;
    };
    let store = db.store();
    store.notify(CHANNEL, "before").await.unwrap();
    let mut listener = store.listen(CHANNEL).await.unwrap();
    let sent: Vec<String> = (1..=60)
        .map(|i| format!("{{\"n\":{i},\"t\":\"手続\"}}"))
        .collect();
    for payload in &sent[..10] {
        send(&store, payload).await;
    }
    store.notify_all(CHANNEL, &sent[10..50]).await.unwrap();
    store.notify_all(CHANNEL, &[]).await.unwrap();
    for payload in &sent[50..] {
        send(&store, payload).await;
    }
    store.notify("another_channel", "elsewhere").await.unwrap();
    let mut received = Vec::new();
    for _ in &sent {
        received.push(next(&mut listener).await);
    }
    assert_eq!(
        received, sent,
        "what was sent before listening, or on another channel, is not received"
    );
    listener.close().await;
}

#[tokio::test]
async fn a_payload_over_the_limit_is_refused_and_not_sent() {
    let Some(db) = common::database("a_payload_over_the_limit").await else {
        return;
    };
    let store = db.store();
    let mut listener = store.listen(CHANNEL).await.unwrap();
    let largest = "x".repeat(MAX_PAYLOAD_BYTES);
    send(&store, &largest).await;
    let err = store
        .notify(CHANNEL, &"x".repeat(MAX_PAYLOAD_BYTES + 1))
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("PostgreSQL takes at most 7999"),
        "{err}"
    );
    let batch = [
        "refused with the rest".to_owned(),
        "x".repeat(MAX_PAYLOAD_BYTES + 1),
    ];
    let err = store.notify_all(CHANNEL, &batch).await.unwrap_err();
    assert!(
        err.to_string().contains("PostgreSQL takes at most 7999"),
        "{err}"
    );
    send(&store, "after").await;
    assert_eq!(
        next(&mut listener).await,
        largest,
        "the limit itself is fine"
    );
    assert_eq!(next(&mut listener).await, "after");
    listener.close().await;
}

#[tokio::test]
async fn a_listener_whose_connection_was_terminated_reconnects() {
    let Some(db) = common::database("a_listener_reconnects").await else {
        return;
    };
    let store = db.store();
    let mut listener = store.listen(CHANNEL).await.unwrap();
    send(&store, "before").await;
    assert_eq!(next(&mut listener).await, "before");

    let pool = sqlx::PgPool::connect(db.url()).await.unwrap();
    let terminated: i64 = sqlx::query_scalar(
        "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity
          WHERE datname = current_database() AND pid <> pg_backend_pid()
            AND query LIKE 'LISTEN%'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    pool.close().await;
    assert_eq!(terminated, 1, "the listener's connection was found");

    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let receiving = tokio::spawn(async move {
        while let Some(payload) = listener.recv().await {
            if tx.send(payload).is_err() {
                break;
            }
        }
        listener
    });
    let mut received = None;
    for probe in 1..=40 {
        send(&store, &format!("probe {probe}")).await;
        if let Ok(Some(payload)) = tokio::time::timeout(Duration::from_millis(250), rx.recv()).await
        {
            received = Some(payload);
            break;
        }
    }
    let received = received.expect("no probe arrived after the connection was terminated");
    assert!(received.starts_with("probe "), "{received}");
    send(&store, "last").await;
    // Probes sent while the reconnection was under way may still come first.
    let mut last = received;
    while last != "last" {
        last = tokio::time::timeout(PATIENCE, rx.recv())
            .await
            .expect("the last payload did not arrive in time")
            .expect("the listener ended");
        assert!(last == "last" || last.starts_with("probe "), "{last}");
    }
    drop(rx);
    receiving.abort();
    let _ = receiving.await;
}
