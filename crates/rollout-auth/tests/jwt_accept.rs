//! Tokens that must be accepted, and what they map to.

mod common;

use chrono::DateTime;
use common::*;
use rollout_auth::{ClaimMapping, JwksSource, JwtError, JwtIdentity, JwtVerifier};
use rollout_domain::identity::{Email, Role};
use serde_json::json;

async fn verifier(config: rollout_auth::OidcConfig) -> JwtVerifier {
    JwtVerifier::new(config)
        .await
        .unwrap_or_else(|e| panic!("verifier: {e}"))
}

fn email(raw: &str) -> Email {
    Email::parse(raw).unwrap_or_else(|e| panic!("{e}"))
}

#[tokio::test]
async fn rs256_token_maps_every_claim() {
    let v = verifier(file_config()).await;
    let token = rs256(
        Some("rsa-1"),
        &claims_with(json!({"rollout_role": "bureau_coordinator", "rollout_bureau": "SEIKATSU"})),
    );
    let identity = v.verify(&token, now()).await;
    assert_eq!(
        identity,
        Ok(JwtIdentity {
            subject: "f3b1c2d4-0001".into(),
            email: email("sato.hanako@metro.tokyo.lg.jp"),
            display_name: Some("佐藤 花子".into()),
            role: Some(Role::BureauCoordinator),
            bureau_code: Some("SEIKATSU".into()),
            expires_at: DateTime::from_timestamp(at(600), 0).unwrap_or_default(),
        })
    );
}

#[tokio::test]
async fn es256_token_is_accepted_and_optional_claims_stay_empty() {
    let v = verifier(file_config()).await;
    let token = es256(Some("ec-1"), &claims_with(json!({"name": null})));
    let identity = v
        .verify(&token, now())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(identity.email.as_str(), "sato.hanako@metro.tokyo.lg.jp");
    assert_eq!(identity.display_name, None);
    assert_eq!(identity.role, None);
    assert_eq!(identity.bureau_code, None);
}

#[tokio::test]
async fn custom_claim_names_are_read_instead_of_the_defaults() {
    let mut config = file_config();
    config.claims = ClaimMapping {
        email: "upn".into(),
        name: "display".into(),
        role: "tmg_role".into(),
        bureau: "tmg_bureau".into(),
    };
    let v = verifier(config).await;
    let token = rs256(
        Some("rsa-1"),
        &claims_with(json!({
            "upn": "Suzuki@metro.tokyo.lg.jp",
            "display": "鈴木 一郎",
            "tmg_role": "project-office",
            "tmg_bureau": "SOMU",
            // The default names carry other values and must be ignored.
            "rollout_role": "ADMIN",
            "rollout_bureau": "ZAIMU",
        })),
    );
    let identity = v
        .verify(&token, now())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(identity.email, email("suzuki@metro.tokyo.lg.jp"));
    assert_eq!(identity.display_name.as_deref(), Some("鈴木 一郎"));
    assert_eq!(identity.role, Some(Role::ProjectOffice));
    assert_eq!(identity.bureau_code.as_deref(), Some("SOMU"));

    // With the mapping, a token that has only the default `email` claim lacks the mapped one.
    let token = rs256(Some("rsa-1"), &claims());
    assert_eq!(
        v.verify(&token, now()).await,
        Err(JwtError::MissingClaim("upn".into()))
    );
}

#[tokio::test]
async fn hs256_is_accepted_only_where_the_secret_is_configured() {
    let token = hs256(
        None,
        &claims_with(json!({"rollout_role": "ADMIN"})),
        HS256_SECRET.as_bytes(),
    );

    let dev = verifier(hs256_config()).await;
    let identity = dev
        .verify(&token, now())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(identity.role, Some(Role::Admin));

    let production = verifier(file_config()).await;
    assert_eq!(
        production.verify(&token, now()).await,
        Err(JwtError::UnsupportedAlgorithm("HS256".into()))
    );
}

#[tokio::test]
async fn a_token_without_kid_uses_the_only_key() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let all: serde_json::Value =
        serde_json::from_slice(&read_fixture("jwks.json")).unwrap_or_else(|e| panic!("{e}"));
    let only_ec = json!({"keys": [all["keys"][1].clone()]});
    let path = dir.path().join("jwks.json");
    std::fs::write(&path, only_ec.to_string()).unwrap_or_else(|e| panic!("{e}"));
    let mut config = file_config();
    config.jwks = Some(JwksSource::File(path));
    let single = verifier(config).await;
    let token = es256(None, &claims());
    assert_eq!(
        single.verify(&token, now()).await.map(|i| i.subject),
        Ok("f3b1c2d4-0001".to_owned())
    );

    // With two keys, a token must say which.
    let two = verifier(file_config()).await;
    assert_eq!(
        two.verify(&token, now()).await,
        Err(JwtError::UnknownKey(None))
    );
}

#[tokio::test]
async fn audience_may_be_a_list_and_clock_skew_is_tolerated() {
    let v = verifier(file_config()).await;
    let cases = [
        json!({"aud": ["account", AUDIENCE]}),
        // Expired 29 s ago, within the default 30 s leeway.
        json!({"exp": at(-29)}),
        // Valid from 30 s ahead: also within the leeway.
        json!({"nbf": at(30)}),
        // Fractional NumericDates are allowed by RFC 7519.
        json!({"exp": at(600) as f64 + 0.5, "nbf": at(-10) as f64 + 0.25}),
        // The last second chrono represents (262142-12-31T23:59:59Z): adding the leeway must not overflow.
        json!({"exp": 8_210_266_876_799_i64}),
        json!({"email_verified": true}),
    ];
    for changes in cases {
        let token = rs256(Some("rsa-1"), &claims_with(changes.clone()));
        let verdict = v.verify(&token, now()).await;
        assert!(verdict.is_ok(), "refused {changes}: {verdict:?}");
    }
}

#[tokio::test]
async fn clones_share_the_configuration() {
    let v = verifier(file_config()).await;
    let clone = v.clone();
    assert_eq!(clone.config().issuer, ISSUER);
    let shown = format!("{v:?}");
    assert!(shown.contains("jwks_keys: Some(2)"), "{shown}");
    let token = es256(Some("ec-1"), &claims());
    assert_eq!(
        clone.verify(&token, now()).await.map(|i| i.subject),
        Ok("f3b1c2d4-0001".to_owned())
    );
}

#[tokio::test]
async fn unverified_addresses_pass_only_when_allowed() {
    let token = rs256(
        Some("rsa-1"),
        &claims_with(json!({"email_verified": false})),
    );
    let strict = verifier(file_config()).await;
    assert_eq!(
        strict.verify(&token, now()).await.map_err(|e| e.code()),
        Err("invalid_claim")
    );
    let mut config = file_config();
    config.allow_unverified_email = true;
    let lenient = verifier(config).await;
    assert_eq!(
        lenient.verify(&token, now()).await.map(|i| i.email),
        Ok(email("sato.hanako@metro.tokyo.lg.jp"))
    );
}
