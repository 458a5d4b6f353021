//! Two servers on one PostgreSQL database, as two replicas behind a load balancer: a subscriber
//! connected to replica A receives, exactly once and in order, the changes made through
//! replica B and through A itself (events travel through PostgreSQL's LISTEN/NOTIFY).
//!
//! PostgreSQL only by nature, so the test has no `::sqlite`/`::postgres` twin; without
//! `ROLLOUT_TEST_POSTGRES_URL` it is skipped, and under `CI=true` it fails, as every PostgreSQL
//! test of the harness does. Nothing sleeps: every wait is for a message, with a deadline.

use serde_json::{Value, json};

use crate::common::{Backend, Options, TestServer, TestUser, start, start_replica};
use crate::subscriptions::{Frame, MODERN, Socket, bureaus, connect, procedure, subscribe};

const ID: &str = "events";

/// The `next` message of subscription [`ID`] that the subscriptions' `EVENTS` query gives for
/// an event of `kind` that left the procedure `KANKYO-0001` at `version` in `state`, made by
/// `actor`, with `record` (null for updates).
fn expected(kind: &str, version: i64, state: &str, actor: &TestUser, record: Value) -> Frame {
    Frame::Message(
        json!({"id": ID, "type": "next", "payload": {"data": {"procedureEvents": {
            "kind": kind, "procedureVersion": version, "actor": actor.email,
            "procedure": {"code": "KANKYO-0001", "version": version, "state": {"key": state}},
            "record": record,
        }}}}),
    )
}

/// Renames `procedure` through `server` (its version is `version`); returns the new version.
async fn rename(server: &TestServer, procedure: &str, version: i64, name: &str) -> i64 {
    let payload = server
        .update_procedure_as(
            &server.po,
            json!({"id": procedure, "expectedVersion": version, "name": name}),
        )
        .await;
    assert_eq!(payload["errors"], json!([]), "{payload}");
    version + 1
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_reach_subscribers_of_every_replica() {
    let Some((a, harness)) = start(Backend::Postgres, Options::default()).await else {
        return;
    };
    let (b, replica) = start_replica(&a).await;
    bureaus(&b).await;
    let id = procedure(&b, &b.po, "KANKYO", "KANKYO-0001").await;

    let mut socket: Socket = connect(&a, "/graphql/ws", MODERN, None).await.unwrap();
    socket
        .init(json!({"Authorization": format!("Bearer {}", a.po.token)}))
        .await;
    socket.send(subscribe(ID, json!({"procedureId": id}))).await;
    // Probing through B: the subscription on A is live once it reports a change made on B.
    let mut version = 1;
    socket
        .wait_until_live(&b, &b.po, ID, &id, &mut version)
        .await;

    let moved = b
        .transition(json!({"procedureId": id, "to": "scheduled", "expectedVersion": version}))
        .await;
    assert_eq!(moved["errors"], json!([]), "{moved}");
    version += 1;
    let record = |version| {
        json!({"from": "hearing", "to": "scheduled", "procedureVersion": version,
               "actor": a.po.email})
    };
    assert_eq!(
        socket.next().await,
        expected("TRANSITIONED", version, "scheduled", &a.po, record(version)),
        "the transition made through B reaches A's subscriber"
    );

    // A's own change comes back through PostgreSQL as well, and only that way.
    let transitioned_at = version;
    version = rename(&a, &id, version, "renamed on A").await;
    assert_eq!(
        socket.next().await,
        expected("UPDATED", version, "scheduled", &a.po, Value::Null),
        "the transition (version {transitioned_at}) was not delivered twice"
    );
    // B's notifications reach A in the order B sent them, so a second copy of anything before
    // would arrive ahead of this last change.
    version = rename(&b, &id, version, "renamed on B").await;
    assert_eq!(
        socket.next().await,
        expected("UPDATED", version, "scheduled", &a.po, Value::Null),
        "every event arrived once"
    );

    replica
        .shutdown()
        .await
        .expect("replica B did not shut down cleanly");
    harness.shutdown().await;
}
