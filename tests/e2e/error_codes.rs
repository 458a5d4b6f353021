//! Every GraphQL error carries a stable `extensions.code`, also the ones async-graphql raises
//! itself before a resolver runs: a document that does not parse, one that does not fit the
//! schema (unknown field, no operation to select; a fragment cycle fails to parse), and values that do not
//! coerce (an `Int` beyond 2^31 - 1, `1.5` for an `Int`, a missing required variable), inline
//! or as variables. Nothing is written by any of them, and no message names an internal.

use crate::common::{TestServer, both_backends, graphql_error_codes};
use serde_json::{Value, json};

both_backends!(request_errors_have_codes, coercion_failures_have_codes);

/// Sends `query` as the project office and returns the response body.
async fn codes_of(server: &TestServer, query: &str, variables: Value) -> (Vec<String>, Value) {
    let body = server.gql(query, variables).await;
    (graphql_error_codes(&body), body)
}

async fn request_errors_have_codes(server: TestServer) {
    let cases: [(&str, Value, &str); 6] = [
        ("query { bureaus { id ", json!({}), "GRAPHQL_PARSE_FAILED"),
        (
            "query { bureaus { nope } }",
            json!({}),
            "GRAPHQL_VALIDATION_FAILED",
        ),
        (
            // The parser refuses nesting past 32 levels, which is where a cycle ends up.
            "query { ...A } fragment A on Query { ...B } fragment B on Query { ...A }",
            json!({}),
            "GRAPHQL_PARSE_FAILED",
        ),
        (
            "query A { bureaus { id } } query B { bureaus { id } }",
            json!({}),
            "GRAPHQL_VALIDATION_FAILED",
        ),
        (
            "query($x: Int) { bureaus { id } }",
            json!({}),
            "GRAPHQL_VALIDATION_FAILED",
        ),
        (
            "query { procedures(first: 1.5) { totalCount } }",
            json!({}),
            "VALIDATION",
        ),
    ];
    for (query, variables, expected) in cases {
        let (codes, body) = codes_of(&server, query, variables).await;
        assert_eq!(codes, [expected], "{query}: {body}");
        assert!(body.get("data").is_none_or(Value::is_null), "{body}");
    }

    // Under the GraphQL media type a request error is a 400, with the code in the body.
    let response = server
        .http()
        .post(server.url("/graphql"))
        .bearer_auth(&server.po.token)
        .header("accept", "application/graphql-response+json")
        .json(&json!({ "query": "{ bureaus { id" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 400);
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        graphql_error_codes(&body),
        ["GRAPHQL_PARSE_FAILED"],
        "{body}"
    );
}

async fn coercion_failures_have_codes(server: TestServer) {
    server
        .create_bureau("KANKYO", "環境局", "Bureau of Environment")
        .await;
    let procedure = server.simple_procedure("KANKYO", "KANKYO-0001").await;
    let id = procedure["id"].as_str().unwrap();
    let transition = "mutation($input: TransitionProcedureInput!) { transitionProcedure(input: $input) { replayed errors { code } } }";
    for version in [
        json!(2_147_483_648_u64),
        json!(1.5),
        json!(-2_147_483_649_i64),
    ] {
        let input = json!({ "procedureId": id, "to": "scheduled", "expectedVersion": version });
        let (codes, body) = codes_of(&server, transition, json!({ "input": input })).await;
        assert_eq!(codes, ["VALIDATION"], "expectedVersion {version}: {body}");
    }
    let inline = format!(
        r#"mutation {{ transitionProcedure(input: {{ procedureId: "{id}", to: "scheduled", expectedVersion: 2147483648 }}) {{ replayed }} }}"#
    );
    let (codes, body) = codes_of(&server, &inline, json!({})).await;
    assert_eq!(codes, ["VALIDATION"], "{body}");
    let (codes, body) = codes_of(
        &server,
        "query($f: Int!) { procedures(first: $f) { totalCount } }",
        json!({}),
    )
    .await;
    assert_eq!(codes, ["VALIDATION"], "missing variable: {body}");

    // None of it wrote anything: the procedure is where it was, at the version it had.
    let data = server
        .data(
            "query($id: ID!) { node(id: $id) { ... on Procedure { version state { key } } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(data["node"]["version"], procedure["version"], "{data}");
    assert_eq!(data["node"]["state"]["key"], "hearing", "{data}");
}
