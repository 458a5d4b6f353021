//! Introspection counts in the complexity limit, and counts exactly what it answers: the count
//! the limit reports (with `max_complexity` 1, its message names it) equals the number of values
//! in the response the same query gets when allowed, for GraphiQL's standard query, a `__type`
//! lookup and a document with fragments and aliases. A deeply nested introspection query is
//! refused before it runs.

use rollout_server::http::{HttpSettings, Limits};
use serde_json::{Value, json};

use crate::support::{code, serve, settings};

const GRAPHQL_JSON: &str = "application/graphql-response+json";

/// graphql-js `getIntrospectionQuery()`, as GraphiQL sends it.
const STANDARD: &str = include_str!("../../../../tests/fixtures/introspection-query.graphql");

/// Values in a response's `data`: each field 1, each list element 1 plus what it holds.
fn values(object: &Value) -> u64 {
    fn below(value: &Value) -> u64 {
        match value {
            Value::Array(items) => items.iter().map(|item| 1 + below(item)).sum(),
            Value::Object(_) => values(value),
            _ => 0,
        }
    }
    object
        .as_object()
        .map_or(0, |fields| fields.values().map(|v| 1 + below(v)).sum())
}

fn with_max_complexity(max_complexity: u64) -> HttpSettings {
    HttpSettings {
        limits: Limits {
            max_complexity,
            ..Limits::default()
        },
        ..settings()
    }
}

#[tokio::test]
async fn introspection_is_counted_exactly_as_it_answers() {
    let open = serve(settings()).await;
    for query in [
        STANDARD,
        "{ __type(name: \"Item\") { name fields { name args { name } type { kind ofType { name } } } } }",
        "{ a: __schema { ...S } b: __schema { directives { locations } } __typename }
         fragment S on __Schema { types { name ... on __Type { interfaces { name } } } }",
    ] {
        let (status, _, answered) = open.post(GRAPHQL_JSON, json!({ "query": query })).await;
        assert_eq!(status, 200, "{answered}");
        let answered = values(&answered["data"]);
        // Refused one below the number of values it answers, allowed at that number: the count
        // is exactly that number.
        let below = serve(with_max_complexity(answered - 1)).await;
        let (_, _, refused) = below.post(GRAPHQL_JSON, json!({ "query": query })).await;
        assert_eq!(code(&refused), "LIMIT_EXCEEDED", "{query}: {refused}");
        let at = serve(with_max_complexity(answered)).await;
        let (status, _, body) = at.post(GRAPHQL_JSON, json!({ "query": query })).await;
        assert_eq!(status, 200, "{query}: {body}");
        assert!(body["errors"].is_null(), "{body}");
    }
}

#[tokio::test]
async fn deeply_nested_introspection_is_refused_before_it_runs() {
    // The standard query answers about 1,100 values on this small schema.
    let server = serve(with_max_complexity(2_000)).await;
    let mut nested = String::from("name");
    for _ in 0..4 {
        nested = format!(
            "name a: fields {{ type {{ ofType {{ {nested} }} }} }} b: fields {{ type {{ ofType {{ {nested} }} }} }} c: fields {{ args {{ name }} type {{ ofType {{ {nested} }} }} }}"
        );
    }
    let query = format!("{{ __schema {{ types {{ {nested} }} }} }}");
    let (status, _, body) = server.post(GRAPHQL_JSON, json!({ "query": query })).await;
    assert_eq!((status, code(&body)), (400, "LIMIT_EXCEEDED"), "{body}");
    assert_eq!(body["errors"][0]["extensions"]["limit"], "max_complexity");
    let (status, _, body) = server
        .post(GRAPHQL_JSON, json!({ "query": STANDARD }))
        .await;
    assert_eq!(status, 200, "GraphiQL's query still fits: {body}");
    assert!(body["errors"].is_null(), "{body}");
}
