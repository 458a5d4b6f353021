//! Every expected failure of a mutation, as the client sees it: the payload error code and path,
//! a null result, and above all that nothing was written (same version, same history length,
//! same counts). Malformed scalars and IDs, which never reach a resolver, are GraphQL errors.

use crate::common::{TestServer, both_backends, global_id, payload_errors};
use serde_json::{Value, json};

both_backends!(
    validation_errors,
    not_found,
    invalid_transitions,
    guard_failures,
    version_conflicts,
    duplicates,
    malformed_scalars,
);

fn errs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(c, p)| (c.to_string(), p.to_string()))
        .collect()
}

/// A bureau and one procedure in `hearing` without target quarter or platform; returns its id.
async fn fixture(server: &TestServer) -> String {
    server
        .create_bureau("KANKYO", "環境局", "Bureau of Environment")
        .await;
    let p = server.simple_procedure("KANKYO", "KANKYO-0001").await;
    p["id"].as_str().unwrap().to_owned()
}

async fn total(server: &TestServer) -> i64 {
    let data = server
        .data("{ procedures { totalCount } }", json!({}))
        .await;
    data["procedures"]["totalCount"].as_i64().unwrap()
}

/// Asserts a failed transition payload: the given errors, no procedure, no record.
fn assert_refused(payload: &Value, expected: &[(&str, &str)]) {
    assert_eq!(payload_errors(payload), errs(expected), "{payload}");
    assert!(
        payload["procedure"].is_null() && payload["record"].is_null(),
        "{payload}"
    );
    assert_eq!(payload["replayed"], false, "{payload}");
    for e in payload["errors"].as_array().unwrap() {
        assert!(!e["message"].as_str().unwrap_or_default().is_empty(), "{e}");
    }
}

async fn validation_errors(server: TestServer) {
    let id = fixture(&server).await;
    for bad in ["kankyo-0002", "KANKYO-12", "KANKYO", "KAN KYO-0002"] {
        let payload = server
            .create_procedure_payload(
                &server.po,
                json!({ "code": bad, "name": "x", "bureauCode": "KANKYO", "category": "MAJOR", "authority": "TOKYO" }),
            )
            .await;
        assert_eq!(
            payload_errors(&payload),
            errs(&[("VALIDATION", "code")]),
            "code {bad}: {payload}"
        );
        assert!(payload["procedure"].is_null());
    }
    let payload = server
        .create_procedure_payload(
            &server.po,
            json!({ "code": "KANKYO-0002", "name": "x", "bureauCode": "KANKYO", "category": "MAJOR",
                    "authority": "TOKYO", "annualApplications": -5 }),
        )
        .await;
    assert_eq!(
        payload_errors(&payload),
        errs(&[("VALIDATION", "annualApplications")]),
        "{payload}"
    );
    let data = server
        .data_as(
            &server.admin,
            "mutation { createBureau(input: { code: \"kankyo2\", nameJa: \"局\", nameEn: \"B\" }) {
               bureau { code } errors { code path } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        payload_errors(&data["createBureau"]),
        errs(&[("VALIDATION", "code")])
    );
    assert_eq!(total(&server).await, 1, "no procedure was created");
    let data = server.data("{ bureaus { code } }", json!({})).await;
    assert_eq!(data["bureaus"], json!([{ "code": "KANKYO" }]));

    // An idempotency key with a space is refused before anything else happens.
    let payload = server
        .transition(
                json!({ "procedureId": id, "to": "abolished", "expectedVersion": 1, "comment": "c", "idempotencyKey": "has space" }),
        )
        .await;
    assert_refused(&payload, &[("VALIDATION", "idempotencyKey")]);
    assert_eq!(server.snapshot(&id).await, (1, 1));

    // A malformed id in a mutation input is a payload VALIDATION error at that field; a bureau's
    // id is well-formed but names the wrong type.
    let bureau_id = server.data("{ bureaus { id } }", json!({})).await["bureaus"][0]["id"].clone();
    for bad_id in [
        json!("not-an-id"),
        json!("UHJvY2VkdXJlOm5vdC1hLXV1aWQ"),
        bureau_id,
    ] {
        let payload = server
            .transition(
                json!({ "procedureId": bad_id, "to": "abolished", "expectedVersion": 1, "comment": "x" }),
            )
            .await;
        assert_refused(&payload, &[("VALIDATION", "procedureId")]);
        let payload = server
            .update_procedure(json!({ "id": bad_id, "expectedVersion": 1, "name": "x" }))
            .await;
        assert_eq!(
            payload_errors(&payload),
            errs(&[("VALIDATION", "id")]),
            "id {bad_id}: {payload}"
        );
    }
    assert_eq!(server.snapshot(&id).await, (1, 1));
}

