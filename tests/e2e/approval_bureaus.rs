//! Approvals decided by bureau coordinators (a custom workflow can gate a step on them) are
//! scoped like everything else a coordinator does: only coordinators of the procedure's bureau
//! decide, see the request in `myPendingApprovals`, or can be named as a coordinator's substitute.

use std::path::PathBuf;

use crate::common::{Options, TestServer, both_backends, payload_errors};
use serde_json::json;

both_backends!(with super::options; coordinators_decide_only_for_their_own_bureau);

fn options() -> Options {
    Options {
        workflow_file: Some(
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures/coordinator-approval-workflow.toml"),
        ),
        ..Options::default()
    }
}

fn errs(code: &str, path: &str) -> Vec<(String, String)> {
    vec![(code.to_owned(), path.to_owned())]
}

async fn coordinators_decide_only_for_their_own_bureau(server: TestServer) {
    server
        .create_bureau("TOSHI", "都市整備局", "Bureau of Urban Development")
        .await;
    server
        .create_bureau("KANKYO", "環境局", "Bureau of Environment")
        .await;
    let requester = server.coordinator("TOSHI").await;
    let colleague = server
        .create_user(
            "colleague@e2e.rollout.test",
            "BUREAU_COORDINATOR",
            Some("TOSHI"),
        )
        .await;
    let outsider = server.coordinator("KANKYO").await;
    let procedure = server.simple_procedure("TOSHI", "TOSHI-0001").await;
    let id = procedure["id"].as_str().unwrap();

    let requested = server
        .transition_as(
            &requester,
            json!({ "procedureId": id, "to": "online", "expectedVersion": 1 }),
        )
        .await;
    assert_eq!(requested["errors"], json!([]), "{requested}");
    let request = &requested["approvalRequest"];
    assert_eq!(
        (&request["status"], &request["role"]),
        (&json!("PENDING"), &json!("BUREAU_COORDINATOR")),
        "{requested}"
    );
    let req_id = request["id"].as_str().unwrap();

    // Only the bureau's own coordinators are asked.
    assert_eq!(server.pending_codes(&outsider).await, Vec::<String>::new());
    assert_eq!(server.pending_codes(&colleague).await, ["TOSHI-0001"]);

    // Another bureau's coordinator may not decide, either way, and nothing moves.
    let refused = server.approve_as(&outsider, req_id, None, None).await;
    assert_eq!(payload_errors(&refused), errs("FORBIDDEN", ""), "{refused}");
    assert_eq!(
        refused["errors"][0]["message"],
        "this request is for a procedure of another bureau"
    );
    let refused = server.reject_as(&outsider, req_id, "not ours").await;
    assert_eq!(payload_errors(&refused), errs("FORBIDDEN", ""), "{refused}");
    assert_eq!(server.approval(req_id).await["status"], "PENDING");

    // Nor can they become a substitute for one of the bureau's coordinators.
    let data = server
        .data_as(
            &colleague,
            "mutation($input: CreateDelegationInput!) { createDelegation(input: $input) {
               delegation { id } errors { code message path } } }",
            json!({ "input": { "delegateId": outsider.id, "startsOn": "2026-01-01", "endsOn": "2099-12-31" } }),
        )
        .await;
    let payload = &data["createDelegation"];
    assert_eq!(
        payload_errors(payload),
        errs("VALIDATION", "delegateId"),
        "{payload}"
    );
    assert_eq!(
        payload["errors"][0]["message"],
        "a coordinator's substitute must coordinate the same bureau"
    );

    // A coordinator of the procedure's bureau decides, and the procedure moves.
    let approved = server.approve_as(&colleague, req_id, None, None).await;
    assert_eq!(approved["errors"], json!([]), "{approved}");
    assert_eq!(approved["request"]["status"], "APPROVED");
    assert_eq!(approved["procedure"]["state"]["key"], "online");
    assert_eq!(server.pending_codes(&colleague).await, Vec::<String>::new());
}
