//! Data the logs and traces tests drive requests over: a bureau, a project-office user with a
//! token issued by the administrator, a procedure and a transition of it, each through the
//! GraphQL API of a [`Served`] server and asserted to have succeeded.

use serde_json::{Value, json};

use crate::common::Served;

/// The bureau every seeded procedure belongs to.
pub const BUREAU: &str = "SOMU";

/// Runs `query` with `token`, asserts the response has no top-level errors and returns `data`.
pub async fn data(served: &Served, token: &str, query: &str, variables: Value) -> Value {
    let response = served.graphql(token, query, variables).await;
    assert!(response["errors"].is_null(), "{query}: {response}");
    response["data"].clone()
}

/// `payload["errors"]` must be empty.
fn ok(what: &str, payload: &Value) {
    assert_eq!(payload["errors"], json!([]), "{what}: {payload}");
}

/// Creates [`BUREAU`], a project-office user and a token for them (as the administrator);
/// returns that token's secret.
pub async fn project_office(served: &Served) -> String {
    let admin = served.admin_token.as_str();
    let d = data(
        served,
        admin,
        "mutation($input: CreateBureauInput!) { createBureau(input: $input) { errors { code message } } }",
        json!({ "input": { "code": BUREAU, "nameJa": "総務局", "nameEn": "General Affairs" } }),
    )
    .await;
    ok("createBureau", &d["createBureau"]);
    let d = data(
        served,
        admin,
        "mutation($input: CreateUserInput!) { createUser(input: $input) { user { id } errors { code message } } }",
        json!({ "input": { "email": "po@ops.test", "displayName": "PO", "role": "PROJECT_OFFICE" } }),
    )
    .await;
    ok("createUser", &d["createUser"]);
    let user = d["createUser"]["user"]["id"].as_str().expect("user id");
    let d = data(
        served,
        admin,
        "mutation($input: CreateTokenInput!) { createToken(input: $input) { secret errors { code message } } }",
        json!({ "input": { "name": "ops test", "userId": user } }),
    )
    .await;
    ok("createToken", &d["createToken"]);
    d["createToken"]["secret"]
        .as_str()
        .expect("token secret")
        .to_owned()
}

/// Creates a procedure `code` of [`BUREAU`] with `token`; returns its id.
pub async fn procedure(served: &Served, token: &str, code: &str) -> String {
    let d = data(
        served,
        token,
        "mutation($input: CreateProcedureInput!) { createProcedure(input: $input) { procedure { id } errors { code message } } }",
        json!({ "input": {
            "code": code, "name": format!("手続 {code}"), "bureauCode": BUREAU,
            "category": "STANDARD", "authority": "TOKYO", "targetQuarter": "FY2027-Q2",
        } }),
    )
    .await;
    ok("createProcedure", &d["createProcedure"]);
    d["createProcedure"]["procedure"]["id"]
        .as_str()
        .expect("procedure id")
        .to_owned()
}

/// The GraphQL request moving a new procedure from `hearing` to `scheduled` (version 1).
pub fn transition_request(procedure: &str) -> Value {
    json!({
        "query": "mutation($input: TransitionProcedureInput!) { transitionProcedure(input: $input) { procedure { version } errors { code message } } }",
        "variables": { "input": { "procedureId": procedure, "to": "scheduled", "expectedVersion": 1 } },
    })
}

/// POSTs `body` to `/graphql` with `token` and the request id `request_id`; returns the
/// response's `x-request-id` header and its JSON body.
pub async fn post_with_id(
    served: &Served,
    token: &str,
    request_id: &str,
    body: &Value,
) -> (String, Value) {
    let response = reqwest::Client::new()
        .post(format!("{}/graphql", served.url))
        .bearer_auth(token)
        .header("x-request-id", request_id)
        .json(body)
        .send()
        .await
        .expect("POST /graphql");
    let echoed = response
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    (echoed, response.json().await.expect("a JSON body"))
}
