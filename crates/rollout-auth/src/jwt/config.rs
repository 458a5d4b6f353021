//! The `[oidc]` section of the server's configuration: which identity provider to trust, where
//! its keys are, and which claims carry rollout's fields. Defaults live here so that a minimal
//! section is `issuer`, `audience` and `jwks`. Reading the file and the environment is the
//! server's job; [`OidcConfig::validate`] rejects combinations that could only fail later or
//! that would weaken verification.

use std::net::IpAddr;
use std::path::PathBuf;

use jsonwebtoken::Algorithm;
use reqwest::Url;
use serde::Deserialize;

use super::JwtError;
use crate::SecretString;

/// The algorithms rollout can verify. Anything else in the configuration is refused at start-up
/// rather than silently never matching.
const SUPPORTED: [Algorithm; 3] = [Algorithm::RS256, Algorithm::ES256, Algorithm::HS256];

/// RFC 7518 §3.2: an HS256 key must be at least as long as the hash output.
const MIN_HS256_SECRET_BYTES: usize = 32;

/// Clock skew beyond this is a broken clock, and a larger allowance would keep expired tokens
/// usable.
const MAX_LEEWAY_SECONDS: u64 = 300;

/// How rollout trusts an OIDC identity provider's tokens.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OidcConfig {
    /// Must equal the token's `iss` exactly (no trailing-slash normalisation: providers differ).
    pub issuer: String,
    /// Must be one of the token's `aud` values: rollout's client id at the provider.
    pub audience: String,
    /// Where the provider's public signing keys are; required for RS256 and ES256.
    #[serde(default)]
    pub jwks: Option<JwksSource>,
    /// A shared HS256 secret, for development and tests without an identity provider.
    #[serde(default)]
    pub hs256_secret: Option<SecretString>,
    /// Header `alg` values accepted. HS256 must be listed explicitly, together with the secret.
    #[serde(default = "default_algorithms")]
    pub algorithms: Vec<Algorithm>,
    /// Allowed clock skew when checking `exp` and `nbf`.
    #[serde(default = "default_leeway_seconds")]
    pub leeway_seconds: u64,
    /// Accept tokens whose `email_verified` is false. Off by default: an unverified address
    /// could have been typed in by anyone. Some providers mark accounts an administrator
    /// created as unverified, and a deployment that trusts its administrators may turn it on.
    #[serde(default)]
    pub allow_unverified_email: bool,
    #[serde(default)]
    pub claims: ClaimMapping,
}

/// Where a JWK Set comes from. In TOML: `jwks = { url = "https://…" }` or
/// `jwks = { file = "/etc/rollout/jwks.json" }`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JwksSource {
    /// Read once at start-up; a key rotation needs a restart.
    File(PathBuf),
    /// Fetched at start-up and again (at most once a minute) when a token names an unknown key.
    /// Must be `https://`, except on a loopback host.
    Url(String),
}

/// Which claims carry rollout's identity fields, for providers that name them differently.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ClaimMapping {
    /// Required; becomes the user's login e-mail.
    pub email: String,
    /// Optional display name.
    pub name: String,
    /// Optional; a [`rollout_domain::identity::Role`] name such as `BUREAU_COORDINATOR`.
    pub role: String,
    /// Optional bureau code, for bureau coordinators.
    pub bureau: String,
}

impl Default for ClaimMapping {
    fn default() -> Self {
        Self {
            email: "email".to_owned(),
            name: "name".to_owned(),
            role: "rollout_role".to_owned(),
            bureau: "rollout_bureau".to_owned(),
        }
    }
}

fn default_algorithms() -> Vec<Algorithm> {
    vec![Algorithm::RS256, Algorithm::ES256]
}

const fn default_leeway_seconds() -> u64 {
    30
}

impl OidcConfig {
    /// A configuration with every default and no key source yet.
    pub fn new(issuer: impl Into<String>, audience: impl Into<String>) -> Self {
        Self {
            issuer: issuer.into(),
            audience: audience.into(),
            jwks: None,
            hs256_secret: None,
            algorithms: default_algorithms(),
            leeway_seconds: default_leeway_seconds(),
            allow_unverified_email: false,
            claims: ClaimMapping::default(),
        }
    }