async fn not_found(server: TestServer) {
    let id = fixture(&server).await;
    let unknown = global_id("Procedure", uuid::Uuid::new_v4());
    let payload = server
        .transition(json!({ "procedureId": unknown, "to": "scheduled", "expectedVersion": 1 }))
        .await;
    // NOT_FOUND points at the input field that holds the unknown id.
    assert_refused(&payload, &[("NOT_FOUND", "procedureId")]);
    let payload = server
        .update_procedure(json!({ "id": unknown, "expectedVersion": 1, "name": "誰もいない" }))
        .await;
    assert_eq!(
        payload_errors(&payload),
        errs(&[("NOT_FOUND", "id")]),
        "{payload}"
    );
    assert!(payload["procedure"].is_null());
    assert_eq!(total(&server).await, 1);
    assert_eq!(server.snapshot(&id).await, (1, 1));
}

async fn invalid_transitions(server: TestServer) {
    let id = fixture(&server).await;
    for to in ["released", "built", "limbo", "hearing", ""] {
        let payload = server
            .transition(
                json!({ "procedureId": id, "to": to, "expectedVersion": 1, "comment": "why not" }),
            )
            .await;
        assert_refused(&payload, &[("INVALID_TRANSITION", "to")]);
        assert_eq!(server.snapshot(&id).await, (1, 1), "after to {to:?}");
    }
}

async fn guard_failures(server: TestServer) {
    let id = fixture(&server).await;
    let payload = server
        .transition(json!({ "procedureId": id, "to": "scheduled", "expectedVersion": 1 }))
        .await;
    assert_refused(&payload, &[("GUARD_FAILED", "guards/target_quarter_set")]);
    assert_eq!(server.snapshot(&id).await, (1, 1));

    for comment in [Value::Null, json!(""), json!("   ")] {
        let payload = server
            .transition(
                json!({ "procedureId": id, "to": "abolished", "expectedVersion": 1, "comment": comment }),
            )
            .await;
        assert_refused(&payload, &[("GUARD_FAILED", "guards/comment")]);
        assert_eq!(server.snapshot(&id).await, (1, 1), "comment {comment}");
    }

    // Scheduled with a quarter but no platform: building fails on platform_set only.
    let payload = server
        .update_procedure(json!({ "id": id, "expectedVersion": 1, "targetQuarter": "FY2026-Q1" }))
        .await;
    assert_eq!(payload["errors"], json!([]), "{payload}");
    let v = server.step(&id, "scheduled", 2, None).await;
    let payload = server
        .transition(json!({ "procedureId": id, "to": "built", "expectedVersion": v }))
        .await;
    assert_refused(&payload, &[("GUARD_FAILED", "guards/platform_set")]);
    assert_eq!(server.snapshot(&id).await, (3, 2));

    // Clearing the quarter again (explicit null) re-arms the guard on the way back.
    let back = server.step(&id, "hearing", 3, None).await;
    let payload = server
        .update_procedure(json!({ "id": id, "expectedVersion": back, "targetQuarter": null }))
        .await;
    assert_eq!(payload["errors"], json!([]), "{payload}");
    assert!(payload["procedure"]["targetQuarter"].is_null(), "{payload}");
    let payload = server
        .transition(json!({ "procedureId": id, "to": "scheduled", "expectedVersion": back + 1 }))
        .await;
    assert_refused(&payload, &[("GUARD_FAILED", "guards/target_quarter_set")]);
    assert_eq!(server.snapshot(&id).await, (back + 1, 3));
}

