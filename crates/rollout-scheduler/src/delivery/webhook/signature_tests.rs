//! The signatures checked against the reference implementations' published vectors, and the
//! receiver's checks (rotation, tampering, replay tolerance) on either side of their limits.

use std::time::Duration;

use super::signature::{
    SecretError, SignedHeaders, VerifyError, WebhookSecret, sign, signature_header, verify,
};

/// The fixture shared by the test suites of the svix-webhooks libraries (from which the Standard
/// Webhooks reference libraries were taken), with the signature they expect for it.
const SVIX_SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const SVIX_ID: &str = "msg_p5jXN8AQM9LWM0D4loKWxJek";
const SVIX_TS: i64 = 1614265330;
const SVIX_PAYLOAD: &[u8] = br#"{"test": 2432232314}"#;
const SVIX_SIGNATURE: &str = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

/// The vector of the Standard Webhooks Rust reference library
/// (standard-webhooks/standard-webhooks, `libraries/rust/src/lib.rs`, `test_sign`).
const STD_SECRET: &str = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";
const STD_ID: &str = "msg_27UH4WbU6Z5A5EzD8u03UvzRbpk";
const STD_TS: i64 = 1649367553;
const STD_PAYLOAD: &[u8] = br#"{"email":"test@example.com","username":"test_user"}"#;
const STD_SIGNATURE: &str = "v1,tZ1I4/hDygAJgO5TYxiSd6Sd0kDW6hPenDe+bTa3Kkw=";

const FIVE_MINUTES: Duration = Duration::from_secs(300);

fn secret(text: &str) -> WebhookSecret {
    WebhookSecret::parse(text).expect("test secret parses")
}

/// `verify` with a five-minute tolerance, for a message signed at `timestamp` and checked at `now`.
fn check(
    keys: &[&WebhookSecret],
    id: &str,
    timestamp: &str,
    signature: &str,
    payload: &[u8],
    now: i64,
) -> Result<(), VerifyError> {
    verify(
        keys,
        &SignedHeaders {
            id,
            timestamp,
            signature,
        },
        payload,
        now,
        FIVE_MINUTES,
    )
}

#[test]
fn signs_the_published_test_vectors() {
    assert_eq!(
        sign(&secret(SVIX_SECRET), SVIX_ID, SVIX_TS, SVIX_PAYLOAD),
        SVIX_SIGNATURE
    );
    assert_eq!(
        sign(&secret(STD_SECRET), STD_ID, STD_TS, STD_PAYLOAD),
        STD_SIGNATURE
    );
}

#[test]
fn verifies_the_published_test_vector() {
    let key = secret(SVIX_SECRET);
    let ts = SVIX_TS.to_string();
    assert_eq!(
        check(
            &[&key],
            SVIX_ID,
            &ts,
            SVIX_SIGNATURE,
            SVIX_PAYLOAD,
            SVIX_TS + 10
        ),
        Ok(())
    );
}

#[test]
fn a_secret_round_trips_through_its_text_form() {
    let generated = WebhookSecret::generate([7; 32]);
    let text = generated.to_string();
    assert!(text.starts_with("whsec_"), "{text}");
    assert_eq!(WebhookSecret::parse(&text), Ok(generated));
    assert_eq!(secret(SVIX_SECRET).to_string(), SVIX_SECRET);
}

#[test]
fn random_secrets_differ() {
    assert_ne!(WebhookSecret::random(), WebhookSecret::random());
}

#[test]
fn bad_secrets_are_refused_without_being_echoed() {
    let cases = [
        (
            "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            SecretError::MissingPrefix,
        ),
        ("whsec_not base64!", SecretError::NotBase64),
        ("whsec_c2hvcnQ=", SecretError::Length(5)),
    ];
    for (text, want) in cases {
        let err = WebhookSecret::parse(text).expect_err(text);
        assert_eq!(err, want, "{text}");
        assert!(!err.to_string().contains(text), "{err}");
    }
}

