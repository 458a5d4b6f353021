//! The dashboard's single sign-on: the authorization code flow with PKCE against an identity
//! provider served by the test (HS256 ID tokens). Signing in sends the browser to the provider
//! with `state`, `nonce` and an S256 challenge; the provider answers the code only to the right
//! verifier; the callback opens a session for the user the API would see for that token. A
//! forged `state` or a replayed callback opens nothing.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::{Form, Query, State};
use axum::response::{IntoResponse, Redirect};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use rollout_auth::{OidcConfig, SecretString};
use rollout_server::web_config::{WebConfig, WebOidcLayer};
use serde_json::json;
use sha2::Digest;

use crate::common::web::WebSession;
use crate::common::{Options, TestServer, both_backends};

both_backends!(with super::options; single_sign_on_opens_a_session_for_the_providers_user);

const ISSUER: &str = "https://login.e2e.rollout.test/realms/tmg";
const CLIENT: &str = "rollout-dashboard";
const SECRET: &str = "e2e-only-dashboard-secret-0123456789abcdef";

/// What the provider remembers between `/authorize` and `/token`: code → (challenge, nonce).
type Codes = Arc<Mutex<HashMap<String, (String, String)>>>;

async fn authorize(
    State(codes): State<Codes>,
    Query(q): Query<HashMap<String, String>>,
) -> impl IntoResponse {
    assert_eq!(q["client_id"], CLIENT);
    assert_eq!(q["code_challenge_method"], "S256");
    assert_eq!(q["response_type"], "code");
    let code = format!("code-{}", q["state"].len());
    codes.lock().unwrap().insert(
        code.clone(),
        (q["code_challenge"].clone(), q["nonce"].clone()),
    );
    Redirect::to(&format!(
        "{}?code={code}&state={}",
        q["redirect_uri"], q["state"]
    ))
}

async fn token(
    State(codes): State<Codes>,
    Form(f): Form<HashMap<String, String>>,
) -> axum::response::Response {
    let Some((challenge, nonce)) = codes.lock().unwrap().remove(&f["code"]) else {
        return (axum::http::StatusCode::BAD_REQUEST, "invalid_grant").into_response();
    };
    let computed = URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(f["code_verifier"].as_bytes()));
    if computed != challenge {
        return (axum::http::StatusCode::BAD_REQUEST, "invalid_grant: PKCE").into_response();
    }
    let now = chrono::Utc::now().timestamp();
    let claims = json!({
        "iss": ISSUER, "aud": CLIENT, "sub": "sub-sso", "email": "yamada@sso.e2e.rollout.test",
        "email_verified": true, "name": "山田 太郎", "rollout_role": "VIEWER",
        "iat": now, "exp": now + 300, "nonce": nonce,
    });
    let jwt = jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(SECRET.as_bytes()),
    )
    .unwrap();
    axum::Json(json!({ "access_token": "unused", "token_type": "Bearer", "id_token": jwt }))
        .into_response()
}

/// Starts the provider and configures the server to use it.
fn options() -> Options {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let codes: Codes = Arc::default();
    let app = axum::Router::new()
        .route("/authorize", axum::routing::get(authorize))
        .route("/token", axum::routing::post(token))
        .with_state(codes);
    tokio::spawn(async move {
        let listener = tokio::net::TcpListener::from_std(listener).unwrap();
        axum::serve(listener, app).await.unwrap();
    });
    let mut oidc = OidcConfig::new(ISSUER, "rollout");
    oidc.algorithms = vec![Algorithm::HS256];
    oidc.hs256_secret = Some(SecretString::new(SECRET));
    Options {
        oidc: Some(oidc),
        web: Some(WebConfig {
            settings: rollout_web::WebSettings::default(),
            oidc: Some(WebOidcLayer {
                client_id: CLIENT.into(),
                client_secret: None,
                authorization_endpoint: format!("{base}/authorize"),
                token_endpoint: format!("{base}/token"),
                redirect_url: "http://rollout.e2e.test/signin/callback".into(),
                scopes: None,
            }),
        }),
        ..Options::default()
    }
}

async fn single_sign_on_opens_a_session_for_the_providers_user(server: TestServer) {
    let mut browser = WebSession::new(&server);
    let form = browser.get("/signin?next=%2Fprocedures").await;
    assert!(
        form.body.contains("href=\"/signin/oidc?next="),
        "{}",
        form.body
    );
    let start = browser.get("/signin/oidc?next=%2Fprocedures").await;
    assert_eq!(start.status, 303);
    let to_provider = start.location.unwrap();
    assert!(
        to_provider.contains("code_challenge=") && to_provider.contains("nonce="),
        "{to_provider}"
    );
    // The provider's answer, followed by hand: it redirects to the configured callback URL.
    let answer = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(&to_provider)
        .send()
        .await
        .unwrap();
    let back = answer.headers()["location"].to_str().unwrap().to_owned();
    let query = back.split_once('?').unwrap().1.to_owned();
    // A forged state opens nothing.
    let forged = browser.get("/signin/callback?code=x&state=forged").await;
    assert_eq!(forged.status, 401);
    let done = browser.get(&format!("/signin/callback?{query}")).await;
    assert_eq!(done.status, 303, "{}", done.body);
    assert_eq!(done.location.as_deref(), Some("/procedures"));
    assert!(browser.cookies.contains_key("rollout_session"));
    let page = browser.get("/procedures").await;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("山田 太郎"),
        "signed in as the provider's user"
    );
    // The same callback again: the provider's code is spent and the pending cookie is gone.
    let mut replay = WebSession::new(&server);
    let again = replay.get(&format!("/signin/callback?{query}")).await;
    assert_eq!(again.status, 401);
    let users = server
        .data_as(&server.admin, "{ users { email role } }", json!({}))
        .await;
    assert!(
        users["users"]
            .as_array()
            .unwrap()
            .iter()
            .any(|u| u["email"] == "yamada@sso.e2e.rollout.test" && u["role"] == "VIEWER")
    );
}
