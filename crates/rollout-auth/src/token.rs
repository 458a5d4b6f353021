//! rollout API token secrets: making them, hashing them for storage and lookup, and telling them
//! apart from JWTs. The stored shape and the revocation/expiry rule are
//! `rollout_domain::token`'s; storing, listing and revoking are the app's and the store's.
//!
//! A secret is `rlt_` followed by 32 bytes from the operating system's CSPRNG as unpadded
//! base64url (43 characters), 47 characters in all. The fixed prefix lets the server route a
//! bearer secret without trying both verifiers (a JWT starts with `eyJ`) and lets secret scanners
//! recognise leaked tokens.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::TryRngCore as _;
use rand::rngs::OsRng;
use rollout_domain::token::TokenHash;
use sha2::{Digest as _, Sha256};

use crate::SecretString;

/// What every rollout API token secret starts with.
pub const TOKEN_PREFIX: &str = "rlt_";

/// Random bytes per secret: 256 bits, so that a fast unsalted hash is a safe way to store them.
const SECRET_BYTES: usize = 32;

/// How many leading characters of a secret are kept in the clear to recognise it in a list:
/// the prefix and 8 random characters (48 bits), too few to help guess the remaining 210.
const DISPLAY_PREFIX_LEN: usize = TOKEN_PREFIX.len() + 8;

/// A freshly made token secret with what is stored about it.
#[derive(Debug)]
pub struct NewSecret {
    /// The whole secret, to be shown to its owner once and never stored.
    pub secret: SecretString,
    /// What the store keeps and looks the token up by.
    pub hash: TokenHash,
    /// The first 12 characters (`rlt_` and 8 more), stored in the clear for display.
    pub prefix: String,
}

/// Makes a new API token secret.
///
/// # Panics
/// If the operating system's random source fails, which on the supported platforms does not
/// happen once it has been seeded at boot; handing out a weak secret instead is not an option.
pub fn generate_secret() -> NewSecret {
    let secret = format!("{TOKEN_PREFIX}{}", random_secret().expose());
    NewSecret {
        hash: hash_secret(&secret),
        prefix: secret[..DISPLAY_PREFIX_LEN].to_owned(),
        secret: SecretString::new(secret),
    }
}

/// 32 bytes from the operating system's CSPRNG as unpadded base64url (43 characters), without
/// the token prefix: for secrets that are never a bearer token, such as a web session's cookie
/// and its CSRF token (issue 14). Stored, like a token, as [`hash_secret`] when it is a key.
///
/// # Panics
/// As [`generate_secret`], if the operating system's random source fails.
pub fn random_secret() -> SecretString {
    let mut bytes = [0u8; SECRET_BYTES];
    OsRng
        .try_fill_bytes(&mut bytes)
        .expect("the operating system's random number generator failed");
    SecretString::new(URL_SAFE_NO_PAD.encode(bytes))
}

/// The stored form of a secret: lower-case hex SHA-256 of its UTF-8 bytes, prefix included.
pub fn hash_secret(secret: &str) -> TokenHash {
    let digest = Sha256::digest(secret.as_bytes());
    let mut hex = String::with_capacity(digest.len() * 2);
    for byte in digest {
        hex.push(char::from_digit(u32::from(byte >> 4), 16).unwrap_or('0'));
        hex.push(char::from_digit(u32::from(byte & 0xf), 16).unwrap_or('0'));
    }
    TokenHash(hex)
}

/// Whether a bearer secret is meant as a rollout API token (rather than a JWT). Only the prefix
/// is checked: a malformed secret with the prefix simply finds no hash in the store.
pub fn looks_like_token(bearer: &str) -> bool {
    bearer.starts_with(TOKEN_PREFIX)
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn secret_has_the_documented_shape() {
        let new = generate_secret();
        let secret = new.secret.expose();
        assert_eq!(secret.len(), 47);
        assert!(secret.starts_with("rlt_"));
        let body = &secret[4..];
        assert_eq!(body.len(), 43);
        assert!(
            body.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
            "not base64url: {body}"
        );
        assert_eq!(URL_SAFE_NO_PAD.decode(body).map(|b| b.len()), Ok(32));
        assert_eq!(new.prefix.len(), 12);
        assert_eq!(new.prefix, secret[..12]);
        assert_eq!(new.hash, hash_secret(secret));
    }

    #[test]
    fn random_secrets_are_unprefixed_base64url_of_32_bytes() {
        let a = random_secret();
        let b = random_secret();
        assert_eq!(a.expose().len(), 43);
        assert!(!looks_like_token(a.expose()));
        assert_eq!(URL_SAFE_NO_PAD.decode(a.expose()).map(|b| b.len()), Ok(32));
        assert_ne!(a.expose(), b.expose());
    }

    #[test]
    fn secrets_do_not_repeat() {
        let n = 10_000;
        let secrets: HashSet<String> = (0..n)
            .map(|_| generate_secret().secret.expose().to_owned())
            .collect();
        assert_eq!(secrets.len(), n);
        // Display prefixes carry 48 random bits: a collision among 10,000 has odds near 2e-7.
        let prefixes: HashSet<String> = (0..n).map(|_| generate_secret().prefix).collect();
        assert_eq!(prefixes.len(), n);
    }

    #[test]
    fn hash_is_lower_hex_sha256() {
        // Known answers, checked against coreutils' sha256sum.
        assert_eq!(
            hash_secret("abc").0,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            hash_secret("rlt_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG").0,
            "cfd3fde19847bf479085b4d1951533e5dde26cd238f02168916a9a3093a526b5"
        );
    }

    #[test]
    fn tells_tokens_from_jwts() {
        assert!(looks_like_token(
            "rlt_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG"
        ));
        assert!(!looks_like_token(
            "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln"
        ));
        assert!(!looks_like_token("RLT_0123"));
        assert!(!looks_like_token(""));
    }

    #[test]
    fn debug_does_not_print_the_secret() {
        let new = generate_secret();
        let shown = format!("{new:?}");
        assert!(
            !shown.contains(new.secret.expose()),
            "secret leaked: {shown}"
        );
        assert!(shown.contains("SecretString(<redacted>)"), "{shown}");
        assert!(shown.contains(&new.prefix), "{shown}");
    }
}
