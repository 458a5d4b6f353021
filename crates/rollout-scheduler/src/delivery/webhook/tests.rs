//! Webhooks sent to a real HTTP receiver on 127.0.0.1:0 (axum), which records what arrived and
//! answers with a status chosen by the test.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::post;

use super::{SignedHeaders, VerifyError, WebhookRequest, WebhookSecret, client, send, verify};
use crate::delivery::Outcome;

const TIMEOUT: Duration = Duration::from_secs(5);
const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

#[derive(Debug, Clone)]
struct Received {
    headers: HeaderMap,
    body: Vec<u8>,
}

type Log = Arc<Mutex<Vec<Received>>>;

/// Starts a receiver that records each request and answers `status` with `headers` and `body`.
async fn receiver(status: u16, headers: &[(&str, &str)], body: &'static str) -> (String, Log) {
    let headers: Vec<(String, String)> = headers
        .iter()
        .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
        .collect();
    let log: Log = Arc::default();
    let recorded = Arc::clone(&log);
    let app = Router::new().route(
        "/hook",
        post(move |request_headers: HeaderMap, request_body: Bytes| {
            recorded.lock().unwrap().push(Received {
                headers: request_headers,
                body: request_body.to_vec(),
            });
            let mut response = (StatusCode::from_u16(status).unwrap(), body).into_response();
            for (name, value) in &headers {
                let name = axum::http::HeaderName::from_bytes(name.as_bytes()).unwrap();
                response.headers_mut().insert(name, value.parse().unwrap());
            }
            std::future::ready(response)
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}/hook"), log)
}

fn request(url: &str, secrets: Vec<WebhookSecret>) -> WebhookRequest {
    WebhookRequest {
        url: url.to_owned(),
        msg_id: "msg_reminder_42".to_owned(),
        timestamp: chrono::Utc::now().timestamp(),
        payload: r#"{"type":"reminder.due","procedure":"手続き-7"}"#.as_bytes().to_vec(),
        secrets,
    }
}

fn header<'a>(received: &'a Received, name: &str) -> &'a str {
    received
        .headers
        .get(name)
        .unwrap_or_else(|| panic!("no {name} header"))
        .to_str()
        .unwrap()
}

/// What a receiver holding `secrets` makes of `received`, judging `signature` (by default the
/// whole header) with a five-minute tolerance at the current time.
fn verify_received(
    secrets: &[&WebhookSecret],
    received: &Received,
    signature: Option<&str>,
) -> Result<(), VerifyError> {
    let headers = SignedHeaders {
        id: header(received, "webhook-id"),
        timestamp: header(received, "webhook-timestamp"),
        signature: signature.unwrap_or_else(|| header(received, "webhook-signature")),
    };
    verify(
        secrets,
        &headers,
        &received.body,
        chrono::Utc::now().timestamp(),
        Duration::from_secs(300),
    )
}

#[tokio::test]
async fn a_2xx_is_delivered_and_the_signature_verifies() {
    let (url, log) = receiver(204, &[], "").await;
    let secret = WebhookSecret::parse(SECRET).unwrap();
    let req = request(&url, vec![secret.clone()]);

    assert_eq!(
        send(&client().unwrap(), &req, TIMEOUT).await,
        Outcome::Delivered
    );

    let received = log
        .lock()
        .unwrap()
        .pop()
        .expect("the receiver got the request");
    assert_eq!(received.body, req.payload);
    assert_eq!(header(&received, "content-type"), "application/json");
    assert_eq!(header(&received, "webhook-id"), "msg_reminder_42");
    assert_eq!(
        header(&received, "webhook-timestamp"),
        req.timestamp.to_string()
    );
    assert_eq!(verify_received(&[&secret], &received, None), Ok(()));
}

#[tokio::test]
async fn during_rotation_each_secret_verifies_its_own_signature() {
    let (url, log) = receiver(200, &[], "ok").await;
    let (old, new) = (
        WebhookSecret::parse(SECRET).unwrap(),
        WebhookSecret::generate([9; 32]),
    );
    let req = request(&url, vec![old.clone(), new.clone()]);

    assert_eq!(
        send(&client().unwrap(), &req, TIMEOUT).await,
        Outcome::Delivered
    );

    let received = log.lock().unwrap().pop().unwrap();
    let signatures: Vec<&str> = header(&received, "webhook-signature").split(' ').collect();
    assert_eq!(signatures.len(), 2, "{signatures:?}");
    for (signature, secret) in signatures.iter().zip([&old, &new]) {
        assert_eq!(
            verify_received(&[secret], &received, Some(signature)),
            Ok(()),
            "{signature}"
        );
    }
    // And each single signature belongs to one secret only.
    let crossed = verify_received(&[&new], &received, Some(signatures[0]));
    assert_eq!(crossed, Err(VerifyError::NoMatchingSignature));
}

