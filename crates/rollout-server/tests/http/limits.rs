//! The endpoint's limits, each refused with its own code and message, on a tiny schema behind
//! the production stack: depth, complexity, aliases, batch size, body size, execution time,
//! introspection, per-client rate limiting, and CORS.

use std::num::NonZeroU32;
use std::time::Duration;

use crate::support::{code, read, serve, settings};
use rollout_server::http::{CorsOrigin, HttpSettings, Limits, RateLimit};
use serde_json::{Value, json};

const GRAPHQL_JSON: &str = "application/graphql-response+json";

fn with_limits(limits: Limits) -> HttpSettings {
    HttpSettings {
        limits,
        ..settings()
    }
}

/// Asserts a `LIMIT_EXCEEDED` error naming `setting` and `max`, with `message`.
fn assert_limit(body: &Value, setting: &str, max: u64, message: &str) {
    let error = &body["errors"][0];
    assert_eq!(error["message"], message, "{body}");
    assert_eq!(
        error["extensions"],
        json!({ "code": "LIMIT_EXCEEDED", "limit": setting, "max": max }),
        "{body}"
    );
}

#[tokio::test]
async fn depth_complexity_and_aliases_are_limited_before_execution() {
    let server = serve(with_limits(Limits {
        max_depth: 3,
        max_complexity: 40,
        max_aliases: 2,
        ..Limits::default()
    }))
    .await;
    let run = |query: &str| server.post(GRAPHQL_JSON, json!({ "query": query }));

    let (status, _, body) = run("{ item { child { id } } }").await;
    assert_eq!(
        (status, &body["data"]["item"]["child"]["id"]),
        (200, &json!(1))
    );
    let (status, _, body) = run("{ item { child { child { id } } } }").await;
    assert_eq!(status, 400);
    assert!(body.get("data").is_none(), "{body}");
    assert_limit(
        &body,
        "max_depth",
        3,
        "query depth 4 exceeds the limit of 3 (max_depth)",
    );

    // `first` multiplies: 1 + 13 × (1 + 2) = 40 fits, 1 + 14 × 3 = 43 does not.
    assert_eq!(run("{ items(first: 13) { id child { id } } }").await.0, 200);
    let (status, _, body) = run("{ items(first: 14) { id child { id } } }").await;
    assert_eq!(status, 400);
    assert_limit(
        &body,
        "max_complexity",
        40,
        "query complexity 43 exceeds the limit of 40 (max_complexity)",
    );
    // Without `first`, the default page of 50 counts.
    let (_, _, body) = run("{ items { id } }").await;
    assert_limit(
        &body,
        "max_complexity",
        40,
        "query complexity 51 exceeds the limit of 40 (max_complexity)",
    );

    assert_eq!(run("{ a: hello b: hello }").await.0, 200);
    let (status, _, body) = run("{ a: hello b: hello c: hello }").await;
    assert_eq!(status, 400);
    assert_limit(
        &body,
        "max_aliases",
        2,
        "3 aliases exceed the limit of 2 (max_aliases)",
    );

    // Legacy JSON clients get the same error with 200.
    let (status, _, body) = server
        .post(
            "application/json",
            json!({ "query": "{ a: hello b: hello c: hello }" }),
        )
        .await;
    assert_eq!((status, code(&body)), (200, "LIMIT_EXCEEDED"));
}

#[tokio::test]
async fn batches_are_limited_in_size_and_run_in_order() {
    let server = serve(with_limits(Limits {
        max_batch: 2,
        ..Limits::default()
    }))
    .await;
    let op = json!({ "query": "mutation { bump }" });
    let (status, _, body) = server.post(GRAPHQL_JSON, json!([op, op])).await;
    assert_eq!(status, 200);
    assert_eq!(
        body,
        json!([{ "data": { "bump": 1 } }, { "data": { "bump": 2 } }])
    );
    let (status, _, body) = server.post(GRAPHQL_JSON, json!([op, op, op])).await;
    assert_eq!(status, 400);
    assert_limit(
        &body,
        "max_batch",
        2,
        "a batch of 3 operations exceeds the limit of 2 (max_batch)",
    );
    assert_eq!(server.bumps(), 2, "no operation of a refused batch runs");
    // One bad operation does not hide the others.
    let (status, _, body) = server
        .post(
            GRAPHQL_JSON,
            json!([{ "query": "{ nope }" }, { "query": "{ hello }" }]),
        )
        .await;
    assert_eq!(status, 200);
    assert!(
        body[0].get("data").is_none() && body[0]["errors"].is_array(),
        "{body}"
    );
    assert_eq!(body[1], json!({ "data": { "hello": "world" } }));

    let disabled = serve(with_limits(Limits {
        max_batch: 0,
        ..Limits::default()
    }))
    .await;
    let (status, _, body) = disabled.post(GRAPHQL_JSON, json!([op])).await;
    assert_eq!(status, 400);
    assert_limit(
        &body,
        "max_batch",
        0,
        "batch requests are disabled on this server (max_batch = 0)",
    );
}

#[tokio::test]
async fn bodies_over_the_limit_are_413() {
    let server = serve(with_limits(Limits {
        max_body_bytes: 1024,
        ..Limits::default()
    }))
    .await;
    let padded = |n: usize| json!({ "query": format!("{{ hello }} #{}", "x".repeat(n)) });
    assert_eq!(server.post(GRAPHQL_JSON, padded(900)).await.0, 200);
    let (status, _, body) = server.post(GRAPHQL_JSON, padded(1100)).await;
    assert_eq!(status, 413);
    assert_limit(
        &body,
        "max_body_bytes",
        1024,
        "the request body exceeds the limit of 1024 bytes (max_body_bytes)",
    );
}

