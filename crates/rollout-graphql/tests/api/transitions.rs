//! transitionProcedure and nextTransitions: a walk through the default workflow, every refusal
//! code, and idempotent retries.

use rollout_domain::identity::Role;
use rollout_domain::workflow::WorkflowDefinition;
use serde_json::{Value, json};

use crate::approvals::approve_as;
use crate::harness::{Api, codes_and_paths};
use crate::mutations::unknown_procedure_id;

const NEXT: &str = "query($id: ID!) { procedure(id: $id) { nextTransitions {
    transition { key from { key } to { key } guards requiresComment }
    to { key } allowed requiresComment blockedBy { guard message } } } }";

async fn next_transitions(api: &Api, id: &Value) -> Vec<Value> {
    let data = api.data(NEXT, json!({ "id": id })).await;
    data["procedure"]["nextTransitions"]
        .as_array()
        .unwrap()
        .clone()
}

fn option<'a>(options: &'a [Value], key: &str) -> &'a Value {
    options
        .iter()
        .find(|o| o["transition"]["key"] == key)
        .unwrap_or_else(|| panic!("no option {key} in {options:?}"))
}

#[tokio::test]
async fn next_transitions_report_failing_data_guards() {
    let api = Api::new().await;
    api.create_bureau("KANKYO").await;
    let p = api
        .create_procedure("KANKYO-0001", "KANKYO", json!({}))
        .await;
    let options = next_transitions(&api, &p["id"]).await;
    let mut keys: Vec<_> = options
        .iter()
        .map(|o| o["transition"]["key"].clone())
        .collect();
    keys.sort_by_key(|k| k.as_str().unwrap().to_owned());
    assert_eq!(
        keys,
        [
            json!("abolish"),
            json!("await_law_change"),
            json!("schedule")
        ]
    );

    assert_eq!(
        option(&options, "schedule"),
        &json!({
            "transition": {"key": "schedule", "from": {"key": "hearing"}, "to": {"key": "scheduled"},
                           "guards": ["target_quarter_set"], "requiresComment": false},
            "to": {"key": "scheduled"}, "allowed": false, "requiresComment": false,
            "blockedBy": [{"guard": "target_quarter_set",
                           "message": "set a target quarter before scheduling"}],
        })
    );
    let law = option(&options, "await_law_change");
    assert_eq!(
        law["allowed"], true,
        "a required comment is not judged here"
    );
    assert_eq!(law["requiresComment"], true);
    assert_eq!(law["blockedBy"], json!([]));
}

