//! Logs: with `log_format = "json"` every stderr line is one JSON object; a line logged inside a
//! request carries the request id and, with traces on, the trace id the collector got; and at
//! `ROLLOUT_LOG=trace` (every crate, sqlx and tower-http included) no secret of the
//! configuration or of the requests reaches a line.

use std::time::Duration;

use serde_json::{Value, json};

use crate::collector::Collector;
use crate::common::{Backend, Db, Served, serve};
use crate::ops_both;
use crate::seed;
use crate::traces::request_span;

const SMTP_PASSWORD: &str = "smtp-pw-CANARY-5f1c";
const OIDC_CLIENT_SECRET: &str = "oidc-client-CANARY-9a7e";
const HS256_SECRET: &str = "hs256-shared-secret-CANARY-0123456789abcdef";
const DB_PASSWORD: &str = "pg-pw-CANARY-77d2";
const BAD_TOKEN: &str = "rlt_badtokenCANARY0123456789abcdefABCDEF";
const BAD_JWT: &str = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJDQU5BUlkifQ.c2lnbmF0dXJlLUNBTkFSWQ";
const MALFORMED: &str = "not-a-token-CANARY-3b9d";

fn config(collector: &Collector) -> String {
    format!(
        r#"log_format = "json"

[telemetry]
otlp_endpoint = "{endpoint}"

[email]
transport = "smtp"
host = "127.0.0.1"
port = 2525
tls = "starttls"
username = "rollout"
password = "{SMTP_PASSWORD}"
from = "rollout <rollout@ops.example>"

[oidc]
issuer = "https://idp.ops.example"
audience = "rollout"
hs256_secret = "{HS256_SECRET}"
algorithms = ["HS256"]

[web.oidc]
client_id = "rollout-dashboard"
client_secret = "{OIDC_CLIENT_SECRET}"
authorization_endpoint = "http://127.0.0.1:9/auth"
token_endpoint = "http://127.0.0.1:9/token"
redirect_url = "http://127.0.0.1:9/signin/callback"
"#,
        endpoint = collector.endpoint()
    )
}

/// The PostgreSQL URL with a password: the one it has, or [`DB_PASSWORD`] (the test server
/// trusts local connections, so any password connects); returns the URL and the password.
fn with_password(url: &str) -> (String, String) {
    let (scheme, rest) = url.split_once("://").expect("a URL");
    let (userinfo, host) = rest.split_once('@').expect("a user in the URL");
    match userinfo.split_once(':') {
        Some((_, password)) => (url.to_owned(), password.to_owned()),
        None => (
            format!("{scheme}://{userinfo}:{DB_PASSWORD}@{host}"),
            DB_PASSWORD.to_owned(),
        ),
    }
}

/// The HTTP status of `POST /graphql` with `authorization`.
async fn status_with(served: &Served, authorization: &str) -> u16 {
    reqwest::Client::new()
        .post(format!("{}/graphql", served.url))
        .header("authorization", authorization)
        .json(&json!({ "query": "{ viewer { email } }" }))
        .send()
        .await
        .expect("POST /graphql")
        .status()
        .as_u16()
}

/// Signs in to the dashboard with `token` at `/signin` and opens a page with the session;
/// returns the session cookie's value.
async fn dashboard_session(served: &Served, token: &str) -> String {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let pre = "ops-pre-session-token-0123456789";
    let response = client
        .post(format!("{}/signin", served.url))
        .header("cookie", format!("rollout_pre={pre}"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("token={token}&pre={pre}&next=%2F"))
        .send()
        .await
        .expect("POST /signin");
    assert_eq!(response.status().as_u16(), 303, "sign-in redirects");
    let session = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|c| c.strip_prefix("rollout_session="))
        .and_then(|c| c.split(';').next())
        .expect("a session cookie")
        .to_owned();
    let page = client
        .get(format!("{}/", served.url))
        .header("cookie", format!("rollout_session={session}"))
        .send()
        .await
        .expect("GET /");
    assert_eq!(page.status().as_u16(), 200, "the dashboard opens");
    session
}

/// The `request` span among a JSON line's `spans`.
fn request_of(line: &Value) -> Option<&Value> {
    line["spans"]
        .as_array()?
        .iter()
        .find(|s| s["name"] == "request")
}

