//! Verifying JWTs from a deployment's OIDC identity provider and mapping their claims to a
//! [`JwtIdentity`]. The rules, in the order they are applied: the header's `alg` must be
//! configured (never `none`); HS256 is checked only against the configured shared secret, and
//! RS256/ES256 only against a JWKS key of the matching type, found by `kid`, so a token cannot
//! choose to be checked with a public key used as an HMAC secret; then the signature; then `iss`,
//! `aud`, `exp`, `nbf` (with leeway), `sub` and the mapped claims.
//!
//! It does not decide whether the identity may log in or what it may do: finding or creating
//! the user, and whether a claimed role is trusted, is the caller's business. It does not do
//! OIDC discovery or the login flow either; the JWKS location is configured.

mod claims;
mod config;
mod error;
mod jwks;
mod keys;

use std::fmt;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use jsonwebtoken::{Algorithm, DecodingKey};
use rollout_domain::identity::{Email, Role};

pub use config::{ClaimMapping, JwksSource, OidcConfig};
pub use error::JwtError;
use jwks::Lookup;
use keys::KeyCache;

/// Who a verified token says its bearer is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JwtIdentity {
    /// `sub`: the provider's stable identifier for the person.
    pub subject: String,
    pub email: Email,
    pub display_name: Option<String>,
    /// As claimed by the provider; absent when the claim is.
    pub role: Option<Role>,
    /// As claimed; not checked against the bureaus rollout knows.
    pub bureau_code: Option<String>,
    /// `exp`: after this (plus leeway) the token is refused.
    pub expires_at: DateTime<Utc>,
}

/// Verifies tokens against one identity provider. Cheap to clone; clones share the key cache.
#[derive(Clone)]
pub struct JwtVerifier {
    inner: Arc<Inner>,
}

struct Inner {
    config: OidcConfig,
    jwks: Option<KeyCache>,
    hs256: Option<DecodingKey>,
}

impl fmt::Debug for JwtVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let c = &self.inner.config;
        f.debug_struct("JwtVerifier")
            .field("issuer", &c.issuer)
            .field("audience", &c.audience)
            .field("algorithms", &c.algorithms)
            .field("jwks", &c.jwks)
            .field(
                "jwks_keys",
                &self.inner.jwks.as_ref().map(KeyCache::key_count),
            )
            .finish_non_exhaustive()
    }
}

impl JwtVerifier {
    /// Validates the configuration and loads the signing keys (reads the JWKS file or fetches
    /// the URL). Fails with [`JwtError::Config`] or [`JwtError::KeySource`].
    pub async fn new(config: OidcConfig) -> Result<Self, JwtError> {
        config.validate()?;
        let jwks = match &config.jwks {
            Some(source) => Some(KeyCache::load(source).await?),
            None => None,
        };
        let hs256 = config
            .hs256_secret
            .as_ref()
            .map(|s| DecodingKey::from_secret(s.expose().as_bytes()));
        Ok(Self {
            inner: Arc::new(Inner {
                config,
                jwks,
                hs256,
            }),
        })
    }

    pub fn config(&self) -> &OidcConfig {
        &self.inner.config
    }

    /// Checks a bearer token as of `now` and returns who it identifies.
    pub async fn verify(&self, token: &str, now: DateTime<Utc>) -> Result<JwtIdentity, JwtError> {
        let parts = claims::split(token)?;
        let alg = self.accepted_algorithm(&parts.header.alg)?;
        // Decoded here only so that an unsigned or garbled token is reported as malformed rather
        // than as a bad signature; jsonwebtoken takes the signature still encoded.
        claims::decode(parts.signature, "signature")?;
        let key = self.key_for(alg, parts.header.kid.as_deref(), now).await?;
        let verified = jsonwebtoken::crypto::verify(
            parts.signature,
            parts.signing_input.as_bytes(),
            &key,
            alg,
        );
        if !matches!(verified, Ok(true)) {
            return Err(JwtError::BadSignature);
        }
        claims::identity(parts.payload, &self.inner.config, now)
    }

    fn accepted_algorithm(&self, alg: &str) -> Result<Algorithm, JwtError> {
        let refuse = || JwtError::UnsupportedAlgorithm(alg.to_owned());
        let alg: Algorithm = alg.parse().map_err(|_| refuse())?;
        if self.inner.config.algorithms.contains(&alg) {
            Ok(alg)
        } else {
            Err(refuse())
        }
    }

    async fn key_for(
        &self,
        alg: Algorithm,
        kid: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<DecodingKey, JwtError> {
        if alg == Algorithm::HS256 {
            // Configuration validation guarantees the secret when HS256 is accepted.
            return self
                .inner
                .hs256
                .clone()
                .ok_or_else(|| JwtError::UnsupportedAlgorithm("HS256".into()));
        }
        let cache = self
            .inner
            .jwks
            .as_ref()
            .ok_or_else(|| JwtError::UnsupportedAlgorithm(format!("{alg:?}")))?;
        let seen = cache.current();
        let from_seen = pick(&seen.find(kid, alg), alg, kid);
        if !matches!(from_seen, Err(JwtError::UnknownKey(_))) {
            return from_seen;
        }
        match cache.refresh_after_miss(&seen, now).await? {
            Some(newer) => pick(&newer.find(kid, alg), alg, kid),
            None => from_seen,
        }
    }
}

fn pick(lookup: &Lookup<'_>, alg: Algorithm, kid: Option<&str>) -> Result<DecodingKey, JwtError> {
    match lookup {
        Lookup::Found(key) => Ok(key.key.clone()),
        Lookup::WrongKind(kind) => Err(JwtError::UnsupportedAlgorithm(format!(
            "{alg:?} with {kind} key ({})",
            kid.map_or("the only key".to_owned(), |k| format!("kid {k:?}"))
        ))),
        Lookup::Missing => Err(JwtError::UnknownKey(kid.map(str::to_owned))),
    }
}
