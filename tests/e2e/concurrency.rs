//! Races and retries over real HTTP: concurrent transitions with one expected version (optimistic
//! concurrency must let exactly one through), and idempotency keys (a retry is answered, not
//! re-applied; a reused key with a different request is refused; concurrent retries agree; keys
//! belong to their user).

use crate::common::{TestServer, both_backends, payload_errors};
use futures::future::join_all;
use serde_json::{Value, json};

both_backends!(
    racing_transitions_one_winner,
    idempotent_retry,
    idempotency_key_reused_for_other_request,
    idempotency_keys_belong_to_their_user,
    concurrent_identical_retries,
);

const CLIENTS: usize = 8;

/// A bureau and one procedure whose guards already hold; returns its id (version 1, hearing).
async fn fixture(server: &TestServer) -> String {
    server
        .create_bureau("KANKYO", "環境局", "Bureau of Environment")
        .await;
    let p = server
        .create_procedure(json!({
            "code": "KANKYO-0001", "name": "産業廃棄物処理業の許可申請", "bureauCode": "KANKYO",
            "category": "MAJOR", "authority": "TOKYO", "targetQuarter": "FY2025-Q2",
            "platform": "DEDICATED_SYSTEM",
        }))
        .await;
    p["id"].as_str().unwrap().to_owned()
}

/// Sends `inputs` as concurrent `transitionProcedure` requests, alternately as two
/// project-office users.
async fn race(server: &TestServer, inputs: Vec<Value>) -> Vec<Value> {
    join_all(inputs.into_iter().enumerate().map(|(i, input)| async move {
        let user = if i % 2 == 0 { &server.po } else { &server.po2 };
        server.transition_as(user, input).await
    }))
    .await
}

async fn racing_transitions_one_winner(server: TestServer) {
    let id = fixture(&server).await;
    let inputs = (0..CLIENTS)
        .map(|i| json!({ "procedureId": id, "to": "scheduled", "expectedVersion": 1, "comment": format!("attempt {i}") }))
        .collect();
    let results = race(&server, inputs).await;
    let (winners, losers): (Vec<_>, Vec<_>) =
        results.iter().partition(|p| p["errors"] == json!([]));
    assert_eq!(winners.len(), 1, "exactly one winner: {results:#?}");
    for loser in &losers {
        assert_eq!(
            payload_errors(loser),
            [("VERSION_CONFLICT".to_owned(), "expectedVersion".to_owned())],
            "{loser}"
        );
        assert!(
            loser["procedure"].is_null() && loser["record"].is_null(),
            "{loser}"
        );
    }
    let winner = winners[0];
    assert_eq!(winner["procedure"]["version"], 2);
    assert_eq!(server.snapshot(&id).await, (2, 2));
    let history = server.history(&id).await;
    let scheduled: Vec<_> = history.iter().filter(|r| r["to"] == "scheduled").collect();
    assert_eq!(scheduled.len(), 1, "{history:#?}");
    assert_eq!(scheduled[0]["id"], winner["record"]["id"]);
    assert_eq!(scheduled[0]["actor"], winner["record"]["actor"]);
    assert_eq!(scheduled[0]["comment"], winner["record"]["comment"]);

    // The race repeats cleanly from the new version: one more winner, version 3.
    let inputs = (0..CLIENTS)
        .map(|_| json!({ "procedureId": id, "to": "built", "expectedVersion": 2 }))
        .collect();
    let results = race(&server, inputs).await;
    let wins = results.iter().filter(|p| p["errors"] == json!([])).count();
    assert_eq!(wins, 1, "{results:#?}");
    assert_eq!(server.snapshot(&id).await, (3, 3));
}

async fn idempotent_retry(server: TestServer) {
    let id = fixture(&server).await;
    let input = json!({
        "procedureId": id, "to": "scheduled", "expectedVersion": 1,
        "comment": "agreed", "idempotencyKey": "req-7f3a",
    });
    let first = server.transition(input.clone()).await;
    assert_eq!(first["errors"], json!([]), "{first}");
    assert_eq!(first["replayed"], false);
    assert_eq!(first["procedure"]["version"], 2);

    let second = server.transition(input.clone()).await;
    assert_eq!(second["errors"], json!([]), "{second}");
    assert_eq!(second["replayed"], true);
    assert_eq!(
        second["record"], first["record"],
        "the retry answers with the first record"
    );
    assert_eq!(second["procedure"]["version"], 2);
    assert_eq!(second["procedure"]["state"]["key"], "scheduled");
    assert_eq!(server.snapshot(&id).await, (2, 2));

    // Still answered after the procedure has moved on, and still writes nothing.
    let v = server.step(&id, "built", 2, None).await;
    let third = server.transition(input).await;
    assert_eq!(third["replayed"], true, "{third}");
    assert_eq!(third["record"]["id"], first["record"]["id"]);
    assert_eq!(server.snapshot(&id).await, (v, 3));
    let history = server.history(&id).await;
    assert_eq!(history.iter().filter(|r| r["to"] == "scheduled").count(), 1);
}

