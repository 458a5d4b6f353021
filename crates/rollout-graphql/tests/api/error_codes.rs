//! The schema's error-code extension: errors async-graphql raises itself get a stable
//! `extensions.code` on every path into the schema, including subscriptions (whose stream the
//! WebSocket transport forwards as it is). The HTTP side is in `tests/e2e/error_codes.rs`.

use async_graphql::futures_util::StreamExt;
use async_graphql::{Request, Response, Variables};
use serde_json::{Value, json};

use crate::harness::{Api, actor};

fn codes(response: &Response) -> Vec<String> {
    response
        .errors
        .iter()
        .map(|e| {
            let code = e.extensions.as_ref().and_then(|x| x.get("code"));
            match code {
                Some(async_graphql::Value::String(s)) => s.clone(),
                other => format!("<{other:?}>"),
            }
        })
        .collect()
}

#[tokio::test]
async fn queries_and_mutations_get_codes_for_async_graphqls_own_errors() {
    let api = Api::new().await;
    let cases: [(&str, Value, &str); 5] = [
        ("{ bureaus { id", json!({}), "GRAPHQL_PARSE_FAILED"),
        (
            "{ bureaus { nope } }",
            json!({}),
            "GRAPHQL_VALIDATION_FAILED",
        ),
        (
            "query($f: Int) { procedures(first: $f) { totalCount } }",
            json!({ "f": 2_147_483_648_u64 }),
            "VALIDATION",
        ),
        (
            "{ procedures(first: 1.5) { totalCount } }",
            json!({}),
            "VALIDATION",
        ),
        (
            "query A { bureaus { id } } query B { bureaus { id } }",
            json!({}),
            "GRAPHQL_VALIDATION_FAILED",
        ),
    ];
    for (query, variables, expected) in cases {
        let response = api.raw_as(&api.po, query, variables).await;
        assert_eq!(
            codes(&response),
            [expected],
            "{query}: {:?}",
            response.errors
        );
    }
}

#[tokio::test]
async fn subscription_streams_get_codes_too() {
    let api = Api::new().await;
    for (query, expected) in [
        (
            "subscription { procedureEvents { nope } }",
            "GRAPHQL_VALIDATION_FAILED",
        ),
        (
            "subscription { procedureEvents { kind }",
            "GRAPHQL_PARSE_FAILED",
        ),
    ] {
        let request = Request::new(query)
            .variables(Variables::from_json(json!({})))
            .data(actor(&api.po));
        let mut stream = api.schema.execute_stream(request);
        let response = stream.next().await.expect("one error response");
        assert_eq!(
            codes(&response),
            [expected],
            "{query}: {:?}",
            response.errors
        );
    }
}
