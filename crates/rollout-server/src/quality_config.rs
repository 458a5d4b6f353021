//! The quality map's settings (issue 13): `[quality]` in the file, `ROLLOUT_QUALITY_THRESHOLDS`
//! and `ROLLOUT_REVIEW_RATE_PER_MINUTE` over it. `thresholds` names a thresholds file replacing
//! the embedded default (`crates/rollout-domain/src/quality/thresholds.toml`, which documents the
//! format); it is read and checked when the server starts, which refuses a bad one with every
//! problem listed. `review_rate_per_minute` limits the user reviews one review intake identity
//! may submit.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rollout_domain::quality::QualityThresholds;
use serde::Deserialize;

use crate::config::ConfigError;

/// Accepted values of [`QualityConfig::review_rate_per_minute`].
pub const REVIEW_RATE_PER_MINUTE: std::ops::RangeInclusive<u32> = 1..=100_000;

/// `[quality]` as written in the file.
#[derive(Debug, Default, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QualityLayer {
    pub thresholds: Option<PathBuf>,
    pub review_rate_per_minute: Option<u32>,
}

/// The effective quality settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QualityConfig {
    /// A thresholds file; `None` is the embedded default.
    pub thresholds: Option<PathBuf>,
    pub review_rate_per_minute: u32,
}

impl Default for QualityConfig {
    fn default() -> Self {
        Self {
            thresholds: None,
            review_rate_per_minute: rollout_app::quality::DEFAULT_REVIEW_RATE_PER_MINUTE,
        }
    }
}

impl QualityConfig {
    /// The file's table under the environment.
    pub fn resolve(file: QualityLayer, env: &HashMap<String, String>) -> Result<Self, ConfigError> {
        let get = |name: &str| env.get(name).map(|v| v.trim()).filter(|v| !v.is_empty());
        let thresholds = get("ROLLOUT_QUALITY_THRESHOLDS")
            .map(PathBuf::from)
            .or(file.thresholds);
        let rate = match get("ROLLOUT_REVIEW_RATE_PER_MINUTE") {
            Some(v) => v.parse().map_err(|_| {
                ConfigError::Invalid(format!(
                    "ROLLOUT_REVIEW_RATE_PER_MINUTE must be a whole number, not {v:?}"
                ))
            })?,
            None => file
                .review_rate_per_minute
                .unwrap_or(Self::default().review_rate_per_minute),
        };
        if !REVIEW_RATE_PER_MINUTE.contains(&rate) {
            return Err(ConfigError::Invalid(format!(
                "[quality] review_rate_per_minute (ROLLOUT_REVIEW_RATE_PER_MINUTE) must be {}–{}, \
                 not {rate}",
                REVIEW_RATE_PER_MINUTE.start(),
                REVIEW_RATE_PER_MINUTE.end()
            )));
        }
        Ok(Self {
            thresholds,
            review_rate_per_minute: rate,
        })
    }
}

/// The thresholds in `path`, or the embedded default; the message names the file and every
/// problem.
pub fn load_thresholds(path: Option<&Path>) -> Result<QualityThresholds, String> {
    let Some(path) = path else {
        return Ok(QualityThresholds::default());
    };
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read the quality thresholds {}: {e}", path.display()))?;
    QualityThresholds::parse(&text)
        .map_err(|e| format!("the quality thresholds {} are invalid: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn environment_over_file_over_defaults() {
        let none = QualityConfig::resolve(QualityLayer::default(), &env(&[])).unwrap();
        assert_eq!(none, QualityConfig::default());
        assert_eq!(none.review_rate_per_minute, 60);
        let file = QualityLayer {
            thresholds: Some("file.toml".into()),
            review_rate_per_minute: Some(10),
        };
        let from_file = QualityConfig::resolve(file.clone(), &env(&[])).unwrap();
        assert_eq!(
            (from_file.thresholds, from_file.review_rate_per_minute),
            (Some("file.toml".into()), 10)
        );
        let over = env(&[
            ("ROLLOUT_QUALITY_THRESHOLDS", "env.toml"),
            ("ROLLOUT_REVIEW_RATE_PER_MINUTE", " 5 "),
        ]);
        let from_env = QualityConfig::resolve(file, &over).unwrap();
        assert_eq!(
            (from_env.thresholds, from_env.review_rate_per_minute),
            (Some("env.toml".into()), 5)
        );
        for bad in ["0", "many", "100001"] {
            let err = QualityConfig::resolve(
                QualityLayer::default(),
                &env(&[("ROLLOUT_REVIEW_RATE_PER_MINUTE", bad)]),
            )
            .unwrap_err();
            assert!(
                err.to_string().contains("ROLLOUT_REVIEW_RATE_PER_MINUTE"),
                "{err}"
            );
        }
    }

    #[test]
    fn a_thresholds_file_is_read_and_checked() {
        assert_eq!(load_thresholds(None).unwrap(), QualityThresholds::default());
        let dir = tempfile::tempdir().unwrap();
        let good = dir.path().join("good.toml");
        let text = rollout_domain::quality::thresholds::DEFAULT_THRESHOLDS
            .replace("min_reviews = 10", "min_reviews = 3");
        std::fs::write(&good, text).unwrap();
        assert_eq!(load_thresholds(Some(&good)).unwrap().min_reviews, 3);
        let bad = dir.path().join("bad.toml");
        std::fs::write(&bad, "[attachments]\n").unwrap();
        let err = load_thresholds(Some(&bad)).unwrap_err();
        assert!(err.contains("bad.toml") && err.contains("invalid"), "{err}");
        let err = load_thresholds(Some(&dir.path().join("missing.toml"))).unwrap_err();
        assert!(err.contains("cannot read"), "{err}");
    }
}
