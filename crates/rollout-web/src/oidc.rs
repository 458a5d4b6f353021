//! Single sign-on for the dashboard: the OpenID Connect authorization code flow with PKCE
//! (RFC 7636, S256) against the identity provider the API already trusts. `/signin/oidc` sends
//! the browser to the provider with a random `state`, `nonce` and code challenge, remembered in
//! a short-lived HttpOnly cookie (no server state, so any replica can take the callback);
//! `/signin/callback` checks `state`, exchanges the code at the token endpoint with the
//! verifier, verifies the ID token with the API's JWT verifier (issuer, signature, expiry; the
//! audience is the dashboard's client id), checks the nonce, and opens a session for the user
//! the API would see for that token (`App::authenticate_jwt`).
//!
//! Written with reqwest and sha2 rather than an OAuth crate: the flow is two requests, and the
//! OAuth crates pin other reqwest versions than the workspace's.

use std::sync::Arc;

use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rollout_app::Actor;
use rollout_auth::{JwtVerifier, SecretString};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::session::{Visitor, safe_next};
use crate::{Web, cookies, csrf};

/// How long a sign-in at the provider may take.
const PENDING_SECONDS: u64 = 600;

/// The dashboard's client at the identity provider (`[web.oidc]`).
pub struct OidcClient {
    pub client_id: String,
    pub client_secret: Option<SecretString>,
    pub authorization_endpoint: String,
    pub token_endpoint: String,
    /// This server's `/signin/callback` as the provider knows it.
    pub redirect_url: String,
    pub scopes: String,
    /// Verifies ID tokens: the API's provider settings with the client id as audience.
    pub verifier: Arc<JwtVerifier>,
    pub http: reqwest::Client,
}

impl std::fmt::Debug for OidcClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OidcClient")
            .field("client_id", &self.client_id)
            .field("authorization_endpoint", &self.authorization_endpoint)
            .field("token_endpoint", &self.token_endpoint)
            .field("redirect_url", &self.redirect_url)
            .finish_non_exhaustive()
    }
}

pub fn routes() -> Router<Web> {
    Router::new()
        .route("/signin/oidc", get(start))
        .route("/signin/callback", get(callback))
}

/// The S256 code challenge of `verifier`.
pub fn challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

#[derive(Deserialize)]
struct StartParams {
    next: Option<String>,
}

async fn start(State(web): State<Web>, Query(params): Query<StartParams>) -> Response {
    let Some(client) = &web.oidc else {
        return (StatusCode::NOT_FOUND, "single sign-on is not configured").into_response();
    };
    let (state, verifier, nonce) = (csrf::new_token(), csrf::new_token(), csrf::new_token());
    let next = safe_next(params.next.as_deref());
    let pending = format!(
        "{state}.{verifier}.{nonce}.{}",
        URL_SAFE_NO_PAD.encode(next.as_bytes())
    );
    let query = form_urlencoded::Serializer::new(String::new())
        .append_pair("response_type", "code")
        .append_pair("client_id", &client.client_id)
        .append_pair("redirect_uri", &client.redirect_url)
        .append_pair("scope", &client.scopes)
        .append_pair("state", &state)
        .append_pair("nonce", &nonce)
        .append_pair("code_challenge", &challenge(&verifier))
        .append_pair("code_challenge_method", "S256")
        .finish();
    let separator = if client.authorization_endpoint.contains('?') {
        '&'
    } else {
        '?'
    };
    let mut response = Redirect::to(&format!(
        "{}{separator}{query}",
        client.authorization_endpoint
    ))
    .into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        cookies::set(
            cookies::OIDC,
            &pending,
            Some(PENDING_SECONDS),
            web.settings.secure_cookies,
        ),
    );
    response
}