#[test]
fn debug_hides_the_key() {
    assert_eq!(
        format!("{:?}", secret(SVIX_SECRET)),
        "WebhookSecret(<redacted>)"
    );
}

#[test]
fn header_carries_one_signature_per_secret_in_order() {
    let (old, new) = (secret(SVIX_SECRET), secret(STD_SECRET));
    let header = signature_header(&[&old, &new], SVIX_ID, SVIX_TS, SVIX_PAYLOAD);
    let parts: Vec<&str> = header.split(' ').collect();
    assert_eq!(
        parts,
        [
            SVIX_SIGNATURE.to_owned(),
            sign(&new, SVIX_ID, SVIX_TS, SVIX_PAYLOAD)
        ]
    );
}

#[test]
fn a_receiver_with_either_secret_accepts_a_rotation_header() {
    let (old, new) = (secret(SVIX_SECRET), secret(STD_SECRET));
    let header = signature_header(&[&old, &new], SVIX_ID, SVIX_TS, SVIX_PAYLOAD);
    let ts = SVIX_TS.to_string();
    for key in [&old, &new] {
        assert_eq!(
            check(&[key], SVIX_ID, &ts, &header, SVIX_PAYLOAD, SVIX_TS),
            Ok(())
        );
    }
    let stranger = WebhookSecret::generate([1; 32]);
    let refused = check(&[&stranger], SVIX_ID, &ts, &header, SVIX_PAYLOAD, SVIX_TS);
    assert_eq!(refused, Err(VerifyError::NoMatchingSignature));
}

#[test]
fn tampering_with_id_timestamp_or_payload_fails() {
    let key = secret(SVIX_SECRET);
    let (ts, later) = (SVIX_TS.to_string(), (SVIX_TS + 1).to_string());
    let cases: [(&str, &str, &[u8]); 3] = [
        ("msg_other", &ts, SVIX_PAYLOAD),
        (SVIX_ID, &later, SVIX_PAYLOAD),
        (SVIX_ID, &ts, br#"{"test": 1}"#),
    ];
    for (id, timestamp, payload) in cases {
        let outcome = check(&[&key], id, timestamp, SVIX_SIGNATURE, payload, SVIX_TS);
        assert_eq!(
            outcome,
            Err(VerifyError::NoMatchingSignature),
            "{id} {timestamp}"
        );
    }
}

#[test]
fn other_schemes_and_garbage_entries_are_skipped() {
    let key = secret(SVIX_SECRET);
    let ts = SVIX_TS.to_string();
    let mixed = format!("v1a,abc garbage v1,%%% {SVIX_SIGNATURE}");
    assert_eq!(
        check(&[&key], SVIX_ID, &ts, &mixed, SVIX_PAYLOAD, SVIX_TS),
        Ok(())
    );
    let v2_only = SVIX_SIGNATURE.replacen("v1,", "v2,", 1);
    let refused = check(&[&key], SVIX_ID, &ts, &v2_only, SVIX_PAYLOAD, SVIX_TS);
    assert_eq!(refused, Err(VerifyError::NoMatchingSignature));
}

#[test]
fn timestamps_outside_the_tolerance_are_refused() {
    let key = secret(SVIX_SECRET);
    let ts = SVIX_TS.to_string();
    let at = |now| check(&[&key], SVIX_ID, &ts, SVIX_SIGNATURE, SVIX_PAYLOAD, now);
    assert_eq!(at(SVIX_TS + 300), Ok(()));
    assert_eq!(at(SVIX_TS - 300), Ok(()));
    assert_eq!(at(SVIX_TS + 301), Err(VerifyError::TooOld(1)));
    assert_eq!(at(SVIX_TS - 302), Err(VerifyError::InFuture(2)));
    let malformed = check(
        &[&key],
        SVIX_ID,
        "soon",
        SVIX_SIGNATURE,
        SVIX_PAYLOAD,
        SVIX_TS,
    );
    assert_eq!(malformed, Err(VerifyError::MalformedTimestamp));
}
