//! How a request proves who it is. Two kinds of bearer secret reach the server: rollout's own API
//! tokens (random secrets stored only as a hash, made and hashed in [`token`]) and, where a
//! deployment enables single sign-on, JWTs from its OIDC identity provider (checked in [`jwt`]).
//!
//! This crate answers "whose secret is this?" and nothing more. It does no database access (the
//! caller looks a token hash up in its store and decides what a disabled user or a revoked token
//! means), holds no authorisation rules (those are `rollout_domain::authz`'s), and never reads
//! the clock: every check takes "now" as a parameter.
#![forbid(unsafe_code)]

pub mod jwt;
mod secret;
pub mod token;

pub use jwt::{ClaimMapping, JwksSource, JwtError, JwtIdentity, JwtVerifier, OidcConfig};
pub use secret::SecretString;
pub use token::{
    NewSecret, TOKEN_PREFIX, generate_secret, hash_secret, looks_like_token, random_secret,
};
