//! A tiny schema behind the production HTTP stack (`rollout_server::http::graphql_app`), served
//! on 127.0.0.1:0 by the production accept loop (`rollout_server::http::serve`), so the HTTP rules can be tested without a database:
//! a slow resolver for timeouts, a paginated and a recursive field for the cost limits, a
//! counter mutation to prove what did not run, and resolvers echoing what the authenticator
//! and the request metadata put into the request.

use std::sync::Arc;
use std::sync::atomic::{AtomicI32, Ordering};
use std::time::Duration;

use async_graphql::{Context, EmptySubscription, Object, Schema};
use async_trait::async_trait;
use axum::Router;
use axum::http::HeaderMap;
use axum::routing::get;
use rollout_server::http::{
    self, AuthData, AuthRejection, HttpSettings, RequestAuthenticator, RequestMeta, graphql_app,
};

/// Who the test authenticator says is calling.
#[derive(Debug, Clone)]
pub struct Who(pub String);

pub struct Query;

#[Object]
impl Query {
    async fn hello(&self) -> &str {
        "world"
    }

    async fn slow(&self, millis: u64) -> bool {
        tokio::time::sleep(Duration::from_millis(millis)).await;
        true
    }

    /// A paginated field: `first` multiplies the cost of what is below.
    async fn items(&self, first: Option<i32>) -> Vec<Item> {
        (0..first.unwrap_or(3).clamp(0, 5)).map(Item).collect()
    }

    async fn item(&self) -> Item {
        Item(0)
    }

    async fn whoami(&self, ctx: &Context<'_>) -> String {
        ctx.data_opt::<Who>()
            .map_or_else(|| "nobody".to_owned(), |w| w.0.clone())
    }

    async fn request_id(&self, ctx: &Context<'_>) -> Option<String> {
        ctx.data_opt::<RequestMeta>()
            .and_then(|m| m.request_id.clone())
    }

    async fn client_ip(&self, ctx: &Context<'_>) -> Option<String> {
        ctx.data_opt::<RequestMeta>()
            .and_then(|m| m.client_addr)
            .map(|a| a.ip().to_string())
    }
}

pub struct Item(i32);

#[Object]
impl Item {
    async fn id(&self) -> i32 {
        self.0
    }

    /// Recursion, for depth.
    async fn child(&self) -> Item {
        Item(self.0 + 1)
    }
}

pub struct Mutation;

#[Object]
impl Mutation {
    async fn bump(&self, ctx: &Context<'_>) -> i32 {
        ctx.data_unchecked::<Arc<AtomicI32>>()
            .fetch_add(1, Ordering::SeqCst)
            + 1
    }
}

/// `Bearer good` → `Who("good")`, `Bearer …` anything else → 401, no header → anonymous.
#[derive(Debug)]
pub struct TokenAuth;

#[async_trait]
impl RequestAuthenticator for TokenAuth {
    async fn authenticate(
        &self,
        headers: &HeaderMap,
        _meta: &RequestMeta,
    ) -> Result<AuthData, AuthRejection> {
        match headers
            .get("authorization")
            .map(|v| v.to_str().unwrap_or(""))
        {
            None => Ok(AuthData::new().with(Who("anonymous".into()))),
            Some("Bearer good") => Ok(AuthData::new().with(Who("good".into()))),
            Some(_) => Err(AuthRejection::unauthenticated(
                "the bearer token is not valid",
            )),
        }
    }
}

/// A running test server.
pub struct TestServer {
    pub url: String,
    /// How many times `bump` ran.
    pub bumps: Arc<AtomicI32>,
    pub client: reqwest::Client,
}

impl TestServer {
    pub fn graphql(&self) -> String {
        format!("{}/graphql", self.url)
    }

    /// `/graphql` with a query string.
    pub fn graphql_with(&self, pairs: &[(&str, &str)]) -> reqwest::Url {
        let mut url = reqwest::Url::parse(&self.graphql()).expect("server URL");
        url.query_pairs_mut().extend_pairs(pairs);
        url
    }

    pub fn bumps(&self) -> i32 {
        self.bumps.load(Ordering::SeqCst)
    }

    /// POSTs `body` as JSON with `accept`; returns status, content type and parsed body.
    pub async fn post(
        &self,
        accept: &str,
        body: serde_json::Value,
    ) -> (u16, String, serde_json::Value) {
        let response = self
            .client
            .post(self.graphql())
            .header("accept", accept)
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
            .await
            .expect("POST /graphql");
        read(response).await
    }
}

/// Status, content type and JSON body (`Null` when the body is not JSON).
pub async fn read(response: reqwest::Response) -> (u16, String, serde_json::Value) {
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let text = response.text().await.expect("response body");
    (
        status,
        content_type,
        serde_json::from_str(&text).unwrap_or(serde_json::Value::Null),
    )
}

/// `extensions.code` of the first error.
pub fn code(body: &serde_json::Value) -> &str {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or("<none>")
}

/// Serves the test schema with `settings` (rate limiting off unless the test sets it).
pub async fn serve(settings: HttpSettings) -> TestServer {
    let bumps = Arc::new(AtomicI32::new(0));
    let schema = Schema::build(Query, Mutation, EmptySubscription)
        .data(bumps.clone())
        .finish();
    let probes = Router::new().route("/healthz", get(|| async { "ok" }));
    let app = graphql_app(schema, &settings, Arc::new(TokenAuth), probes);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let connections = settings.connections;
    tokio::spawn(async move {
        http::serve(listener, app, connections, std::future::pending())
            .await
            .unwrap();
    });
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    TestServer {
        url: format!("http://{addr}"),
        bumps,
        client,
    }
}

/// Default settings without rate limiting (tests send many requests quickly).
pub fn settings() -> HttpSettings {
    HttpSettings {
        rate_limit: None,
        ..HttpSettings::default()
    }
}
