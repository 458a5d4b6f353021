//! The `[http]` configuration layer: the HTTP settings as a config file's `[http]` table or
//! `ROLLOUT_HTTP_*` environment variables give them, merged (environment over file over the
//! defaults of [`HttpSettings`]) and checked. `config.rs` reads the sources; this module says
//! what the keys are and what values they accept.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::str::FromStr;
use std::time::Duration;

use serde::Deserialize;

use super::settings::{AuthFailureLimit, CorsOrigin, HttpSettings, RateLimit};

/// The HTTP settings one layer gives; `None` leaves the layer below in place.
#[derive(Debug, Default, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpLayer {
    pub introspection: Option<bool>,
    pub cors_origins: Option<Vec<String>>,
    pub max_depth: Option<usize>,
    pub max_complexity: Option<u64>,
    pub max_aliases: Option<usize>,
    pub max_batch: Option<usize>,
    pub max_body_bytes: Option<usize>,
    pub execution_timeout_secs: Option<u64>,
    /// 0 turns rate limiting off.
    pub rate_limit_per_second: Option<u32>,
    /// Defaults to twice the rate.
    pub rate_limit_burst: Option<u32>,
    /// Per client address; 0 turns the failed-authentication budget off.
    pub auth_failures_per_minute: Option<u32>,
    pub auth_failures_global_per_minute: Option<u32>,
    pub header_read_timeout_secs: Option<u64>,
    pub idle_timeout_secs: Option<u64>,
    pub max_connections: Option<usize>,
}

/// A value the HTTP settings cannot take; the message names the key and what it accepts.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HttpSettingError {
    #[error("http setting {name} = {value:?} is not {expected}")]
    Value {
        name: String,
        value: String,
        expected: &'static str,
    },
    #[error("http setting cors_origins: {0}")]
    Origin(String),
}

fn parsed<T: FromStr>(
    env: &HashMap<String, String>,
    key: &str,
    expected: &'static str,
) -> Result<Option<T>, HttpSettingError> {
    let name = format!("ROLLOUT_HTTP_{}", key.to_ascii_uppercase());
    match env.get(&name).map(|v| v.trim()).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(value) => value
            .parse()
            .map(Some)
            .map_err(|_| HttpSettingError::Value {
                name,
                value: value.to_owned(),
                expected,
            }),
    }
}

const COUNT: &str = "a whole number";

/// Far above what one process can hold open, and small enough for a semaphore's `u32`.
const MAX_CONNECTIONS: usize = 1_000_000;

impl HttpLayer {
    /// The `ROLLOUT_HTTP_*` variables of `env`; `ROLLOUT_HTTP_CORS_ORIGINS` is a comma- or
    /// space-separated list.
    pub fn from_env(env: &HashMap<String, String>) -> Result<Self, HttpSettingError> {
        Ok(Self {
            introspection: parsed(env, "introspection", "true or false")?,
            cors_origins: env
                .get("ROLLOUT_HTTP_CORS_ORIGINS")
                .filter(|v| !v.trim().is_empty())
                .map(|v| {
                    v.split([',', ' '])
                        .filter(|o| !o.is_empty())
                        .map(str::to_owned)
                        .collect()
                }),
            max_depth: parsed(env, "max_depth", COUNT)?,
            max_complexity: parsed(env, "max_complexity", COUNT)?,
            max_aliases: parsed(env, "max_aliases", COUNT)?,
            max_batch: parsed(env, "max_batch", COUNT)?,
            max_body_bytes: parsed(env, "max_body_bytes", COUNT)?,
            execution_timeout_secs: parsed(env, "execution_timeout_secs", COUNT)?,
            rate_limit_per_second: parsed(env, "rate_limit_per_second", COUNT)?,
            rate_limit_burst: parsed(env, "rate_limit_burst", COUNT)?,
            auth_failures_per_minute: parsed(env, "auth_failures_per_minute", COUNT)?,
            auth_failures_global_per_minute: parsed(env, "auth_failures_global_per_minute", COUNT)?,
            header_read_timeout_secs: parsed(env, "header_read_timeout_secs", COUNT)?,
            idle_timeout_secs: parsed(env, "idle_timeout_secs", COUNT)?,
            max_connections: parsed(env, "max_connections", COUNT)?,
        })
    }

