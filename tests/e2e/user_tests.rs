//! User tests over HTTP: `recordUserTest` and the `user_test_passed` guard on `built →
//! user_tested`, which holds only when the latest user test recorded since the procedure last
//! entered `built` passed; the validation of a test, each error at its input field; and what a
//! recorded test shows (`Procedure.userTests`, `node`).

use chrono::{TimeDelta, Utc};
use serde_json::{Value, json};

use crate::common::{TestServer, both_backends, payload_errors};

both_backends!(
    the_guard_follows_the_latest_user_test,
    a_test_before_the_procedure_last_entered_built_does_not_count,
    an_unsound_test_is_refused_field_by_field,
);

/// A KANKYO procedure walked to `built` (version 3) by the project office; returns its id.
async fn built(server: &TestServer, code: &str) -> String {
    server
        .create_bureau("KANKYO", "環境局", "Bureau of Environment")
        .await;
    let p = server
        .create_procedure(json!({
            "code": code, "name": "騒音規制法に基づく届出", "bureauCode": "KANKYO",
            "category": "STANDARD", "authority": "TOKYO", "targetQuarter": "FY2026-Q4",
            "platform": "SAAS_E_APPLICATION",
        }))
        .await;
    let id = p["id"].as_str().unwrap().to_owned();
    let v = server.step(&id, "scheduled", 1, None).await;
    assert_eq!(server.step(&id, "built", v, None).await, 3);
    id
}

/// `nextTransitions` of `id` towards `user_tested`: (allowed, blocking guards).
async fn user_tested_option(server: &TestServer, id: &str) -> (bool, Vec<String>) {
    let data = server
        .data(
            "query($id: ID!) { procedure(id: $id) { nextTransitions {
               to { key } allowed blockedBy { guard } } } }",
            json!({ "id": id }),
        )
        .await;
    let option = data["procedure"]["nextTransitions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["to"]["key"] == "user_tested")
        .unwrap_or_else(|| panic!("no user_tested option: {data}"))
        .clone();
    let guards = option["blockedBy"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["guard"].as_str().unwrap().to_owned())
        .collect();
    (option["allowed"].as_bool().unwrap(), guards)
}