#[derive(Deserialize)]
struct CallbackParams {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

#[derive(Deserialize)]
struct TokenResponse {
    id_token: Option<String>,
}

/// A refused callback: the visitor sees a short reason, the log the real one.
fn refused(why: &str, shown: &str) -> Response {
    tracing::warn!(reason = why, "single sign-on refused");
    (StatusCode::UNAUTHORIZED, shown.to_owned()).into_response()
}

async fn callback(
    State(web): State<Web>,
    visitor: Visitor,
    headers: HeaderMap,
    Query(params): Query<CallbackParams>,
) -> Response {
    let Some(client) = web.oidc.clone() else {
        return (StatusCode::NOT_FOUND, "single sign-on is not configured").into_response();
    };
    let words = web.templates.catalog();
    let failed = words.get(visitor.lang, "signin.sso_failed");
    if let Some(error) = params.error {
        return refused(&format!("the provider answered {error}"), failed);
    }
    let Some(pending) = cookies::get(&headers, cookies::OIDC) else {
        return refused("no sign-in in progress (cookie missing or expired)", failed);
    };
    let parts: Vec<&str> = pending.split('.').collect();
    let [state, verifier, nonce, next] = parts[..] else {
        return refused("malformed pending sign-in cookie", failed);
    };
    if !csrf::matches(params.state.as_deref(), state) {
        return refused("state does not match", failed);
    }
    let Some(code) = params.code else {
        return refused("no code", failed);
    };
    let next = URL_SAFE_NO_PAD
        .decode(next)
        .ok()
        .and_then(|b| String::from_utf8(b).ok());
    let next = safe_next(next.as_deref());
    let mut form = vec![
        ("grant_type", "authorization_code".to_owned()),
        ("code", code),
        ("redirect_uri", client.redirect_url.clone()),
        ("client_id", client.client_id.clone()),
        ("code_verifier", verifier.to_owned()),
    ];
    if let Some(secret) = &client.client_secret {
        form.push(("client_secret", secret.expose().to_owned()));
    }
    let answer = client
        .http
        .post(&client.token_endpoint)
        .form(&form)
        .send()
        .await;
    let token: TokenResponse = match answer {
        Ok(r) if r.status().is_success() => match r.json().await {
            Ok(t) => t,
            Err(e) => return refused(&format!("unreadable token response: {e}"), failed),
        },
        Ok(r) => return refused(&format!("token endpoint answered {}", r.status()), failed),
        Err(e) => return refused(&format!("token endpoint unreachable: {e}"), failed),
    };
    let Some(id_token) = token.id_token else {
        return refused("no id_token in the token response", failed);
    };
    let identity = match client.verifier.verify(&id_token, web.app.now()).await {
        Ok(identity) => identity,
        Err(e) => return refused(&format!("ID token refused: {e}"), failed),
    };
    if nonce_of(&id_token).as_deref() != Some(nonce) {
        return refused("nonce does not match", failed);
    }
    let user = match web.app.authenticate_jwt(&identity).await {
        Ok(user) => user,
        Err(e) => return refused(&format!("user refused: {e}"), failed),
    };
    let actor = Actor::user(user, visitor.meta.clone());
    let mut response =
        crate::signin::open_session(&web, &actor, &next, visitor.lang, &headers).await;
    response.headers_mut().append(
        header::SET_COOKIE,
        cookies::clear(cookies::OIDC, web.settings.secure_cookies),
    );
    response
}

/// The `nonce` claim of a JWT already verified.
fn nonce_of(jwt: &str) -> Option<String> {
    let payload = jwt.split('.').nth(1)?;
    let bytes = URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    let claims: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    claims.get("nonce")?.as_str().map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_challenge_is_rfc_7636s_example() {
        // RFC 7636, appendix B.
        assert_eq!(
            challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn the_nonce_is_read_from_the_payload() {
        let payload = URL_SAFE_NO_PAD.encode(br#"{"nonce":"n-1","sub":"x"}"#);
        assert_eq!(nonce_of(&format!("h.{payload}.s")).as_deref(), Some("n-1"));
        assert_eq!(nonce_of("garbage"), None);
    }
}
