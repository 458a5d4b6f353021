//! The dependency graph's fields cost a fixed number of store calls per page, whatever its
//! size: `blockers`, `dependents` and `earliestRelease { decidedBy }` of every procedure of a
//! page are one graph-version check and a few batch reads, never a read per row.

use serde_json::{Value, json};

use crate::harness::Api;

const CREATE_LAW: &str =
    "mutation($input: CreateLawChangeInput!) { createLawChange(input: $input) {
    lawChange { id } errors { code message } } }";
const ADD: &str =
    "mutation($p: ID!, $on: ID!) { addDependency(input: { procedureId: $p, on: $on }) {
    dependency { id } errors { code message } } }";

async fn page_calls(api: &Api, count: usize) -> Vec<(&'static str, usize)> {
    api.store.reset();
    let data = api
        .data(
            "{ procedures(first: 100) { edges { node { code
                blockers { __typename } dependents { code } all: blockers(transitive: true) { __typename }
                earliestRelease { quarter decidedBy { __typename ... on LawChange { code } ... on Procedure { code } } } } } } }",
            json!({}),
        )
        .await;
    let edges = data["procedures"]["edges"].as_array().unwrap();
    assert_eq!(edges.len(), count, "{data}");
    assert!(
        edges
            .iter()
            .any(|e| e["node"]["earliestRelease"]["decidedBy"][0]["code"] == "LAW-0001"),
        "{data}"
    );
    [
        "graph_version",
        "graph_rows",
        "procedure_facts",
        "procedures_by_ids",
        "procedure",
        "law_change",
    ]
    .map(|m| (m, api.store.calls(m)))
    .to_vec()
}

#[tokio::test]
async fn graph_fields_are_a_fixed_number_of_reads_per_page() {
    let api = Api::new().await;
    api.create_bureau("KANKYO").await;
    let law = api
        .data(
            CREATE_LAW,
            json!({ "input": { "code": "LAW-0001", "titleJa": "改正", "level": "NATIONAL_LAW",
                               "ministryJa": "環境省", "ownerBureauCode": "KANKYO" } }),
        )
        .await["createLawChange"]["lawChange"]["id"]
        .clone();
    let mut previous: Option<Value> = None;
    let mut counts = Vec::new();
    for n in 1..=12 {
        let p = api
            .create_procedure(&format!("KANKYO-{n:04}"), "KANKYO", json!({}))
            .await;
        // Each procedure needs the law, and the one before it (a chain).
        let on = previous.clone().unwrap_or_else(|| law.clone());
        let data = api.data(ADD, json!({ "p": p["id"], "on": on })).await;
        assert_eq!(data["addDependency"]["errors"], json!([]), "{data}");
        if previous.is_some() {
            let data = api.data(ADD, json!({ "p": p["id"], "on": law })).await;
            assert_eq!(data["addDependency"]["errors"], json!([]), "{data}");
        }
        previous = Some(p["id"].clone());
        if n == 3 || n == 12 {
            counts.push(page_calls(&api, n).await);
        }
    }
    // The same reads for a page of 3 as for a page of 12 (the graph is loaded once per
    // version, then served from the cache).
    assert_eq!(counts[0], counts[1], "3 vs 12 procedures");
    let by = |m: &str| counts[1].iter().find(|(k, _)| *k == m).unwrap().1;
    // The first page after the last change loads the graph once, however many fields ask.
    assert_eq!(by("graph_rows"), 1, "{:?}", counts[1]);
    assert_eq!(by("procedure"), 0);
    assert_eq!(by("law_change"), 0);
    assert!(by("procedures_by_ids") <= 3, "{:?}", counts[1]);
}