/// Asks to move `id` to `user_tested` from `version` and asserts the guard refused it with a
/// message containing `why`; nothing moved.
async fn refused(server: &TestServer, id: &str, version: i64, why: &str) {
    let payload = server
        .transition(json!({ "procedureId": id, "to": "user_tested", "expectedVersion": version }))
        .await;
    assert_eq!(
        payload_errors(&payload),
        [(
            "GUARD_FAILED".to_owned(),
            "guards/user_test_passed".to_owned()
        )],
        "{payload}"
    );
    let message = payload["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains(why), "{message}");
    assert_eq!(server.snapshot(id).await.0, version, "nothing moved");
    assert_eq!(
        user_tested_option(server, id).await,
        (false, vec!["user_test_passed".to_owned()])
    );
}

async fn record(server: &TestServer, id: &str, verdict: &str) -> Value {
    let payload = server
        .record_user_test_as(&server.po, TestServer::user_test_input(id, verdict))
        .await;
    assert_eq!(payload["errors"], json!([]), "{payload}");
    payload["userTest"].clone()
}

async fn the_guard_follows_the_latest_user_test(server: TestServer) {
    let id = built(&server, "KANKYO-0001").await;
    refused(&server, &id, 3, "record a passing user test").await;

    let failed = record(&server, &id, "FAIL").await;
    assert_eq!(
        (&failed["verdict"], &failed["procedure"]["version"]),
        (&json!("FAIL"), &json!(3)),
        "a user test changes no version: {failed}"
    );
    refused(&server, &id, 3, "failed").await;

    let passed = record(&server, &id, "PASS").await;
    assert_eq!(
        passed,
        json!({
            "id": passed["id"], "heldOn": "2026-01-15", "participants": 5, "tasksAttempted": 10,
            "tasksCompleted": 8, "completionRate": 0.8, "medianMinutes": 4.5, "susScore": 72.5,
            "findings": ["申請ボタンが見つけにくい"], "verdict": "PASS",
            "createdAt": passed["createdAt"], "recordedBy": { "email": server.po.email },
            "procedure": { "id": id, "version": 3 },
        })
    );
    assert_eq!(user_tested_option(&server, &id).await, (true, vec![]));
    // The latest test decides: a later FAIL blocks again, a later PASS unblocks.
    record(&server, &id, "FAIL").await;
    refused(&server, &id, 3, "failed").await;
    record(&server, &id, "PASS").await;
    assert_eq!(server.step(&id, "user_tested", 3, None).await, 4);

    let data = server
        .data(
            "query($id: ID!, $test: ID!) {
               procedure(id: $id) { userTests { id verdict procedure { id } } }
               node(id: $test) { ... on UserTest { verdict completionRate procedure { state { key } } } } }",
            json!({ "id": id, "test": passed["id"] }),
        )
        .await;
    let verdicts: Vec<&Value> = data["procedure"]["userTests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| &t["verdict"])
        .collect();
    assert_eq!(verdicts, ["FAIL", "PASS", "FAIL", "PASS"], "oldest first");
    assert_eq!(data["procedure"]["userTests"][1]["id"], passed["id"]);
    assert_eq!(
        data["node"],
        json!({ "verdict": "PASS", "completionRate": 0.8, "procedure": { "state": { "key": "user_tested" } } })
    );
}

async fn a_test_before_the_procedure_last_entered_built_does_not_count(server: TestServer) {
    let id = built(&server, "KANKYO-0002").await;
    record(&server, &id, "PASS").await;
    let v = server.step(&id, "user_tested", 3, None).await;
    // Found wanting after all: back to built. The earlier PASS was before it re-entered built.
    let v = server.step(&id, "built", v, None).await;
    refused(&server, &id, v, "record a passing user test").await;
    // Through scheduled and back: still nothing since it last entered built.
    record(&server, &id, "PASS").await;
    let v = server.step(&id, "scheduled", v, None).await;
    let v = server.step(&id, "built", v, None).await;
    refused(&server, &id, v, "record a passing user test").await;
    record(&server, &id, "PASS").await;
    assert_eq!(user_tested_option(&server, &id).await, (true, vec![]));
    server.step(&id, "user_tested", v, None).await;
}

async fn an_unsound_test_is_refused_field_by_field(server: TestServer) {
    let id = built(&server, "KANKYO-0003").await;
    // Two days ahead in Tokyo: in the future whatever the moment the server reads its clock.
    let future = (Utc::now() + TimeDelta::hours(9) + TimeDelta::days(2))
        .date_naive()
        .to_string();
    let input = json!({
        "procedureId": id, "heldOn": future, "participants": 0, "tasksAttempted": 10,
        "tasksCompleted": 11, "medianMinutes": -1.0, "susScore": 101,
        "findings": ["ok", "  "], "verdict": "PASS",
    });
    let payload = server.record_user_test_as(&server.po, input.clone()).await;
    assert!(payload["userTest"].is_null(), "{payload}");
    let fields: Vec<(String, String)> = [
        "findings/1",
        "heldOn",
        "participants",
        "tasksCompleted",
        "medianMinutes",
        "susScore",
    ]
    .iter()
    .map(|p| ("VALIDATION".to_owned(), (*p).to_owned()))
    .collect();
    assert_eq!(payload_errors(&payload), fields, "{payload}");
    let messages = payload["errors"].to_string();
    for expected in [
        "future",
        "at least one participant",
        "11 tasks completed but only 10",
        "0–100",
    ] {
        assert!(messages.contains(expected), "{expected}: {messages}");
    }

    // One problem at a time, each alone.
    for (field, value, path) in [
        ("participants", json!(0), "participants"),
        ("tasksCompleted", json!(11), "tasksCompleted"),
        ("susScore", json!(101), "susScore"),
        ("heldOn", json!(future), "heldOn"),
    ] {
        let mut input = TestServer::user_test_input(&id, "PASS");
        input[field] = value;
        let payload = server.record_user_test_as(&server.po, input).await;
        assert_eq!(
            payload_errors(&payload),
            [("VALIDATION".to_owned(), path.to_owned())],
            "{payload}"
        );
    }
    // A SUS score of exactly 100 and a test held today are sound.
    let mut input = TestServer::user_test_input(&id, "FAIL");
    input["susScore"] = json!(100);
    input["heldOn"] = json!((Utc::now() + TimeDelta::hours(9)).date_naive().to_string());
    let edge = server.record_user_test_as(&server.po, input).await;
    assert_eq!(edge["errors"], json!([]), "{edge}");

    // Ids: malformed, of another type, or of nothing.
    let bureau_id = server.data("{ bureaus { id } }", json!({})).await["bureaus"][0]["id"].clone();
    let nobody = crate::common::global_id("Procedure", uuid::Uuid::now_v7());
    for (procedure_id, code) in [
        (json!("not-an-id"), "VALIDATION"),
        (bureau_id, "VALIDATION"),
        (json!(nobody), "NOT_FOUND"),
    ] {
        let mut input = TestServer::user_test_input(&id, "PASS");
        input["procedureId"] = procedure_id;
        let payload = server.record_user_test_as(&server.po, input).await;
        assert_eq!(
            payload_errors(&payload),
            [(code.to_owned(), "procedureId".to_owned())],
            "{payload}"
        );
    }
    // Only the sound FAIL was written.
    let data = server
        .data(
            "query($id: ID!) { procedure(id: $id) { userTests { verdict susScore } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(
        data["procedure"]["userTests"],
        json!([{ "verdict": "FAIL", "susScore": 100.0 }])
    );
}
