//! The router's own rules, against the real server started in-process on port 0 with a SQLite
//! file: health and readiness, GraphiQL, bearer authentication with the first-start admin and
//! demo tokens, the body limit, graceful shutdown (which writes the last refusal summaries); and
//! `rollout serve` as a process that prints
//! the admin token once and stops cleanly on SIGTERM.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Command, Stdio};

use rollout_server::{ServerConfig, spawn};
use serde_json::{Value, json};

fn config(dir: &tempfile::TempDir, demo: bool) -> ServerConfig {
    ServerConfig {
        demo,
        ..ServerConfig::new(
            SocketAddr::from(([127, 0, 0, 1], 0)),
            format!("sqlite:{}", dir.path().join("http.db").display()),
        )
    }
}

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

#[tokio::test]
async fn health_readiness_and_graphiql() {
    let dir = tempfile::tempdir().unwrap();
    let server = spawn(config(&dir, false)).await.unwrap();
    let client = reqwest::Client::new();
    let health = client
        .get(format!("{}/healthz", server.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
    assert!(health.headers().contains_key("x-request-id"));
    assert_eq!(health.text().await.unwrap(), "ok");
    let ready = client
        .get(format!("{}/readyz", server.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(ready.status(), 200);
    // Browsers (preferring HTML) get GraphiQL, from the server itself; tools get JSON.
    let page = client
        .get(format!("{}/graphql", server.url()))
        .header("accept", "text/html,*/*;q=0.8")
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("graphiql"), "{html}");
    assert!(html.contains("/graphql"), "{html}");
    assert!(!html.contains("unpkg.com"), "{html}");
    let get_url = format!("{}/graphql?query=%7Bbureaus%7Bcode%7D%7D", server.url());
    let anonymous = client.get(&get_url).send().await.unwrap();
    assert_eq!(anonymous.status(), 401);
    let json = client
        .get(&get_url)
        .header("authorization", bearer(server.admin_token().unwrap()))
        .send()
        .await
        .unwrap();
    assert_eq!(json.status(), 200);
    assert!(
        json.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    let url = server.url();
    server.shutdown().await.unwrap();
    assert!(client.get(format!("{url}/healthz")).send().await.is_err());
}

#[tokio::test]
async fn bearer_tokens_authenticate_and_the_first_start_creates_logins() {
    let dir = tempfile::tempdir().unwrap();
    let server = spawn(config(&dir, true)).await.unwrap();
    let admin = server
        .admin_token()
        .expect("an empty database gets an admin")
        .to_owned();
    let logins = server.demo_identities().to_vec();
    assert_eq!(logins.len(), 5);
    let token_of = |email: &str| {
        logins
            .iter()
            .find(|l| l.email == email)
            .map(|l| l.token.clone())
            .unwrap()
    };
    let client = reqwest::Client::new();
    let url = format!("{}/graphql", server.url());
    let query = json!({ "query": "{ bureaus { code } }" });

    for credentials in [None, Some("Bearer rlt_not-a-real-token"), Some("Basic abc")] {
        let mut request = client.post(&url).json(&query);
        if let Some(c) = credentials {
            request = request.header("authorization", c);
        }
        let refused = request.send().await.unwrap();
        assert_eq!(refused.status(), 401, "{credentials:?}");
        assert_eq!(
            refused.headers()["www-authenticate"],
            "Bearer realm=\"rollout\""
        );
        let body: Value = refused.json().await.unwrap();
        assert_eq!(
            body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED",
            "{body}"
        );
    }

    let post = |token: String, body: Value| {
        let request = client
            .post(&url)
            .header("authorization", bearer(&token))
            .json(&body);
        async move { request.send().await.unwrap().json::<Value>().await.unwrap() }
    };
    let bureaus = post(admin.clone(), query.clone()).await;
    assert_eq!(
        bureaus["data"]["bureaus"].as_array().map(Vec::len),
        Some(31),
        "{bureaus}"
    );

    let create = |code: &str| {
        json!({
            "query": "mutation($input: CreateProcedureInput!) { createProcedure(input: $input) { errors { code } procedure { history(first: 5) { edges { node { actor transition } } } } } }",
            "variables": { "input": {
                "code": code, "name": "試験手続", "bureauCode": "KANKYO",
                "category": "STANDARD", "authority": "TOKYO"
            } }
        })
    };
    let by_viewer = post(token_of("ito@viewer.demo"), create("KANKYO-9001")).await;
    assert_eq!(
        by_viewer["data"]["createProcedure"]["errors"][0]["code"], "FORBIDDEN",
        "{by_viewer}"
    );
    let by_coordinator = post(token_of("tanaka@kankyo.demo"), create("KANKYO-9002")).await;
    let record =
        &by_coordinator["data"]["createProcedure"]["procedure"]["history"]["edges"][0]["node"];
    assert_eq!(record["actor"], "tanaka@kankyo.demo", "{by_coordinator}");
    assert_eq!(record["transition"], "create", "{by_coordinator}");
    server.shutdown().await.unwrap();

    // A second start finds users and data: no new admin, no demo logins, nothing loaded twice.
    let again = spawn(config(&dir, true)).await.unwrap();
    assert!(again.admin_token().is_none());
    assert!(again.demo_identities().is_empty());
    let body: Value = client
        .post(format!("{}/graphql", again.url()))
        .header("authorization", bearer(&admin))
        .json(&query)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["data"]["bureaus"].as_array().map(Vec::len), Some(31));
    again.shutdown().await.unwrap();
}

#[tokio::test]
async fn bodies_over_one_mebibyte_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let server = spawn(config(&dir, false)).await.unwrap();
    let big = json!({ "query": format!("{{ bureaus {{ code }} }} #{}", "x".repeat(1_100_000)) });
    let response = reqwest::Client::new()
        .post(format!("{}/graphql", server.url()))
        .header("authorization", bearer(server.admin_token().unwrap()))
        .json(&big)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 413);
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_bad_workflow_file_stops_the_start_with_every_error() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("w.toml");
    std::fs::write(&file, "[workflow]\nname = \"x\"\nversion = 1\n").unwrap();
    let err = spawn(ServerConfig {
        workflow_file: Some(file),
        ..config(&dir, false)
    })
    .await
    .unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("no INITIAL state"), "{msg}");
    assert!(msg.contains("no DONE state"), "{msg}");
}

