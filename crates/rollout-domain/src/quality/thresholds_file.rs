//! The thresholds file's shapes as serde reads them (see `thresholds.toml` for the format).
//! Private to the quality module: [`super::thresholds`] checks them and builds
//! `QualityThresholds`; nothing else sees them. Unknown keys are refused.

use std::collections::BTreeMap;

use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileDef {
    pub(super) online_end_to_end: FileYesNo,
    pub(super) smartphone_ready: FileYesNo,
    pub(super) attachments: FileAtMost,
    pub(super) identity_check: FileChoice,
    pub(super) fee: FileChoice,
    pub(super) processing_days: FilePercent,
    pub(super) review_score: FileReview,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileYesNo {
    pub(super) principles: Vec<String>,
    pub(super) yes: String,
    pub(super) no: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileAtMost {
    pub(super) principles: Vec<String>,
    pub(super) steps: Vec<FileAtMostStep>,
    pub(super) otherwise: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileAtMostStep {
    pub(super) at_most: u32,
    pub(super) level: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FilePercent {
    pub(super) principles: Vec<String>,
    pub(super) steps: Vec<FilePercentStep>,
    pub(super) otherwise: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FilePercentStep {
    pub(super) at_most_percent: u32,
    pub(super) level: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileChoice {
    pub(super) principles: Vec<String>,
    pub(super) levels: BTreeMap<String, String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileReview {
    pub(super) principles: Vec<String>,
    pub(super) min_reviews: u32,
    pub(super) window_quarters: u32,
    pub(super) steps: Vec<FileReviewStep>,
    pub(super) otherwise: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileReviewStep {
    pub(super) at_least: f64,
    pub(super) level: String,
}
