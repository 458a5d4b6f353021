//! Tokens that must be refused, each with the error the server will log.

mod common;

use chrono::DateTime;
use common::*;
use jsonwebtoken::Algorithm;
use rollout_auth::{JwksSource, JwtError, JwtVerifier, OidcConfig, SecretString};
use serde_json::json;

async fn verifier(config: OidcConfig) -> JwtVerifier {
    JwtVerifier::new(config)
        .await
        .unwrap_or_else(|e| panic!("verifier: {e}"))
}

async fn refused(config: OidcConfig, token: &str) -> JwtError {
    match verifier(config).await.verify(token, now()).await {
        Ok(identity) => panic!("accepted: {identity:?}"),
        Err(e) => e,
    }
}

fn invalid(claim: &str, reason: &str) -> JwtError {
    JwtError::InvalidClaim {
        claim: claim.into(),
        reason: reason.into(),
    }
}

#[tokio::test]
async fn expired_and_not_yet_valid() {
    // Expired 30 s ago: exactly at the end of the leeway.
    let token = rs256(Some("rsa-1"), &claims_with(json!({"exp": at(-30)})));
    let expired_at = DateTime::from_timestamp(at(-30), 0).unwrap_or_default();
    assert_eq!(
        refused(file_config(), &token).await,
        JwtError::Expired(expired_at)
    );

    let token = rs256(Some("rsa-1"), &claims_with(json!({"nbf": at(31)})));
    let valid_from = DateTime::from_timestamp(at(31), 0).unwrap_or_default();
    assert_eq!(
        refused(file_config(), &token).await,
        JwtError::NotYetValid(valid_from)
    );

    let token = rs256(Some("rsa-1"), &claims_with(json!({"exp": null})));
    assert_eq!(
        refused(file_config(), &token).await,
        JwtError::MissingClaim("exp".into())
    );

    let token = rs256(Some("rsa-1"), &claims_with(json!({"exp": "tomorrow"})));
    assert_eq!(
        refused(file_config(), &token).await,
        invalid("exp", "expected a number of seconds")
    );
}

#[tokio::test]
async fn issuer_and_audience_must_match() {
    let token = rs256(
        Some("rsa-1"),
        &claims_with(json!({"iss": "https://evil.example/"})),
    );
    assert_eq!(
        refused(file_config(), &token).await,
        JwtError::WrongIssuer("https://evil.example/".into())
    );

    // No trailing-slash leniency: the issuer string is compared exactly.
    let token = rs256(
        Some("rsa-1"),
        &claims_with(json!({"iss": format!("{ISSUER}/")})),
    );
    assert_eq!(
        refused(file_config(), &token).await,
        JwtError::WrongIssuer(format!("{ISSUER}/"))
    );

    let token = rs256(Some("rsa-1"), &claims_with(json!({"aud": "another-app"})));
    assert_eq!(
        refused(file_config(), &token).await,
        JwtError::WrongAudience
    );

    let token = rs256(
        Some("rsa-1"),
        &claims_with(json!({"aud": ["account", "another-app"]})),
    );
    assert_eq!(
        refused(file_config(), &token).await,
        JwtError::WrongAudience
    );

    let token = rs256(Some("rsa-1"), &claims_with(json!({"aud": null})));
    assert_eq!(
        refused(file_config(), &token).await,
        JwtError::MissingClaim("aud".into())
    );
}

