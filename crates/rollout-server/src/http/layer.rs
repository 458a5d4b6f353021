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
    /// Seconds `/readyz` answers 503 before the listener closes at shutdown; 0 for none.
    pub shutdown_delay_secs: Option<u64>,
    /// Seconds from the signal within which the server has stopped.
    pub shutdown_grace_secs: Option<u64>,
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
            shutdown_delay_secs: parsed(env, "shutdown_delay_secs", COUNT)?,
            shutdown_grace_secs: parsed(env, "shutdown_grace_secs", COUNT)?,
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
            shutdown_delay_secs: self.shutdown_delay_secs.or(below.shutdown_delay_secs),
            shutdown_grace_secs: self.shutdown_grace_secs.or(below.shutdown_grace_secs),
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
        let mut shutdown = defaults.shutdown;
        if let Some(v) = positive("shutdown_grace_secs", self.shutdown_grace_secs)? {
            shutdown.grace = Duration::from_secs(v);
        }
        if let Some(v) = self.shutdown_delay_secs {
            shutdown.delay = Duration::from_secs(v);
        }
        if shutdown.delay >= shutdown.grace {
            return Err(HttpSettingError::Value {
                name: "shutdown_delay_secs".to_owned(),
                value: shutdown.delay.as_secs().to_string(),
                expected: "shorter than shutdown_grace_secs",
            });
        }
        Ok(HttpSettings {
            limits,
            introspection: self.introspection.unwrap_or(defaults.introspection),
            cors_origins,
            rate_limit,
            auth_failures,
            connections,
            shutdown,
        })
    }
}

#[cfg(test)]
#[path = "layer_tests.rs"]
mod tests;
