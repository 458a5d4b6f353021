//! Single sign-on over real HTTP: a server configured with an OIDC provider accepts its JWTs as
//! bearer credentials besides API tokens. A valid token signs its user in, creating them on
//! first sight and taking role and bureau from the claims; every forged or unfit token (expired,
//! another issuer or audience, a bad signature, `alg: none`, HS256 "signed" with the RSA public
//! key) is a 401 recorded as UNAUTHENTICATED. Two set-ups: a shared HS256 secret (development)
//! and the RS256/ES256 keys of rollout-auth's fixture JWKS file with the fixture private keys.

use std::path::PathBuf;

use crate::common::{Options, TestServer, assert_unauthenticated, both_backends, nodes, ok_data};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::Utc;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use rollout_auth::{JwksSource, OidcConfig, SecretString};
use serde_json::{Value, json};

both_backends!(with super::hs256_options; hs256_tokens_provision_and_map_users, hs256_rejections);
both_backends!(with super::jwks_options; jwks_tokens);

const ISSUER: &str = "https://login.e2e.rollout.test/realms/tmg";
const AUDIENCE: &str = "rollout";
const HS256_SECRET: &str = "e2e-only-shared-secret-0123456789abcdef";
const VIEWER: &str = "{ viewer { role user { email displayName } bureau { code } } }";

fn hs256_options() -> Options {
    let mut oidc = OidcConfig::new(ISSUER, AUDIENCE);
    oidc.algorithms = vec![Algorithm::HS256];
    oidc.hs256_secret = Some(SecretString::new(HS256_SECRET));
    Options {
        oidc: Some(oidc),
        ..Options::default()
    }
}

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("crates/rollout-auth/tests/fixtures")
        .join(name)
}

