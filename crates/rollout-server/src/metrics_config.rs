//! The metrics listener's setting: `[metrics] listen = "127.0.0.1:9464"` in the file, with
//! `ROLLOUT_METRICS_LISTEN` over it. Unset (the default) means no metrics at all: no recorder is
//! installed and no port is opened. The address is its own listener, never the public one, so
//! that a proxy in front of the API cannot expose the metrics by accident.

use std::collections::HashMap;
use std::net::SocketAddr;

use serde::Deserialize;

use crate::config::ConfigError;

/// The environment variable over `[metrics] listen`.
pub const LISTEN_VAR: &str = "ROLLOUT_METRICS_LISTEN";

/// `[metrics]` as written in the file.
#[derive(Debug, Default, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetricsLayer {
    pub listen: Option<String>,
}

/// The effective metrics setting.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct MetricsConfig {
    /// Where `GET /metrics` is served; `None`: metrics are off.
    pub listen: Option<SocketAddr>,
}

impl MetricsConfig {
    /// The file's table under the environment.
    pub fn resolve(file: MetricsLayer, env: &HashMap<String, String>) -> Result<Self, ConfigError> {
        let from_env = env
            .get(LISTEN_VAR)
            .map(|v| v.trim())
            .filter(|v| !v.is_empty());
        let Some(value) = from_env.map(str::to_owned).or(file.listen) else {
            return Ok(Self::default());
        };
        let listen = value.trim().parse().map_err(|_| {
            ConfigError::Invalid(format!(
                "[metrics] listen ({LISTEN_VAR}) {value:?} is not an IP address and port like 127.0.0.1:9464"
            ))
        })?;
        Ok(Self {
            listen: Some(listen),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An environment with `ROLLOUT_METRICS_LISTEN` set to `value`, or without it.
    fn env(value: Option<&str>) -> HashMap<String, String> {
        value
            .map(|v| (LISTEN_VAR.to_owned(), v.to_owned()))
            .into_iter()
            .collect()
    }

    #[test]
    fn off_unless_set_and_the_environment_wins() {
        let none = MetricsConfig::resolve(MetricsLayer::default(), &env(None)).unwrap();
        assert_eq!(none.listen, None);
        let file = MetricsLayer {
            listen: Some("127.0.0.1:9464".into()),
        };
        let c = MetricsConfig::resolve(file.clone(), &env(None)).unwrap();
        assert_eq!(c.listen, Some("127.0.0.1:9464".parse().unwrap()));
        let c = MetricsConfig::resolve(file.clone(), &env(Some("0.0.0.0:9100"))).unwrap();
        assert_eq!(c.listen, Some("0.0.0.0:9100".parse().unwrap()));
        let c = MetricsConfig::resolve(file, &env(Some(" "))).unwrap();
        assert_eq!(
            c.listen,
            Some("127.0.0.1:9464".parse().unwrap()),
            "blank env ignored"
        );
    }

    #[test]
    fn the_example_block_parses_once_uncommented() {
        let text = include_str!("../../../rollout.example.toml");
        let start = text
            .find("# [metrics]")
            .expect("the example documents [metrics]");
        let block: String = text[start..]
            .lines()
            .take(2)
            .map(|l| l.strip_prefix("# ").unwrap_or(l))
            .collect::<Vec<_>>()
            .join("\n");
        let file = crate::config::parse_file_layers(std::path::Path::new("rollout.toml"), &block)
            .expect("valid [metrics]");
        let c = MetricsConfig::resolve(file.metrics, &env(None)).unwrap();
        assert_eq!(c.listen, Some("127.0.0.1:9464".parse().unwrap()));
    }

    #[test]
    fn a_bad_address_names_the_setting() {
        let err = MetricsConfig::resolve(MetricsLayer::default(), &env(Some("localhost")))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("[metrics] listen") && err.contains("localhost"),
            "{err}"
        );
    }
}
