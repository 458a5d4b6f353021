//! The HTTP surface outside the GraphQL schema proper: health and readiness probes, the GraphiQL
//! page, how malformed requests are answered, and that introspection describes the contract.

use crate::common::{TestServer, both_backends, graphql_error_codes, ok_data};
use serde_json::{Value, json};

both_backends!(
    probes_answer,
    graphiql_page,
    malformed_requests,
    introspection
);

async fn probes_answer(server: TestServer) {
    for path in ["/healthz", "/readyz"] {
        let response = server.http().get(server.url(path)).send().await.unwrap();
        assert_eq!(response.status().as_u16(), 200, "GET {path}");
    }
    let response = server
        .http()
        .get(server.url("/no-such-route"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 404);
}

async fn graphiql_page(server: TestServer) {
    let response = server
        .http()
        .get(server.url("/graphql"))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        content_type.starts_with("text/html"),
        "content-type {content_type}"
    );
    let body = response.text().await.unwrap();
    assert!(
        body.to_lowercase().contains("graphiql"),
        "not a GraphiQL page: {}",
        &body[..body.len().min(300)]
    );
}

async fn malformed_requests(server: TestServer) {
    // A syntax error in the document.
    let response = server.gql("{ bureaus { code ", json!({})).await;
    assert!(
        response["errors"].as_array().is_some_and(|e| !e.is_empty()),
        "{response}"
    );
    assert!(response["data"].is_null(), "{response}");

    // A field the schema does not have.
    let response = server.gql("{ bureaus { colour } }", json!({})).await;
    let message = response["errors"][0]["message"]
        .as_str()
        .unwrap_or_default();
    assert!(message.contains("colour"), "{response}");

    // A body that is not JSON at all.
    let response = server
        .http()
        .post(server.url("/graphql"))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert!(
        response.status().is_client_error(),
        "non-JSON body answered {}",
        response.status()
    );

    // A variable of the wrong type is refused before anything runs.
    let response = server
        .gql(
            "query($first: Int) { procedures(first: $first) { totalCount } }",
            json!({ "first": "ten" }),
        )
        .await;
    assert!(
        response["errors"].as_array().is_some_and(|e| !e.is_empty()),
        "{response}"
    );

    // `first` outside 0..=500 is a VALIDATION error, not a silently clamped page.
    let response = server
        .gql("{ procedures(first: -1) { totalCount } }", json!({}))
        .await;
    assert_eq!(graphql_error_codes(&response), ["VALIDATION"]);
}

fn names(list: &Value) -> Vec<String> {
    let mut names: Vec<String> = list
        .as_array()
        .unwrap_or_else(|| panic!("not a list: {list}"))
        .iter()
        .map(|v| v["name"].as_str().unwrap().to_owned())
        .collect();
    names.sort();
    names
}

async fn introspection(server: TestServer) {
    let data = ok_data(
        server
            .gql(
                r#"{
                  __schema { queryType { name } mutationType { name } types { name } }
                  errorCode: __type(name: "ErrorCode") { kind enumValues { name } }
                  procedure: __type(name: "Procedure") { kind interfaces { name } fields { name } }
                  quarter: __type(name: "FiscalQuarter") { kind }
                }"#,
                json!({}),
            )
            .await,
    );
    assert_eq!(data["__schema"]["queryType"]["name"], "Query");
    assert_eq!(data["__schema"]["mutationType"]["name"], "Mutation");
    let types = names(&data["__schema"]["types"]);
    for expected in [
        "Bureau",
        "Procedure",
        "TransitionRecord",
        "Workflow",
        "RolloutSummary",
        "ProcedureFilter",
        "Date",
        "DateTime",
        "FiscalQuarter",
        "Node",
    ] {
        assert!(
            types.contains(&expected.to_owned()),
            "{expected} missing from {types:?}"
        );
    }
    assert_eq!(data["errorCode"]["kind"], "ENUM");
    assert_eq!(
        names(&data["errorCode"]["enumValues"]),
        [
            "APPROVAL_CLOSED",
            "CYCLE",
            "DUPLICATE",
            "FORBIDDEN",
            "GUARD_FAILED",
            "INVALID_TRANSITION",
            "NOT_FOUND",
            "RATE_LIMITED",
            "UNAUTHENTICATED",
            "VALIDATION",
            "VERSION_CONFLICT"
        ]
    );
    assert_eq!(data["procedure"]["kind"], "OBJECT");
    assert_eq!(names(&data["procedure"]["interfaces"]), ["Node"]);
    let fields = names(&data["procedure"]["fields"]);
    for expected in [
        "history",
        "nextTransitions",
        "targetQuarter",
        "releasedOn",
        "version",
    ] {
        assert!(
            fields.contains(&expected.to_owned()),
            "{expected} missing from {fields:?}"
        );
    }
    assert_eq!(data["quarter"]["kind"], "SCALAR");
}