#[tokio::test]
async fn a_procedure_walks_from_hearing_to_released() {
    let api = Api::new().await;
    api.create_bureau("KANKYO").await;
    let p = api
        .create_procedure("KANKYO-0001", "KANKYO", json!({}))
        .await;
    let id = &p["id"];

    let refused = api
        .transition(json!({"procedureId": id, "to": "scheduled", "expectedVersion": 1}))
        .await;
    assert_eq!(
        codes_and_paths(&refused),
        [(
            "GUARD_FAILED".to_owned(),
            json!(["guards", "target_quarter_set"])
        )]
    );
    let updated = api
        .update(json!({"id": id, "expectedVersion": 1, "targetQuarter": "FY2026-Q4"}))
        .await;
    assert_eq!(updated["procedure"]["version"], 2);

    let scheduled = api
        .transition(json!({"procedureId": id, "to": "scheduled", "expectedVersion": 2}))
        .await;
    assert_eq!(scheduled["errors"], json!([]));
    assert_eq!(scheduled["replayed"], false);
    assert_eq!(
        scheduled["procedure"],
        json!({"version": 3, "releasedOn": null, "state": {"key": "scheduled", "kind": "ACTIVE"}})
    );
    assert_eq!(
        scheduled["record"],
        json!({"id": scheduled["record"]["id"], "from": "hearing", "to": "scheduled",
               "transition": "schedule", "actor": "po@example.jp", "comment": null,
               "at": "2026-06-15T03:00:00Z", "workflowVersion": "tokyo-digitisation@1",
               "procedureVersion": 3, "fromState": {"key": "hearing"},
               "toState": {"key": "scheduled"}, "procedure": {"code": "KANKYO-0001"}})
    );

    let refused = api
        .transition(json!({"procedureId": id, "to": "built", "expectedVersion": 3}))
        .await;
    assert_eq!(
        codes_and_paths(&refused),
        [("GUARD_FAILED".to_owned(), json!(["guards", "platform_set"]))]
    );
    api.update(json!({"id": id, "expectedVersion": 3, "platform": "SAAS_E_APPLICATION"}))
        .await;

    let mut version = 4;
    for to in ["built", "user_tested"] {
        if to == "user_tested" {
            crate::user_tests::pass_user_test(&api, id).await;
        }
        let step = api
            .transition(
                json!({"procedureId": id, "to": to, "expectedVersion": version,
                               "comment": format!("to {to}")}),
            )
            .await;
        assert_eq!(step["errors"], json!([]), "{to}");
        version += 1;
        assert_eq!(step["procedure"]["version"], version);
        assert_eq!(step["procedure"]["state"]["key"], to);
    }
    let gated = api
        .transition(
            json!({"procedureId": id, "to": "released", "expectedVersion": 6,
                           "comment": "to released"}),
        )
        .await;
    assert_eq!(gated["errors"], json!([]));
    assert_eq!(gated["record"], json!(null), "releasing waits for approval");
    assert_eq!(gated["procedure"]["state"]["key"], "user_tested");
    let office = api
        .add_user("po2@example.jp", Role::ProjectOffice, None)
        .await;
    let approved = approve_as(&api, &office, &gated["approvalRequest"]["id"]).await;
    assert_eq!(approved["errors"], json!([]));
    assert_eq!(approved["request"]["status"], "APPROVED");
    let done = api
        .data(
            "query($id: ID!) { procedure(id: $id) { state { kind } releasedOn version
                nextTransitions { to { key } }
                history { totalCount edges { node { transition comment } } } } }",
            json!({ "id": id }),
        )
        .await;
    let procedure = &done["procedure"];
    assert_eq!(procedure["state"]["kind"], "DONE");
    assert_eq!(procedure["releasedOn"], "2026-06-15", "today in Tokyo");
    assert_eq!(procedure["version"], 7);
    assert_eq!(procedure["nextTransitions"], json!([]));
    assert_eq!(procedure["history"]["totalCount"], 5);
    let steps: Vec<_> = procedure["history"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["transition"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        steps,
        ["create", "schedule", "build", "user_test", "release"]
    );
}

#[tokio::test]
async fn refusals_carry_their_codes_and_write_nothing() {
    let api = Api::new().await;
    let bureau = api.create_bureau("KANKYO").await;
    let p = api
        .create_procedure("KANKYO-0001", "KANKYO", json!({}))
        .await;
    let id = &p["id"];
    let cases = [
        (
            json!({"procedureId": id, "to": "released", "expectedVersion": 1}),
            "INVALID_TRANSITION",
            json!(["to"]),
        ),
        (
            json!({"procedureId": id, "to": "nowhere", "expectedVersion": 1}),
            "INVALID_TRANSITION",
            json!(["to"]),
        ),
        (
            json!({"procedureId": id, "to": "abolished", "expectedVersion": 1}),
            "GUARD_FAILED",
            json!(["guards", "comment"]),
        ),
        (
            json!({"procedureId": id, "to": "abolished", "expectedVersion": 9, "comment": "x"}),
            "VERSION_CONFLICT",
            json!(["expectedVersion"]),
        ),
        (
            json!({"procedureId": unknown_procedure_id(), "to": "scheduled", "expectedVersion": 1}),
            "NOT_FOUND",
            json!(["procedureId"]),
        ),
        (
            json!({"procedureId": bureau["id"], "to": "scheduled", "expectedVersion": 1}),
            "VALIDATION",
            json!(["procedureId"]),
        ),
        (
            json!({"procedureId": "%%%", "to": "scheduled", "expectedVersion": 1}),
            "VALIDATION",
            json!(["procedureId"]),
        ),
        (
            json!({"procedureId": id, "to": "abolished", "expectedVersion": 1, "comment": "x", "idempotencyKey": "has space"}),
            "VALIDATION",
            json!(["idempotencyKey"]),
        ),
    ];
    for (input, code, path) in cases {
        let payload = api.transition(input.clone()).await;
        assert_eq!(
            codes_and_paths(&payload),
            [(code.to_owned(), path)],
            "{input}"
        );
        assert_eq!(payload["procedure"], json!(null));
        assert_eq!(payload["record"], json!(null));
        assert_eq!(payload["approvalRequest"], json!(null));
        assert_eq!(payload["replayed"], false);
    }
    let after = api
        .data(
            "query($id: ID!) { procedure(id: $id) { version history { totalCount } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(
        after["procedure"],
        json!({"version": 1, "history": {"totalCount": 1}})
    );
}

