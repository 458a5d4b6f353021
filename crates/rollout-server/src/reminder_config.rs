//! The reminder settings of the configuration: `[scheduler]` (whether this replica evaluates
//! ticks, how deliveries are sent and retried) and `[email]` (off until configured; SMTP with
//! TLS or STARTTLS, or `.eml` files for development). `ROLLOUT_SCHEDULER_ENABLED` overrides
//! `[scheduler] enabled`.

use std::collections::HashMap;
use std::time::Duration;

use rollout_scheduler::SchedulerSettings;
use rollout_scheduler::delivery::{EmailTransportConfig, RetryPolicy};
use serde::Deserialize;

use crate::config::ConfigError;

/// `[scheduler]` as written in the file.
#[derive(Debug, Default, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SchedulerLayer {
    pub enabled: Option<bool>,
    pub delivery_concurrency: Option<usize>,
    pub max_attempts: Option<u32>,
    pub retry_base_seconds: Option<u64>,
    pub retry_max_seconds: Option<u64>,
}

/// The effective reminder settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReminderConfig {
    /// Evaluate ticks in this process (deliveries are sent either way).
    pub enabled: bool,
    pub delivery_concurrency: usize,
    pub max_attempts: u32,
    pub retry_base: Duration,
    pub retry_max: Duration,
    pub email: EmailTransportConfig,
    /// The scheduler's longest sleep (how late a lost wake-up makes anything); not a file
    /// setting, tests shorten it.
    pub max_sleep: Duration,
}

impl Default for ReminderConfig {
    fn default() -> Self {
        let retry = RetryPolicy::default();
        Self {
            enabled: true,
            delivery_concurrency: SchedulerSettings::default().concurrency,
            max_attempts: retry.max_attempts,
            retry_base: retry.base,
            retry_max: retry.max,
            email: EmailTransportConfig::Off,
            max_sleep: SchedulerSettings::default().max_sleep,
        }
    }
}

impl ReminderConfig {
    /// The file's tables under the environment.
    pub fn resolve(
        file: SchedulerLayer,
        email: Option<EmailTransportConfig>,
        env: &HashMap<String, String>,
    ) -> Result<Self, ConfigError> {
        let d = Self::default();
        let enabled = match env.get("ROLLOUT_SCHEDULER_ENABLED").map(|v| v.trim()) {
            Some("true" | "1") => true,
            Some("false" | "0") => false,
            Some("") | None => file.enabled.unwrap_or(d.enabled),
            Some(other) => {
                return Err(ConfigError::Invalid(format!(
                    "ROLLOUT_SCHEDULER_ENABLED must be true or false, not {other:?}"
                )));
            }
        };
        let concurrency = file.delivery_concurrency.unwrap_or(d.delivery_concurrency);
        if !(1..=256).contains(&concurrency) {
            return Err(ConfigError::Invalid(format!(
                "[scheduler] delivery_concurrency must be 1–256, not {concurrency}"
            )));
        }
        let max_attempts = file.max_attempts.unwrap_or(d.max_attempts);
        if !(1..=100).contains(&max_attempts) {
            return Err(ConfigError::Invalid(format!(
                "[scheduler] max_attempts must be 1–100, not {max_attempts}"
            )));
        }
        let retry_base = file
            .retry_base_seconds
            .map_or(d.retry_base, Duration::from_secs);
        let retry_max = file
            .retry_max_seconds
            .map_or(d.retry_max, Duration::from_secs);
        if retry_base.is_zero() || retry_max < retry_base || retry_max > Duration::from_secs(86_400)
        {
            return Err(ConfigError::Invalid(
                "[scheduler] needs 0 < retry_base_seconds ≤ retry_max_seconds ≤ 86400".into(),
            ));
        }
        Ok(Self {
            enabled,
            delivery_concurrency: concurrency,
            max_attempts,
            retry_base,
            retry_max,
            email: email.unwrap_or(EmailTransportConfig::Off),
            max_sleep: d.max_sleep,
        })
    }

    /// The scheduler's settings.
    pub fn scheduler(&self) -> SchedulerSettings {
        SchedulerSettings {
            ticks: self.enabled,
            concurrency: self.delivery_concurrency,
            retry: RetryPolicy {
                max_attempts: self.max_attempts,
                base: self.retry_base,
                max: self.retry_max,
            },
            max_sleep: self.max_sleep,
            ..SchedulerSettings::default()
        }
    }
}

impl ReminderConfig {
    /// Whether e-mail is configured (rules queue e-mails only then).
    pub fn email_enabled(&self) -> bool {
        self.email != EmailTransportConfig::Off
    }

    /// The delivery channels: the e-mail sender when configured and the webhook HTTP client.
    pub fn channels(&self) -> Result<rollout_scheduler::Channels, String> {
        let email = rollout_scheduler::delivery::EmailSender::new(&self.email)
            .map_err(|e| format!("[email] is misconfigured: {e}"))?
            .map(std::sync::Arc::new);
        let http = rollout_scheduler::delivery::webhook::client()
            .map_err(|e| format!("cannot build the webhook HTTP client: {e}"))?;
        Ok(rollout_scheduler::Channels { email, http })
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::config::parse_file_layers;

    fn resolve(file: &str, env: &[(&str, &str)]) -> Result<ReminderConfig, ConfigError> {
        let layers = parse_file_layers(Path::new("rollout.toml"), file).unwrap();
        let env = env
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        ReminderConfig::resolve(layers.scheduler, layers.email, &env)
    }

    #[test]
    fn the_scheduler_runs_and_e_mail_is_off_by_default() {
        let c = resolve("", &[]).unwrap();
        assert!(c.enabled);
        assert!(!c.email_enabled());
        assert_eq!(c, ReminderConfig::default());
    }

    #[test]
    fn the_file_and_the_environment_turn_the_scheduler_off() {
        assert!(
            !resolve("[scheduler]\nenabled = false\n", &[])
                .unwrap()
                .enabled
        );
        let env = [("ROLLOUT_SCHEDULER_ENABLED", "false")];
        assert!(!resolve("", &env).unwrap().enabled);
        let env = [("ROLLOUT_SCHEDULER_ENABLED", "true")];
        assert!(
            resolve("[scheduler]\nenabled = false\n", &env)
                .unwrap()
                .enabled
        );
        let err = resolve("", &[("ROLLOUT_SCHEDULER_ENABLED", "sometimes")]).unwrap_err();
        assert!(err.to_string().contains("true or false"), "{err}");
    }

    #[test]
    fn smtp_settings_parse_and_bad_retry_settings_are_refused() {
        let file = "[email]\ntransport = \"smtp\"\nhost = \"smtp.example.jp\"\ntls = \"starttls\"\n\
                    from = \"rollout <rollout@example.jp>\"\n";
        let c = resolve(file, &[]).unwrap();
        assert!(c.email_enabled());
        assert!(c.channels().unwrap().email.is_some());
        let bad = "[scheduler]\nretry_base_seconds = 100\nretry_max_seconds = 10\n";
        assert!(resolve(bad, &[]).is_err());
        assert!(resolve("[scheduler]\nmax_attempts = 0\n", &[]).is_err());
        assert!(parse_file_layers(Path::new("r.toml"), "[scheduler]\nsurprise = 1\n").is_err());
    }
}
