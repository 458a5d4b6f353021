//! Hearings and tasks cost a fixed number of store calls whatever their number: a page of
//! procedures with their hearings and tasks (and those hearings' tasks, creators and bureaus) is
//! one read per nested list, and `recordHearing` makes the same reads and ONE commit for 2 applied
//! outcomes as for 20.

use serde_json::{Value, json};

use crate::harness::Api;

const RECORD: &str = "mutation($input: RecordHearingInput!) { recordHearing(input: $input) {
    hearing { id } errors { code message path } } }";

/// `count` procedures of KANKYO with a target quarter, from `KANKYO-<first>` on; their ids.
async fn procedures(api: &Api, first: usize, count: usize) -> Vec<Value> {
    let mut ids = Vec::new();
    for n in first..first + count {
        let p = api
            .create_procedure(
                &format!("KANKYO-{n:04}"),
                "KANKYO",
                json!({ "targetQuarter": "FY2027-Q1" }),
            )
            .await;
        ids.push(p["id"].clone());
    }
    ids
}

/// A hearing that schedules every procedure of `ids` and leaves each a task for `assignee`.
fn hearing(ids: &[Value], assignee: &Value) -> Value {
    let outcomes: Vec<Value> = ids
        .iter()
        .map(|id| {
            json!({ "procedureId": id, "expectedVersion": 1, "decision": "PROCEED", "apply": true,
                    "agreedPlatform": "JOINT_E_APPLICATION",
                    "tasks": [{ "title": "様式の確認", "assigneeId": assignee, "dueOn": "2026-07-01" }] })
        })
        .collect();
    json!({ "input": { "bureauCode": "KANKYO", "heldOn": "2026-06-10", "kind": "POLICY_DEPARTMENT",
                       "title": "ヒアリング", "outcomes": outcomes } })
}

async fn record(api: &Api, ids: &[Value]) {
    let po = crate::harness::user_id(api, &api.po).await;
    let data = api.data(RECORD, hearing(ids, &po)).await;
    assert_eq!(data["recordHearing"]["errors"], json!([]), "{data}");
}

#[tokio::test]
async fn nested_hearings_and_tasks_are_one_read_per_page() {
    let api = Api::new().await;
    api.create_bureau("KANKYO").await;
    let ids = procedures(&api, 1, 12).await;
    record(&api, &ids).await;

    api.store.reset();
    let data = api
        .data(
            "{ procedures(first: 100) { edges { node { code
                hearings { title bureau { code } createdBy { email } outcomes { decision record { to } } tasks { title } }
                tasks { title assignee { email } source { title } }
                open: tasks(status: OPEN) { title }
                done: tasks(status: DONE) { title } } } } }",
            json!({}),
        )
        .await;
    let edges = data["procedures"]["edges"].as_array().unwrap();
    assert_eq!(edges.len(), 12);
    for edge in edges {
        let node = &edge["node"];
        assert_eq!(node["hearings"][0]["title"], "ヒアリング", "{node}");
        assert_eq!(
            node["hearings"][0]["outcomes"][0]["record"]["to"], "scheduled",
            "{node}"
        );
        assert_eq!(node["hearings"][0]["tasks"].as_array().unwrap().len(), 12);
        assert_eq!(node["tasks"][0]["source"]["title"], "ヒアリング", "{node}");
        assert_eq!(node["tasks"][0]["assignee"]["email"], "po@example.jp");
        assert_eq!(node["open"].as_array().unwrap().len(), 1);
        assert_eq!(node["done"], json!([]));
    }
    let calls = [
        "hearings_for_procedures",
        "tasks_for_procedures",
        "tasks_for_hearings",
        "hearings_by_ids",
        "users_by_ids",
        "hearing",
        "task",
        "transition_records_by_ids",
        "transition_record",
    ]
    .map(|m| (m, api.store.calls(m)));
    assert_eq!(
        calls,
        [
            ("hearings_for_procedures", 1),
            // One per status asked for: any, OPEN, DONE.
            ("tasks_for_procedures", 3),
            ("tasks_for_hearings", 1),
            ("hearings_by_ids", 1),
            // The hearings' creators, and the tasks' assignees.
            ("users_by_ids", 2),
            ("hearing", 0),
            ("task", 0),
            // Every outcome's history record, for the whole page.
            ("transition_records_by_ids", 1),
            ("transition_record", 0),
        ]
    );
}

#[tokio::test]
async fn recording_a_hearing_costs_the_same_calls_for_2_or_20_outcomes() {
    let api = Api::new().await;
    api.create_bureau("KANKYO").await;
    let warm = procedures(&api, 1, 2).await;
    record(&api, &warm).await;

    let two = procedures(&api, 10, 2).await;
    api.store.reset();
    record(&api, &two).await;
    let (small, commits) = (api.store.total_calls(), api.store.calls("commit"));
    assert_eq!(commits, 1, "one batch");

    let twenty = procedures(&api, 100, 20).await;
    api.store.reset();
    record(&api, &twenty).await;
    assert_eq!(api.store.calls("commit"), 1, "one batch");
    assert_eq!(api.store.total_calls(), small, "no call per outcome");
    let data = api
        .data(
            "{ procedures(filter: { states: [\"scheduled\"] }) { totalCount } tasks { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(data["procedures"]["totalCount"], 24);
    assert_eq!(data["tasks"]["totalCount"], 24);
}