async fn idempotency_key_reused_for_other_request(server: TestServer) {
    let id = fixture(&server).await;
    let first = server
        .transition(
            json!({ "procedureId": id, "to": "scheduled", "expectedVersion": 1, "idempotencyKey": "once" }),
        )
        .await;
    assert_eq!(first["errors"], json!([]), "{first}");
    let others = [
        (
            &server.po,
            json!({ "procedureId": id, "to": "hearing", "expectedVersion": 2, "idempotencyKey": "once" }),
        ),
        (
            &server.po,
            json!({ "procedureId": id, "to": "scheduled", "expectedVersion": 1, "comment": "x", "idempotencyKey": "once" }),
        ),
    ];
    for (actor, input) in others {
        let payload = server.transition_as(actor, input.clone()).await;
        assert_eq!(
            payload_errors(&payload),
            [("DUPLICATE".to_owned(), "idempotencyKey".to_owned())],
            "{} {input}: {payload}",
            actor.email
        );
        assert!(
            payload["procedure"].is_null() && payload["record"].is_null(),
            "{payload}"
        );
        assert_eq!(server.snapshot(&id).await, (2, 2));
    }
}

/// Another user's key is simply a different key: it neither blocks an unrelated request nor
/// answers (or betrays) the first user's request when resent, and what it carries is judged as
/// that user's own request, permissions first.
async fn idempotency_keys_belong_to_their_user(server: TestServer) {
    let id = fixture(&server).await;
    let other = server
        .create_procedure(json!({
            "code": "KANKYO-0002", "name": "騒音規制法に基づく届出", "bureauCode": "KANKYO",
            "category": "STANDARD", "authority": "TOKYO", "targetQuarter": "FY2025-Q2",
            "platform": "DEDICATED_SYSTEM",
        }))
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mine = json!({ "procedureId": id, "to": "scheduled", "expectedVersion": 1, "idempotencyKey": "k-1" });
    let first = server.transition_as(&server.po, mine.clone()).await;
    assert_eq!(first["errors"], json!([]), "{first}");

    let unrelated = json!({ "procedureId": other, "to": "scheduled", "expectedVersion": 1, "idempotencyKey": "k-1" });
    let theirs = server.transition_as(&server.po2, unrelated).await;
    assert_eq!(theirs["errors"], json!([]), "{theirs}");
    assert_eq!(theirs["replayed"], false, "{theirs}");
    assert_eq!(server.snapshot(&other).await, (2, 2));

    // Resent by someone else: a new request of theirs, not a replay and not a DUPLICATE.
    let viewer = server.transition_as(&server.viewer, mine.clone()).await;
    assert_eq!(
        payload_errors(&viewer),
        [("FORBIDDEN".to_owned(), String::new())],
        "{viewer}"
    );
    let po3 = server.transition_as(&server.po3, mine.clone()).await;
    assert_eq!(
        payload_errors(&po3),
        [("VERSION_CONFLICT".to_owned(), "expectedVersion".to_owned())],
        "{po3}"
    );
    assert_eq!(server.snapshot(&id).await, (2, 2));

    let retry = server.transition_as(&server.po, mine).await;
    assert_eq!(retry["replayed"], true, "{retry}");
    assert_eq!(retry["record"]["id"], first["record"]["id"]);
}

async fn concurrent_identical_retries(server: TestServer) {
    let id = fixture(&server).await;
    let input = json!({
        "procedureId": id, "to": "scheduled", "expectedVersion": 1, "idempotencyKey": "burst-1",
    });
    let results = join_all((0..CLIENTS).map(|_| server.transition(input.clone()))).await;
    for payload in &results {
        assert_eq!(
            payload["errors"],
            json!([]),
            "every retry succeeds: {results:#?}"
        );
        assert_eq!(
            payload["record"]["id"], results[0]["record"]["id"],
            "{results:#?}"
        );
        assert_eq!(payload["procedure"]["version"], 2, "{payload}");
    }
    let fresh = results.iter().filter(|p| p["replayed"] == false).count();
    assert_eq!(
        fresh, 1,
        "exactly one request applied the transition: {results:#?}"
    );
    assert_eq!(server.snapshot(&id).await, (2, 2));
    let history = server.history(&id).await;
    assert_eq!(
        history.iter().filter(|r| r["to"] == "scheduled").count(),
        1,
        "{history:#?}"
    );
}
