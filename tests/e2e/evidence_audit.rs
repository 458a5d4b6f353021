//! The audit trail of issue 10's mutations over real HTTP: `recordHearing`, `recordUserTest`,
//! `createTask`, `updateTask`, `completeTask` and `cancelTask` each leave their entry (who, the
//! dotted action, the target, SUCCESS, the state after), and a hearing leaves one for itself,
//! one per procedure it moved and one per task it created, in the same transaction; and bad
//! input to `recordHearing` is refused field by field with nothing written.

use crate::common::{TestServer, both_backends, nodes, uuid_of};
use serde_json::{Value, json};

both_backends!(
    evidence_mutations_are_audited,
    a_bad_hearing_is_refused_whole
);

/// The entries with `action` on `target_id`, read as the administrator.
async fn audited(server: &TestServer, action: &str, target_id: &str) -> Vec<Value> {
    let data = server
        .data_as(
            &server.admin,
            "query($filter: AuditFilter) { auditLog(filter: $filter, first: 50) { edges { node {
               action targetType targetId outcome actor after } } } }",
            json!({ "filter": { "action": action, "targetId": target_id } }),
        )
        .await;
    nodes(&data["auditLog"])
}

/// Exactly one successful entry with `action` on the thing whose global id is `id`.
async fn one_entry(server: &TestServer, action: &str, kind: &str, id: &str) -> Value {
    let target = uuid_of(kind, id).to_string();
    let list = audited(server, action, &target).await;
    assert_eq!(list.len(), 1, "{action} on {kind} {target}: {list:#?}");
    let e = list[0].clone();
    assert_eq!(e["targetType"], kind, "{e}");
    assert_eq!(e["outcome"], "SUCCESS", "{e}");
    assert_eq!(e["actor"], server.po.email.as_str(), "{e}");
    assert!(e["after"].is_object(), "a snapshot of the state after: {e}");
    e
}

const TASK: &str = "task { id version } errors { code message path }";

async fn evidence_mutations_are_audited(server: TestServer) {
    server
        .create_bureau("KANKYO", "環境局", "Bureau of Environment")
        .await;
    let procedure = server.simple_procedure("KANKYO", "KANKYO-0001").await;
    let pid = procedure["id"].as_str().unwrap().to_owned();

    // recordUserTest
    let test = server.pass_user_test(&pid).await;
    one_entry(
        &server,
        "user_test.record",
        "UserTest",
        test["id"].as_str().unwrap(),
    )
    .await;

    // recordHearing: the hearing, the procedure it moved, the task it left.
    let data = server
        .data(
            "mutation($input: RecordHearingInput!) { recordHearing(input: $input) {
               hearing { id tasks { id } } errors { code message path } } }",
            json!({ "input": {
                "bureauCode": "KANKYO", "heldOn": "2026-11-20", "kind": "POLICY_DEPARTMENT",
                "title": "環境局ヒアリング",
                "outcomes": [{ "procedureId": pid, "expectedVersion": 1, "decision": "PROCEED",
                    "apply": true, "agreedTargetQuarter": "FY2027-Q1",
                    "agreedPlatform": "SAAS_E_APPLICATION",
                    "tasks": [{ "title": "様式の確認", "dueOn": "2099-12-31" }] }],
            } }),
        )
        .await;
    let hearing = &data["recordHearing"];
    assert_eq!(hearing["errors"], json!([]), "{data}");
    let hid = hearing["hearing"]["id"].as_str().unwrap();
    one_entry(&server, "hearing.record", "Hearing", hid).await;
    let left = hearing["hearing"]["tasks"][0]["id"].as_str().unwrap();
    one_entry(&server, "task.create", "Task", left).await;
    let moved = audited(
        &server,
        "procedure.transition",
        &uuid_of("Procedure", &pid).to_string(),
    )
    .await;
    assert_eq!(moved.len(), 1, "the hearing's move: {moved:#?}");
    assert_eq!(moved[0]["after"]["state"], "scheduled", "{moved:#?}");

    // createTask, updateTask, completeTask
    let created = server
        .data(
            &format!(
                "mutation($input: CreateTaskInput!) {{ createTask(input: $input) {{ {TASK} }} }}"
            ),
            json!({ "input": { "title": "資料送付", "procedureId": pid } }),
        )
        .await;
    let task = created["createTask"]["task"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    one_entry(&server, "task.create", "Task", &task).await;
    let updated = server
        .data(
            &format!(
                "mutation($input: UpdateTaskInput!) {{ updateTask(input: $input) {{ {TASK} }} }}"
            ),
            json!({ "input": { "id": task, "expectedVersion": 1, "title": "資料の送付" } }),
        )
        .await;
    assert_eq!(updated["updateTask"]["errors"], json!([]), "{updated}");
    let e = one_entry(&server, "task.update", "Task", &task).await;
    assert_eq!(e["after"]["title"], "資料の送付", "{e}");
    let done = server
        .data(
            &format!("mutation($input: CompleteTaskInput!) {{ completeTask(input: $input) {{ {TASK} }} }}"),
            json!({ "input": { "id": task, "expectedVersion": 2, "note": "送付済み" } }),
        )
        .await;
    assert_eq!(done["completeTask"]["errors"], json!([]), "{done}");
    let e = one_entry(&server, "task.complete", "Task", &task).await;
    assert_eq!(e["after"]["status"], "DONE", "{e}");

    // cancelTask, on the task the hearing left.
    let cancelled = server
        .data(
            &format!(
                "mutation($input: CancelTaskInput!) {{ cancelTask(input: $input) {{ {TASK} }} }}"
            ),
            json!({ "input": { "id": left, "expectedVersion": 1, "reason": "不要になった" } }),
        )
        .await;
    assert_eq!(cancelled["cancelTask"]["errors"], json!([]), "{cancelled}");
    let e = one_entry(&server, "task.cancel", "Task", left).await;
    assert_eq!(e["after"]["status"], "CANCELLED", "{e}");
}

