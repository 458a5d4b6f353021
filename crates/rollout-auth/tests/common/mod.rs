//! Shared by the JWT test files: the fixture keys, a fixed "now", a baseline configuration and
//! claim set, and token minting with each algorithm (including the forged kinds).
#![allow(dead_code)] // each test file uses a different subset

use std::path::PathBuf;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, TimeDelta, Utc};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use rollout_auth::{JwksSource, OidcConfig, SecretString};
use serde_json::{Value, json};

pub const ISSUER: &str = "https://login.example.metro.tokyo.lg.jp/realms/tmg";
pub const AUDIENCE: &str = "rollout";
pub const HS256_SECRET: &str = "dev-only-shared-secret-0123456789abcdef";

pub fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

pub fn read_fixture(name: &str) -> Vec<u8> {
    std::fs::read(fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// 2026-04-01 09:00:00 UTC (18:00 in Tokyo), the first day of fiscal year 2026.
pub fn now() -> DateTime<Utc> {
    DateTime::from_timestamp(1_775_034_000, 0).unwrap_or_default()
}

pub fn at(offset_seconds: i64) -> i64 {
    (now() + TimeDelta::seconds(offset_seconds)).timestamp()
}

/// The fixture JWKS (RSA `rsa-1`, EC `ec-1`) from a file, every other setting default.
pub fn file_config() -> OidcConfig {
    let mut config = OidcConfig::new(ISSUER, AUDIENCE);
    config.jwks = Some(JwksSource::File(fixture("jwks.json")));
    config
}

/// Only the shared secret: the development set-up without an identity provider.
pub fn hs256_config() -> OidcConfig {
    let mut config = OidcConfig::new(ISSUER, AUDIENCE);
    config.algorithms = vec![Algorithm::HS256];
    config.hs256_secret = Some(SecretString::new(HS256_SECRET));
    config
}

/// A token that passes every check under [`file_config`] at [`now`].
pub fn claims() -> Value {
    json!({
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "f3b1c2d4-0001",
        "email": "Sato.Hanako@Metro.Tokyo.lg.jp",
        "name": "佐藤 花子",
        "iat": at(-60),
        "exp": at(600),
    })
}

/// `claims()` with some members replaced (a `null` value removes the member).
pub fn claims_with(changes: Value) -> Value {
    let mut claims = claims();
    for (name, value) in changes.as_object().cloned().unwrap_or_default() {
        let map = claims.as_object_mut().unwrap_or_else(|| unreachable!());
        if value.is_null() {
            map.remove(&name);
        } else {
            map.insert(name, value);
        }
    }
    claims
}

fn sign(alg: Algorithm, kid: Option<&str>, claims: &Value, key: &EncodingKey) -> String {
    let mut header = Header::new(alg);
    header.kid = kid.map(str::to_owned);
    jsonwebtoken::encode(&header, claims, key).unwrap_or_else(|e| panic!("signing failed: {e}"))
}

pub fn rs256(kid: Option<&str>, claims: &Value) -> String {
    let key = EncodingKey::from_rsa_pem(&read_fixture("rsa_private.pem"))
        .unwrap_or_else(|e| panic!("{e}"));
    sign(Algorithm::RS256, kid, claims, &key)
}

pub fn es256(kid: Option<&str>, claims: &Value) -> String {
    let key =
        EncodingKey::from_ec_pem(&read_fixture("ec_private.pem")).unwrap_or_else(|e| panic!("{e}"));
    sign(Algorithm::ES256, kid, claims, &key)
}

pub fn hs256(kid: Option<&str>, claims: &Value, secret: &[u8]) -> String {
    sign(
        Algorithm::HS256,
        kid,
        claims,
        &EncodingKey::from_secret(secret),
    )
}

/// A token with a hand-made header and the given signature part, for what jsonwebtoken
/// refuses to produce (`alg: none`, critical extensions).
pub fn raw_token(header: &Value, claims: &Value, signature: &str) -> String {
    let part = |v: &Value| URL_SAFE_NO_PAD.encode(serde_json::to_vec(v).unwrap_or_default());
    format!("{}.{}.{signature}", part(header), part(claims))
}