#[tokio::test]
async fn slow_execution_is_abandoned_with_timeout() {
    let server = serve(with_limits(Limits {
        execution_timeout: Duration::from_millis(200),
        ..Limits::default()
    }))
    .await;
    // The resolver would sleep for ten minutes: an answer at all means it was abandoned.
    let slow = json!({ "query": "{ slow(millis: 600000) }" });
    let (status, _, body) = server.post(GRAPHQL_JSON, slow.clone()).await;
    assert_eq!((status, code(&body)), (504, "TIMEOUT"));
    assert_eq!(
        body["errors"][0]["extensions"]["limit"],
        "execution_timeout"
    );
    assert!(body.get("data").is_none());
    let (status, _, body) = server.post("application/json", slow).await;
    assert_eq!((status, code(&body)), (200, "TIMEOUT"));
    assert_eq!(
        server
            .post(GRAPHQL_JSON, json!({ "query": "{ slow(millis: 10) }" }))
            .await
            .0,
        200
    );
}

#[tokio::test]
async fn introspection_can_be_turned_off() {
    let closed = serve(HttpSettings {
        introspection: false,
        ..settings()
    })
    .await;
    for query in [
        "{ __schema { queryType { name } } }",
        "{ __type(name: \"Query\") { name } }",
        "{ ...F } fragment F on Query { __schema { types { name } } }",
    ] {
        let (status, _, body) = closed.post(GRAPHQL_JSON, json!({ "query": query })).await;
        assert_eq!(
            (status, code(&body)),
            (400, "INTROSPECTION_DISABLED"),
            "{query}"
        );
        assert_eq!(
            body["errors"][0]["message"],
            "introspection is disabled on this server"
        );
    }
    let (status, _, body) = closed
        .post(GRAPHQL_JSON, json!({ "query": "{ __typename hello }" }))
        .await;
    assert_eq!(
        (status, &body["data"]["__typename"]),
        (200, &json!("Query"))
    );
    let open = serve(settings()).await;
    let (status, _, body) = open
        .post(
            GRAPHQL_JSON,
            json!({ "query": "{ __schema { queryType { name } } }" }),
        )
        .await;
    assert_eq!(
        (status, &body["data"]["__schema"]["queryType"]["name"]),
        (200, &json!("Query"))
    );
}

#[tokio::test]
async fn each_client_is_rate_limited_with_retry_after() {
    let server = serve(HttpSettings {
        rate_limit: Some(RateLimit {
            replenish_interval: Duration::from_secs(3600),
            burst: NonZeroU32::new(2).unwrap(),
        }),
        ..settings()
    })
    .await;
    let send = |token: Option<&'static str>| {
        let mut request = server
            .client
            .post(server.graphql())
            .header("content-type", "application/json")
            .body(json!({ "query": "{ hello }" }).to_string());
        if let Some(token) = token {
            request = request.header("authorization", token);
        }
        request.send()
    };
    assert_eq!(send(None).await.unwrap().status().as_u16(), 200);
    assert_eq!(send(None).await.unwrap().status().as_u16(), 200);
    let limited = send(None).await.unwrap();
    assert_eq!(limited.status().as_u16(), 429);
    let retry_after: u64 = limited.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((3590..=3600).contains(&retry_after), "{retry_after}");
    let (_, _, body) = read(limited).await;
    assert_eq!(code(&body), "RATE_LIMITED");
    // A credential has its own bucket (even one the authenticator will refuse).
    assert_eq!(
        send(Some("Bearer good")).await.unwrap().status().as_u16(),
        200
    );
    assert_eq!(
        send(Some("Bearer forged")).await.unwrap().status().as_u16(),
        401
    );
    // Probes are never limited.
    for _ in 0..5 {
        let health = server
            .client
            .get(format!("{}/healthz", server.url))
            .send()
            .await
            .unwrap();
        assert_eq!(health.status().as_u16(), 200);
    }
}

#[tokio::test]
async fn cors_admits_only_configured_origins() {
    let preflight = |server: &crate::support::TestServer, origin: &'static str| {
        server
            .client
            .request(reqwest::Method::OPTIONS, server.graphql())
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header(
                "access-control-request-headers",
                "authorization, content-type",
            )
            .send()
    };
    let open = serve(HttpSettings {
        cors_origins: vec![CorsOrigin::parse("https://portal.example.jp").unwrap()],
        ..settings()
    })
    .await;
    let allowed = preflight(&open, "https://portal.example.jp").await.unwrap();
    assert_eq!(allowed.status().as_u16(), 200);
    let headers = allowed.headers();
    assert_eq!(
        headers["access-control-allow-origin"],
        "https://portal.example.jp"
    );
    let allow_headers = headers["access-control-allow-headers"]
        .to_str()
        .unwrap()
        .to_lowercase();
    assert!(
        allow_headers.contains("authorization") && allow_headers.contains("content-type"),
        "{allow_headers}"
    );
    assert!(headers.get("access-control-allow-credentials").is_none());
    let denied = preflight(&open, "https://evil.example").await.unwrap();
    assert!(
        denied
            .headers()
            .get("access-control-allow-origin")
            .is_none()
    );

    // Default: no origin at all, so no CORS headers (same-origin only).
    let closed = serve(settings()).await;
    let denied = preflight(&closed, "https://portal.example.jp")
        .await
        .unwrap();
    assert!(
        denied
            .headers()
            .get("access-control-allow-origin")
            .is_none()
    );
    let (status, _, _) = read(
        closed
            .client
            .post(closed.graphql())
            .header("origin", "https://portal.example.jp")
            .header("content-type", "application/json")
            .body(json!({ "query": "{ hello }" }).to_string())
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        status, 200,
        "the server answers; the browser withholds it without CORS headers"
    );
}