    /// Refuses configurations that cannot work or that would weaken verification; every
    /// problem is a [`JwtError::Config`] naming the field.
    pub fn validate(&self) -> Result<(), JwtError> {
        let fail = |msg: String| Err(JwtError::Config(msg));
        if self.issuer.trim().is_empty() {
            return fail("issuer must not be empty".into());
        }
        if self.audience.trim().is_empty() {
            return fail("audience must not be empty".into());
        }
        if self.algorithms.is_empty() {
            return fail("algorithms must list at least one of RS256, ES256, HS256".into());
        }
        if let Some(alg) = self.algorithms.iter().find(|a| !SUPPORTED.contains(a)) {
            return fail(format!(
                "algorithm {alg:?} is not supported; use RS256, ES256 or HS256"
            ));
        }
        if self.leeway_seconds > MAX_LEEWAY_SECONDS {
            return fail(format!(
                "leeway_seconds must be at most {MAX_LEEWAY_SECONDS}"
            ));
        }
        self.validate_hs256()?;
        self.validate_jwks()?;
        for (field, claim) in [
            ("email", &self.claims.email),
            ("name", &self.claims.name),
            ("role", &self.claims.role),
            ("bureau", &self.claims.bureau),
        ] {
            if claim.trim().is_empty() {
                return fail(format!("claims.{field} must name a claim"));
            }
        }
        Ok(())
    }

    // Both directions are errors: a secret without HS256 listed is dead configuration that
    // suggests a mistake, and HS256 without a secret could never verify anything.
    fn validate_hs256(&self) -> Result<(), JwtError> {
        let listed = self.algorithms.contains(&Algorithm::HS256);
        match (&self.hs256_secret, listed) {
            (None, false) => Ok(()),
            (None, true) => Err(JwtError::Config(
                "HS256 is listed but hs256_secret is not set".into(),
            )),
            (Some(_), false) => Err(JwtError::Config(
                "hs256_secret is set but HS256 is not in algorithms".into(),
            )),
            (Some(s), true) if s.expose().len() < MIN_HS256_SECRET_BYTES => Err(JwtError::Config(
                format!("hs256_secret must be at least {MIN_HS256_SECRET_BYTES} bytes"),
            )),
            (Some(_), true) => Ok(()),
        }
    }

    fn validate_jwks(&self) -> Result<(), JwtError> {
        let asymmetric = self.algorithms.iter().any(|a| *a != Algorithm::HS256);
        match &self.jwks {
            None if asymmetric => Err(JwtError::Config(
                "RS256 and ES256 need a jwks source (file or url)".into(),
            )),
            None => Ok(()),
            Some(_) if !asymmetric => Err(JwtError::Config(
                "jwks is set but algorithms allows neither RS256 nor ES256".into(),
            )),
            Some(JwksSource::File(_)) => Ok(()),
            Some(JwksSource::Url(url)) => check_jwks_url(url).map(|_| ()),
        }
    }
}

/// Parses a JWKS URL and refuses plain HTTP except to this machine: keys fetched in the clear
/// could be swapped by anyone on the path, which would let them mint tokens.
pub(crate) fn check_jwks_url(raw: &str) -> Result<Url, JwtError> {
    let url = Url::parse(raw).map_err(|e| JwtError::Config(format!("jwks url {raw:?}: {e}")))?;
    match url.scheme() {
        "https" => Ok(url),
        "http" if is_loopback(&url) => Ok(url),
        "http" => Err(JwtError::Config(format!(
            "jwks url {raw:?} must use https (plain http is allowed only on a loopback address)"
        ))),
        other => Err(JwtError::Config(format!(
            "jwks url {raw:?}: unsupported scheme {other:?}"
        ))),
    }
}

