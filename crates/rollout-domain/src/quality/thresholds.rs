//! The thresholds of the quality map and their file format (TOML; `thresholds.toml` beside this
//! file is the embedded default and documents every key). Like the workflow file, this is a file
//! format, the only reason for serde in this module: the file's shapes are private (in
//! `thresholds_file.rs`), and what the rest of the crate sees is [`QualityThresholds`], built only by [`QualityThresholds::parse`], which
//! checks the rules the default file states and reports every problem at once. Unknown keys are
//! refused, so a typo (`at_mots`) cannot silently drop a threshold.

use std::collections::BTreeMap;

use super::kano::{Indicator, KanoLevel, Principle};
use super::review::ReviewAggregate;
use super::thresholds_file::{FileDef, FileYesNo};
use super::{FeePayment, IdentityCheck, QualityIndicators};

/// The embedded default thresholds file.
pub const DEFAULT_THRESHOLDS: &str = include_str!("thresholds.toml");

/// The longest review window: ten years of quarters.
pub const MAX_WINDOW_QUARTERS: u32 = 40;

/// Why a thresholds file was refused: every problem found, each naming its key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", .0.join("; "))]
pub struct ThresholdsError(pub Vec<String>);

/// One step of a threshold ladder: values within `limit` reach `level`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Step {
    pub limit: u32,
    pub level: KanoLevel,
}

/// Steps from the strictest to the loosest limit, and the level beyond the last.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ladder {
    pub steps: Vec<Step>,
    pub otherwise: KanoLevel,
}

impl Ladder {
    /// The level of the first step `within` holds for, else `otherwise`.
    fn level(&self, within: impl Fn(u32) -> bool) -> KanoLevel {
        self.steps
            .iter()
            .find(|s| within(s.limit))
            .map_or(self.otherwise, |s| s.level)
    }
}

/// What the quality map scores against; see `thresholds.toml` for the meaning of each part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QualityThresholds {
    principles: BTreeMap<&'static str, Vec<Principle>>,
    pub online_end_to_end: (KanoLevel, KanoLevel),
    pub smartphone_ready: (KanoLevel, KanoLevel),
    /// `limit` = most attachments.
    pub attachments: Ladder,
    /// Kinds left out are not scored.
    pub identity_check: Vec<(IdentityCheck, KanoLevel)>,
    pub fee: Vec<(FeePayment, KanoLevel)>,
    /// `limit` = most actual days per 100 standard days.
    pub processing_days: Ladder,
    /// `limit` = least mean rating, in hundredths.
    pub review_score: Ladder,
    pub min_reviews: u32,
    pub review_window_quarters: u32,
}

impl Default for QualityThresholds {
    fn default() -> Self {
        Self::parse(DEFAULT_THRESHOLDS).expect("the embedded thresholds.toml is valid (tested)")
    }
}

impl QualityThresholds {
    /// The principles `indicator` serves.
    pub fn principles(&self, indicator: Indicator) -> &[Principle] {
        self.principles
            .get(file_key(indicator))
            .map_or(&[], Vec::as_slice)
    }

    /// The level `indicator` reaches, `None` when there is nothing to score.
    pub fn level(
        &self,
        indicator: Indicator,
        indicators: Option<&QualityIndicators>,
        reviews: &ReviewAggregate,
    ) -> Option<KanoLevel> {
        let yes_no = |(yes, no): (KanoLevel, KanoLevel), v: bool| if v { yes } else { no };
        match indicator {
            Indicator::ReviewScore => self.review_level(reviews),
            Indicator::OnlineEndToEnd => {
                indicators.map(|i| yes_no(self.online_end_to_end, i.online_end_to_end))
            }
            Indicator::SmartphoneReady => {
                indicators.map(|i| yes_no(self.smartphone_ready, i.smartphone_ready))
            }
            Indicator::Attachments => {
                indicators.map(|i| self.attachments.level(|most| i.attachments <= most))
            }
            Indicator::IdentityCheck => {
                indicators.and_then(|i| lookup(&self.identity_check, i.identity_check))
            }
            Indicator::Fee => indicators.and_then(|i| lookup(&self.fee, i.fee)),
            Indicator::ProcessingDays => indicators.and_then(|i| {
                let (actual, standard) = (i.actual_days?, i.standard_days?);
                // actual / standard <= percent / 100, in integers; a standard of 0 days is met
                // only by 0 actual days.
                Some(self.processing_days.level(|percent| {
                    u64::from(actual) * 100 <= u64::from(percent) * u64::from(standard)
                }))
            }),
        }
    }