    /// Each setting of `self`, or of `below` where `self` has none.
    pub fn over(self, below: HttpLayer) -> HttpLayer {
        HttpLayer {
            introspection: self.introspection.or(below.introspection),
            cors_origins: self.cors_origins.or(below.cors_origins),
            max_depth: self.max_depth.or(below.max_depth),
            max_complexity: self.max_complexity.or(below.max_complexity),
            max_aliases: self.max_aliases.or(below.max_aliases),
            max_batch: self.max_batch.or(below.max_batch),
            max_body_bytes: self.max_body_bytes.or(below.max_body_bytes),
            execution_timeout_secs: self.execution_timeout_secs.or(below.execution_timeout_secs),
            rate_limit_per_second: self.rate_limit_per_second.or(below.rate_limit_per_second),
            rate_limit_burst: self.rate_limit_burst.or(below.rate_limit_burst),
            auth_failures_per_minute: self
                .auth_failures_per_minute
                .or(below.auth_failures_per_minute),
            auth_failures_global_per_minute: self
                .auth_failures_global_per_minute
                .or(below.auth_failures_global_per_minute),
            header_read_timeout_secs: self
                .header_read_timeout_secs
                .or(below.header_read_timeout_secs),
            idle_timeout_secs: self.idle_timeout_secs.or(below.idle_timeout_secs),
            max_connections: self.max_connections.or(below.max_connections),
        }
    }