async fn version_conflicts(server: TestServer) {
    let id = fixture(&server).await;
    let payload = server
        .update_procedure(json!({ "id": id, "expectedVersion": 1, "targetQuarter": "FY2025-Q4" }))
        .await;
    assert_eq!(payload["procedure"]["version"], 2, "{payload}");

    for stale in [1, 3] {
        let payload = server
            .transition(json!({ "procedureId": id, "to": "scheduled", "expectedVersion": stale }))
            .await;
        assert_refused(&payload, &[("VERSION_CONFLICT", "expectedVersion")]);
        let payload = server
            .update_procedure(json!({ "id": id, "expectedVersion": stale, "name": "上書き" }))
            .await;
        assert_eq!(
            payload_errors(&payload),
            errs(&[("VERSION_CONFLICT", "expectedVersion")]),
            "{payload}"
        );
        assert!(payload["procedure"].is_null());
    }
    assert_eq!(server.snapshot(&id).await, (2, 1));
    let data = server
        .data(
            "query($id: ID!) { procedure(id: $id) { name state { key } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(
        data["procedure"],
        json!({ "name": "手続 KANKYO-0001", "state": { "key": "hearing" } })
    );
}

async fn duplicates(server: TestServer) {
    let id = fixture(&server).await;
    let data = server
        .data_as(
            &server.admin,
            "mutation { createBureau(input: { code: \"KANKYO\", nameJa: \"別の局\", nameEn: \"Other\" }) {
               bureau { code } errors { code message path } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        payload_errors(&data["createBureau"]),
        errs(&[("DUPLICATE", "code")])
    );
    assert!(data["createBureau"]["bureau"].is_null());

    let payload = server
        .create_procedure_payload(
            &server.po,
            json!({ "code": "KANKYO-0001", "name": "二重登録", "bureauCode": "KANKYO",
                    "category": "SUBSIDY", "authority": "NATIONAL" }),
        )
        .await;
    assert_eq!(
        payload_errors(&payload),
        errs(&[("DUPLICATE", "code")]),
        "{payload}"
    );
    assert!(payload["procedure"].is_null());

    let data = server
        .data(
            "query($id: ID!) { bureaus { code nameJa } procedure(id: $id) { name category authority version } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(
        data["bureaus"],
        json!([{ "code": "KANKYO", "nameJa": "環境局" }])
    );
    assert_eq!(
        data["procedure"],
        json!({ "name": "手続 KANKYO-0001", "category": "STANDARD", "authority": "TOKYO", "version": 1 })
    );
    assert_eq!(total(&server).await, 1);
    assert_eq!(server.snapshot(&id).await, (1, 1));
}

async fn malformed_scalars(server: TestServer) {
    let id = fixture(&server).await;
    let update = "mutation($input: UpdateProcedureInput!) { updateProcedure(input: $input) { errors { code } } }";
    for (field, bad) in [
        ("targetQuarter", "FY2025-Q5"),
        ("targetQuarter", "2025-Q1"),
        ("targetQuarter", "FY2025Q1"),
        ("releasedOn", "2026-13-01"),
        ("releasedOn", "01/04/2026"),
    ] {
        let response = server
            .gql(
                update,
                json!({ "input": { "id": id, "expectedVersion": 1, field: bad } }),
            )
            .await;
        assert!(
            response["errors"].as_array().is_some_and(|e| !e.is_empty()),
            "{field} {bad:?} accepted: {response}"
        );
        assert!(response["data"].is_null(), "{field} {bad:?}: {response}");
    }
    // The same refusal when the bad value is written inline in the document.
    let response = server
        .gql(
            r#"mutation { createProcedure(input: { code: "KANKYO-0002", name: "x", bureauCode: "KANKYO",
                 category: MAJOR, authority: TOKYO, targetQuarter: "FY2025-Q5" }) { errors { code } } }"#,
            json!({}),
        )
        .await;
    assert!(
        response["errors"].as_array().is_some_and(|e| !e.is_empty()),
        "{response}"
    );
    let response = server
        .gql(
            r#"{ procedures(filter: { targetQuarter: "FY2025-Q0" }) { totalCount } }"#,
            json!({}),
        )
        .await;
    assert!(
        response["errors"].as_array().is_some_and(|e| !e.is_empty()),
        "{response}"
    );
    assert_eq!(total(&server).await, 1);
    assert_eq!(server.snapshot(&id).await, (1, 1));
}
