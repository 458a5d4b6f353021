//! GraphQL over HTTP as a client sees it, on a tiny schema behind the production stack: content
//! negotiation and the status codes of each media type, CSRF-safe content types, GET semantics
//! (queries only, GraphiQL for browsers), the authentication hook and the request metadata.

use crate::support::{code, read, serve, settings};
use serde_json::json;

const GRAPHQL_JSON: &str = "application/graphql-response+json";
const JSON: &str = "application/json";

#[tokio::test]
async fn statuses_follow_the_negotiated_media_type() {
    let server = serve(settings()).await;
    let ok = json!({ "query": "{ hello }" });
    let (status, content_type, body) = server.post(GRAPHQL_JSON, ok.clone()).await;
    assert_eq!(
        (status, content_type.as_str()),
        (200, "application/graphql-response+json; charset=utf-8")
    );
    assert_eq!(body, json!({ "data": { "hello": "world" } }));
    let (status, content_type, _) = server.post(JSON, ok.clone()).await;
    assert_eq!(
        (status, content_type.as_str()),
        (200, "application/json; charset=utf-8")
    );
    let (_, content_type, _) = server.post("*/*", ok).await;
    assert!(content_type.starts_with(JSON), "{content_type}");

    // Parse and validation failures: 400 without `data` under the GraphQL type, 200 under JSON.
    for query in ["{", "{ nope }"] {
        let (status, _, body) = server.post(GRAPHQL_JSON, json!({ "query": query })).await;
        assert_eq!(status, 400, "{query}: {body}");
        assert!(body.get("data").is_none(), "{body}");
        assert!(body["errors"][0]["message"].is_string(), "{body}");
        let (status, _, body) = server.post(JSON, json!({ "query": query })).await;
        assert_eq!(status, 200, "{query}: {body}");
        assert!(body.get("data").is_none(), "{body}");
    }
    // Variables that do not coerce are a request error too.
    let coerce = json!({ "query": "query($id: ID!) { hello }", "variables": { "id": null } });
    assert_eq!(server.post(GRAPHQL_JSON, coerce.clone()).await.0, 400);
    assert_eq!(server.post(JSON, coerce).await.0, 200);

    // Nothing acceptable: 406.
    let (status, _, body) = server
        .post("text/html", json!({ "query": "{ hello }" }))
        .await;
    assert_eq!((status, code(&body)), (406, "NOT_ACCEPTABLE"));
}

#[tokio::test]
async fn malformed_bodies_are_400_naming_the_problem() {
    let server = serve(settings()).await;
    let cases = [
        (
            "",
            "the request body is empty: send a JSON object with a `query` string",
        ),
        ("{ \"not a JSON", ""),
        (
            "{\"qeury\": \"{ hello }\"}",
            "the `query` parameter is missing: send the GraphQL document as a string in `query`",
        ),
        ("{\"query\": 1}", "the `query` parameter must be a string"),
        (
            "{\"query\": \"{ hello }\", \"variables\": \"x\"}",
            "the `variables` parameter must be an object or null",
        ),
        (
            "\"{ hello }\"",
            "the request body must be a JSON object, or an array of objects for a batch",
        ),
    ];
    for (body, message) in cases {
        let response = server
            .client
            .post(server.graphql())
            .header("content-type", JSON)
            .header("accept", GRAPHQL_JSON)
            .body(body)
            .send()
            .await
            .unwrap();
        let (status, _, reply) = read(response).await;
        assert_eq!(
            (status, code(&reply)),
            (400, "BAD_REQUEST"),
            "{body}: {reply}"
        );
        let text = reply["errors"][0]["message"].as_str().unwrap();
        assert!(text.starts_with(message), "{body}: {text}");
    }
}

#[tokio::test]
async fn posts_a_form_or_a_simple_request_could_send_are_refused() {
    let server = serve(settings()).await;
    let mutation = json!({ "query": "mutation { bump }" }).to_string();
    for content_type in [
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
        Some("multipart/form-data; boundary=x"),
        Some("application/json; charset=latin1"),
        None,
    ] {
        let mut request = server.client.post(server.graphql()).body(mutation.clone());
        if let Some(content_type) = content_type {
            request = request.header("content-type", content_type);
        }
        let (status, _, body) = read(request.send().await.unwrap()).await;
        assert_eq!(
            (status, code(&body)),
            (415, "UNSUPPORTED_MEDIA_TYPE"),
            "{content_type:?}"
        );
    }
    assert_eq!(server.bumps(), 0, "a refused mutation ran");
    // The same mutation as JSON runs, also under the GraphQL media type as content type.
    for content_type in [JSON, GRAPHQL_JSON] {
        let response = server
            .client
            .post(server.graphql())
            .header("content-type", content_type)
            .body(mutation.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 200);
    }
    assert_eq!(server.bumps(), 2);
}