async fn outcome_for(status: u16, headers: &[(&str, &str)], body: &'static str) -> Outcome {
    let (url, _log) = receiver(status, headers, body).await;
    send(
        &client().unwrap(),
        &request(&url, vec![WebhookSecret::parse(SECRET).unwrap()]),
        TIMEOUT,
    )
    .await
}

#[tokio::test]
async fn a_500_is_retried() {
    let outcome = outcome_for(500, &[], "database down").await;
    assert_eq!(
        outcome,
        Outcome::Retry {
            after: None,
            error: "HTTP 500 Internal Server Error: database down".into()
        }
    );
}

#[tokio::test]
async fn a_429_with_retry_after_is_retried_after_that_long() {
    let outcome = outcome_for(429, &[("retry-after", "7")], "").await;
    assert_eq!(
        outcome,
        Outcome::Retry {
            after: Some(Duration::from_secs(7)),
            error: "HTTP 429 Too Many Requests".into()
        }
    );
}

#[tokio::test]
async fn a_408_is_retried() {
    let outcome = outcome_for(408, &[], "").await;
    assert_eq!(
        outcome,
        Outcome::Retry {
            after: None,
            error: "HTTP 408 Request Timeout".into()
        }
    );
}

#[tokio::test]
async fn a_410_is_dead() {
    let outcome = outcome_for(410, &[], "endpoint removed").await;
    assert_eq!(
        outcome,
        Outcome::Dead {
            error: "HTTP 410 Gone: endpoint removed".into()
        }
    );
}

#[tokio::test]
async fn a_401_is_dead_and_the_error_does_not_show_the_secret() {
    let outcome = outcome_for(401, &[], "bad\nsignature").await;
    let Outcome::Dead { error } = outcome else {
        panic!("401 should be dead: {outcome:?}")
    };
    assert_eq!(error, "HTTP 401 Unauthorized: bad signature");
    assert!(!error.contains("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"));
}

#[tokio::test]
async fn a_redirect_is_dead_and_not_followed() {
    let (elsewhere, log) = receiver(200, &[], "").await;
    let (redirect, _) = receiver(308, &[("location", elsewhere.as_str())], "").await;
    let outcome = send(
        &client().unwrap(),
        &request(&redirect, vec![WebhookSecret::parse(SECRET).unwrap()]),
        TIMEOUT,
    )
    .await;
    let Outcome::Dead { error } = outcome else {
        panic!("a redirect should be dead: {outcome:?}")
    };
    assert!(error.starts_with("HTTP 308 Permanent Redirect"), "{error}");
    assert!(error.contains("redirects are not followed"), "{error}");
    assert!(log.lock().unwrap().is_empty());
}

#[tokio::test]
async fn a_refused_connection_is_retried() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let req = request(
        &format!("http://{addr}/hook"),
        vec![WebhookSecret::parse(SECRET).unwrap()],
    );
    let outcome = send(&client().unwrap(), &req, TIMEOUT).await;
    let Outcome::Retry { after: None, error } = outcome else {
        panic!("should retry: {outcome:?}")
    };
    assert!(
        !error.contains("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"),
        "{error}"
    );
}

#[tokio::test]
async fn a_receiver_slower_than_the_timeout_is_retried() {
    // Accepts the connection and never answers.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let held = tokio::spawn(async move {
        let (socket, _) = listener.accept().await.unwrap();
        tokio::time::sleep(Duration::from_secs(30)).await;
        drop(socket);
    });
    let req = request(
        &format!("http://{addr}/hook"),
        vec![WebhookSecret::parse(SECRET).unwrap()],
    );
    let outcome = send(&client().unwrap(), &req, Duration::from_millis(200)).await;
    held.abort();
    assert_eq!(
        outcome,
        Outcome::Retry {
            after: None,
            error: "no complete answer within 200 ms".into()
        }
    );
}

#[tokio::test]
async fn no_secret_or_a_bad_url_is_dead_without_sending() {
    let (url, log) = receiver(200, &[], "").await;
    let outcome = send(&client().unwrap(), &request(&url, Vec::new()), TIMEOUT).await;
    assert!(matches!(outcome, Outcome::Dead { .. }), "{outcome:?}");
    assert!(log.lock().unwrap().is_empty());

    let outcome = send(
        &client().unwrap(),
        &request("not a url", vec![WebhookSecret::generate([3; 32])]),
        TIMEOUT,
    )
    .await;
    let Outcome::Dead { error } = outcome else {
        panic!("a bad URL should be dead: {outcome:?}")
    };
    assert!(error.starts_with("invalid webhook request"), "{error}");
}
