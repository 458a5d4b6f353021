//! The test client: GraphQL over plain HTTP with `Authorization: Bearer <token>`, as one of the
//! cast's users ([`TestServer::gql_as`]) or, by default, as the first project-office user
//! ([`TestServer::gql`]); [`TestServer::request`] sends anything (no or a forged credential,
//! extra headers) and returns the status and headers as well. Plus assertion helpers for the two
//! error channels (payload `errors` and top-level GraphQL errors).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde_json::{Value, json};

use super::{Backend, Cast, TestUser};

/// A client for one running server, with the cast created on it.
#[derive(Debug, Clone)]
pub struct TestServer {
    client: reqwest::Client,
    base_url: String,
    pub backend: Backend,
    /// The database the server runs on, for the tests that must reach behind the API.
    pub database_url: String,
    pub admin: TestUser,
    /// The default actor of [`TestServer::gql`].
    pub po: TestUser,
    /// A second project-office user: the approver of `po`'s requests.
    pub po2: TestUser,
    /// A third project-office user: the second approver where two are needed.
    pub po3: TestUser,
    pub viewer: TestUser,
}

/// A whole HTTP answer of `/graphql`.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
}

impl TestServer {
    pub fn new(
        client: reqwest::Client,
        base_url: String,
        backend: Backend,
        database_url: String,
        cast: Cast,
    ) -> Self {
        Self {
            client,
            base_url: base_url.trim_end_matches('/').to_owned(),
            backend,
            database_url,
            admin: cast.admin,
            po: cast.po,
            po2: cast.po2,
            po3: cast.po3,
            viewer: cast.viewer,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    pub fn http(&self) -> &reqwest::Client {
        &self.client
    }

    /// POSTs a GraphQL request with `bearer` (none when `None`) and `headers`; any status.
    pub async fn request(
        &self,
        bearer: Option<&str>,
        headers: &[(&str, &str)],
        query: &str,
        variables: Value,
    ) -> Reply {
        post_graphql(
            &self.client,
            &self.base_url,
            bearer,
            headers,
            query,
            variables,
        )
        .await
    }

    /// POSTs a GraphQL request as the default actor ([`TestServer::po`]); returns the body.
    pub async fn gql(&self, query: &str, variables: Value) -> Value {
        self.gql_as(&self.po, query, variables).await
    }

    /// POSTs a GraphQL request as `user`; returns the whole response body.
    pub async fn gql_as(&self, user: &TestUser, query: &str, variables: Value) -> Value {
        self.request(Some(&user.token), &[], query, variables)
            .await
            .body
    }

    /// Runs a request that must not produce GraphQL errors and returns its `data`.
    pub async fn data(&self, query: &str, variables: Value) -> Value {
        ok_data(self.gql(query, variables).await)
    }

    pub async fn data_as(&self, user: &TestUser, query: &str, variables: Value) -> Value {
        ok_data(self.gql_as(user, query, variables).await)
    }
}

/// POSTs one GraphQL request to `base_url/graphql`, asking for `application/json`.
pub async fn post_graphql(
    client: &reqwest::Client,
    base_url: &str,
    bearer: Option<&str>,
    headers: &[(&str, &str)],
    query: &str,
    variables: Value,
) -> Reply {
    let mut request = client
        .post(format!("{base_url}/graphql"))
        .header("accept", "application/json")
        .json(&json!({ "query": query, "variables": variables }));
    if let Some(bearer) = bearer {
        request = request.bearer_auth(bearer);
    }
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request
        .send()
        .await
        .unwrap_or_else(|e| panic!("POST /graphql failed: {e}"));
    let status = response.status();
    let headers = response.headers().clone();
    let text = response
        .text()
        .await
        .unwrap_or_else(|e| panic!("reading the /graphql response failed: {e}"));
    let body = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("/graphql answered {status} with non-JSON ({e}): {text}"));
    Reply {
        status,
        headers,
        body,
    }
}

/// `data` of a response that must carry no GraphQL errors.
pub fn ok_data(response: Value) -> Value {
    assert!(
        response.get("errors").is_none_or(|e| e == &json!([])),
        "unexpected GraphQL errors: {response}"
    );
    response["data"].clone()
}

/// The `extensions.code` of every top-level GraphQL error; panics when there are none.
pub fn graphql_error_codes(response: &Value) -> Vec<String> {
    let errors = response["errors"]
        .as_array()
        .filter(|e| !e.is_empty())
        .unwrap_or_else(|| panic!("expected GraphQL errors: {response}"));
    errors
        .iter()
        .map(|e| {
            e["extensions"]["code"]
                .as_str()
                .unwrap_or("<none>")
                .to_owned()
        })
        .collect()
}

/// `(code, path)` of every payload error, path segments joined by `/`.
pub fn payload_errors(payload: &Value) -> Vec<(String, String)> {
    payload["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("payload without errors list: {payload}"))
        .iter()
        .map(|e| {
            let path = e["path"]
                .as_array()
                .map(|p| {
                    p.iter()
                        .map(|s| s.as_str().unwrap_or("?"))
                        .collect::<Vec<_>>()
                        .join("/")
                })
                .unwrap_or_default();
            (e["code"].as_str().unwrap_or("<none>").to_owned(), path)
        })
        .collect()
}

/// Asserts that a request was refused as unauthenticated: 401, `WWW-Authenticate: Bearer`, one
/// GraphQL error with code UNAUTHENTICATED, and no data.
pub fn assert_unauthenticated(reply: &Reply, what: &str) {
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{what}: {reply:?}");
    let challenge = reply
        .headers
        .get("www-authenticate")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_else(|| panic!("{what}: no WWW-Authenticate header: {reply:?}"));
    assert!(
        challenge.starts_with("Bearer"),
        "{what}: WWW-Authenticate {challenge:?}"
    );
    assert_eq!(
        graphql_error_codes(&reply.body),
        ["UNAUTHENTICATED"],
        "{what}: {reply:?}"
    );
    assert!(
        reply.body.get("data").is_none_or(Value::is_null),
        "{what}: {reply:?}"
    );
}

/// A global ID as the contract defines it: base64url without padding of `<Type>:<uuid>`.
pub fn global_id(type_name: &str, uuid: uuid::Uuid) -> String {
    URL_SAFE_NO_PAD.encode(format!("{type_name}:{uuid}"))
}

/// The uuid inside a global ID of `type_name`.
pub fn uuid_of(type_name: &str, id: &str) -> uuid::Uuid {
    let decoded = URL_SAFE_NO_PAD
        .decode(id)
        .unwrap_or_else(|e| panic!("{id} is not base64url: {e}"));
    let text = String::from_utf8(decoded).expect("a global id is UTF-8");
    let raw = text
        .strip_prefix(&format!("{type_name}:"))
        .unwrap_or_else(|| panic!("{id} ({text}) is not a {type_name} id"));
    raw.parse()
        .unwrap_or_else(|e| panic!("{text}: not a uuid: {e}"))
}

/// The codes of a connection's nodes, in order.
pub fn codes(connection: &Value) -> Vec<String> {
    connection["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("not a connection: {connection}"))
        .iter()
        .map(|e| e["node"]["code"].as_str().expect("code").to_owned())
        .collect()
}

/// The nodes of a connection, in order.
pub fn nodes(connection: &Value) -> Vec<Value> {
    connection["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("not a connection: {connection}"))
        .iter()
        .map(|e| e["node"].clone())
        .collect()
}