fn read_fixture(name: &str) -> Vec<u8> {
    std::fs::read(fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// The fixture JWKS file (RSA `rsa-1`, EC `ec-1`); RS256 and ES256, the defaults.
fn jwks_options() -> Options {
    let mut oidc = OidcConfig::new(ISSUER, AUDIENCE);
    oidc.jwks = Some(JwksSource::File(fixture("jwks.json")));
    Options {
        oidc: Some(oidc),
        ..Options::default()
    }
}

/// Claims that pass every check, for `email`, with `extra` members added (`null` removes one).
fn claims(email: &str, extra: Value) -> Value {
    let now = Utc::now().timestamp();
    let mut claims = json!({
        "iss": ISSUER, "aud": AUDIENCE, "sub": format!("sub-{email}"), "email": email,
        "iat": now - 60, "exp": now + 600,
    });
    let map = claims.as_object_mut().unwrap();
    for (name, value) in extra.as_object().cloned().unwrap_or_default() {
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

fn hs256(claims: &Value, secret: &[u8]) -> String {
    sign(
        Algorithm::HS256,
        None,
        claims,
        &EncodingKey::from_secret(secret),
    )
}

fn rs256(kid: &str, claims: &Value) -> String {
    let key = EncodingKey::from_rsa_pem(&read_fixture("rsa_private.pem")).expect("RSA key");
    sign(Algorithm::RS256, Some(kid), claims, &key)
}

fn es256(claims: &Value) -> String {
    let key = EncodingKey::from_ec_pem(&read_fixture("ec_private.pem")).expect("EC key");
    sign(Algorithm::ES256, Some("ec-1"), claims, &key)
}

/// An unsigned token (`alg: none`), which jsonwebtoken refuses to make.
fn unsigned(claims: &Value) -> String {
    let part = |v: &Value| URL_SAFE_NO_PAD.encode(serde_json::to_vec(v).unwrap());
    format!(
        "{}.{}.",
        part(&json!({ "alg": "none", "typ": "JWT" })),
        part(claims)
    )
}

/// `token`'s header and signature around another payload: a signature that does not match.
fn with_payload_of(token: &str, other: &str) -> String {
    let parts: Vec<&str> = token.split('.').collect();
    let other: Vec<&str> = other.split('.').collect();
    format!("{}.{}.{}", parts[0], other[1], parts[2])
}

/// `viewer` as the bearer of `jwt`, which must be accepted.
async fn viewer(server: &TestServer, jwt: &str) -> Value {
    let reply = server.request(Some(jwt), &[], VIEWER, json!({})).await;
    assert_eq!(reply.status, 200, "{reply:?}");
    ok_data(reply.body)["viewer"].clone()
}

/// Asserts that each token is refused and that each refusal was audited; no user was made.
async fn assert_all_refused(server: &TestServer, tokens: &[(&str, String)]) {
    let before = server
        .data_as(&server.admin, "{ users { email } }", json!({}))
        .await;
    for (what, token) in tokens {
        let reply = server.request(Some(token), &[], VIEWER, json!({})).await;
        assert_unauthenticated(&reply, what);
    }
    let after = server
        .data_as(&server.admin, "{ users { email } }", json!({}))
        .await;
    assert_eq!(before, after, "a refused token provisioned a user");
    let data = server
        .data_as(
            &server.admin,
            "{ auditLog(filter: { outcome: UNAUTHENTICATED }) { totalCount edges { node { actor actorUser { id } } } } }",
            json!({}),
        )
        .await;
    assert_eq!(data["auditLog"]["totalCount"], tokens.len(), "{data}");
    for entry in nodes(&data["auditLog"]) {
        assert_eq!(
            entry,
            json!({ "actor": "anonymous", "actorUser": null }),
            "{data}"
        );
    }
}

async fn hs256_tokens_provision_and_map_users(server: TestServer) {
    server
        .create_bureau("KANKYO", "環境局", "Bureau of Environment")
        .await;
    // First sight: the user is created from the claims, the address lower-cased.
    let coordinator = hs256(
        &claims(
            "Yamada.Taro@Metro.Tokyo.lg.jp",
            json!({ "name": "山田 太郎", "rollout_role": "BUREAU_COORDINATOR", "rollout_bureau": "KANKYO" }),
        ),
        HS256_SECRET.as_bytes(),
    );
    assert_eq!(
        viewer(&server, &coordinator).await,
        json!({ "role": "BUREAU_COORDINATOR", "bureau": { "code": "KANKYO" },
                "user": { "email": "yamada.taro@metro.tokyo.lg.jp", "displayName": "山田 太郎" } })
    );
    // Without role claims a new user may only read; the display name falls back to the address.
    let reader = hs256(
        &claims("reader@metro.tokyo.lg.jp", json!({})),
        HS256_SECRET.as_bytes(),
    );
    assert_eq!(
        viewer(&server, &reader).await,
        json!({ "role": "VIEWER", "bureau": null,
                "user": { "email": "reader@metro.tokyo.lg.jp", "displayName": "reader@metro.tokyo.lg.jp" } })
    );
    // A user the administrator made is brought up to date with the provider's role.
    let existing = server
        .create_user("ito@metro.tokyo.lg.jp", "VIEWER", None)
        .await;
    let promoted = hs256(
        &claims(
            "ito@metro.tokyo.lg.jp",
            json!({ "rollout_role": "PROJECT_OFFICE" }),
        ),
        HS256_SECRET.as_bytes(),
    );
    assert_eq!(viewer(&server, &promoted).await["role"], "PROJECT_OFFICE");
    let users = server
        .data_as(&server.admin, "{ users { id email role } }", json!({}))
        .await;
    let ito: Vec<&Value> = users["users"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|u| u["email"] == "ito@metro.tokyo.lg.jp")
        .collect();
    assert_eq!(
        ito,
        [&json!({ "id": existing.id, "email": "ito@metro.tokyo.lg.jp", "role": "PROJECT_OFFICE" })]
    );
    // Their API token now acts with the new role too, and the JWT works for changes.
    assert_eq!(
        viewer(&server, &existing.token).await["role"],
        "PROJECT_OFFICE"
    );
    let reply = server
        .request(
            Some(&coordinator),
            &[],
            r#"mutation { createProcedure(input: { code: "KANKYO-0001", name: "騒音規制の届出",
                 bureauCode: "KANKYO", category: STANDARD, authority: TOKYO }) {
                 procedure { history { edges { node { actor } } } } errors { code } } }"#,
            json!({}),
        )
        .await;
    assert_eq!(
        ok_data(reply.body)["createProcedure"],
        json!({ "procedure": { "history": { "edges": [{ "node": { "actor": "yamada.taro@metro.tokyo.lg.jp" } }] } }, "errors": [] })
    );
    let data = server
        .data_as(
            &server.admin,
            r#"{ auditLog(filter: { action: "user." }) { edges { node { actor action after } } } }"#,
            json!({}),
        )
        .await;
    let sso: Vec<(Value, Value, Value)> = nodes(&data["auditLog"])
        .iter()
        .filter(|e| e["actor"] == "system:sso")
        .map(|e| {
            (
                e["action"].clone(),
                e["after"]["email"].clone(),
                e["after"]["role"].clone(),
            )
        })
        .collect();
    assert_eq!(
        sso,
        [
            (
                json!("user.provision"),
                json!("yamada.taro@metro.tokyo.lg.jp"),
                json!("BUREAU_COORDINATOR")
            ),
            (
                json!("user.provision"),
                json!("reader@metro.tokyo.lg.jp"),
                json!("VIEWER")
            ),
            (
                json!("user.sync"),
                json!("ito@metro.tokyo.lg.jp"),
                json!("PROJECT_OFFICE")
            ),
        ]
    );
}

async fn hs256_rejections(server: TestServer) {
    let now = Utc::now().timestamp();
    let secret = HS256_SECRET.as_bytes();
    let fresh = |email: &str, extra: Value| claims(&format!("{email}@metro.tokyo.lg.jp"), extra);
    let valid = hs256(&fresh("valid", json!({})), secret);
    let tokens = [
        (
            "expired an hour ago",
            hs256(
                &fresh("expired", json!({ "iat": now - 7200, "exp": now - 3600 })),
                secret,
            ),
        ),
        (
            "another issuer",
            hs256(
                &fresh("issuer", json!({ "iss": "https://evil.example" })),
                secret,
            ),
        ),
        (
            "another audience",
            hs256(&fresh("audience", json!({ "aud": "someone-else" })), secret),
        ),
        (
            "signed with another secret",
            hs256(
                &fresh("forged", json!({})),
                b"not-the-shared-secret-0123456789abcdef",
            ),
        ),
        (
            "a valid signature over another payload",
            with_payload_of(
                &valid,
                &hs256(&fresh("swapped", json!({ "rollout_role": "ADMIN" })), b"x"),
            ),
        ),
        ("alg none", unsigned(&fresh("unsigned", json!({})))),
        (
            "an unverified address",
            hs256(
                &fresh("unverified", json!({ "email_verified": false })),
                secret,
            ),
        ),
        (
            "an unknown bureau",
            hs256(
                &fresh(
                    "nobureau",
                    json!({ "rollout_role": "BUREAU_COORDINATOR", "rollout_bureau": "NOWHERE" }),
                ),
                secret,
            ),
        ),
    ];
    assert_all_refused(&server, &tokens).await;
    assert_eq!(
        viewer(&server, &valid).await["user"]["email"],
        "valid@metro.tokyo.lg.jp",
        "the untampered token is accepted"
    );
}

async fn jwks_tokens(server: TestServer) {
    let rsa = rs256("rsa-1", &claims("rsa.user@metro.tokyo.lg.jp", json!({})));
    assert_eq!(
        viewer(&server, &rsa).await["user"]["email"],
        "rsa.user@metro.tokyo.lg.jp"
    );
    let ec = es256(&claims(
        "ec.user@metro.tokyo.lg.jp",
        json!({ "rollout_role": "PROJECT_OFFICE" }),
    ));
    assert_eq!(viewer(&server, &ec).await["role"], "PROJECT_OFFICE");
    // API tokens keep working beside single sign-on.
    assert_eq!(
        viewer(&server, &server.po.token).await["role"],
        "PROJECT_OFFICE"
    );

    let now = Utc::now().timestamp();
    let public_key = read_fixture("rsa_public.pem");
    let forged = claims(
        "forged@metro.tokyo.lg.jp",
        json!({ "rollout_role": "ADMIN" }),
    );
    let confused = |kid: Option<&str>| {
        sign(
            Algorithm::HS256,
            kid,
            &forged,
            &EncodingKey::from_secret(&public_key),
        )
    };
    let tokens = [
        (
            "expired an hour ago",
            rs256(
                "rsa-1",
                &claims(
                    "late@metro.tokyo.lg.jp",
                    json!({ "iat": now - 7200, "exp": now - 3600 }),
                ),
            ),
        ),
        (
            "another issuer",
            rs256(
                "rsa-1",
                &claims(
                    "iss@metro.tokyo.lg.jp",
                    json!({ "iss": "https://evil.example" }),
                ),
            ),
        ),
        (
            "a valid signature over another payload",
            with_payload_of(&rsa, &rs256("rsa-1", &forged)),
        ),
        (
            "HS256 keyed with the RSA public key",
            confused(Some("rsa-1")),
        ),
        (
            "HS256 keyed with the RSA public key, no kid",
            confused(None),
        ),
        ("alg none", unsigned(&forged)),
        ("an unknown key id", rs256("rsa-2", &forged)),
    ];
    assert_all_refused(&server, &tokens).await;
}