#[tokio::test]
async fn get_runs_queries_and_never_mutations() {
    let server = serve(settings()).await;
    let get = |query: &'static str, accept: &'static str| {
        server
            .client
            .get(server.graphql_with(&[("query", query)]))
            .header("accept", accept)
            .send()
    };
    let (status, _, body) = read(get("{ hello }", "*/*").await.unwrap()).await;
    assert_eq!(
        (status, &body),
        (200, &json!({ "data": { "hello": "world" } }))
    );
    let response = server
        .client
        .get(server.graphql_with(&[
            ("query", "query($n: Int) { items(first: $n) { id } }"),
            ("variables", "{\"n\":2}"),
        ]))
        .send()
        .await
        .unwrap();
    let (_, _, body) = read(response).await;
    assert_eq!(body["data"]["items"], json!([{ "id": 0 }, { "id": 1 }]));

    for pairs in [
        &[("query", "mutation { bump }")][..],
        &[
            ("query", "query Q { hello } mutation M { bump }"),
            ("operationName", "M"),
        ][..],
    ] {
        let query = pairs[0].1;
        let response = server
            .client
            .get(server.graphql_with(pairs))
            .header("accept", GRAPHQL_JSON)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 405, "{query}");
        assert_eq!(response.headers()["allow"], "POST");
        let (_, _, body) = read(response).await;
        assert_eq!(code(&body), "METHOD_NOT_ALLOWED");
    }
    assert_eq!(server.bumps(), 0, "a mutation ran over GET");

    // No query parameter: 400 for tools, GraphiQL for browsers.
    let response = server
        .client
        .get(server.graphql())
        .header("accept", JSON)
        .send()
        .await
        .unwrap();
    let (status, _, body) = read(response).await;
    assert_eq!((status, code(&body)), (400, "BAD_REQUEST"));
    let page = server
        .client
        .get(server.graphql())
        .header("accept", "text/html,application/xhtml+xml,*/*;q=0.8")
        .send()
        .await
        .unwrap();
    assert_eq!(page.status().as_u16(), 200);
    let csp = page.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(csp.contains("script-src 'self'"), "{csp}");
    let html = page.text().await.unwrap();
    assert!(html.contains("data-endpoint=\"/graphql\""), "{html}");
    assert!(
        html.contains("data-subscription-path=\"/graphql/ws\""),
        "{html}"
    );
    assert!(
        html.contains(r#"data-headers='{"Authorization": "Bearer "}'"#),
        "{html}"
    );
    assert!(html.contains("paste it after"), "{html}");
    let boot = server
        .client
        .get(format!("{}/graphiql/boot.js", server.url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for wired in [
        "subscriptionUrl:",
        "defaultHeaders:",
        "data-subscription-path",
    ] {
        assert!(boot.contains(wired), "{wired} missing from boot.js");
    }
    let script = server
        .client
        .get(format!("{}/graphiql/graphiql.min.js", server.url))
        .send()
        .await
        .unwrap();
    assert_eq!(script.status().as_u16(), 200);
    assert!(script.bytes().await.unwrap().len() > 1_000_000);
}

#[tokio::test]
async fn a_subscription_sent_over_http_is_pointed_at_the_websocket() {
    let server = serve(settings()).await;
    let subscription = json!({ "query": "subscription { ticks }" });
    for media in [GRAPHQL_JSON, JSON] {
        let (_, _, body) = server.post(media, subscription.clone()).await;
        assert_eq!(code(&body), "BAD_REQUEST", "{body}");
        let message = body["errors"][0]["message"].as_str().unwrap();
        assert!(message.contains("/graphql/ws"), "{message}");
    }
}

#[tokio::test]
async fn the_authenticator_decides_who_calls_before_anything_runs() {
    let server = serve(settings()).await;
    let whoami = json!({ "query": "{ whoami }" }).to_string();
    let send = |token: Option<&'static str>, body: String| {
        let mut request = server
            .client
            .post(server.graphql())
            .header("content-type", JSON)
            .body(body);
        if let Some(token) = token {
            request = request.header("authorization", token);
        }
        request.send()
    };
    let (_, _, body) = read(send(None, whoami.clone()).await.unwrap()).await;
    assert_eq!(body["data"]["whoami"], "anonymous");
    let (_, _, body) = read(send(Some("Bearer good"), whoami.clone()).await.unwrap()).await;
    assert_eq!(body["data"]["whoami"], "good");
    let response = send(
        Some("Bearer forged"),
        json!({ "query": "mutation { bump }" }).to_string(),
    )
    .await
    .unwrap();
    assert_eq!(response.status().as_u16(), 401);
    assert_eq!(
        response.headers()["www-authenticate"],
        "Bearer realm=\"rollout\""
    );
    let (_, _, body) = read(response).await;
    assert_eq!(code(&body), "UNAUTHENTICATED");
    assert_eq!(
        body["errors"][0]["message"],
        "the bearer token is not valid"
    );
    assert_eq!(server.bumps(), 0);
    // Every operation of a batch gets the authenticator's data.
    let batch = json!([{ "query": "{ whoami }" }, { "query": "{ whoami }" }]).to_string();
    let (status, _, body) = read(send(Some("Bearer good"), batch).await.unwrap()).await;
    assert_eq!(status, 200);
    assert_eq!(
        body,
        json!([{ "data": { "whoami": "good" } }, { "data": { "whoami": "good" } }])
    );
}

#[tokio::test]
async fn request_ids_and_client_addresses_reach_the_resolvers() {
    let server = serve(settings()).await;
    let query = json!({ "query": "{ requestId clientIp }" }).to_string();
    let response = server
        .client
        .post(server.graphql())
        .header("content-type", JSON)
        .header("x-request-id", "trace-42")
        .body(query.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["x-request-id"], "trace-42");
    let (_, _, body) = read(response).await;
    assert_eq!(
        body["data"],
        json!({ "requestId": "trace-42", "clientIp": "127.0.0.1" })
    );
    // A malformed id is replaced by a generated one, and the resolvers see the same.
    let response = server
        .client
        .post(server.graphql())
        .header("content-type", JSON)
        .header("x-request-id", "<script>")
        .body(query)
        .send()
        .await
        .unwrap();
    let echoed = response.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(echoed.len(), 36, "{echoed}");
    let (_, _, body) = read(response).await;
    assert_eq!(body["data"]["requestId"], echoed);
}
