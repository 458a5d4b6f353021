//! Standard Webhooks signatures (<https://www.standardwebhooks.com/>): the `whsec_` secret, the
//! `v1,<base64 HMAC-SHA256>` signature of `"{msg_id}.{timestamp}.{payload}"`, the space-separated
//! `webhook-signature` header that carries one signature per live secret during a rotation, and
//! the receiver's check.
//!
//! We sign; receivers verify. [`verify`] lives here anyway because our tests need it and because
//! it documents, in code, exactly what a receiver has to do: find any `v1` signature that matches
//! one of its secrets (compared in constant time) and reject timestamps outside a tolerance, which
//! is what stops a captured request from being replayed later.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// The prefix that marks a Standard Webhooks secret.
pub const SECRET_PREFIX: &str = "whsec_";
/// The only signature scheme of the spec we produce and accept: symmetric HMAC-SHA256.
const SCHEME: &str = "v1";
/// The spec asks for keys of 24 to 64 bytes; shorter ones are guessable, longer ones buy nothing.
const KEY_LEN: std::ops::RangeInclusive<usize> = 24..=64;

/// A webhook signing key. Its `Debug` shows nothing of the key; `Display` (and so `to_string()`)
/// gives the `whsec_<base64>` form to hand to the receiver once, when the secret is created.
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookSecret {
    key: Vec<u8>,
}

/// Why a string is not a webhook secret. The messages never repeat the string.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecretError {
    #[error("a webhook secret starts with `{SECRET_PREFIX}`")]
    MissingPrefix,
    #[error("a webhook secret is `{SECRET_PREFIX}` followed by standard base64")]
    NotBase64,
    #[error("a webhook secret decodes to 24 to 64 bytes, not {0}")]
    Length(usize),
}

impl WebhookSecret {
    /// A secret from 32 random bytes, drawn by the caller (so that this type reads no randomness
    /// and tests can pin the key). See [`WebhookSecret::random`] for the usual case.
    pub fn generate(bytes: [u8; 32]) -> Self {
        Self {
            key: bytes.to_vec(),
        }
    }

    /// A fresh secret from the thread-local cryptographically secure generator.
    pub fn random() -> Self {
        Self::generate(rand::random())
    }

    /// Parses `whsec_<standard base64>` (with padding, as the reference libraries write it).
    pub fn parse(text: &str) -> Result<Self, SecretError> {
        let encoded = text
            .trim()
            .strip_prefix(SECRET_PREFIX)
            .ok_or(SecretError::MissingPrefix)?;
        let key = BASE64.decode(encoded).map_err(|_| SecretError::NotBase64)?;
        if !KEY_LEN.contains(&key.len()) {
            return Err(SecretError::Length(key.len()));
        }
        Ok(Self { key })
    }

    fn mac(&self) -> HmacSha256 {
        // HMAC accepts keys of any length; `new_from_slice` only fails for fixed-size MACs.
        HmacSha256::new_from_slice(&self.key).expect("HMAC takes keys of any length")
    }

    fn signed_content(&self, msg_id: &str, timestamp: i64, payload: &[u8]) -> HmacSha256 {
        let mut mac = self.mac();
        mac.update(msg_id.as_bytes());
        mac.update(b".");
        mac.update(timestamp.to_string().as_bytes());
        mac.update(b".");
        mac.update(payload);
        mac
    }
}

impl FromStr for WebhookSecret {
    type Err = SecretError;
    fn from_str(text: &str) -> Result<Self, SecretError> {
        Self::parse(text)
    }
}

impl fmt::Display for WebhookSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{SECRET_PREFIX}{}", BASE64.encode(&self.key))
    }
}

impl fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("WebhookSecret(<redacted>)")
    }
}

/// The signature of one message under one secret: `v1,<base64 HMAC-SHA256>` of
/// `"{msg_id}.{timestamp}.{payload}"`, `timestamp` in Unix seconds.
pub fn sign(secret: &WebhookSecret, msg_id: &str, timestamp: i64, payload: &[u8]) -> String {
    let tag = secret
        .signed_content(msg_id, timestamp, payload)
        .finalize()
        .into_bytes();
    format!("{SCHEME},{}", BASE64.encode(tag))
}

/// The `webhook-signature` header: one signature per secret, separated by spaces. During a
/// rotation the old and the new secret are both live, so a receiver holding either accepts.
pub fn signature_header(
    secrets: &[&WebhookSecret],
    msg_id: &str,
    timestamp: i64,
    payload: &[u8],
) -> String {
    let signatures: Vec<String> = secrets
        .iter()
        .map(|secret| sign(secret, msg_id, timestamp, payload))
        .collect();
    signatures.join(" ")
}

/// Why a receiver rejects a request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    #[error("the webhook-timestamp header is not a whole number of seconds")]
    MalformedTimestamp,
    #[error("the message is {0} s older than the tolerance allows")]
    TooOld(i64),
    #[error("the message is {0} s further in the future than the tolerance allows")]
    InFuture(i64),
    #[error("no v1 signature in webhook-signature matches any of the secrets")]
    NoMatchingSignature,
}

/// The three Standard Webhooks headers as a receiver read them, unparsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignedHeaders<'a> {
    /// `webhook-id`.
    pub id: &'a str,
    /// `webhook-timestamp`, Unix seconds as text.
    pub timestamp: &'a str,
    /// `webhook-signature`: space-separated `<scheme>,<base64>` entries.
    pub signature: &'a str,
}

/// What a receiver does with the three headers and the raw body: accepts when the timestamp is
/// within `tolerance` of `now` (both Unix seconds; the spec suggests five minutes) and any `v1`
/// signature in the signature header matches any of `secrets`. Signatures of other schemes and
/// malformed entries are skipped, as the spec asks, so that new schemes can be added beside `v1`.
pub fn verify(
    secrets: &[&WebhookSecret],
    headers: &SignedHeaders<'_>,
    payload: &[u8],
    now: i64,
    tolerance: Duration,
) -> Result<(), VerifyError> {
    let timestamp: i64 = headers
        .timestamp
        .trim()
        .parse()
        .map_err(|_| VerifyError::MalformedTimestamp)?;
    let tolerance = i64::try_from(tolerance.as_secs()).unwrap_or(i64::MAX);
    let age = now.saturating_sub(timestamp);
    if age > tolerance {
        return Err(VerifyError::TooOld(age - tolerance));
    }
    if -age > tolerance {
        return Err(VerifyError::InFuture(-age - tolerance));
    }
    let candidates: Vec<Vec<u8>> = headers
        .signature
        .split(' ')
        .filter_map(|entry| entry.split_once(','))
        .filter(|(scheme, _)| *scheme == SCHEME)
        .filter_map(|(_, encoded)| BASE64.decode(encoded).ok())
        .collect();
    let matches = secrets.iter().any(|secret| {
        candidates.iter().any(|candidate| {
            // `verify_slice` compares in constant time, so a timing side channel cannot be used
            // to guess a valid signature byte by byte.
            secret
                .signed_content(headers.id, timestamp, payload)
                .verify_slice(candidate)
                .is_ok()
        })
    });
    if matches {
        Ok(())
    } else {
        Err(VerifyError::NoMatchingSignature)
    }
}