#[tokio::test]
async fn every_failing_guard_is_its_own_error() {
    let workflow = WorkflowDefinition::from_toml(
        r#"
        [workflow]
        name = "fast"
        version = 3
        [[states]]
        key = "new"
        label_ja = "新規"
        label_en = "New"
        kind = "INITIAL"
        [[states]]
        key = "live"
        label_ja = "公開"
        label_en = "Live"
        kind = "DONE"
        [[transitions]]
        key = "go_live"
        from = "new"
        to = "live"
        guards = ["target_quarter_set", "platform_set"]
        comment_required = true
        "#,
    )
    .expect("valid workflow");
    let api = Api::with_workflow(workflow).await;
    api.create_bureau("KANKYO").await;
    let p = api
        .create_procedure("KANKYO-0001", "KANKYO", json!({}))
        .await;
    let payload = api
        .transition(json!({"procedureId": p["id"], "to": "live", "expectedVersion": 1}))
        .await;
    assert_eq!(
        codes_and_paths(&payload),
        [
            (
                "GUARD_FAILED".to_owned(),
                json!(["guards", "target_quarter_set"])
            ),
            ("GUARD_FAILED".to_owned(), json!(["guards", "platform_set"])),
            ("GUARD_FAILED".to_owned(), json!(["guards", "comment"])),
        ]
    );
    let options = next_transitions(&api, &p["id"]).await;
    let blocked: Vec<_> = options[0]["blockedBy"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["guard"].clone())
        .collect();
    assert_eq!(
        blocked,
        [json!("target_quarter_set"), json!("platform_set")]
    );
}

#[tokio::test]
async fn a_retry_with_the_same_key_is_replayed() {
    let api = Api::new().await;
    api.create_bureau("KANKYO").await;
    let p = api
        .create_procedure("KANKYO-0001", "KANKYO", json!({}))
        .await;
    let input = json!({"procedureId": p["id"], "to": "awaiting_law_change", "expectedVersion": 1,
                       "comment": "national law first", "idempotencyKey": "req-42"});
    let first = api.transition(input.clone()).await;
    assert_eq!(first["errors"], json!([]));
    assert_eq!(first["replayed"], false);
    assert_eq!(first["procedure"]["version"], 2);

    let retry = api.transition(input.clone()).await;
    assert_eq!(retry["errors"], json!([]));
    assert_eq!(retry["replayed"], true);
    assert_eq!(retry["record"]["id"], first["record"]["id"]);
    assert_eq!(retry["procedure"]["version"], 2, "nothing was written");

    let mut different = input.clone();
    different["comment"] = json!("another reason");
    let reused = api.transition(different).await;
    assert_eq!(
        codes_and_paths(&reused),
        [("DUPLICATE".to_owned(), json!(["idempotencyKey"]))]
    );
    let history = api
        .data(
            "query($id: ID!) { procedure(id: $id) { version history { totalCount } } }",
            json!({ "id": p["id"] }),
        )
        .await;
    assert_eq!(
        history["procedure"],
        json!({"version": 2, "history": {"totalCount": 2}})
    );
}
