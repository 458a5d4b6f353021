//! The quality map's API types, converted by hand from the domain's: the enums, the recorded
//! indicators, an assessment (with the levels its indicators reach under the loaded
//! thresholds), Kano levels per indicator and per principle with their Japanese and English
//! labels, review statistics, a submitted review and a procedure's review summary.

use std::sync::Arc;

use async_graphql::{Context, Enum, ID, Object, SimpleObject};
use rollout_domain::quality::{self as domain, kano};
use tracing::instrument;

use crate::enums::mirror_enum;
use crate::identity::User;
use crate::ids::{NodeType, global_id};
use crate::loaders::{ProcedureBatch, UserBatch};
use crate::procedure::Procedure;
use crate::scalars::{DateTime, FiscalQuarter};
use crate::{app, ids};

mirror_enum!(
    /// Kano levels, lowest first: 未達, 当たり前品質 (must-be), 一元的品質 (one-dimensional),
    /// 魅力的品質 (attractive).
    KanoLevel <=> domain::KanoLevel {
        NotMet => "NOT_MET",
        MustBe => "MUST_BE",
        OneDimensional => "ONE_DIMENSIONAL",
        Attractive => "ATTRACTIVE",
    }
);

mirror_enum!(
    /// The three principles quality is scored against: 早く, 簡単に, 使いやすく.
    QualityPrinciple <=> domain::Principle {
        Faster => "FASTER",
        Simpler => "SIMPLER",
        Easier => "EASIER",
    }
);

mirror_enum!(
    /// What the quality map scores.
    QualityIndicator <=> domain::Indicator {
        OnlineEndToEnd => "ONLINE_END_TO_END",
        SmartphoneReady => "SMARTPHONE_READY",
        Attachments => "ATTACHMENTS",
        IdentityCheck => "IDENTITY_CHECK",
        Fee => "FEE",
        ProcessingDays => "PROCESSING_DAYS",
        ReviewScore => "REVIEW_SCORE",
    }
);

mirror_enum!(
    /// How an applicant proves who they are.
    IdentityCheck <=> domain::IdentityCheck {
        NoCheck => "NONE",
        IdUpload => "ID_UPLOAD",
        MyNumberCard => "MY_NUMBER_CARD",
    }
);

mirror_enum!(
    /// How the procedure's fee is paid; NO_FEE is not scored.
    FeePayment <=> domain::FeePayment {
        NoFee => "NO_FEE",
        Cashless => "CASHLESS",
        CashOnly => "CASH_ONLY",
    }
);

mirror_enum!(
    /// Where the applicant was when they applied and reviewed.
    ReviewChannel <=> domain::ReviewChannel {
        Pc => "PC",
        Smartphone => "SMARTPHONE",
        Counter => "COUNTER",
        Other => "OTHER",
    }
);

/// What an assessment recorded about a procedure.
#[derive(Debug, Clone, SimpleObject)]
pub struct QualityIndicators {
    /// The result arrives online too: no paper, no visit.
    pub online_end_to_end: bool,
    pub smartphone_ready: bool,
    pub attachments: i32,
    pub identity_check: IdentityCheck,
    pub fee: FeePayment,
    /// The standard processing period (標準処理期間), in days.
    pub standard_days: Option<i32>,
    /// The days processing actually takes.
    pub actual_days: Option<i32>,
}

fn int(v: u32) -> i32 {
    i32::try_from(v).unwrap_or(i32::MAX)
}

impl From<&domain::QualityIndicators> for QualityIndicators {
    fn from(i: &domain::QualityIndicators) -> Self {
        Self {
            online_end_to_end: i.online_end_to_end,
            smartphone_ready: i.smartphone_ready,
            attachments: int(i.attachments),
            identity_check: i.identity_check.into(),
            fee: i.fee.into(),
            standard_days: i.standard_days.map(int),
            actual_days: i.actual_days.map(int),
        }
    }
}