    /// The settings, with defaults for what no layer gave.
    pub fn resolve(self) -> Result<HttpSettings, HttpSettingError> {
        let defaults = HttpSettings::default();
        let mut limits = defaults.limits;
        let positive = |name: &str, value: Option<u64>| match value {
            Some(0) => Err(HttpSettingError::Value {
                name: name.to_owned(),
                value: "0".to_owned(),
                expected: "at least 1",
            }),
            other => Ok(other),
        };
        if let Some(v) = positive("max_depth", self.max_depth.map(|v| v as u64))? {
            limits.max_depth = v as usize;
        }
        if let Some(v) = positive("max_complexity", self.max_complexity)? {
            limits.max_complexity = v;
        }
        if let Some(v) = positive("max_body_bytes", self.max_body_bytes.map(|v| v as u64))? {
            limits.max_body_bytes = v as usize;
        }
        if let Some(v) = positive("execution_timeout_secs", self.execution_timeout_secs)? {
            limits.execution_timeout = Duration::from_secs(v);
        }
        limits.max_aliases = self.max_aliases.unwrap_or(limits.max_aliases);
        limits.max_batch = self.max_batch.unwrap_or(limits.max_batch);
        let cors_origins = self
            .cors_origins
            .unwrap_or_default()
            .iter()
            .map(|o| CorsOrigin::parse(o).map_err(HttpSettingError::Origin))
            .collect::<Result<_, _>>()?;
        let burst = positive("rate_limit_burst", self.rate_limit_burst.map(u64::from))?;
        let rate_limit = match self.rate_limit_per_second {
            None => defaults.rate_limit.map(|default| RateLimit {
                burst: burst
                    .and_then(|b| NonZeroU32::new(b as u32))
                    .unwrap_or(default.burst),
                ..default
            }),
            Some(per_second) => NonZeroU32::new(per_second).map(|rate| {
                let twice = NonZeroU32::new(per_second.saturating_mul(2)).unwrap_or(rate);
                RateLimit::per_second(
                    rate,
                    burst
                        .and_then(|b| NonZeroU32::new(b as u32))
                        .unwrap_or(twice),
                )
            }),
        };
        let global = positive(
            "auth_failures_global_per_minute",
            self.auth_failures_global_per_minute.map(u64::from),
        )?;
        let auth_failures = match self.auth_failures_per_minute {
            None => defaults.auth_failures,
            Some(per_client) => NonZeroU32::new(per_client).map(|per_client| AuthFailureLimit {
                per_client,
                ..AuthFailureLimit::default()
            }),
        }
        .map(|limit| AuthFailureLimit {
            global: global
                .and_then(|g| NonZeroU32::new(g as u32))
                .unwrap_or(limit.global),
            ..limit
        });
        let mut connections = defaults.connections;
        if let Some(v) = positive("header_read_timeout_secs", self.header_read_timeout_secs)? {
            connections.header_read_timeout = Duration::from_secs(v);
        }
        if let Some(v) = positive("idle_timeout_secs", self.idle_timeout_secs)? {
            connections.idle_timeout = Duration::from_secs(v);
        }
        match self.max_connections {
            None => {}
            Some(n @ 1..=MAX_CONNECTIONS) => connections.max_connections = n,
            Some(n) => {
                return Err(HttpSettingError::Value {
                    name: "max_connections".to_owned(),
                    value: n.to_string(),
                    expected: "between 1 and 1000000",
                });
            }
        }
        Ok(HttpSettings {
            limits,
            introspection: self.introspection.unwrap_or(defaults.introspection),
            cors_origins,
            rate_limit,
            auth_failures,
            connections,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::ConnectionLimits;

    fn env(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn nothing_set_gives_the_defaults() {
        assert_eq!(HttpLayer::default().resolve(), Ok(HttpSettings::default()));
    }

    #[test]
    fn environment_values_are_read_and_override_the_file() {
        let file: HttpLayer = toml::from_str(
            "introspection = true\nmax_depth = 20\nmax_batch = 5\ncors_origins = [\"https://a.example.jp\"]\n",
        )
        .unwrap();
        let env = HttpLayer::from_env(&env(&[
            ("ROLLOUT_HTTP_INTROSPECTION", "false"),
            ("ROLLOUT_HTTP_MAX_DEPTH", "12"),
            (
                "ROLLOUT_HTTP_CORS_ORIGINS",
                "https://b.example.jp, http://localhost:5173",
            ),
            ("ROLLOUT_HTTP_EXECUTION_TIMEOUT_SECS", "3"),
            ("ROLLOUT_HTTP_RATE_LIMIT_PER_SECOND", "5"),
            ("ROLLOUT_HTTP_MAX_ALIASES", ""),
        ]))
        .unwrap();
        let s = env.over(file).resolve().unwrap();
        assert!(!s.introspection);
        assert_eq!(
            (s.limits.max_depth, s.limits.max_batch, s.limits.max_aliases),
            (12, 5, 30)
        );
        assert_eq!(s.limits.execution_timeout, Duration::from_secs(3));
        let origins: Vec<_> = s
            .cors_origins
            .iter()
            .map(|o| o.header_value().to_str().unwrap())
            .collect();
        assert_eq!(origins, ["https://b.example.jp", "http://localhost:5173"]);
        let rate = s.rate_limit.unwrap();
        assert_eq!(
            (rate.replenish_interval, rate.burst.get()),
            (Duration::from_millis(200), 10)
        );
    }

    #[test]
    fn rate_limiting_can_be_turned_off_or_given_a_burst() {
        let off = HttpLayer {
            rate_limit_per_second: Some(0),
            ..HttpLayer::default()
        };
        assert_eq!(off.resolve().unwrap().rate_limit, None);
        let burst = HttpLayer {
            rate_limit_burst: Some(7),
            ..HttpLayer::default()
        };
        let rate = burst.resolve().unwrap().rate_limit.unwrap();
        assert_eq!(
            (rate.replenish_interval, rate.burst.get()),
            (Duration::from_millis(20), 7)
        );
    }

    #[test]
    fn connection_limits_and_the_authentication_budget_are_read() {
        let file: HttpLayer = toml::from_str(
            "header_read_timeout_secs = 2\nidle_timeout_secs = 30\nmax_connections = 64\nauth_failures_per_minute = 5\n",
        )
        .unwrap();
        let env = HttpLayer::from_env(&env(&[(
            "ROLLOUT_HTTP_AUTH_FAILURES_GLOBAL_PER_MINUTE",
            "50",
        )]))
        .unwrap();
        let s = env.over(file).resolve().unwrap();
        assert_eq!(
            s.connections,
            ConnectionLimits {
                header_read_timeout: Duration::from_secs(2),
                idle_timeout: Duration::from_secs(30),
                max_connections: 64,
            }
        );
        let budget = s.auth_failures.unwrap();
        assert_eq!((budget.per_client.get(), budget.global.get()), (5, 50));
        let off = HttpLayer {
            auth_failures_per_minute: Some(0),
            ..HttpLayer::default()
        };
        assert_eq!(off.resolve().unwrap().auth_failures, None);
        for bad in [
            HttpLayer {
                max_connections: Some(0),
                ..HttpLayer::default()
            },
            HttpLayer {
                header_read_timeout_secs: Some(0),
                ..HttpLayer::default()
            },
        ] {
            assert!(bad.resolve().is_err());
        }
    }

    #[test]
    fn bad_values_name_the_setting() {
        let err = HttpLayer::from_env(&env(&[("ROLLOUT_HTTP_MAX_DEPTH", "deep")])).unwrap_err();
        assert_eq!(
            err.to_string(),
            "http setting ROLLOUT_HTTP_MAX_DEPTH = \"deep\" is not a whole number"
        );
        let err = HttpLayer {
            max_depth: Some(0),
            ..HttpLayer::default()
        }
        .resolve()
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "http setting max_depth = \"0\" is not at least 1"
        );
        let err = HttpLayer {
            cors_origins: Some(vec!["*".into()]),
            ..HttpLayer::default()
        }
        .resolve()
        .unwrap_err();
        assert!(
            err.to_string()
                .starts_with("http setting cors_origins: CORS origin \"*\""),
            "{err}"
        );
        assert!(toml::from_str::<HttpLayer>("max_dept = 3").is_err());
    }
}
