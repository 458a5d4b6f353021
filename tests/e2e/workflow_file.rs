//! A server started with `workflow_file` runs that workflow, not the default: `workflow` describes
//! it, new procedures start in its initial state, its guards apply, and its version tags history.
//! Run on both backends because state keys and the workflow version are stored data.

use std::path::PathBuf;

use crate::common::{Options, TestServer, both_backends, payload_errors};
use serde_json::json;

both_backends!(with super::options; custom_workflow);

fn options() -> Options {
    Options {
        workflow_file: Some(
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/permits-workflow.toml"),
        ),
        ..Options::default()
    }
}

async fn custom_workflow(server: TestServer) {
    let data = server
        .data(
            "{ workflow { name version
                 states { key labelJa labelEn kind slaDays }
                 transitions { key from { key } to { key } guards requiresComment } } }",
            json!({}),
        )
        .await;
    let workflow = &data["workflow"];
    assert_eq!(workflow["name"], "e2e-permits");
    assert_eq!(workflow["version"], 3);
    assert_eq!(
        workflow["states"],
        json!([
            { "key": "intake", "labelJa": "受付", "labelEn": "Intake", "kind": "INITIAL", "slaDays": 14 },
            { "key": "online", "labelJa": "オンライン化", "labelEn": "Online", "kind": "DONE", "slaDays": null },
            { "key": "withdrawn", "labelJa": "取下げ", "labelEn": "Withdrawn", "kind": "CLOSED", "slaDays": null },
        ])
    );
    let transitions = workflow["transitions"].as_array().unwrap();
    assert_eq!(transitions.len(), 2, "{workflow}");
    assert_eq!(
        transitions[0],
        json!({ "key": "go_live", "from": { "key": "intake" }, "to": { "key": "online" },
                "guards": ["platform_set"], "requiresComment": false })
    );
    assert_eq!(transitions[1]["key"], "withdraw");
    assert_eq!(transitions[1]["to"]["key"], "withdrawn");
    assert_eq!(transitions[1]["requiresComment"], true);

    // Procedures live in this workflow.
    server
        .create_bureau("TOSHI", "都市整備局", "Bureau of Urban Development")
        .await;
    let p = server.simple_procedure("TOSHI", "TOSHI-0001").await;
    let id = p["id"].as_str().unwrap();
    assert_eq!(p["state"], json!({ "key": "intake", "kind": "INITIAL" }));
    let data = server
        .data(
            "query($id: ID!) { procedure(id: $id) { nextTransitions { to { key } allowed requiresComment blockedBy { guard } } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(
        data["procedure"]["nextTransitions"],
        json!([
            { "to": { "key": "online" }, "allowed": false, "requiresComment": false, "blockedBy": [{ "guard": "platform_set" }] },
            { "to": { "key": "withdrawn" }, "allowed": true, "requiresComment": true, "blockedBy": [] },
        ])
    );
    // A default-workflow state means nothing here.
    let payload = server
        .transition(json!({ "procedureId": id, "to": "scheduled", "expectedVersion": 1 }))
        .await;
    assert_eq!(
        payload_errors(&payload),
        [("INVALID_TRANSITION".to_owned(), "to".to_owned())]
    );

    let payload = server
        .update_procedure(json!({ "id": id, "expectedVersion": 1, "platform": "MYNA_PORTAL" }))
        .await;
    assert_eq!(payload["errors"], json!([]), "{payload}");
    let payload = server
        .transition(json!({ "procedureId": id, "to": "online", "expectedVersion": 2 }))
        .await;
    assert_eq!(payload["errors"], json!([]), "{payload}");
    assert_eq!(
        payload["procedure"]["state"],
        json!({ "key": "online", "kind": "DONE" })
    );
    assert!(
        payload["procedure"]["releasedOn"].is_string(),
        "DONE sets releasedOn: {payload}"
    );
    assert_eq!(payload["record"]["transition"], "go_live");

    let history = server.history(id).await;
    let tags: Vec<_> = history
        .iter()
        .map(|r| r["workflowVersion"].as_str().unwrap())
        .collect();
    assert_eq!(tags, ["e2e-permits@3", "e2e-permits@3"]);

    let data = server
        .data(
            "{ rolloutSummary { total digitised inScope byState { key count } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        data["rolloutSummary"],
        json!({ "total": 1, "digitised": 1, "inScope": 1, "byState": [
            { "key": "intake", "count": 0 }, { "key": "online", "count": 1 }, { "key": "withdrawn", "count": 0 },
        ] })
    );
}
