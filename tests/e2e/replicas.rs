//! Two servers on one PostgreSQL database, as two replicas behind a load balancer: a subscriber
//! connected to replica A receives, exactly once and in order, the changes made through
//! replica B and through A itself (events travel through PostgreSQL's LISTEN/NOTIFY); a token
//! revoked or a user disabled on A is refused on B, which had it cached, well before the
//! cache's TTL (cache changes travel the same way), and a bureau created on A is usable on B at
//! once.
//!
//! PostgreSQL only by nature, so the test has no `::sqlite`/`::postgres` twin; without
//! `ROLLOUT_TEST_POSTGRES_URL` it is skipped, and under `CI=true` it fails, as every PostgreSQL
//! test of the harness does. Nothing sleeps: every wait is for a message, with a deadline.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::common::{
    Backend, Options, TestServer, TestUser, assert_unauthenticated, ok_data, start, start_replica,
};
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

const VIEWER: &str = "{ viewer { user { email } } }";

/// Asserts that `server` accepts `secret` as `user`.
async fn assert_accepted(server: &TestServer, secret: &str, user: &TestUser, what: &str) {
    let reply = server.request(Some(secret), &[], VIEWER, json!({})).await;
    assert_eq!(reply.status, 200, "{what}: {reply:?}");
    assert_eq!(
        ok_data(reply.body)["viewer"]["user"]["email"],
        user.email.as_str(),
        "{what}"
    );
}

/// Polls `server` with `secret` every 50 ms until it is refused; fails after 5 s, half the
/// cache's TTL, so only the notification (which takes milliseconds) can make it pass.
async fn refused_soon(server: &TestServer, secret: &str, what: &str) -> Duration {
    let started = Instant::now();
    loop {
        let reply = server.request(Some(secret), &[], VIEWER, json!({})).await;
        if reply.status != 200 {
            assert_unauthenticated(&reply, what);
            return started.elapsed();
        }
        let waited = started.elapsed();
        assert!(
            waited < Duration::from_secs(5),
            "{what}: still accepted after {waited:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revocations_disabled_users_and_new_bureaus_reach_every_replica() {
    let Some((a, harness)) = start(Backend::Postgres, Options::default()).await else {
        return;
    };
    let (b, replica) = start_replica(&a).await;
    let user = a
        .create_user("cached@e2e.rollout.test", "VIEWER", None)
        .await;
    let laptop = a.issue_token(&user.id, "laptop").await;
    assert_accepted(&b, &laptop, &user, "B caches the laptop token").await;
    assert_accepted(&b, &user.token, &user, "B caches the other token").await;

    let tokens = a.data_as(&user, "{ tokens { id name } }", json!({})).await;
    let laptop_id = tokens["tokens"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "laptop")
        .map(|t| t["id"].clone())
        .unwrap();
    let revoked = a
        .data_as(
            &user,
            "mutation($id: ID!) { revokeToken(input: { id: $id }) { errors { code } } }",
            json!({ "id": laptop_id }),
        )
        .await;
    assert_eq!(revoked["revokeToken"]["errors"], json!([]), "{revoked}");
    let took = refused_soon(&b, &laptop, "a token revoked on A, on B").await;
    eprintln!("B refused the revoked token after {took:?}");
    assert_accepted(&b, &user.token, &user, "the token not revoked").await;

    let disabled = a
        .data_as(
            &a.admin,
            "mutation($input: UpdateUserInput!) { updateUser(input: $input) { errors { code } } }",
            json!({ "input": { "id": user.id, "disabled": true } }),
        )
        .await;
    assert_eq!(disabled["updateUser"]["errors"], json!([]), "{disabled}");
    let took = refused_soon(&b, &user.token, "a user disabled on A, on B").await;
    eprintln!("B refused the disabled user's token after {took:?}");

    // B's bureau cache holds KANKYO only when A creates FUKUSHI; B finds it all the same.
    a.create_bureau("KANKYO", "環境局", "Bureau of Environment")
        .await;
    procedure(&b, &b.po, "KANKYO", "KANKYO-0001").await;
    a.create_bureau("FUKUSHI", "福祉局", "Bureau of Social Welfare")
        .await;
    procedure(&b, &b.po, "FUKUSHI", "FUKUSHI-0001").await;

    replica
        .shutdown()
        .await
        .expect("replica B did not shut down cleanly");
    harness.shutdown().await;
}