    /// The review score's level: `None` below `min_reviews` reviews.
    pub fn review_level(&self, reviews: &ReviewAggregate) -> Option<KanoLevel> {
        (reviews.count() >= u64::from(self.min_reviews)).then(|| {
            self.review_score
                .level(|least| reviews.mean_at_least(least))
        })
    }

    /// Parses and checks a thresholds file; every problem is reported.
    pub fn parse(text: &str) -> Result<Self, ThresholdsError> {
        let file: FileDef =
            toml::from_str(text).map_err(|e| ThresholdsError(vec![e.to_string()]))?;
        let mut p = Problems::default();
        let mut principles = BTreeMap::new();
        for (key, raw) in [
            ("online_end_to_end", &file.online_end_to_end.principles),
            ("smartphone_ready", &file.smartphone_ready.principles),
            ("attachments", &file.attachments.principles),
            ("identity_check", &file.identity_check.principles),
            ("fee", &file.fee.principles),
            ("processing_days", &file.processing_days.principles),
            ("review_score", &file.review_score.principles),
        ] {
            principles.insert(key, p.principles(key, raw));
        }
        for principle in Principle::ALL {
            if !principles.values().any(|ps| ps.contains(principle)) {
                p.push(format!(
                    "no indicator serves the principle {}",
                    principle.as_str()
                ));
            }
        }
        let yes_no = |p: &mut Problems, key: &str, f: &FileYesNo| {
            let yes = p.level(&format!("{key}.yes"), &f.yes);
            let no = p.level(&format!("{key}.no"), &f.no);
            if no > yes {
                p.push(format!(
                    "{key}: `no` ({}) is above `yes` ({})",
                    no.as_str(),
                    yes.as_str()
                ));
            }
            (yes, no)
        };
        let online_end_to_end = yes_no(&mut p, "online_end_to_end", &file.online_end_to_end);
        let smartphone_ready = yes_no(&mut p, "smartphone_ready", &file.smartphone_ready);
        let attachments = p.ladder(
            "attachments",
            file.attachments
                .steps
                .iter()
                .map(|s| (s.at_most, s.level.as_str())),
            &file.attachments.otherwise,
            Loosens::Upwards,
        );
        let processing_days = p.ladder(
            "processing_days",
            file.processing_days
                .steps
                .iter()
                .map(|s| (s.at_most_percent, s.level.as_str())),
            &file.processing_days.otherwise,
            Loosens::Upwards,
        );
        let review = &file.review_score;
        let hundredths: Vec<(u32, &str)> = review
            .steps
            .iter()
            .map(|s| (p.rating_hundredths(s.at_least), s.level.as_str()))
            .collect();
        let review_score = p.ladder(
            "review_score",
            hundredths,
            &review.otherwise,
            Loosens::Downwards,
        );
        if review.min_reviews == 0 {
            p.push("review_score.min_reviews must be at least 1".into());
        }
        if !(1..=MAX_WINDOW_QUARTERS).contains(&review.window_quarters) {
            p.push(format!(
                "review_score.window_quarters must be between 1 and {MAX_WINDOW_QUARTERS} (got {})",
                review.window_quarters
            ));
        }
        let identity_check = p.choices(
            "identity_check",
            &file.identity_check.levels,
            IdentityCheck::parse,
        );
        let fee = p.choices("fee", &file.fee.levels, FeePayment::parse);
        if !p.0.is_empty() {
            return Err(ThresholdsError(p.0));
        }
        Ok(Self {
            principles,
            online_end_to_end,
            smartphone_ready,
            attachments,
            identity_check,
            fee,
            processing_days,
            review_score,
            min_reviews: review.min_reviews,
            review_window_quarters: review.window_quarters,
        })
    }
}

fn lookup<T: PartialEq + Copy>(levels: &[(T, KanoLevel)], value: T) -> Option<KanoLevel> {
    levels.iter().find(|(v, _)| *v == value).map(|(_, l)| *l)
}

