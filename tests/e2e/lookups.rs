//! Single-object reads and argument limits: `procedure(code:)`/`procedure(id:)`, `node(id:)` for
//! every node type, malformed ids, and the `first` limit of connections.

use crate::common::{TestServer, both_backends, codes, global_id, graphql_error_codes};
use serde_json::json;

both_backends!(
    page_size_limit,
    lookups_by_code_and_node_id,
    transition_record_is_a_node,
);

async fn page_size_limit(server: TestServer) {
    server
        .create_bureau("KANKYO", "環境局", "Bureau of Environment")
        .await;
    server.simple_procedure("KANKYO", "KANKYO-0001").await;
    let response = server
        .gql("{ procedures(first: 501) { totalCount } }", json!({}))
        .await;
    assert_eq!(graphql_error_codes(&response), ["VALIDATION"]);
    let response = server
        .gql(
            "{ bureau(code: \"KANKYO\") { procedures(first: 501) { totalCount } } }",
            json!({}),
        )
        .await;
    assert_eq!(graphql_error_codes(&response), ["VALIDATION"]);
    let data = server
        .data("{ procedures(first: 500) { totalCount } }", json!({}))
        .await;
    assert_eq!(data["procedures"]["totalCount"], 1);
    // The default page is 50: with one procedure, one edge and no next page.
    let data = server
        .data(
            "{ procedures { edges { node { code } } pageInfo { hasNextPage } } }",
            json!({}),
        )
        .await;
    assert_eq!(codes(&data["procedures"]), ["KANKYO-0001"]);
    assert_eq!(data["procedures"]["pageInfo"]["hasNextPage"], false);
}

async fn lookups_by_code_and_node_id(server: TestServer) {
    let bureau = server
        .create_bureau("KANKYO", "環境局", "Bureau of Environment")
        .await;
    let created = server
        .create_procedure(json!({
            "code": "KANKYO-0042", "name": "浄化槽設置の届出", "nameEn": "Septic tank notice",
            "bureauCode": "KANKYO", "category": "STANDARD", "authority": "TOKYO",
            "annualApplications": 1200, "processCount": 4, "platform": "SAAS_E_APPLICATION",
            "targetQuarter": "FY2026-Q2",
        }))
        .await;
    let id = created["id"].as_str().unwrap();
    let data = server
        .data(
            "query($id: ID!, $bureauId: ID!) {
               byCode: procedure(code: \"KANKYO-0042\") { id code name nameEn annualApplications
                 processCount platform targetQuarter releasedOn isPriority bureau { code } }
               byId: procedure(id: $id) { code }
               missing: procedure(code: \"KANKYO-9999\") { code }
               node(id: $id) { __typename id ... on Procedure { code version } }
               bureauNode: node(id: $bureauId) { __typename ... on Bureau { code } }
             }",
            json!({ "id": id, "bureauId": bureau["id"] }),
        )
        .await;
    assert_eq!(
        data["byCode"],
        json!({
            "id": id, "code": "KANKYO-0042", "name": "浄化槽設置の届出", "nameEn": "Septic tank notice",
            "annualApplications": 1200, "processCount": 4, "platform": "SAAS_E_APPLICATION",
            "targetQuarter": "FY2026-Q2", "releasedOn": null, "isPriority": false,
            "bureau": { "code": "KANKYO" },
        })
    );
    assert_eq!(data["byId"]["code"], "KANKYO-0042");
    assert!(data["missing"].is_null());
    assert_eq!(
        data["node"],
        json!({ "__typename": "Procedure", "id": id, "code": "KANKYO-0042", "version": 1 })
    );
    assert_eq!(
        data["bureauNode"],
        json!({ "__typename": "Bureau", "code": "KANKYO" })
    );

    // A well-formed id of nothing is null; a malformed one is a VALIDATION error.
    let unknown = global_id("Procedure", uuid::Uuid::new_v4());
    let data = server
        .data(
            "query($id: ID!) { node(id: $id) { id } }",
            json!({ "id": unknown }),
        )
        .await;
    assert!(data["node"].is_null(), "{data}");
    let response = server
        .gql("{ node(id: \"%%%not-base64\") { id } }", json!({}))
        .await;
    assert_eq!(graphql_error_codes(&response), ["VALIDATION"]);
    // `procedure` takes exactly one of id and code.
    for args in ["", "(id: $id, code: \"KANKYO-0042\")"] {
        let response = server
            .gql(
                &format!(
                    "query($id: ID!) {{ procedure{args} {{ code }} n: node(id: $id) {{ id }} }}"
                ),
                json!({ "id": id }),
            )
            .await;
        assert_eq!(
            graphql_error_codes(&response),
            ["VALIDATION"],
            "procedure{args}"
        );
    }
}

/// `TransitionRecord implements Node` in the contract, so `node(id:)` must fetch one.
async fn transition_record_is_a_node(server: TestServer) {
    server
        .create_bureau(
            "SEIKATSU",
            "生活文化局",
            "Bureau of Citizens, Culture and Sports",
        )
        .await;
    let p = server.simple_procedure("SEIKATSU", "SEIKATSU-0001").await;
    let id = p["id"].as_str().unwrap();
    server.step(id, "abolished", 1, Some("merged")).await;
    let history = server.history(id).await;
    let data = server
        .data(
            "query($id: ID!) { node(id: $id) { __typename id ... on TransitionRecord { to comment procedure { code } } } }",
            json!({ "id": history[1]["id"] }),
        )
        .await;
    assert_eq!(
        data["node"],
        json!({ "__typename": "TransitionRecord", "id": history[1]["id"], "to": "abolished",
                "comment": "merged", "procedure": { "code": "SEIKATSU-0001" } })
    );
}
