//! User tests and target history through the schema: the helper other tests use to record a
//! passing user test before `built → user_tested`, and the cost of a page of procedures with
//! their user tests, target histories and next transitions (one read each, whatever the page
//! size).

use serde_json::{Value, json};

use crate::harness::Api;

const RECORD: &str = "mutation($input: RecordUserTestInput!) { recordUserTest(input: $input) {
    userTest { id verdict } errors { code message path } } }";

/// Records a passing user test of procedure `id` as the PROJECT_OFFICE user, which must succeed.
pub async fn pass_user_test(api: &Api, id: &Value) {
    let input = json!({
        "procedureId": id, "heldOn": "2026-06-01", "participants": 5, "tasksAttempted": 10,
        "tasksCompleted": 9, "findings": [], "verdict": "PASS",
    });
    let data = api.data(RECORD, json!({ "input": input })).await;
    assert_eq!(data["recordUserTest"]["errors"], json!([]), "{data}");
}

#[tokio::test]
async fn a_page_of_procedures_reads_its_evidence_once_whatever_its_size() {
    let api = Api::new().await;
    api.create_bureau("KANKYO").await;
    let mut ids = Vec::new();
    for n in 0..100 {
        let p = api
            .create_procedure(
                &format!("KANKYO-{n:04}"),
                "KANKYO",
                json!({"targetQuarter": "FY2026-Q1"}),
            )
            .await;
        ids.push(p["id"].clone());
    }
    for id in &ids[..10] {
        pass_user_test(&api, id).await;
    }
    let moved = api
        .update(
            json!({"id": ids[0], "expectedVersion": 1, "targetQuarter": "FY2026-Q3",
                       "reason": "vendor late"}),
        )
        .await;
    assert_eq!(moved["errors"], json!([]), "{moved}");

    let query = "query($first: Int) { procedures(first: $first) { edges { node { code
        userTests { verdict recordedBy { email } procedure { code } }
        targetHistory { from to reason } slipCount nextTransitions { to { key } allowed } } } } }";
    for first in [10, 100] {
        api.store.reset();
        let data = api.data(query, json!({ "first": first })).await;
        let edges = data["procedures"]["edges"].as_array().unwrap();
        assert_eq!(edges.len(), first);
        let counts: Vec<usize> = [
            "user_tests_for_procedures",
            "target_changes_for",
            "latest_user_test_verdicts",
            "users_by_ids",
            "procedures_by_ids",
        ]
        .iter()
        .map(|m| api.store.calls(m))
        .collect();
        // No guard facts: none of these procedures is in a state (`built`) whose ways out
        // have a guard that reads them.
        assert_eq!(counts, [1, 1, 0, 1, 0], "first: {first}");
        assert_eq!(
            api.store.total_calls(),
            4,
            "the page, its user tests with their recorders and target histories: first {first}"
        );
        let first_node = &edges[0]["node"];
        assert_eq!(first_node["code"], "KANKYO-0000");
        assert_eq!(
            first_node["userTests"],
            json!([{"verdict": "PASS", "recordedBy": {"email": "po@example.jp"},
                    "procedure": {"code": "KANKYO-0000"}}])
        );
        assert_eq!(
            first_node["targetHistory"],
            json!([{"from": null, "to": "FY2026-Q1", "reason": null},
                   {"from": "FY2026-Q1", "to": "FY2026-Q3", "reason": "vendor late"}])
        );
        assert_eq!(first_node["slipCount"], 1);
        assert_eq!(edges[1]["node"]["slipCount"], 0);
    }
}
