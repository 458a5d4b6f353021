//! The quality map of priority procedures (issue 13). The QOS improvement guideline
//! (FY2024–2026) sets quality standards for the procedures 10,000 or more people use a year
//! ([`crate::procedure::PRIORITY_THRESHOLD`]); residents complain most of slow result notices,
//! burdensome identity checks and attachments, and complicated input screens. This module owns
//! what an assessment records about a procedure ([`QualityIndicators`], checked by
//! [`check_indicators`]), how each indicator and each of the three principles scores on the
//! Kano levels the programme uses ([`kano`]), the thresholds behind that scoring, read from a
//! TOML file ([`thresholds`], default `thresholds.toml`), and residents' user reviews with
//! their aggregates ([`review`]).
//!
//! Pure like the rest of the crate: which procedures to show, "the current quarter" and who may
//! record what are the app's business; the stored shapes carry no wire derives.

pub mod kano;
pub mod review;
pub mod thresholds;
mod thresholds_file;

#[cfg(test)]
mod kano_tests;
#[cfg(test)]
mod thresholds_tests;

use chrono::{DateTime, Utc};

use crate::procedure::keyed_enum;
use crate::{ProcedureId, QualityAssessmentId, UserId};

pub use kano::{Indicator, IndicatorScore, KanoLevel, Principle, PrincipleScore, QualityScore};
pub use review::{Rating, ReviewAggregate, ReviewChannel, UserReview, check_review};
pub use thresholds::{QualityThresholds, ThresholdsError};

/// The most attachments an assessment may record: beyond this, the figure is a typing error.
pub const MAX_ATTACHMENTS: u32 = 100;
/// The most processing days (standard or actual) an assessment may record: ten years.
pub const MAX_DAYS: u32 = 3650;

keyed_enum!(
    /// How an applicant proves who they are.
    IdentityCheck {
        /// No identity check is needed.
        NoCheck => "NONE",
        /// Photographs or scans of identity documents, uploaded with the application.
        IdUpload => "ID_UPLOAD",
        /// The My Number Card's electronic certificate (公的個人認証), e.g. read by a smartphone.
        MyNumberCard => "MY_NUMBER_CARD",
    }
);

keyed_enum!(
    /// How the procedure's fee is paid.
    FeePayment {
        /// The procedure has no fee: nothing to score.
        NoFee => "NO_FEE",
        /// Online, without cash (card, electronic money, Pay-easy).
        Cashless => "CASHLESS",
        /// Cash or revenue stamps only: a trip to a counter or bank.
        CashOnly => "CASH_ONLY",
    }
);

impl IdentityCheck {
    pub const fn label_ja(self) -> &'static str {
        match self {
            Self::NoCheck => "本人確認不要",
            Self::IdUpload => "本人確認書類の画像添付",
            Self::MyNumberCard => "マイナンバーカード",
        }
    }
}

impl FeePayment {
    pub const fn label_ja(self) -> &'static str {
        match self {
            Self::NoFee => "手数料なし",
            Self::Cashless => "キャッシュレス納付",
            Self::CashOnly => "現金のみ",
        }
    }
}

/// What an assessment records about a procedure as it works today. The review score is not
/// here: it comes from residents' reviews ([`review`]), not from the assessor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QualityIndicators {
    /// From application to result without paper or a visit: the result notice arrives online.
    pub online_end_to_end: bool,
    /// The application screens work on a smartphone.
    pub smartphone_ready: bool,
    /// Documents the applicant must attach.
    pub attachments: u32,
    pub identity_check: IdentityCheck,
    pub fee: FeePayment,
    /// The standard processing period (標準処理期間) in days, when one is set.
    pub standard_days: Option<u32>,
    /// The days processing actually takes (the assessor's measured typical case).
    pub actual_days: Option<u32>,
}

/// Every rule an assessment's indicators break, as `(field, message)`: at most
/// [`MAX_ATTACHMENTS`] attachments and [`MAX_DAYS`] days each.
pub fn check_indicators(i: &QualityIndicators) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    if i.attachments > MAX_ATTACHMENTS {
        out.push((
            "attachments",
            format!(
                "at most {MAX_ATTACHMENTS} attachments (got {})",
                i.attachments
            ),
        ));
    }
    for (field, days) in [
        ("standardDays", i.standard_days),
        ("actualDays", i.actual_days),
    ] {
        if let Some(d) = days
            && d > MAX_DAYS
        {
            out.push((field, format!("at most {MAX_DAYS} days (got {d})")));
        }
    }
    out
}

/// One assessment of a procedure's quality, as stored. Assessments are only ever appended: the
/// latest is the procedure's current state, the earlier ones its history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QualityAssessment {
    pub id: QualityAssessmentId,
    pub procedure_id: ProcedureId,
    pub indicators: QualityIndicators,
    /// What the assessor wants remembered (a comment-length text).
    pub note: Option<String>,
    pub assessed_at: DateTime<Utc>,
    pub assessed_by: UserId,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn indicators() -> QualityIndicators {
        QualityIndicators {
            online_end_to_end: true,
            smartphone_ready: true,
            attachments: 2,
            identity_check: IdentityCheck::MyNumberCard,
            fee: FeePayment::Cashless,
            standard_days: Some(14),
            actual_days: Some(10),
        }
    }

    #[test]
    fn limits_are_inclusive_and_each_breach_names_its_field() {
        let at_limit = QualityIndicators {
            attachments: MAX_ATTACHMENTS,
            standard_days: Some(MAX_DAYS),
            actual_days: Some(MAX_DAYS),
            ..indicators()
        };
        assert!(check_indicators(&at_limit).is_empty());
        let over = QualityIndicators {
            attachments: MAX_ATTACHMENTS + 1,
            standard_days: Some(MAX_DAYS + 1),
            actual_days: Some(MAX_DAYS + 1),
            ..indicators()
        };
        let fields: Vec<&str> = check_indicators(&over)
            .into_iter()
            .map(|(f, _)| f)
            .collect();
        assert_eq!(fields, ["attachments", "standardDays", "actualDays"]);
    }

    #[test]
    fn keys_round_trip() {
        for c in IdentityCheck::ALL {
            assert_eq!(IdentityCheck::parse(c.as_str()), Some(*c));
        }
        for f in FeePayment::ALL {
            assert_eq!(FeePayment::parse(f.as_str()), Some(*f));
        }
        assert_eq!(IdentityCheck::NoCheck.as_str(), "NONE");
    }
}