ops_both!(no_secret_reaches_the_logs, |backend| async move {
    let collector = Collector::start().await;
    let mut db = Db::fresh(backend).await;
    let mut secrets: Vec<String> = [SMTP_PASSWORD, OIDC_CLIENT_SECRET, HS256_SECRET]
        .map(str::to_owned)
        .into();
    if backend == Backend::Postgres {
        let (url, password) = with_password(&db.url);
        db.url = url;
        secrets.push(password);
    }
    let mut served = serve(&db, &config(&collector), &[("ROLLOUT_LOG", "trace")]);
    secrets.push(served.admin_token.clone());

    // Good tokens, a new token, bad and malformed bearer headers.
    let po = seed::project_office(&served).await;
    secrets.push(po.clone());
    for bad in [
        format!("Bearer {BAD_TOKEN}"),
        format!("Bearer {BAD_JWT}"),
        format!("Bearer {MALFORMED}"),
        MALFORMED.to_owned(),
    ] {
        assert_eq!(status_with(&served, &bad).await, 401, "{bad}");
    }
    secrets.extend([BAD_TOKEN, BAD_JWT, MALFORMED].map(str::to_owned));

    // A webhook endpoint, whose signing secret the payload shows once.
    let d = seed::data(
        &served,
        &served.admin_token,
        "mutation { createWebhookEndpoint(input: { url: \"http://127.0.0.1:9/hook\" }) { secret errors { code message } } }",
        json!({}),
    )
    .await;
    let webhook_secret = d["createWebhookEndpoint"]["secret"]
        .as_str()
        .unwrap_or_else(|| panic!("a webhook secret: {d}"))
        .to_owned();
    assert!(webhook_secret.starts_with("whsec_"), "{webhook_secret}");
    secrets.push(webhook_secret);

    // The dashboard: a token pasted at /signin, exchanged for a session cookie.
    secrets.push(dashboard_session(&served, &po).await);

    // A transition with a known request id.
    let procedure = seed::procedure(&served, &po, "SOMU-0002").await;
    let request_id = "ops-logs-transition-1";
    let (_, body) = seed::post_with_id(
        &served,
        &po,
        request_id,
        &seed::transition_request(&procedure),
    )
    .await;
    assert!(body["errors"].is_null(), "{body}");

    served.sigterm();
    // Off the runtime's worker: the collector, served on this runtime, must answer the flush.
    let code = tokio::task::block_in_place(|| served.wait_exit(Duration::from_secs(60)));
    assert_eq!(code, Some(0));
    let lines = served.logs();
    assert!(
        lines.len() > 100,
        "trace level logs plenty: {}",
        lines.len()
    );

    for secret in &secrets {
        let leaks: Vec<&String> = lines
            .iter()
            .filter(|l| l.contains(secret.as_str()))
            .collect();
        assert!(
            leaks.is_empty(),
            "a secret ({}…) is in {} log line(s), e.g. {}",
            &secret[..6],
            leaks.len(),
            leaks[0]
        );
    }

    let parsed: Vec<Value> = lines
        .iter()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    // Every line inside a request names it, and the trace it belongs to.
    for (line, text) in parsed.iter().zip(&lines) {
        if let Some(request) = request_of(line) {
            assert!(
                request["request_id"]
                    .as_str()
                    .is_some_and(|id| !id.is_empty() && id != "-"),
                "{text}"
            );
            assert!(
                request["trace_id"]
                    .as_str()
                    .is_some_and(|id| id.len() == 32),
                "{text}"
            );
        }
    }
    // The transition's lines, down to the SQL statements of the store call, carry its ids.
    let ours: Vec<&Value> = parsed
        .iter()
        .filter(|l| request_of(l).is_some_and(|r| r["request_id"] == request_id))
        .collect();
    let trace_id = request_span(&collector.spans(), request_id)
        .trace_id
        .clone();
    assert!(
        ours.iter()
            .all(|l| request_of(l).is_some_and(|r| r["trace_id"] == trace_id.as_str())),
        "the lines carry the exported trace's id {trace_id}"
    );
    let in_store = |l: &&&Value| {
        l["spans"]
            .as_array()
            .is_some_and(|s| s.iter().any(|s| s["name"] == "store.apply_transition"))
    };
    assert!(
        ours.iter()
            .filter(in_store)
            .any(|l| l["target"].as_str().is_some_and(|t| t.starts_with("sqlx"))),
        "a SQL statement of store.apply_transition is logged with the request's ids: {ours:#?}"
    );
});
