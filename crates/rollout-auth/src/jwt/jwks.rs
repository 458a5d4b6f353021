//! A JWK Set reduced to the keys rollout can use: RSA keys for RS256 and EC P-256 keys for
//! ES256, each bound to exactly one algorithm. Everything else an identity provider publishes
//! (encryption keys, other curves, symmetric `oct` keys, which have no place in a public
//! document) is skipped with a log line rather than failing the whole set, because providers
//! commonly list such keys beside their signing keys. Fetching the set is [`super::keys`]'s job.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, DecodingKey};
use serde::Deserialize;

/// RSA moduli shorter than this are refused (NIST SP 800-131A); aws-lc would also refuse them
/// at verification, but skipping them at load time says why in the log.
const MIN_RSA_MODULUS_BYTES: usize = 256;

/// What kind of public key a JWK holds, which fixes the one algorithm it verifies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyKind {
    Rsa,
    EcP256,
}

impl KeyKind {
    pub(crate) const fn algorithm(self) -> Algorithm {
        match self {
            Self::Rsa => Algorithm::RS256,
            Self::EcP256 => Algorithm::ES256,
        }
    }
}

impl fmt::Display for KeyKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Rsa => "an RSA",
            Self::EcP256 => "an EC P-256",
        })
    }
}

pub(crate) struct VerifyingKey {
    pub(crate) kid: Option<String>,
    pub(crate) kind: KeyKind,
    pub(crate) key: DecodingKey,
}

/// The usable signing keys of one JWK Set.
pub(crate) struct KeySet {
    keys: Vec<VerifyingKey>,
}

/// The outcome of looking a token's key up.
pub(crate) enum Lookup<'a> {
    Found(&'a VerifyingKey),
    /// A key has the `kid` but is of another kind than the token's `alg` needs.
    WrongKind(KeyKind),
    Missing,
}

#[derive(Deserialize)]
struct RawSet {
    keys: Vec<serde_json::Value>,
}

/// The JWK members rollout reads (RFC 7517 §4, RFC 7518 §6).
#[derive(Deserialize)]
struct RawJwk {
    kty: String,
    kid: Option<String>,
    #[serde(rename = "use")]
    usage: Option<String>,
    key_ops: Option<Vec<String>>,
    alg: Option<String>,
    crv: Option<String>,
    n: Option<String>,
    e: Option<String>,
    x: Option<String>,
    y: Option<String>,
}

impl KeySet {
    /// Parses a JWK Set document. Fails only if the document itself is not a JWK Set or holds
    /// no usable signing key; individual unusable keys are skipped and logged.
    pub(crate) fn parse(document: &[u8]) -> Result<Self, String> {
        let raw: RawSet =
            serde_json::from_slice(document).map_err(|e| format!("not a JWK Set: {e}"))?;
        let mut keys = Vec::new();
        for value in raw.keys {
            let jwk: RawJwk = match serde_json::from_value(value) {
                Ok(jwk) => jwk,
                Err(e) => {
                    tracing::warn!(error = %e, "skipping a JWK that cannot be read");
                    continue;
                }
            };
            let kid = jwk.kid.clone();
            match usable_key(jwk) {
                Ok(key) => keys.push(key),
                Err(reason) => {
                    tracing::info!(kid = ?kid, %reason, "skipping a JWK rollout cannot use")
                }
            }
        }
        if keys.is_empty() {
            return Err("the JWK Set has no RS256 or ES256 signing key".to_owned());
        }
        Ok(Self { keys })
    }

    pub(crate) fn len(&self) -> usize {
        self.keys.len()
    }

    /// The key for a token: by `kid`, or the only key when the token names none. When two keys
    /// share a `kid` (one RSA, one EC), the one fitting `alg` wins.
    pub(crate) fn find(&self, kid: Option<&str>, alg: Algorithm) -> Lookup<'_> {
        let candidates: Vec<&VerifyingKey> = match kid {
            Some(kid) => self
                .keys
                .iter()
                .filter(|k| k.kid.as_deref() == Some(kid))
                .collect(),
            None if self.keys.len() == 1 => self.keys.iter().collect(),
            None => Vec::new(),
        };
        if let Some(key) = candidates.iter().find(|k| k.kind.algorithm() == alg) {
            Lookup::Found(key)
        } else if let Some(key) = candidates.first() {
            Lookup::WrongKind(key.kind)
        } else {
            Lookup::Missing
        }
    }
}

fn usable_key(jwk: RawJwk) -> Result<VerifyingKey, String> {
    if jwk.usage.as_deref().is_some_and(|u| u != "sig") {
        return Err(format!(
            "use is {:?}, not \"sig\"",
            jwk.usage.unwrap_or_default()
        ));
    }
    if jwk
        .key_ops
        .as_ref()
        .is_some_and(|ops| !ops.iter().any(|op| op == "verify"))
    {
        return Err("key_ops does not include \"verify\"".to_owned());
    }
    let (kind, key) = match jwk.kty.as_str() {
        "RSA" => {
            let n = member(jwk.n.as_deref(), "n")?;
            let e = member(jwk.e.as_deref(), "e")?;
            if n.len() < MIN_RSA_MODULUS_BYTES {
                return Err(format!("RSA modulus of {} bits is too short", n.len() * 8));
            }
            (KeyKind::Rsa, DecodingKey::from_rsa_raw_components(&n, &e))
        }
        "EC" => {
            if jwk.crv.as_deref() != Some("P-256") {
                return Err(format!(
                    "curve {:?} is not supported",
                    jwk.crv.unwrap_or_default()
                ));
            }
            let x = member(jwk.x.as_deref(), "x")?;
            let y = member(jwk.y.as_deref(), "y")?;
            if x.len() != 32 || y.len() != 32 {
                return Err("P-256 coordinates must be 32 bytes each".to_owned());
            }
            let key = DecodingKey::from_ec_components(
                jwk.x.as_deref().unwrap_or_default(),
                jwk.y.as_deref().unwrap_or_default(),
            )
            .map_err(|e| format!("EC key: {e}"))?;
            (KeyKind::EcP256, key)
        }
        other => return Err(format!("key type {other:?} is not supported")),
    };
    // A key declared for another algorithm (PS256, RS512, …) must not be used for ours: the
    // provider signs with what it declared, so verifying anything else only widens the surface.
    if let Some(alg) = jwk.alg.as_deref()
        && alg.parse::<Algorithm>().ok() != Some(kind.algorithm())
    {
        return Err(format!(
            "declared for {alg}, rollout verifies {kind} key only with {:?}",
            kind.algorithm()
        ));
    }
    Ok(VerifyingKey {
        kid: jwk.kid,
        kind,
        key,
    })
}

fn member(value: Option<&str>, name: &str) -> Result<Vec<u8>, String> {
    let value = value.ok_or_else(|| format!("member {name:?} is missing"))?;
    let bytes = URL_SAFE_NO_PAD
        .decode(value)
        .map_err(|e| format!("member {name:?}: {e}"))?;
    // RFC 7518 forbids leading zero octets in n and e, but some providers emit one; stripping
    // keeps the key usable and changes nothing about its value.
    let start = if matches!(name, "n" | "e") {
        bytes.iter().take_while(|b| **b == 0).count()
    } else {
        0
    };
    Ok(bytes[start..].to_vec())
}