#[tokio::test]
async fn a_changed_payload_or_signature_does_not_verify() {
    let token = rs256(Some("rsa-1"), &claims());
    let (signed, signature) = token.rsplit_once('.').unwrap_or_default();
    let (header, _) = signed.split_once('.').unwrap_or_default();
    let forged_payload = raw_token(
        &json!({}),
        &claims_with(json!({"rollout_role": "ADMIN"})),
        "",
    );
    let forged_payload = forged_payload.split('.').nth(1).unwrap_or_default();
    let tampered = format!("{header}.{forged_payload}.{signature}");
    assert_eq!(
        refused(file_config(), &tampered).await,
        JwtError::BadSignature
    );

    // The EC key's signature, presented as if it came from the EC key, over other claims.
    let other = es256(Some("ec-1"), &claims_with(json!({"sub": "someone-else"})));
    let ec_signature = other.rsplit_once('.').map(|(_, s)| s).unwrap_or_default();
    let es_token = es256(Some("ec-1"), &claims());
    let swapped = format!(
        "{}.{ec_signature}",
        es_token
            .rsplit_once('.')
            .map(|(m, _)| m)
            .unwrap_or_default()
    );
    assert_eq!(
        refused(file_config(), &swapped).await,
        JwtError::BadSignature
    );

    // HS256 is configured, but the token was signed with another secret.
    let token = hs256(None, &claims(), b"not-the-configured-secret-0123456789");
    assert_eq!(
        refused(hs256_config(), &token).await,
        JwtError::BadSignature
    );
}

#[tokio::test]
async fn an_unknown_kid_is_refused() {
    let token = rs256(Some("rsa-9"), &claims());
    assert_eq!(
        refused(file_config(), &token).await,
        JwtError::UnknownKey(Some("rsa-9".into()))
    );
}

#[tokio::test]
async fn unsigned_tokens_are_refused() {
    for alg in ["none", "None", "NONE"] {
        let token = raw_token(&json!({"alg": alg, "typ": "JWT"}), &claims(), "");
        assert_eq!(
            refused(file_config(), &token).await,
            JwtError::UnsupportedAlgorithm(alg.into())
        );
    }
    // A real algorithm with the signature cut off.
    let token = rs256(Some("rsa-1"), &claims());
    let unsigned = format!(
        "{}.",
        token.rsplit_once('.').map(|(m, _)| m).unwrap_or_default()
    );
    assert_eq!(
        refused(file_config(), &unsigned).await,
        JwtError::Malformed("the signature is empty".into())
    );
}

#[tokio::test]
async fn hs256_signed_with_the_rsa_public_key_is_refused() {
    // The classic algorithm confusion: a verifier that lets the token pick the algorithm would
    // use the (public) RSA key bytes as the HMAC secret and accept this forgery.
    let public_pem = read_fixture("rsa_public.pem");
    let forged = hs256(
        Some("rsa-1"),
        &claims_with(json!({"rollout_role": "ADMIN"})),
        &public_pem,
    );
    assert_eq!(
        refused(file_config(), &forged).await,
        JwtError::UnsupportedAlgorithm("HS256".into())
    );

    // Even where HS256 is enabled beside the JWKS, it is checked against the shared secret only.
    let mut both = file_config();
    both.algorithms.push(Algorithm::HS256);
    both.hs256_secret = Some(SecretString::new(HS256_SECRET));
    assert_eq!(refused(both, &forged).await, JwtError::BadSignature);
}

#[tokio::test]
async fn algorithm_must_be_allowed_and_fit_the_key() {
    let mut only_es = file_config();
    only_es.algorithms = vec![Algorithm::ES256];
    let token = rs256(Some("rsa-1"), &claims());
    assert_eq!(
        refused(only_es, &token).await,
        JwtError::UnsupportedAlgorithm("RS256".into())
    );

    // An ES256 token that names the RSA key.
    let token = es256(Some("rsa-1"), &claims());
    assert_eq!(
        refused(file_config(), &token).await,
        JwtError::UnsupportedAlgorithm("ES256 with an RSA key (kid \"rsa-1\")".into())
    );

    let token = raw_token(&json!({"alg": "PS256", "kid": "rsa-1"}), &claims(), "c2ln");
    assert_eq!(
        refused(file_config(), &token).await,
        JwtError::UnsupportedAlgorithm("PS256".into())
    );
}