/// The Kano level one indicator reaches; `level` is null when there is nothing to score (no
/// assessment, no fee, no standard period, too few reviews).
#[derive(Debug, Clone, SimpleObject)]
pub struct IndicatorLevel {
    pub indicator: QualityIndicator,
    pub label_ja: &'static str,
    pub label_en: &'static str,
    /// The principles this indicator serves (from the thresholds file).
    pub principles: Vec<QualityPrinciple>,
    pub level: Option<KanoLevel>,
    pub level_ja: Option<&'static str>,
    pub level_en: Option<&'static str>,
}

impl IndicatorLevel {
    pub(crate) fn new(
        thresholds: &domain::QualityThresholds,
        score: &kano::IndicatorScore,
    ) -> Self {
        let i = score.indicator;
        Self {
            indicator: i.into(),
            label_ja: i.label_ja(),
            label_en: i.label_en(),
            principles: thresholds
                .principles(i)
                .iter()
                .map(|p| (*p).into())
                .collect(),
            level: score.level.map(Into::into),
            level_ja: score.level.map(domain::KanoLevel::label_ja),
            level_en: score.level.map(domain::KanoLevel::label_en),
        }
    }
}

/// A principle's level: the lowest level among its scored indicators.
#[derive(Debug, Clone, SimpleObject)]
pub struct PrincipleLevel {
    pub principle: QualityPrinciple,
    /// 早く, 簡単に, 使いやすく.
    pub label_ja: &'static str,
    pub label_en: &'static str,
    /// Null when none of its indicators is scored.
    pub level: Option<KanoLevel>,
    pub level_ja: Option<&'static str>,
    pub level_en: Option<&'static str>,
    /// The scored indicators at that level: what to improve to raise it.
    pub limited_by: Vec<QualityIndicator>,
}

impl From<&kano::PrincipleScore> for PrincipleLevel {
    fn from(s: &kano::PrincipleScore) -> Self {
        Self {
            principle: s.principle.into(),
            label_ja: s.principle.label_ja(),
            label_en: s.principle.label_en(),
            level: s.level.map(Into::into),
            level_ja: s.level.map(domain::KanoLevel::label_ja),
            level_en: s.level.map(domain::KanoLevel::label_en),
            limited_by: s.limited_by.iter().map(|i| (*i).into()).collect(),
        }
    }
}

/// Reviews counted: how many, their mean rating and how many gave 1, 2, 3, 4 and 5.
#[derive(Debug, Clone, SimpleObject)]
pub struct ReviewStats {
    pub count: i32,
    /// Null without reviews.
    pub mean: Option<f64>,
    /// Reviews rated 1, 2, 3, 4 and 5, in that order.
    pub distribution: Vec<i32>,
}

impl From<&domain::ReviewAggregate> for ReviewStats {
    fn from(a: &domain::ReviewAggregate) -> Self {
        let int = |n: u64| i32::try_from(n).unwrap_or(i32::MAX);
        Self {
            count: int(a.count()),
            mean: a.mean(),
            distribution: a.distribution().into_iter().map(int).collect(),
        }
    }
}

/// One quality assessment of a procedure. The latest is the procedure's row on the quality map.
#[derive(Debug, Clone)]
pub struct QualityAssessment {
    row: domain::QualityAssessment,
    procedure: Option<Procedure>,
    page: Arc<AssessmentRefs>,
}

#[derive(Debug)]
struct AssessmentRefs {
    procedures: ProcedureBatch,
    assessors: UserBatch,
}

impl QualityAssessment {
    /// The assessments of one page, whose procedures and assessors load together.
    pub(crate) fn page(rows: Vec<domain::QualityAssessment>) -> Vec<Self> {
        let page = Arc::new(AssessmentRefs {
            procedures: ProcedureBatch::new(rows.iter().map(|a| a.procedure_id)),
            assessors: UserBatch::new(rows.iter().map(|a| a.assessed_by)),
        });
        rows.into_iter()
            .map(|row| Self {
                row,
                procedure: None,
                page: page.clone(),
            })
            .collect()
    }