/// Bad input to `recordHearing` is refused field by field, and nothing of it is written: text
/// is checked first, then the hearing's rules, every problem of a stage at once.
async fn a_bad_hearing_is_refused_whole(server: TestServer) {
    server
        .create_bureau("KANKYO", "環境局", "Bureau of Environment")
        .await;
    let procedure = server.simple_procedure("KANKYO", "KANKYO-0001").await;
    let pid = procedure["id"].as_str().unwrap();
    let outcome = json!({ "procedureId": pid, "expectedVersion": 1, "decision": "UNDECIDED" });
    for (title, expected) in [
        ("", vec!["title"]),
        ("環境局ヒアリング", vec!["heldOn", "outcomes.1.procedureId"]),
    ] {
        let data = server
            .data(
                "mutation($input: RecordHearingInput!) { recordHearing(input: $input) {
                   hearing { id } errors { code message path } } }",
                json!({ "input": {
                    "bureauCode": "KANKYO", "heldOn": "2099-01-01", "kind": "OTHER",
                    "title": title, "outcomes": [outcome.clone(), outcome.clone()],
                } }),
            )
            .await;
        let payload = &data["recordHearing"];
        assert_eq!(payload["hearing"], Value::Null, "{data}");
        let mut refused: Vec<(String, String)> = payload["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                let path: Vec<String> = e["path"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|p| p.as_str().map_or_else(|| p.to_string(), str::to_owned))
                    .collect();
                (e["code"].as_str().unwrap().to_owned(), path.join("."))
            })
            .collect();
        refused.sort();
        let want: Vec<(String, String)> = expected
            .iter()
            .map(|p| ("VALIDATION".to_owned(), (*p).to_owned()))
            .collect();
        assert_eq!(refused, want, "{data}");
    }
    let total = server
        .data(
            "{ hearings { totalCount } tasks { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(total["hearings"]["totalCount"], 0, "{total}");
    assert_eq!(total["tasks"]["totalCount"], 0, "{total}");
}
