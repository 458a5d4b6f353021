//! Single-object reads (node, procedure, bureau), the workflow description and the summary.

use rollout_domain::identity::Role;
use serde_json::json;

use crate::approvals::approve_as;
use crate::harness::Api;
use crate::mutations::unknown_procedure_id;

const NODE: &str = "query($id: ID!) { node(id: $id) { id __typename
    ... on Bureau { code } ... on Procedure { code bureau { code } } } }";

#[tokio::test]
async fn node_fetches_bureaus_and_procedures_by_global_id() {
    let api = Api::new().await;
    let bureau = api.create_bureau("KANKYO").await;
    let p = api
        .create_procedure("KANKYO-0001", "KANKYO", json!({}))
        .await;

    let node = api.data(NODE, json!({"id": bureau["id"]})).await;
    assert_eq!(
        node["node"],
        json!({"id": bureau["id"], "__typename": "Bureau", "code": "KANKYO"})
    );
    let node = api.data(NODE, json!({"id": p["id"]})).await;
    assert_eq!(
        node["node"],
        json!({"id": p["id"], "__typename": "Procedure", "code": "KANKYO-0001",
               "bureau": {"code": "KANKYO"}})
    );
    let missing = api.data(NODE, json!({"id": unknown_procedure_id()})).await;
    assert_eq!(missing["node"], json!(null));
    assert_eq!(
        api.error_code(NODE, json!({"id": "bm9wZQ"})).await,
        "VALIDATION"
    );

    let record = api
        .data(
            "query($id: ID!) { procedure(id: $id) { history { edges { node { id } } } } }",
            json!({"id": p["id"]}),
        )
        .await;
    let record_id = &record["procedure"]["history"]["edges"][0]["node"]["id"];
    let found = api
        .data(
            "query($id: ID!) { node(id: $id) { id ... on TransitionRecord { from to transition procedure { code } } } }",
            json!({"id": record_id}),
        )
        .await;
    assert_eq!(found["node"]["id"], *record_id);
    assert_eq!(found["node"]["from"], serde_json::Value::Null);
    assert_eq!(found["node"]["to"], "hearing");
    assert_eq!(found["node"]["transition"], "create");
    assert_eq!(found["node"]["procedure"]["code"], "KANKYO-0001");
}

#[tokio::test]
async fn procedure_is_found_by_exactly_one_of_id_and_code() {
    let api = Api::new().await;
    let bureau = api.create_bureau("KANKYO").await;
    let p = api
        .create_procedure("KANKYO-0001", "KANKYO", json!({}))
        .await;
    let query = "query($id: ID, $code: String) { procedure(id: $id, code: $code) { id code } }";

    let by_id = api.data(query, json!({"id": p["id"]})).await;
    assert_eq!(by_id["procedure"]["code"], "KANKYO-0001");
    let by_code = api.data(query, json!({"code": "KANKYO-0001"})).await;
    assert_eq!(by_code["procedure"]["id"], p["id"]);
    let unknown = api.data(query, json!({"code": "KANKYO-9999"})).await;
    assert_eq!(unknown["procedure"], json!(null));

    for vars in [
        json!({"id": p["id"], "code": "KANKYO-0001"}),
        json!({}),
        json!({"id": bureau["id"]}),
        json!({"code": "not a code"}),
    ] {
        assert_eq!(
            api.error_code(query, vars.clone()).await,
            "VALIDATION",
            "{vars}"
        );
    }
}

#[tokio::test]
async fn bureaus_are_listed_by_code_and_found_by_code() {
    let api = Api::new().await;
    for code in ["ZAIMU", "FUKUSHI", "KANKYO"] {
        api.create_bureau(code).await;
    }
    let data = api
        .data(
            "{ bureaus { code } bureau(code: \"KANKYO\") { nameJa } missing: bureau(code: \"NOPE\") { code } }",
            json!({}),
        )
        .await;
    assert_eq!(
        data,
        json!({"bureaus": [{"code": "FUKUSHI"}, {"code": "KANKYO"}, {"code": "ZAIMU"}],
               "bureau": {"nameJa": "KANKYO局"}, "missing": null})
    );
    let bad = "{ bureau(code: \"kankyo\") { code } }";
    assert_eq!(api.error_code(bad, json!({})).await, "VALIDATION");
}

#[tokio::test]
async fn workflow_describes_the_loaded_definition() {
    let api = Api::new().await;
    let data = api
        .data(
            "{ workflow { name version states { key kind slaDays labelJa }
                transitions { key from { key } to { key } guards requiresComment } } }",
            json!({}),
        )
        .await;
    let wf = &data["workflow"];
    assert_eq!(wf["name"], "tokyo-digitisation");
    assert_eq!(wf["version"], 1);
    assert_eq!(wf["states"].as_array().unwrap().len(), 7);
    assert_eq!(
        wf["states"][0],
        json!({"key": "hearing", "kind": "INITIAL", "slaDays": 60, "labelJa": "ヒアリング"})
    );
    let transitions = wf["transitions"].as_array().unwrap();
    assert_eq!(
        transitions[0],
        json!({"key": "schedule", "from": {"key": "hearing"}, "to": {"key": "scheduled"},
               "guards": ["target_quarter_set"], "requiresComment": false})
    );
    let abolish = transitions.iter().find(|t| t["key"] == "abolish").unwrap();
    assert_eq!(abolish["guards"], json!(["comment"]));
    assert_eq!(abolish["requiresComment"], true);
}

#[tokio::test]
async fn summary_counts_states_and_the_digitisation_rate() {
    let api = Api::new().await;
    api.create_bureau("KANKYO").await;
    api.create_bureau("FUKUSHI").await;
    api.create_procedure("KANKYO-0001", "KANKYO", json!({}))
        .await;
    api.create_procedure("KANKYO-0002", "KANKYO", json!({}))
        .await;
    let closed = api
        .create_procedure("FUKUSHI-0001", "FUKUSHI", json!({}))
        .await;
    let abolish = api
        .transition(
            json!({"procedureId": closed["id"], "to": "abolished", "expectedVersion": 1,
                           "comment": "merged into FUKUSHI-0002"}),
        )
        .await;
    assert_eq!(abolish["errors"], json!([]));
    for email in ["po2@example.jp", "po3@example.jp"] {
        let office = api.add_user(email, Role::ProjectOffice, None).await;
        let vote = approve_as(&api, &office, &abolish["approvalRequest"]["id"]).await;
        assert_eq!(vote["errors"], json!([]), "{email}");
    }

    let query = "query($filter: ProcedureFilter) { rolloutSummary(filter: $filter) {
        total digitised inScope digitisationRate byState { key count state { kind } } } }";
    let all = api.data(query, json!({})).await;
    let summary = &all["rolloutSummary"];
    assert_eq!(summary["total"], 3);
    assert_eq!(summary["digitised"], 0);
    assert_eq!(summary["inScope"], 2);
    assert_eq!(summary["digitisationRate"], 0.0);
    let by_state = summary["byState"].as_array().unwrap();
    assert_eq!(by_state.len(), 7, "every state, zero counts included");
    assert_eq!(
        by_state[0],
        json!({"key": "hearing", "count": 2, "state": {"kind": "INITIAL"}})
    );
    let abolished = by_state.iter().find(|s| s["key"] == "abolished").unwrap();
    assert_eq!(abolished["count"], 1);

    let kankyo = api
        .data(query, json!({"filter": {"bureauCodes": ["KANKYO"]}}))
        .await;
    assert_eq!(kankyo["rolloutSummary"]["total"], 2);
    assert_eq!(kankyo["rolloutSummary"]["inScope"], 2);
}
