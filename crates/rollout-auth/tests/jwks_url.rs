//! A JWKS URL source against a small local HTTP server: start-up fetch, refetch when a token
//! names an unknown key (rate-limited), and keeping the old keys when a refetch fails.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::routing::get;
use chrono::TimeDelta;
use common::*;
use rollout_auth::{JwksSource, JwtError, JwtVerifier, OidcConfig};
use serde_json::{Value, json};

/// What the fake identity provider serves, changeable while it runs.
struct Provider {
    status: Mutex<StatusCode>,
    body: Mutex<String>,
    hits: AtomicUsize,
}

impl Provider {
    fn serve(&self, status: StatusCode, body: &Value) {
        *self.status.lock().unwrap_or_else(|e| e.into_inner()) = status;
        *self.body.lock().unwrap_or_else(|e| e.into_inner()) = body.to_string();
    }
    fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }
}

async fn jwks(
    State(p): State<Arc<Provider>>,
) -> (StatusCode, [(header::HeaderName, &'static str); 1], String) {
    p.hits.fetch_add(1, Ordering::SeqCst);
    let status = *p.status.lock().unwrap_or_else(|e| e.into_inner());
    let body = p.body.lock().unwrap_or_else(|e| e.into_inner()).clone();
    (
        status,
        [(header::CONTENT_TYPE, "application/jwk-set+json")],
        body,
    )
}

/// Starts the provider on 127.0.0.1:0 serving `body`; returns it and the JWKS URL.
async fn start(body: &Value) -> (Arc<Provider>, String) {
    let provider = Arc::new(Provider {
        status: Mutex::new(StatusCode::OK),
        body: Mutex::new(body.to_string()),
        hits: AtomicUsize::new(0),
    });
    let app = Router::new()
        .route("/certs", get(jwks))
        .with_state(Arc::clone(&provider));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let addr = listener.local_addr().unwrap_or_else(|e| panic!("{e}"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    (provider, format!("http://{addr}/certs"))
}

fn fixture_jwks() -> Value {
    serde_json::from_slice(&read_fixture("jwks.json")).unwrap_or_else(|e| panic!("{e}"))
}

fn only(kid: &str) -> Value {
    let keys = fixture_jwks()["keys"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    json!({"keys": keys.into_iter().filter(|k| k["kid"] == kid).collect::<Vec<_>>()})
}

fn url_config(url: &str) -> OidcConfig {
    let mut config = OidcConfig::new(ISSUER, AUDIENCE);
    config.jwks = Some(JwksSource::Url(url.to_owned()));
    config
}

async fn verifier(url: &str) -> JwtVerifier {
    JwtVerifier::new(url_config(url))
        .await
        .unwrap_or_else(|e| panic!("verifier: {e}"))
}

#[tokio::test]
async fn an_unknown_kid_refetches_once_a_minute_at_most() {
    // The provider starts with the EC key only, then rotates the RSA key in.
    let (provider, url) = start(&only("ec-1")).await;
    let v = verifier(&url).await;
    assert_eq!(provider.hits(), 1, "fetched at start-up");

    let es = es256(Some("ec-1"), &claims());
    assert!(v.verify(&es, now()).await.is_ok());
    assert_eq!(provider.hits(), 1, "a known kid needs no fetch");

    provider.serve(StatusCode::OK, &fixture_jwks());
    let rs = rs256(Some("rsa-1"), &claims());
    assert_eq!(
        v.verify(&rs, now()).await.map(|i| i.subject),
        Ok("f3b1c2d4-0001".to_owned())
    );
    assert_eq!(provider.hits(), 2, "the unknown kid caused one refetch");

    let ghost = rs256(Some("ghost"), &claims());
    let ten_seconds_on = now() + TimeDelta::seconds(10);
    assert_eq!(
        v.verify(&ghost, ten_seconds_on).await,
        Err(JwtError::UnknownKey(Some("ghost".into())))
    );
    assert_eq!(provider.hits(), 2, "no refetch within a minute of the last");

    let a_minute_on = now() + TimeDelta::seconds(60);
    assert_eq!(
        v.verify(&ghost, a_minute_on).await,
        Err(JwtError::UnknownKey(Some("ghost".into())))
    );
    assert_eq!(provider.hits(), 3, "refetched again after a minute");

    // A bad signature with a known kid is no reason to fetch.
    let mut tampered = es.into_bytes();
    let i = tampered.len() - 10;
    tampered[i] = if tampered[i] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(tampered).unwrap_or_default();
    let later = a_minute_on + TimeDelta::seconds(120);
    assert_eq!(
        v.verify(&tampered, later).await,
        Err(JwtError::BadSignature)
    );
    assert_eq!(provider.hits(), 3);
}

#[tokio::test]
async fn concurrent_misses_share_one_refetch() {
    let (provider, url) = start(&only("ec-1")).await;
    let v = verifier(&url).await;
    provider.serve(StatusCode::OK, &fixture_jwks());
    let rs = rs256(Some("rsa-1"), &claims());
    let (a, b, c, d) = tokio::join!(
        v.verify(&rs, now()),
        v.verify(&rs, now()),
        v.verify(&rs, now()),
        v.verify(&rs, now())
    );
    for result in [a, b, c, d] {
        assert_eq!(result.map(|i| i.subject), Ok("f3b1c2d4-0001".to_owned()));
    }
    assert_eq!(provider.hits(), 2, "start-up fetch plus one refetch");
}

#[tokio::test]
async fn a_failed_refetch_keeps_the_keys_already_held() {
    let (provider, url) = start(&fixture_jwks()).await;
    let v = verifier(&url).await;
    provider.serve(
        StatusCode::SERVICE_UNAVAILABLE,
        &json!({"error": "maintenance"}),
    );

    let ghost = rs256(Some("ghost"), &claims());
    let err = v.verify(&ghost, now()).await.map(|_| ()).unwrap_err();
    assert!(
        matches!(&err, JwtError::KeySource(m) if m.ends_with("HTTP 503 Service Unavailable")),
        "{err}"
    );
    assert_eq!(provider.hits(), 2);

    let rs = rs256(Some("rsa-1"), &claims());
    assert_eq!(
        v.verify(&rs, now()).await.map(|i| i.subject),
        Ok("f3b1c2d4-0001".to_owned())
    );

    // The failed attempt counts for the rate limit too.
    let soon = now() + TimeDelta::seconds(5);
    assert_eq!(
        v.verify(&ghost, soon).await,
        Err(JwtError::UnknownKey(Some("ghost".into())))
    );
    assert_eq!(provider.hits(), 2);
}

#[tokio::test]
async fn a_provider_that_cannot_serve_keys_stops_start_up() {
    let (provider, url) = start(&fixture_jwks()).await;
    provider.serve(StatusCode::NOT_FOUND, &json!({}));
    let err = JwtVerifier::new(url_config(&url))
        .await
        .map(|_| ())
        .unwrap_err();
    assert_eq!(
        err,
        JwtError::KeySource(format!("{url}: HTTP 404 Not Found"))
    );

    // Only keys rollout cannot use: an encryption key and a symmetric one.
    let unusable = json!({"keys": [
        {"kty": "RSA", "kid": "enc", "use": "enc", "n": fixture_jwks()["keys"][0]["n"], "e": "AQAB"},
        {"kty": "oct", "kid": "shared", "k": "c2VjcmV0"},
    ]});
    provider.serve(StatusCode::OK, &unusable);
    let err = JwtVerifier::new(url_config(&url))
        .await
        .map(|_| ())
        .unwrap_err();
    assert_eq!(
        err,
        JwtError::KeySource(format!(
            "{url}: the JWK Set has no RS256 or ES256 signing key"
        ))
    );

    // Nothing listening: the cause (connection refused) is in the message.
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let dead_url = format!(
        "http://{}/certs",
        closed.local_addr().unwrap_or_else(|e| panic!("{e}"))
    );
    drop(closed);
    let err = JwtVerifier::new(url_config(&dead_url))
        .await
        .map(|_| ())
        .unwrap_err();
    assert_eq!(err.code(), "key_source");
    assert!(err.to_string().to_lowercase().contains("refused"), "{err}");
}
