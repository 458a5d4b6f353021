//! Scoring a procedure's quality: each indicator reaches a Kano level under the thresholds
//! ([`super::thresholds`]), and each of the programme's three principles (faster, simpler,
//! easier to use) takes the level of the indicators that serve it.
//!
//! The rule for a principle: the **lowest** level among its scored indicators. Kano's must-be
//! qualities are the point: a procedure that pays out in a day but needs its applicant to
//! attach twelve documents is not "simple" because of its speed, and averaging would hide
//! exactly the indicator the office must act on. So a principle also names the indicators that
//! hold it at its level ([`PrincipleScore::limited_by`]). Indicators without a value (no
//! assessment yet, no standard processing period, a procedure without a fee, too few reviews)
//! are not scored and do not count; a principle none of whose indicators is scored has no level.

use crate::procedure::keyed_enum;

use super::QualityIndicators;
use super::review::ReviewAggregate;
use super::thresholds::QualityThresholds;

keyed_enum!(
    /// The three principles the programme scores quality against.
    Principle {
        /// 早く: less waiting, from application to result.
        Faster => "FASTER",
        /// 簡単に: fewer steps, documents and trips.
        Simpler => "SIMPLER",
        /// 使いやすく: screens and devices that suit the applicant.
        Easier => "EASIER",
    }
);

keyed_enum!(
    /// Kano levels, lowest first (the order `Ord` follows).
    KanoLevel {
        /// 未達: not even the must-be quality.
        NotMet => "NOT_MET",
        /// 当たり前品質: what applicants take for granted; only its absence is noticed.
        MustBe => "MUST_BE",
        /// 一元的品質: the better it is, the more satisfied applicants are.
        OneDimensional => "ONE_DIMENSIONAL",
        /// 魅力的品質: more than applicants expect.
        Attractive => "ATTRACTIVE",
    }
);

keyed_enum!(
    /// What the quality map scores, in the map's column order.
    Indicator {
        OnlineEndToEnd => "ONLINE_END_TO_END",
        SmartphoneReady => "SMARTPHONE_READY",
        Attachments => "ATTACHMENTS",
        IdentityCheck => "IDENTITY_CHECK",
        Fee => "FEE",
        /// Actual against standard processing days.
        ProcessingDays => "PROCESSING_DAYS",
        /// The mean rating of residents' reviews.
        ReviewScore => "REVIEW_SCORE",
    }
);

impl Principle {
    pub const fn label_ja(self) -> &'static str {
        match self {
            Self::Faster => "早く",
            Self::Simpler => "簡単に",
            Self::Easier => "使いやすく",
        }
    }

    pub const fn label_en(self) -> &'static str {
        match self {
            Self::Faster => "faster",
            Self::Simpler => "simpler",
            Self::Easier => "easier to use",
        }
    }
}

// `keyed_enum!` derives `Ord` in declaration order, which is lowest first; a unit test pins
// it (`levels_are_ordered_lowest_first`).
impl KanoLevel {
    pub const fn label_ja(self) -> &'static str {
        match self {
            Self::NotMet => "未達",
            Self::MustBe => "当たり前品質",
            Self::OneDimensional => "一元的品質",
            Self::Attractive => "魅力的品質",
        }
    }

    pub const fn label_en(self) -> &'static str {
        match self {
            Self::NotMet => "not met",
            Self::MustBe => "must-be",
            Self::OneDimensional => "one-dimensional",
            Self::Attractive => "attractive",
        }
    }
}

impl Indicator {
    pub const fn label_ja(self) -> &'static str {
        match self {
            Self::OnlineEndToEnd => "オンライン完結",
            Self::SmartphoneReady => "スマートフォン対応",
            Self::Attachments => "添付書類",
            Self::IdentityCheck => "本人確認",
            Self::Fee => "手数料のキャッシュレス納付",
            Self::ProcessingDays => "処理日数（標準処理期間比）",
            Self::ReviewScore => "利用者評価",
        }
    }

    pub const fn label_en(self) -> &'static str {
        match self {
            Self::OnlineEndToEnd => "online end to end",
            Self::SmartphoneReady => "smartphone-ready",
            Self::Attachments => "attachments",
            Self::IdentityCheck => "identity check",
            Self::Fee => "cashless fee",
            Self::ProcessingDays => "actual vs standard processing days",
            Self::ReviewScore => "user review score",
        }
    }
}

/// One indicator's score; `level` is `None` when it has no value to score.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IndicatorScore {
    pub indicator: Indicator,
    pub level: Option<KanoLevel>,
}

/// One principle's score: the lowest level of its scored indicators, and those at that level.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrincipleScore {
    pub principle: Principle,
    /// `None` when none of its indicators is scored.
    pub level: Option<KanoLevel>,
    /// The scored indicators at `level`: what to improve to raise the principle.
    pub limited_by: Vec<Indicator>,
}

/// A procedure's row of the quality map.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QualityScore {
    /// Every indicator, in [`Indicator::ALL`] order.
    pub indicators: Vec<IndicatorScore>,
    /// Every principle, in [`Principle::ALL`] order.
    pub principles: Vec<PrincipleScore>,
}

impl QualityScore {
    pub fn indicator(&self, indicator: Indicator) -> Option<KanoLevel> {
        self.indicators
            .iter()
            .find(|s| s.indicator == indicator)
            .and_then(|s| s.level)
    }

    pub fn principle(&self, principle: Principle) -> Option<KanoLevel> {
        self.principles
            .iter()
            .find(|s| s.principle == principle)
            .and_then(|s| s.level)
    }
}

/// Scores a procedure: its latest assessment (if any) and the aggregate of its reviews in the
/// review window ([`QualityThresholds::review_window_quarters`]).
pub fn score(
    thresholds: &QualityThresholds,
    indicators: Option<&QualityIndicators>,
    reviews: &ReviewAggregate,
) -> QualityScore {
    let indicators: Vec<IndicatorScore> = Indicator::ALL
        .iter()
        .map(|&indicator| IndicatorScore {
            indicator,
            level: thresholds.level(indicator, indicators, reviews),
        })
        .collect();
    let principles = Principle::ALL
        .iter()
        .map(|&principle| {
            let serving: Vec<(Indicator, KanoLevel)> = indicators
                .iter()
                .filter(|s| thresholds.principles(s.indicator).contains(&principle))
                .filter_map(|s| s.level.map(|l| (s.indicator, l)))
                .collect();
            let level = serving.iter().map(|(_, l)| *l).min();
            PrincipleScore {
                principle,
                level,
                limited_by: serving
                    .iter()
                    .filter(|(_, l)| Some(*l) == level)
                    .map(|(i, _)| *i)
                    .collect(),
            }
        })
        .collect();
    QualityScore {
        indicators,
        principles,
    }
}

#[cfg(test)]
mod order_tests {
    use super::KanoLevel;

    #[test]
    fn levels_are_ordered_lowest_first() {
        assert!(KanoLevel::NotMet < KanoLevel::MustBe);
        assert!(KanoLevel::MustBe < KanoLevel::OneDimensional);
        assert!(KanoLevel::OneDimensional < KanoLevel::Attractive);
    }
}
