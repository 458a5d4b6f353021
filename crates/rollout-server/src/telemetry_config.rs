//! `[telemetry]`: where traces go. `otlp_endpoint` (or `ROLLOUT_TELEMETRY_OTLP_ENDPOINT`, which
//! wins) is the base URL of an OpenTelemetry collector's OTLP/HTTP receiver, such as
//! `http://collector:4318`; spans are posted as JSON to its `/v1/traces`. Unset, no trace leaves
//! the process. `service_name` (or `ROLLOUT_TELEMETRY_SERVICE_NAME`) names the service in the
//! traces, default `rollout`.
//!
//! The log format stays where it was (`log_format`, `ROLLOUT_LOG_FORMAT`): logs and traces are
//! configured apart, and [`crate::telemetry`] installs both.

use std::collections::HashMap;
use std::fmt;

use serde::Deserialize;

use crate::config::ConfigError;
use crate::database_url::DatabaseUrl;

/// Default of `service_name`.
pub const DEFAULT_SERVICE_NAME: &str = "rollout";

/// The path of the OTLP/HTTP traces receiver, appended to the configured base URL.
pub const TRACES_PATH: &str = "/v1/traces";

/// `[telemetry]` as written in the file.
#[derive(Debug, Default, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TelemetryLayer {
    pub otlp_endpoint: Option<String>,
    pub service_name: Option<String>,
}

/// The effective trace export settings: `None` when traces are off.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TelemetryConfig {
    pub otlp: Option<OtlpConfig>,
}

/// Where and as whom spans are exported.
#[derive(Clone, PartialEq, Eq)]
pub struct OtlpConfig {
    /// The traces URL (the base URL with [`TRACES_PATH`]); it may carry credentials, so it is
    /// shown only through [`OtlpConfig::shown_endpoint`].
    pub traces_url: String,
    pub service_name: String,
}

impl OtlpConfig {
    /// The traces URL with any password hidden, for logs and messages.
    pub fn shown_endpoint(&self) -> String {
        DatabaseUrl::new(self.traces_url.clone()).redacted()
    }
}

impl fmt::Debug for OtlpConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OtlpConfig")
            .field("traces_url", &self.shown_endpoint())
            .field("service_name", &self.service_name)
            .finish()
    }
}

fn bad(message: String) -> ConfigError {
    ConfigError::Invalid(format!("[telemetry] {message}"))
}

/// `base` with `/v1/traces`, unless it already ends with it (a URL copied from a collector's
/// documentation often does).
fn traces_url(base: &str) -> String {
    let base = base.trim().trim_end_matches('/');
    if base.ends_with(TRACES_PATH) {
        base.to_owned()
    } else {
        format!("{base}{TRACES_PATH}")
    }
}

impl TelemetryLayer {
    /// Applies the `ROLLOUT_TELEMETRY_*` variables over the file's values and checks them.
    pub fn resolve(self, env: &HashMap<String, String>) -> Result<TelemetryConfig, ConfigError> {
        let get = |name: &str| env.get(name).filter(|v| !v.trim().is_empty()).cloned();
        let endpoint = get("ROLLOUT_TELEMETRY_OTLP_ENDPOINT").or(self.otlp_endpoint);
        let service_name = get("ROLLOUT_TELEMETRY_SERVICE_NAME")
            .or(self.service_name)
            .unwrap_or_else(|| DEFAULT_SERVICE_NAME.to_owned());
        if service_name.trim().is_empty() {
            return Err(bad("service_name must not be empty".into()));
        }
        let Some(endpoint) = endpoint.filter(|e| !e.trim().is_empty()) else {
            return Ok(TelemetryConfig { otlp: None });
        };
        if !(endpoint.starts_with("http://") || endpoint.starts_with("https://")) {
            return Err(bad(format!(
                "otlp_endpoint must be an http(s) URL such as http://collector:4318, not {:?}",
                DatabaseUrl::new(endpoint).redacted()
            )));
        }
        Ok(TelemetryConfig {
            otlp: Some(OtlpConfig {
                traces_url: traces_url(&endpoint),
                service_name: service_name.trim().to_owned(),
            }),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The `ROLLOUT_*` variables of a test.
    fn env<const N: usize>(pairs: [(&str, &str); N]) -> HashMap<String, String> {
        HashMap::from(pairs.map(|(k, v)| (k.to_owned(), v.to_owned())))
    }

    fn layer(text: &str) -> TelemetryLayer {
        toml::from_str(text).unwrap()
    }

    #[test]
    fn off_unless_an_endpoint_is_given() {
        let c = TelemetryLayer::default().resolve(&env([])).unwrap();
        assert_eq!(c.otlp, None);
        let c = layer("service_name = \"x\"").resolve(&env([])).unwrap();
        assert_eq!(c.otlp, None);
    }

    #[test]
    fn the_environment_wins_and_the_traces_path_is_added_once() {
        let file = "otlp_endpoint = \"http://file:4318/\"";
        let c = layer(file).resolve(&env([])).unwrap().otlp.unwrap();
        assert_eq!(c.traces_url, "http://file:4318/v1/traces");
        assert_eq!(c.service_name, DEFAULT_SERVICE_NAME);
        let over = env([
            (
                "ROLLOUT_TELEMETRY_OTLP_ENDPOINT",
                "https://env.example/v1/traces",
            ),
            ("ROLLOUT_TELEMETRY_SERVICE_NAME", "rollout-a"),
        ]);
        let c = layer(file).resolve(&over).unwrap().otlp.unwrap();
        assert_eq!(c.traces_url, "https://env.example/v1/traces");
        assert_eq!(c.service_name, "rollout-a");
    }

    /// The message refusing the file `text`.
    fn refused(text: &str) -> String {
        layer(text).resolve(&env([])).unwrap_err().to_string()
    }

    #[test]
    fn bad_values_are_refused_without_showing_a_password() {
        for (text, names) in [
            ("otlp_endpoint = \"collector:4318\"", "otlp_endpoint"),
            ("otlp_endpoint = \"ftp://u:hunter2@c\"", "otlp_endpoint"),
            (
                "otlp_endpoint = \"http://c\"\nservice_name = \" \"",
                "service_name",
            ),
        ] {
            let e = refused(text);
            assert!(e.contains(names) && !e.contains("hunter2"), "{e}");
        }
        let c = layer("otlp_endpoint = \"http://u:hunter2@c:4318\"")
            .resolve(&env([]))
            .unwrap()
            .otlp
            .unwrap();
        assert!(!format!("{c:?}").contains("hunter2"), "{c:?}");
    }
}
