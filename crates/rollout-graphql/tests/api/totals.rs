//! `totalCount` costs the store a count, so every connection (Query.procedures,
//! Bureau.procedures, Procedure.history, Query.approvals, Query.auditLog) asks for it only when
//! its own selection names `totalCount`: directly, under an alias, or in a named or inline
//! fragment. The edges and pageInfo are the same either way, and a selected `totalCount` always
//! resolves.

use serde_json::{Value, json};

use crate::harness::Api;

const PAGE_INFO: &str = "pageInfo { hasNextPage hasPreviousPage startCursor endCursor }";

/// KANKYO with three procedures: KANKYO-0001 moved on twice (three history records), KANKYO-0002
/// with an approval request pending.
async fn seeded() -> Api {
    let api = Api::new().await;
    api.create_bureau("KANKYO").await;
    let mut ids = Vec::new();
    for n in 1..=3 {
        let p = api
            .create_procedure(
                &format!("KANKYO-000{n}"),
                "KANKYO",
                json!({"targetQuarter": "FY2026-Q3"}),
            )
            .await;
        ids.push(p["id"].clone());
    }
    for (to, version) in [("scheduled", 1), ("hearing", 2)] {
        let moved = api
            .transition(json!({"procedureId": ids[0], "to": to, "expectedVersion": version}))
            .await;
        assert_eq!(moved["errors"], json!([]), "{moved}");
    }
    let asked = api
        .transition(
            json!({"procedureId": ids[1], "to": "abolished", "expectedVersion": 1,
                           "comment": "out of scope"}),
        )
        .await;
    assert_eq!(asked["errors"], json!([]), "{asked}");
    assert!(asked["approvalRequest"]["id"].is_string(), "{asked}");
    api
}

/// Runs `query` and returns its data with the page reads it made (method, asked for total).
async fn read(api: &Api, query: &str) -> (Value, Vec<(&'static str, bool)>) {
    api.store.reset();
    let data = api.data(query, json!({})).await;
    let mut pages = api.store.pages();
    pages.sort();
    (data, pages)
}

/// Follows `path` (object keys) into `data`.
fn at<'a>(data: &'a Value, path: &[&str]) -> &'a Value {
    path.iter().fold(data, |v, key| &v[key])
}

#[tokio::test]
async fn each_connection_counts_only_when_total_count_is_selected() {
    let api = seeded().await;
    // (document with `{}` for the selection, path to the connection, store method, total)
    let cases: [(&str, &[&str], &str, i64); 5] = [
        (
            "{ procedures(first: 2) { {} } }",
            &["procedures"],
            "list_procedures",
            3,
        ),
        (
            r#"{ bureau(code: "KANKYO") { procedures(first: 2) { {} } } }"#,
            &["bureau", "procedures"],
            "list_procedures",
            3,
        ),
        (
            r#"{ procedure(code: "KANKYO-0001") { history(first: 2) { {} } } }"#,
            &["procedure", "history"],
            // A first page is read with its page of procedures (here a page of one).
            "histories",
            3,
        ),
        (
            "{ approvals(first: 1) { {} } }",
            &["approvals"],
            "list_approval_requests",
            1,
        ),
        (
            "{ auditLog(first: 2) { {} } }",
            &["auditLog"],
            "list_audit",
            api.data("{ auditLog(first: 500) { totalCount } }", json!({}))
                .await["auditLog"]["totalCount"]
                .as_i64()
                .unwrap(),
        ),
    ];
    for (document, path, method, total) in cases {
        let page = format!("edges {{ cursor }} {PAGE_INFO}");
        let bare = document.replace("{}", &page);
        let counted = document.replace("{}", &format!("totalCount {page}"));

        let (without, pages) = read(&api, &bare).await;
        assert_eq!(pages, [(method, false)], "{bare}");
        let (with, pages) = read(&api, &counted).await;
        assert_eq!(pages, [(method, true)], "{counted}");

        let (without, with) = (at(&without, path), at(&with, path));
        assert_eq!(with["totalCount"], total, "{counted}");
        assert!(without.get("totalCount").is_none());
        assert_eq!(without["edges"], with["edges"], "{bare}");
        assert_eq!(without["pageInfo"], with["pageInfo"], "{bare}");
        assert!(!with["edges"].as_array().unwrap().is_empty(), "{counted}");
    }
}

#[tokio::test]
async fn total_count_in_fragments_and_aliases_is_counted() {
    let api = seeded().await;
    let cases: [(&str, Value); 5] = [
        ("{ procedures { n: totalCount } }", json!({"n": 3})),
        (
            "{ procedures { ...Total } } fragment Total on ProcedureConnection { totalCount }",
            json!({"totalCount": 3}),
        ),
        (
            "{ procedures { ... on ProcedureConnection { totalCount } } }",
            json!({"totalCount": 3}),
        ),
        (
            "{ procedures { ...Outer } } fragment Outer on ProcedureConnection { ...Inner }
             fragment Inner on ProcedureConnection { ... { totalCount } }",
            json!({"totalCount": 3}),
        ),
        (
            "query { procedures { ... @include(if: true) { totalCount } } }",
            json!({"totalCount": 3}),
        ),
    ];
    for (query, want) in cases {
        let (data, pages) = read(&api, query).await;
        assert_eq!(pages, [("list_procedures", true)], "{query}");
        assert_eq!(data["procedures"], want, "{query}");
    }

    // The same connection twice, merged into one answer: each occurrence is its own read, and
    // only the one that selects totalCount counts.
    let (data, pages) = read(
        &api,
        "{ procedures(first: 1) { edges { cursor } } procedures(first: 1) { totalCount } }",
    )
    .await;
    assert_eq!(
        pages,
        [("list_procedures", false), ("list_procedures", true)]
    );
    assert_eq!(data["procedures"]["totalCount"], 3);
    assert_eq!(data["procedures"]["edges"].as_array().unwrap().len(), 1);
    let (data, pages) = read(
        &api,
        "{ a: procedures { pageInfo { hasNextPage } } b: procedures { totalCount } }",
    )
    .await;
    assert_eq!(
        pages,
        [("list_procedures", false), ("list_procedures", true)]
    );
    assert_eq!(data["b"]["totalCount"], 3);
    assert_eq!(data["a"]["pageInfo"]["hasNextPage"], false);
}

#[tokio::test]
async fn a_skipped_total_count_is_left_out_without_error() {
    let api = seeded().await;
    let query = "query($skip: Boolean!) {
        procedures { totalCount @skip(if: $skip) edges { cursor } } }";
    for skip in [true, false] {
        let data = api.data(query, json!({"skip": skip})).await;
        let connection = &data["procedures"];
        assert_eq!(connection["edges"].as_array().unwrap().len(), 3);
        if skip {
            assert!(connection.get("totalCount").is_none(), "{connection}");
        } else {
            assert_eq!(connection["totalCount"], 3);
        }
    }
}