#[test]
fn serve_stops_cleanly_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_rollout"))
        .current_dir(dir.path())
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--database-url",
            "sqlite:serve.db",
        ])
        .env("ROLLOUT_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("rollout serve starts");
    // The first start prints the new administrator's token, then where it serves.
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut printed = String::new();
    let url = loop {
        let mut line = String::new();
        assert!(
            stdout.read_line(&mut line).unwrap() > 0,
            "no serving line in {printed:?}"
        );
        printed.push_str(&line);
        if let Some(rest) = line.trim().strip_prefix("rollout is serving; GraphiQL at ") {
            break rest.strip_suffix("/graphql").unwrap().to_owned();
        }
    };
    assert!(
        printed.contains("created the administrator admin@rollout.local"),
        "{printed}"
    );
    let token = printed
        .split_whitespace()
        .find(|w| w.starts_with("rlt_"))
        .unwrap_or_else(|| panic!("no token in {printed:?}"));
    assert_eq!(token.len(), 47, "{token}");
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let status = runtime.block_on(async {
        reqwest::get(format!("{url}/readyz"))
            .await
            .unwrap()
            .status()
    });
    assert_eq!(status, 200);
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let exit = child.wait().unwrap();
    assert_eq!(exit.code(), Some(0));
}

/// Refused authentications beyond the individually recorded ones are summarised when the
/// server stops: after 40 forged tokens (30 refused, the default per-address budget; 10 answered
/// 429), the trail holds 10 entries of their own and one counting the other 20.
#[tokio::test]
async fn refusals_are_summarised_at_shutdown() {
    let dir = tempfile::tempdir().unwrap();
    let server = spawn(config(&dir, false)).await.unwrap();
    let admin = server.admin_token().unwrap().to_owned();
    let client = reqwest::Client::new();
    let mut statuses = Vec::new();
    for i in 0..40 {
        let response = client
            .post(format!("{}/graphql", server.url()))
            .header("authorization", bearer(&format!("rlt_forged{i:033}")))
            .json(&json!({ "query": "{ viewer { role } }" }))
            .send()
            .await
            .unwrap();
        statuses.push(response.status().as_u16());
    }
    assert_eq!(statuses.iter().filter(|s| **s == 401).count(), 30);
    assert_eq!(statuses.iter().filter(|s| **s == 429).count(), 10);
    server.shutdown().await.unwrap();

    let server = spawn(config(&dir, false)).await.unwrap();
    let response: Value = client
        .post(format!("{}/graphql", server.url()))
        .header("authorization", bearer(&admin))
        .json(&json!({ "query": "{ auditLog(filter: { outcome: UNAUTHENTICATED }) { edges { node { after clientAddress } } } }" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let entries = response["data"]["auditLog"]["edges"].as_array().unwrap();
    assert_eq!(entries.len(), 11, "{response}");
    let summary = &entries[10]["node"];
    assert_eq!(summary["clientAddress"], "127.0.0.1", "{response}");
    assert_eq!(summary["after"]["refusals"], 20, "{response}");
    server.shutdown().await.unwrap();
}
