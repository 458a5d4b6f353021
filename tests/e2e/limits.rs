//! The endpoint's limits against the real schema and server, at their defaults (each limit is
//! unit-tested against a tiny schema in rollout-server; this checks that the real endpoint
//! applies them): a query one level too deep and a document with one alias too many are
//! refused with LIMIT_EXCEEDED before anything runs, one step below each passes, and a mutation
//! sent with GET is refused with 405 and changes nothing. Introspection counts in the
//! complexity limit: a small introspection query that would answer megabytes is refused,
//! GraphiQL's standard one still answers.

use crate::common::{TestServer, both_backends, ok_data};
use serde_json::{Value, json};

both_backends!(
    depth_and_aliases_are_limited,
    mutations_over_get_are_refused,
    introspection_counts_in_the_complexity_limit
);

/// Default `max_complexity`.
const MAX_COMPLEXITY: usize = 25_000;

/// Default `max_depth` and `max_aliases` (rollout_server::http::Limits::default()).
const MAX_DEPTH: usize = 15;
const MAX_ALIASES: usize = 30;

/// A query exactly `depth` fields deep: procedures → edges → node → bureau → procedures → …
/// with a scalar leaf of whatever type the chain ends on.
fn deep_query(depth: usize) -> String {
    let chain = ["procedures(first: 1)", "edges", "node", "bureau"];
    let leaves = ["totalCount", "cursor", "code", "code"];
    let levels = depth - 1;
    let mut query = String::from("{ ");
    for i in 0..levels {
        query.push_str(chain[i % 4]);
        query.push_str(" { ");
    }
    query.push_str(leaves[(levels - 1) % 4]);
    query.push_str(&" }".repeat(levels + 1));
    query
}

fn aliased_query(aliases: usize) -> String {
    let fields: Vec<String> = (0..aliases)
        .map(|i| format!("a{i}: bureaus {{ code }}"))
        .collect();
    format!("{{ {} }}", fields.join(" "))
}

/// POSTs `query` as the default user asking for `accept`; returns the status and body.
async fn post(server: &TestServer, accept: &str, query: &str) -> (u16, Value) {
    let response = server
        .http()
        .post(server.url("/graphql"))
        .bearer_auth(&server.po.token)
        .header("accept", accept)
        .json(&json!({ "query": query }))
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

/// Asserts that `query` is refused by the limit `setting` (of value `max`) under both media
/// types: 200 with `application/json`, 400 with `application/graphql-response+json`.
async fn assert_limited(server: &TestServer, query: &str, setting: &str, max: usize) {
    for (accept, status) in [
        ("application/json", 200),
        ("application/graphql-response+json", 400),
    ] {
        let (actual, body) = post(server, accept, query).await;
        assert_eq!(actual, status, "{setting} with {accept}: {body}");
        assert!(body.get("data").is_none_or(Value::is_null), "{body}");
        let errors = body["errors"].as_array().unwrap();
        assert_eq!(errors.len(), 1, "{body}");
        assert_eq!(
            (
                &errors[0]["extensions"]["code"],
                &errors[0]["extensions"]["limit"],
                &errors[0]["extensions"]["max"]
            ),
            (&json!("LIMIT_EXCEEDED"), &json!(setting), &json!(max)),
            "{body}"
        );
    }
}

async fn depth_and_aliases_are_limited(server: TestServer) {
    server
        .create_bureau("KANKYO", "環境局", "Bureau of Environment")
        .await;
    server.simple_procedure("KANKYO", "KANKYO-0001").await;

    let deepest = ok_data(server.gql(&deep_query(MAX_DEPTH), json!({})).await);
    let mut node = &deepest["procedures"]["edges"][0]["node"];
    for _ in 0..2 {
        node = &node["bureau"]["procedures"]["edges"][0]["node"];
    }
    // Levels 12-14 and the leaf at 15.
    assert!(
        node["bureau"]["procedures"]["edges"][0]["cursor"].is_string(),
        "{deepest}"
    );
    assert_limited(&server, &deep_query(MAX_DEPTH + 1), "max_depth", MAX_DEPTH).await;

    let data = ok_data(server.gql(&aliased_query(MAX_ALIASES), json!({})).await);
    assert_eq!(data.as_object().unwrap().len(), MAX_ALIASES);
    assert_eq!(data["a29"], json!([{ "code": "KANKYO" }]));
    assert_limited(
        &server,
        &aliased_query(MAX_ALIASES + 1),
        "max_aliases",
        MAX_ALIASES,
    )
    .await;
}

/// `/graphql?query=…`, the document URL-encoded.
fn get_url(server: &TestServer, query: &str) -> reqwest::Url {
    reqwest::Url::parse_with_params(&server.url("/graphql"), &[("query", query)]).unwrap()
}

async fn mutations_over_get_are_refused(server: TestServer) {
    let mutation = r#"mutation { createBureau(input: { code: "KANKYO", nameJa: "環境局", nameEn: "Environment" }) { bureau { code } } }"#;
    let response = server
        .http()
        .get(get_url(&server, mutation))
        .bearer_auth(&server.admin.token)
        .header("accept", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 405);
    assert_eq!(response.headers()["allow"], "POST");
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "METHOD_NOT_ALLOWED",
        "{body}"
    );

    // Queries over GET work, and show that nothing was created.
    let response = server
        .http()
        .get(get_url(&server, "{ bureaus { code } }"))
        .bearer_auth(&server.admin.token)
        .header("accept", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(ok_data(body), json!({ "bureaus": [] }));
}

/// graphql-js `getIntrospectionQuery()`, as GraphiQL sends it.
const STANDARD_INTROSPECTION: &str = include_str!("../fixtures/introspection-query.graphql");

async fn introspection_counts_in_the_complexity_limit(server: TestServer) {
    // Under 200 bytes; answered, it would list every Node type's fields once for every triple
    // of Node types (one level less is already 170 KB).
    let deep = "{ __schema { types { interfaces { possibleTypes { interfaces { possibleTypes {
        interfaces { possibleTypes { fields { name type { name } } } } } } } } } } }";
    assert!(deep.len() < 200, "{}", deep.len());
    assert_limited(&server, deep, "max_complexity", MAX_COMPLEXITY).await;

    let (status, body) = post(&server, "application/json", STANDARD_INTROSPECTION).await;
    assert_eq!(status, 200, "{body}");
    assert!(body["errors"].is_null(), "{body}");
    let types = body["data"]["__schema"]["types"].as_array().unwrap();
    assert!(types.iter().any(|t| t["name"] == "Procedure"), "{body}");
}
