//! The quality map of priority procedures and residents' user reviews (issue 13), as use cases:
//! recording a quality assessment (the project office's and admins'), submitting a user review
//! (only the review intake identity, the e-application sites' review form, under a per-identity
//! rate limit: `limiter`), and the reads: the map (`map`: priority procedures with their
//! current indicators, Kano levels per principle and review score), an assessment history and
//! a procedure's review summary per fiscal quarter (`reviews`).
//!
//! The rules are the domain's (`rollout_domain::quality`: validation, thresholds, scoring);
//! this module decides who may act, reads and writes through the store (one batch per write,
//! with its audit entry) and holds the loaded thresholds. Every read asks `App::require_quietly`
//! for `Read`, so the review intake identity, which may read nothing, is refused here too.
//!
//! An assessment may be recorded for any procedure (one may be assessed before its volume
//! reaches 10,000 applications a year); the map lists priority procedures only.

mod assess;
mod limiter;
mod map;
mod reviews;

use std::sync::Arc;

use rollout_domain::FiscalQuarter;
use rollout_domain::quality::QualityThresholds;

pub use assess::RecordQualityAssessment;
pub use map::QualityMapRow;
pub use reviews::{QuarterReviews, ReviewSummary, SubmitUserReview};

use crate::{App, AppError, AppResult, Clock};

/// Default of [`crate::AppSettings::review_rate_per_minute`].
pub const DEFAULT_REVIEW_RATE_PER_MINUTE: u32 = 60;

/// What the quality use cases keep between requests: the thresholds the server loaded and the
/// review limiter's buckets.
#[derive(Debug)]
pub(crate) struct QualityState {
    thresholds: QualityThresholds,
    limiter: limiter::ReviewLimiter,
}

impl QualityState {
    pub(crate) fn new(
        thresholds: QualityThresholds,
        review_rate_per_minute: u32,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            thresholds,
            limiter: limiter::ReviewLimiter::new(review_rate_per_minute, clock),
        }
    }

    pub(crate) fn thresholds(&self) -> &QualityThresholds {
        &self.thresholds
    }
}

impl App {
    /// Replaces the embedded default thresholds (`rollout_domain::quality::thresholds`) with a
    /// deployment's; the review limiter keeps its buckets' settings.
    pub fn with_quality_thresholds(mut self, thresholds: QualityThresholds) -> Self {
        self.quality = Arc::new(QualityState::new(
            thresholds,
            self.quality.limiter.per_minute(),
            self.clock.clone(),
        ));
        self
    }

    /// The thresholds the quality map scores against.
    pub fn quality_thresholds(&self) -> &QualityThresholds {
        self.quality.thresholds()
    }

    /// The current fiscal quarter (today in Tokyo).
    pub(crate) fn current_quarter(&self) -> AppResult<FiscalQuarter> {
        FiscalQuarter::try_containing(self.today()).map_err(|e| {
            AppError::Internal(rollout_store::StoreError::internal(
                "the clock's date has no fiscal quarter",
                e,
            ))
        })
    }

    /// The review window ending with the current quarter: the quarters whose reviews the map's
    /// review score counts, newest first.
    pub fn review_window(&self) -> AppResult<Vec<FiscalQuarter>> {
        let n = self.quality_thresholds().review_window_quarters;
        Ok(quarters_back(self.current_quarter()?, n))
    }
}

/// `n` quarters ending with `last`, newest first (fewer at the start of the calendar).
pub(crate) fn quarters_back(last: FiscalQuarter, n: u32) -> Vec<FiscalQuarter> {
    std::iter::successors(Some(last), FiscalQuarter::previous)
        .take(usize::try_from(n).unwrap_or(usize::MAX))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_run_back_across_fiscal_years() {
        let q = |s: &str| FiscalQuarter::parse(s).unwrap();
        let names = |v: Vec<FiscalQuarter>| v.iter().map(ToString::to_string).collect::<Vec<_>>();
        assert_eq!(
            names(quarters_back(q("FY2022-Q1"), 4)),
            ["FY2022-Q1", "FY2021-Q4", "FY2021-Q3", "FY2021-Q2"]
        );
        assert_eq!(
            names(quarters_back(q("FY1989-Q2"), 4)),
            ["FY1989-Q2", "FY1989-Q1"]
        );
        assert!(quarters_back(q("FY2022-Q1"), 0).is_empty());
    }
}