/// The file's key (a table name) of each indicator.
const fn file_key(indicator: Indicator) -> &'static str {
    match indicator {
        Indicator::OnlineEndToEnd => "online_end_to_end",
        Indicator::SmartphoneReady => "smartphone_ready",
        Indicator::Attachments => "attachments",
        Indicator::IdentityCheck => "identity_check",
        Indicator::Fee => "fee",
        Indicator::ProcessingDays => "processing_days",
        Indicator::ReviewScore => "review_score",
    }
}

/// Which way a ladder's limits loosen: `at_most` limits grow, `at_least` limits shrink.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Loosens {
    Upwards,
    Downwards,
}

/// Problems found so far; the converters return a stand-in value after recording a problem,
/// so that one pass finds them all.
#[derive(Default)]
struct Problems(Vec<String>);

impl Problems {
    fn push(&mut self, problem: String) {
        self.0.push(problem);
    }

    fn level(&mut self, key: &str, raw: &str) -> KanoLevel {
        KanoLevel::parse(raw).unwrap_or_else(|| {
            self.push(format!(
                "{key}: unknown level {raw:?} (NOT_MET, MUST_BE, ONE_DIMENSIONAL or ATTRACTIVE)"
            ));
            KanoLevel::NotMet
        })
    }

    fn principles(&mut self, key: &str, raw: &[String]) -> Vec<Principle> {
        let mut out = Vec::new();
        for name in raw {
            match Principle::parse(name) {
                Some(principle) if out.contains(&principle) => {
                    self.push(format!("{key}.principles names {name} twice"));
                }
                Some(principle) => out.push(principle),
                None => self.push(format!(
                    "{key}.principles: unknown principle {name:?} (FASTER, SIMPLER or EASIER)"
                )),
            }
        }
        if raw.is_empty() {
            self.push(format!("{key}.principles must name at least one principle"));
        }
        out
    }

    fn rating_hundredths(&mut self, at_least: f64) -> u32 {
        let hundredths = (at_least * 100.0).round();
        if !(100.0..=500.0).contains(&hundredths) || (at_least * 100.0 - hundredths).abs() > 1e-6 {
            self.push(format!(
                "review_score: at_least = {at_least} must be a rating from 1 to 5 with at most two decimals"
            ));
            return 100;
        }
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // 100..=500
        let whole = hundredths as u32;
        whole
    }

    fn ladder<'a>(
        &mut self,
        key: &str,
        steps: impl IntoIterator<Item = (u32, &'a str)>,
        otherwise: &str,
        loosens: Loosens,
    ) -> Ladder {
        let steps: Vec<Step> = steps
            .into_iter()
            .enumerate()
            .map(|(i, (limit, raw))| Step {
                limit,
                level: self.level(&format!("{key}.steps[{i}].level"), raw),
            })
            .collect();
        let otherwise = self.level(&format!("{key}.otherwise"), otherwise);
        for (i, pair) in steps.windows(2).enumerate() {
            let stricter = match loosens {
                Loosens::Upwards => pair[0].limit < pair[1].limit,
                Loosens::Downwards => pair[0].limit > pair[1].limit,
            };
            if !stricter {
                self.push(format!(
                    "{key}.steps[{}] must be looser than steps[{i}]: list steps from the strictest",
                    i + 1
                ));
            }
            if pair[1].level > pair[0].level {
                self.push(format!(
                    "{key}.steps[{}] reaches a higher level than the stricter steps[{i}]",
                    i + 1
                ));
            }
        }
        if let Some(last) = steps.last()
            && otherwise > last.level
        {
            self.push(format!("{key}.otherwise is above the loosest step's level"));
        }
        Ladder { steps, otherwise }
    }

    fn choices<T: Copy>(
        &mut self,
        key: &str,
        raw: &BTreeMap<String, String>,
        parse: impl Fn(&str) -> Option<T>,
    ) -> Vec<(T, KanoLevel)> {
        let mut out = Vec::new();
        for (name, level) in raw {
            let level = self.level(&format!("{key}.levels.{name}"), level);
            match parse(name) {
                Some(value) => out.push((value, level)),
                None => self.push(format!("{key}.levels: unknown value {name:?}")),
            }
        }
        out
    }
}
