//! The WebSocket module's rules on their own: which origins may connect, where the credential
//! is read from, and which close codes replace async-graphql's.
//! The whole conversation over a real socket is tested end to end in `tests/e2e/subscriptions.rs`.

use axum::http::Request as HttpRequest;
use serde_json::json;

use super::*;

fn handshake(host: &str, origin: Option<&str>) -> Parts {
    let mut request = HttpRequest::get(PATH).header(HOST, host);
    if let Some(origin) = origin {
        request = request.header(ORIGIN, origin);
    }
    request.body(()).unwrap().into_parts().0
}

#[test]
fn browsers_connect_from_the_same_origin_or_a_configured_one_only() {
    let allowed = [HeaderValue::from_static("https://portal.example.jp")];
    let cases = [
        (None, true),
        (Some("https://portal.example.jp"), true),
        (Some("HTTPS://PORTAL.EXAMPLE.JP"), true),
        (Some("http://rollout.example.jp:8080"), true),
        (Some("https://rollout.example.jp:8080"), true),
        (Some("https://evil.example"), false),
        (Some("https://rollout.example.jp"), false),
        (Some("null"), false),
    ];
    for (origin, expected) in cases {
        let parts = handshake("rollout.example.jp:8080", origin);
        assert_eq!(origin_allowed(&parts, &allowed), expected, "{origin:?}");
    }
    let parts = handshake("rollout.example.jp:8080", Some("https://portal.example.jp"));
    assert!(
        !origin_allowed(&parts, &[]),
        "no CORS origins: same origin only"
    );
}

#[test]
fn the_credential_comes_from_authorization_or_token() {
    let header = |payload: Value| {
        credentials(&payload)
            .get(AUTHORIZATION)
            .map(|v| v.to_str().unwrap().to_owned())
    };
    let bearer = Some("Bearer rt_secret".to_owned());
    assert_eq!(header(json!({"Authorization": "Bearer rt_secret"})), bearer);
    assert_eq!(header(json!({"authorization": "Bearer rt_secret"})), bearer);
    assert_eq!(header(json!({"token": "rt_secret"})), bearer);
    for none in [
        json!(null),
        json!({}),
        json!({"Authorization": 42}),
        json!({"token": "line\nbreak"}),
    ] {
        assert_eq!(header(none.clone()), None, "{none}");
    }
    assert!(
        credentials(&json!({"token": "rt_secret"}))[AUTHORIZATION].is_sensitive(),
        "kept out of debug output"
    );
}

#[test]
fn refusals_close_with_the_protocol_codes() {
    let modern = WebSocketProtocols::GraphQLWS;
    let legacy = WebSocketProtocols::SubscriptionsTransportWS;
    let refused = Some(Init::Refused);
    let cases = [
        (modern, refused, 1002, "no", (4403, "Forbidden")),
        (legacy, refused, 1000, "", (4403, "Forbidden")),
        (
            modern,
            Some(Init::Unavailable),
            1002,
            "x",
            (1011, "credentials could not be checked right now"),
        ),
        (modern, None, 1011, "handshake", (4401, "Unauthorized")),
        (modern, None, 1002, "bad json", (4400, "bad json")),
        (legacy, None, 1002, "bad json", (1002, "bad json")),
        (
            modern,
            Some(Init::Accepted),
            4429,
            "Too many",
            (4429, "Too many"),
        ),
    ];
    for (protocol, init, code, reason, (want_code, want_reason)) in cases {
        assert_eq!(
            close_frame(protocol, init, code, reason.into()),
            (want_code, want_reason.to_owned()),
            "{protocol:?} {init:?} {code}"
        );
    }
}
