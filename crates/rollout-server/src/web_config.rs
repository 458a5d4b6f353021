//! The dashboard's settings: `[web]` with `session_hours` (how long a sign-in lasts, 1 to 24,
//! default 8) and `secure_cookies` (set when users reach the server over HTTPS, through a proxy
//! or not), and `[web.oidc]`, the dashboard's client at the identity provider of `[oidc]` for
//! single sign-on with the authorization code flow (the client secret may also come from
//! `ROLLOUT_WEB_OIDC_CLIENT_SECRET`, which wins).

use std::collections::HashMap;
use std::time::Duration;

use rollout_auth::SecretString;
use serde::Deserialize;

use crate::config::ConfigError;

/// Accepted values of `session_hours`.
pub const SESSION_HOURS: std::ops::RangeInclusive<u32> = 1..=24;

/// `[web.oidc]` as written in the file.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebOidcLayer {
    pub client_id: String,
    pub client_secret: Option<SecretString>,
    pub authorization_endpoint: String,
    pub token_endpoint: String,
    /// This server's `/signin/callback` as users' browsers reach it.
    pub redirect_url: String,
    /// Default `openid email profile`.
    pub scopes: Option<String>,
}

/// `[web]` as written in the file.
#[derive(Debug, Default, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebLayer {
    pub session_hours: Option<u32>,
    pub secure_cookies: Option<bool>,
    pub oidc: Option<WebOidcLayer>,
}

/// The effective dashboard settings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WebConfig {
    pub settings: rollout_web::WebSettings,
    pub oidc: Option<WebOidcLayer>,
}

fn bad(message: String) -> ConfigError {
    ConfigError::Invalid(format!("[web] {message}"))
}

fn http_url(key: &str, value: &str) -> Result<(), ConfigError> {
    if value.starts_with("https://") || value.starts_with("http://") {
        Ok(())
    } else {
        Err(bad(format!(
            "oidc.{key} must be an http(s) URL, not {value:?}"
        )))
    }
}

impl WebLayer {
    /// Checks and resolves the layer; `sso` says whether `[oidc]` is configured (the
    /// dashboard's sign-in verifies ID tokens with it).
    pub fn resolve(
        self,
        sso: bool,
        env: &HashMap<String, String>,
    ) -> Result<WebConfig, ConfigError> {
        let mut settings = rollout_web::WebSettings::default();
        if let Some(hours) = self.session_hours {
            if !SESSION_HOURS.contains(&hours) {
                return Err(bad(format!(
                    "session_hours must be between 1 and 24, not {hours}"
                )));
            }
            settings.session_ttl = Duration::from_secs(u64::from(hours) * 3600);
        }
        settings.secure_cookies = self.secure_cookies.unwrap_or(false);
        let oidc = match self.oidc {
            None => None,
            Some(mut oidc) => {
                if !sso {
                    return Err(bad(
                        "oidc needs the identity provider's [oidc] table as well".into(),
                    ));
                }
                if oidc.client_id.trim().is_empty() {
                    return Err(bad("oidc.client_id must not be empty".into()));
                }
                http_url("authorization_endpoint", &oidc.authorization_endpoint)?;
                http_url("token_endpoint", &oidc.token_endpoint)?;
                http_url("redirect_url", &oidc.redirect_url)?;
                if let Some(secret) = env.get("ROLLOUT_WEB_OIDC_CLIENT_SECRET") {
                    oidc.client_secret = Some(SecretString::new(secret.clone()));
                }
                Some(oidc)
            }
        };
        Ok(WebConfig { settings, oidc })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layer(text: &str) -> WebLayer {
        toml::from_str(text).unwrap()
    }

    #[test]
    fn defaults_and_bounds() {
        let c = WebLayer::default().resolve(false, &HashMap::new()).unwrap();
        assert_eq!(c.settings.session_ttl, Duration::from_secs(8 * 3600));
        assert!(!c.settings.secure_cookies);
        let e = layer("session_hours = 0")
            .resolve(false, &HashMap::new())
            .unwrap_err();
        assert!(e.to_string().contains("session_hours"), "{e}");
    }

    #[test]
    fn single_sign_on_needs_the_provider_and_urls() {
        let text = r#"
            [oidc]
            client_id = "rollout"
            authorization_endpoint = "https://idp.example/auth"
            token_endpoint = "https://idp.example/token"
            redirect_url = "https://rollout.example/signin/callback"
        "#;
        let e = layer(text).resolve(false, &HashMap::new()).unwrap_err();
        assert!(e.to_string().contains("[oidc]"), "{e}");
        let env = HashMap::from([(
            "ROLLOUT_WEB_OIDC_CLIENT_SECRET".to_owned(),
            "s3cret".to_owned(),
        )]);
        let c = layer(text).resolve(true, &env).unwrap();
        assert_eq!(c.oidc.unwrap().client_secret.unwrap().expose(), "s3cret");
        let e = layer(&text.replace("https://idp.example/token", "idp/token"))
            .resolve(true, &HashMap::new())
            .unwrap_err();
        assert!(e.to_string().contains("token_endpoint"), "{e}");
    }
}