#[tokio::test]
async fn required_claims_must_be_present_and_valid() {
    let cases = [
        (
            json!({"email": null}),
            JwtError::MissingClaim("email".into()),
        ),
        (
            json!({"email": "  "}),
            JwtError::MissingClaim("email".into()),
        ),
        (
            json!({"email": "not-an-address"}),
            invalid("email", "\"not-an-address\" is not an e-mail address"),
        ),
        (
            json!({"email": ["a@b.jp"]}),
            invalid("email", "expected a string"),
        ),
        (
            json!({"email_verified": "false"}),
            invalid(
                "email_verified",
                "the provider has not verified the e-mail address",
            ),
        ),
        (
            json!({"email_verified": false}),
            invalid(
                "email_verified",
                "the provider has not verified the e-mail address",
            ),
        ),
        (
            json!({"rollout_role": "superuser"}),
            invalid("rollout_role", "\"superuser\" is not a rollout role"),
        ),
        (
            json!({"rollout_role": 1}),
            invalid("rollout_role", "expected a string"),
        ),
        (json!({"sub": null}), JwtError::MissingClaim("sub".into())),
        (json!({"iss": null}), JwtError::MissingClaim("iss".into())),
    ];
    let v = verifier(file_config()).await;
    for (changes, expected) in cases {
        let token = rs256(Some("rsa-1"), &claims_with(changes.clone()));
        assert_eq!(
            v.verify(&token, now()).await,
            Err(expected),
            "claims changed: {changes}"
        );
    }
}

#[tokio::test]
async fn malformed_tokens_are_refused_before_any_key_is_used() {
    let v = verifier(file_config()).await;
    let good = rs256(Some("rsa-1"), &claims());
    let cases = [
        ("", "a JWS has three dot-separated parts"),
        ("abc.def", "a JWS has three dot-separated parts"),
        (
            &format!("{good}.extra"),
            "a JWS has three dot-separated parts",
        ),
    ];
    for (token, reason) in cases {
        assert_eq!(
            v.verify(token, now()).await,
            Err(JwtError::Malformed(reason.into())),
            "{token:?}"
        );
    }
    let not_json = format!(
        "bm90LWpzb24.{}",
        good.split_once('.').map(|(_, r)| r).unwrap_or_default()
    );
    assert!(
        matches!(v.verify(&not_json, now()).await, Err(JwtError::Malformed(m)) if m.starts_with("header: "))
    );

    let crit = raw_token(
        &json!({"alg": "RS256", "kid": "rsa-1", "crit": ["exp"]}),
        &claims(),
        "c2ln",
    );
    assert_eq!(
        v.verify(&crit, now()).await,
        Err(JwtError::Malformed(
            "header has critical extensions (crit)".into()
        ))
    );
    let huge = format!("{good}{}", "A".repeat(17 * 1024));
    assert_eq!(
        v.verify(&huge, now()).await,
        Err(JwtError::Malformed("longer than 16 KiB".into()))
    );
}

#[tokio::test]
async fn a_verifier_is_not_built_from_a_broken_setup() {
    let mut missing = file_config();
    missing.jwks = Some(JwksSource::File(fixture("no-such-file.json")));
    let err = JwtVerifier::new(missing).await.map(|_| ()).unwrap_err();
    assert_eq!(err.code(), "key_source");
    assert!(err.to_string().contains("no-such-file.json"), "{err}");

    let mut not_jwks = file_config();
    not_jwks.jwks = Some(JwksSource::File(fixture("rsa_public.pem")));
    let err = JwtVerifier::new(not_jwks).await.map(|_| ()).unwrap_err();
    assert!(
        matches!(&err, JwtError::KeySource(m) if m.contains("not a JWK Set")),
        "{err}"
    );

    let mut no_keys = file_config();
    no_keys.jwks = None;
    assert_eq!(
        JwtVerifier::new(no_keys).await.map(|_| ()),
        Err(JwtError::Config(
            "RS256 and ES256 need a jwks source (file or url)".into()
        ))
    );
}