pub(crate) fn is_loopback(url: &Url) -> bool {
    url.host_str().is_some_and(|host| {
        host.eq_ignore_ascii_case("localhost")
            || host
                .trim_matches(['[', ']'])
                .parse::<IpAddr>()
                .is_ok_and(|ip| ip.is_loopback())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(toml_text: &str) -> OidcConfig {
        toml::from_str(toml_text).unwrap_or_else(|e| panic!("{e}"))
    }

    fn config_error(config: &OidcConfig) -> String {
        match config.validate() {
            Err(JwtError::Config(msg)) => msg,
            other => panic!("expected a config error, got {other:?}"),
        }
    }

    #[test]
    fn minimal_section_takes_the_defaults() {
        let c = parse(
            r#"
            issuer = "https://login.example.jp/realms/tmg"
            audience = "rollout"
            jwks = { url = "https://login.example.jp/realms/tmg/certs" }
            "#,
        );
        assert_eq!(
            c.jwks,
            Some(JwksSource::Url(
                "https://login.example.jp/realms/tmg/certs".into()
            ))
        );
        assert_eq!(c.algorithms, vec![Algorithm::RS256, Algorithm::ES256]);
        assert_eq!(c.leeway_seconds, 30);
        assert!(!c.allow_unverified_email);
        assert_eq!(c.claims, ClaimMapping::default());
        assert_eq!(c.claims.role, "rollout_role");
        assert_eq!(c.claims.bureau, "rollout_bureau");
        assert!(c.hs256_secret.is_none());
        assert_eq!(c.validate(), Ok(()));
    }

    #[test]
    fn every_field_can_be_set() {
        let c = parse(
            r#"
            issuer = "dev"
            audience = "rollout-dev"
            hs256_secret = "0123456789abcdef0123456789abcdef"
            algorithms = ["HS256"]
            leeway_seconds = 5
            [claims]
            email = "upn"
            role = "roles_tmg"
            "#,
        );
        assert_eq!(c.algorithms, vec![Algorithm::HS256]);
        assert_eq!(c.leeway_seconds, 5);
        assert_eq!(c.claims.email, "upn");
        assert_eq!(c.claims.role, "roles_tmg");
        assert_eq!(
            c.claims.name, "name",
            "unset mapping fields keep their defaults"
        );
        assert_eq!(
            c.hs256_secret.as_ref().map(SecretString::expose),
            Some("0123456789abcdef0123456789abcdef")
        );
        assert!(
            !format!("{c:?}").contains("0123456789abcdef"),
            "secret in Debug"
        );
        assert_eq!(c.validate(), Ok(()));
    }

    #[test]
    fn file_source_and_typos() {
        let c =
            parse("issuer = \"i\"\naudience = \"a\"\njwks = { file = \"/etc/rollout/jwks.json\" }");
        assert_eq!(
            c.jwks,
            Some(JwksSource::File("/etc/rollout/jwks.json".into()))
        );
        let typo = toml::from_str::<OidcConfig>("issuer = \"i\"\naudiance = \"a\"");
        assert!(typo.unwrap_err().to_string().contains("audiance"));
    }

    #[test]
    fn inconsistent_configurations_are_refused() {
        let base = || {
            let mut c = OidcConfig::new("https://idp.example", "rollout");
            c.jwks = Some(JwksSource::Url("https://idp.example/jwks".into()));
            c
        };
        let mut c = base();
        c.jwks = None;
        assert_eq!(
            config_error(&c),
            "RS256 and ES256 need a jwks source (file or url)"
        );

        let mut c = base();
        c.hs256_secret = Some(SecretString::new("0123456789abcdef0123456789abcdef"));
        assert_eq!(
            config_error(&c),
            "hs256_secret is set but HS256 is not in algorithms"
        );

        let mut c = base();
        c.algorithms.push(Algorithm::HS256);
        assert_eq!(
            config_error(&c),
            "HS256 is listed but hs256_secret is not set"
        );

        c.hs256_secret = Some(SecretString::new("short"));
        assert_eq!(config_error(&c), "hs256_secret must be at least 32 bytes");

        let mut c = base();
        c.algorithms = vec![Algorithm::PS256];
        assert_eq!(
            config_error(&c),
            "algorithm PS256 is not supported; use RS256, ES256 or HS256"
        );

        let mut c = base();
        c.algorithms.clear();
        assert_eq!(
            config_error(&c),
            "algorithms must list at least one of RS256, ES256, HS256"
        );

        let mut c = base();
        c.leeway_seconds = 3600;
        assert_eq!(config_error(&c), "leeway_seconds must be at most 300");

        let mut c = base();
        c.audience = " ".into();
        assert_eq!(config_error(&c), "audience must not be empty");

        let mut c = base();
        c.claims.email = String::new();
        assert_eq!(config_error(&c), "claims.email must name a claim");
    }

    #[test]
    fn jwks_urls_must_be_https_off_this_machine() {
        for ok in [
            "https://idp.example/jwks",
            "http://127.0.0.1:8080/jwks",
            "http://localhost/jwks",
            "http://[::1]:9/k",
        ] {
            assert!(check_jwks_url(ok).is_ok(), "{ok} refused");
        }
        assert_eq!(
            check_jwks_url("http://idp.example/jwks"),
            Err(JwtError::Config(
                "jwks url \"http://idp.example/jwks\" must use https (plain http is allowed only on a loopback address)"
                    .into()
            ))
        );
        assert!(
            matches!(check_jwks_url("file:///etc/jwks.json"), Err(JwtError::Config(m)) if m.contains("unsupported scheme"))
        );
        assert!(matches!(
            check_jwks_url("not a url"),
            Err(JwtError::Config(_))
        ));
    }
}
