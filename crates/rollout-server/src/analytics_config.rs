//! The analytics settings of the configuration: `[analytics]` with `forecast_weeks` (how many
//! past weeks of releases the forecast samples) and `[[analytics.targets]]` (the programme
//! targets; without any, the programme's published ones: 70% of processes by 2024-03-31 and
//! 100% of the Tokyo-decidable scope by 2027-03-31). Every target is checked when the
//! configuration is read, so a typo stops the server at start rather than skewing a report.

use rollout_app::analytics::AnalyticsSettings;
use rollout_domain::Category;
use rollout_domain::analytics::targets::{ProgrammeTarget, TargetMeasure, validate_targets};
use serde::Deserialize;

use crate::config::ConfigError;

/// The accepted forecast windows, in weeks.
pub const FORECAST_WEEKS: std::ops::RangeInclusive<u32> = 4..=520;

/// One `[[analytics.targets]]` table.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetLayer {
    pub key: String,
    pub label_ja: String,
    pub label_en: String,
    /// `PROCESSES` (default) or `PROCEDURES`.
    pub measure: Option<String>,
    /// The share to reach, in percent (70, 88.6, 100).
    pub share_percent: f64,
    /// The last day, `YYYY-MM-DD` (Asia/Tokyo).
    pub deadline: String,
    /// `MAJOR`, `STANDARD` or `SUBSIDY`; all categories when absent.
    pub category: Option<String>,
}

/// `[analytics]` as written in the file.
#[derive(Debug, Default, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnalyticsLayer {
    pub forecast_weeks: Option<u32>,
    #[serde(default)]
    pub targets: Vec<TargetLayer>,
}

fn bad(message: String) -> ConfigError {
    ConfigError::Invalid(format!("[analytics] {message}"))
}

impl AnalyticsLayer {
    /// The effective settings: the file's, or the defaults.
    pub fn resolve(self) -> Result<AnalyticsSettings, ConfigError> {
        let mut out = AnalyticsSettings::default();
        if let Some(weeks) = self.forecast_weeks {
            if !FORECAST_WEEKS.contains(&weeks) {
                return Err(bad(format!(
                    "forecast_weeks must be between {} and {}, not {weeks}",
                    FORECAST_WEEKS.start(),
                    FORECAST_WEEKS.end()
                )));
            }
            out.forecast_weeks = weeks;
        }
        if !self.targets.is_empty() {
            out.targets = self
                .targets
                .into_iter()
                .enumerate()
                .map(|(i, t)| target(i, t))
                .collect::<Result<_, _>>()?;
            validate_targets(&out.targets).map_err(|e| bad(e.to_string()))?;
        }
        Ok(out)
    }
}

fn target(index: usize, t: TargetLayer) -> Result<ProgrammeTarget, ConfigError> {
    let at = |what: &str| bad(format!("target {index} ({}): {what}", t.key));
    let measure = match t.measure.as_deref() {
        None => TargetMeasure::Processes,
        Some(raw) => TargetMeasure::parse(raw).ok_or_else(|| {
            at(&format!(
                "measure must be PROCESSES or PROCEDURES, not {raw:?}"
            ))
        })?,
    };
    if !(t.share_percent > 0.0 && t.share_percent <= 100.0) {
        return Err(at(&format!(
            "share_percent must be above 0 and at most 100, not {}",
            t.share_percent
        )));
    }
    let deadline = t.deadline.parse().map_err(|_| {
        at(&format!(
            "deadline must be a date YYYY-MM-DD, not {:?}",
            t.deadline
        ))
    })?;
    let category = match t.category.as_deref() {
        None => None,
        Some(raw) => Some(Category::parse(raw).ok_or_else(|| {
            at(&format!(
                "category must be MAJOR, STANDARD or SUBSIDY, not {raw:?}"
            ))
        })?),
    };
    Ok(ProgrammeTarget {
        key: t.key.clone(),
        label_ja: t.label_ja.clone(),
        label_en: t.label_en.clone(),
        measure,
        basis_points: (t.share_percent * 100.0).round() as u32,
        deadline,
        category,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolve(toml_text: &str) -> Result<AnalyticsSettings, ConfigError> {
        toml::from_str::<AnalyticsLayer>(toml_text)
            .unwrap()
            .resolve()
    }

    #[test]
    fn defaults_are_the_programmes_targets() {
        assert_eq!(resolve("").unwrap(), AnalyticsSettings::default());
    }

    #[test]
    fn targets_are_read_and_checked() {
        let s = resolve(
            r#"forecast_weeks = 13
            [[targets]]
            key = "subsidies"
            label_ja = "補助金のjGrants化"
            label_en = "Subsidies on jGrants"
            measure = "PROCEDURES"
            share_percent = 88.6
            deadline = "2027-03-31"
            category = "SUBSIDY""#,
        )
        .unwrap();
        assert_eq!(s.forecast_weeks, 13);
        assert_eq!(s.targets.len(), 1);
        assert_eq!(s.targets[0].basis_points, 8_860);
        assert_eq!(s.targets[0].category, Some(Category::Subsidy));
        for (bad_line, word) in [
            ("share_percent = 0", "share_percent"),
            ("share_percent = 101", "share_percent"),
            ("deadline = \"2027-02-30\"", "deadline"),
            ("category = \"OTHER\"", "category"),
            ("measure = \"APPLICATIONS\"", "measure"),
        ] {
            let mut lines = vec![
                "[[targets]]",
                "key = \"k\"",
                "label_ja = \"目標\"",
                "label_en = \"Target\"",
                "share_percent = 70",
                "deadline = \"2027-03-31\"",
            ];
            lines.retain(|l| !l.starts_with(bad_line.split(' ').next().unwrap()));
            lines.push(bad_line);
            let err = resolve(&lines.join("\n")).unwrap_err().to_string();
            assert!(err.contains(word), "{bad_line}: {err}");
        }
        assert!(resolve("forecast_weeks = 1").is_err());
    }
}