    /// The same assessment, reached through `procedure`.
    pub(crate) fn through(self, procedure: &Procedure) -> Self {
        Self {
            procedure: Some(procedure.clone()),
            ..self
        }
    }

    pub(crate) fn row(&self) -> &domain::QualityAssessment {
        &self.row
    }
}

#[Object]
impl QualityAssessment {
    async fn id(&self) -> ID {
        global_id(NodeType::QualityAssessment, self.row.id.as_uuid())
    }

    #[instrument(skip_all, fields(assessment = %self.row.id))]
    async fn procedure(&self, ctx: &Context<'_>) -> async_graphql::Result<Procedure> {
        match &self.procedure {
            Some(p) => Ok(p.clone()),
            None => {
                self.page
                    .procedures
                    .get(app(ctx)?, self.row.procedure_id)
                    .await
            }
        }
    }

    async fn indicators(&self) -> QualityIndicators {
        (&self.row.indicators).into()
    }

    /// The levels these indicators reach under the thresholds the server runs with now (the
    /// review score, which no assessment records, is left out).
    async fn levels(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<IndicatorLevel>> {
        let thresholds = app(ctx)?.quality_thresholds();
        let none = domain::ReviewAggregate::default();
        let score = kano::score(thresholds, Some(&self.row.indicators), &none);
        Ok(score
            .indicators
            .iter()
            .filter(|s| s.indicator != domain::Indicator::ReviewScore)
            .map(|s| IndicatorLevel::new(thresholds, s))
            .collect())
    }

    async fn note(&self) -> Option<&str> {
        self.row.note.as_deref()
    }

    async fn assessed_at(&self) -> DateTime {
        DateTime(self.row.assessed_at)
    }

    #[instrument(skip_all, fields(assessment = %self.row.id))]
    async fn assessed_by(&self, ctx: &Context<'_>) -> async_graphql::Result<User> {
        self.page
            .assessors
            .get(app(ctx)?, self.row.assessed_by)
            .await
    }
}

/// A resident's review as stored. It names its procedure by id only: the review intake
/// identity that submits it may read nothing, procedures included.
#[derive(Debug, Clone)]
pub struct UserReview(pub(crate) domain::UserReview);

#[Object]
impl UserReview {
    async fn id(&self) -> ID {
        global_id(NodeType::UserReview, self.0.id.as_uuid())
    }

    async fn procedure_id(&self) -> ID {
        ids::global_id(NodeType::Procedure, self.0.procedure_id.as_uuid())
    }

    /// 1 (very dissatisfied) to 5 (very satisfied).
    async fn rating(&self) -> i32 {
        i32::from(self.0.rating.get())
    }

    async fn comment(&self) -> Option<&str> {
        self.0.comment.as_deref()
    }

    async fn channel(&self) -> ReviewChannel {
        self.0.channel.into()
    }

    async fn submitted_at(&self) -> DateTime {
        DateTime(self.0.submitted_at)
    }

    /// The fiscal quarter of the day it was submitted, in Tokyo: where its aggregates count it.
    async fn quarter(&self) -> async_graphql::Result<FiscalQuarter> {
        self.0
            .quarter()
            .map(FiscalQuarter)
            .map_err(|e| crate::errors::internal(e.to_string()))
    }
}

/// The reviews of one fiscal quarter.
#[derive(Debug, Clone, SimpleObject)]
pub struct QuarterReviews {
    pub quarter: FiscalQuarter,
    pub reviews: ReviewStats,
}

/// A procedure's reviews, over all time and per fiscal quarter.
#[derive(Debug, Clone, SimpleObject)]
pub struct UserReviewSummary {
    pub procedure: Procedure,
    pub overall: ReviewStats,
    /// Every quarter asked for, oldest first, those without reviews included.
    pub quarters: Vec<QuarterReviews>,
}
