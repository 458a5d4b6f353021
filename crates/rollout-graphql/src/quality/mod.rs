//! The quality map of priority procedures and residents' user reviews (issue 13): `qualityMap`
//! (see `map`), `userReviewSummary`, `Procedure.qualityAssessments` (one read per page), and
//! the mutations `recordQualityAssessment` (project office, admins) and `submitUserReview`
//! (the review intake identity only, rate-limited). Types are in `types`.
//!
//! `submitUserReview` is the one field the review intake identity may use: it takes its actor
//! through [`crate::review_intake_actor`], every other field through [`crate::actor`], which
//! refuses that identity. Who may submit is still the `App`'s decision, so a person's token is
//! refused there, with an audit entry.

mod map;
mod types;

use std::collections::HashMap;

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use rollout_app::App;
use rollout_app::quality::{RecordQualityAssessment, SubmitUserReview};
use rollout_domain::ProcedureId;
use tracing::instrument;

use crate::errors::{UserError, payload_errors};
use crate::filter::{ProcedureFilterInput, ProcedureOrderInput};
use crate::ids::{NodeType, argument_id};
use crate::inputs::procedure_id;
use crate::loaders::Batch;
use crate::procedure::Procedure;
use crate::scalars::FiscalQuarter;
use crate::{actor, app, errors, review_intake_actor};

use map::QualityMapConnection;
pub(crate) use types::QualityAssessment;
use types::{
    FeePayment, IdentityCheck, QuarterReviews, ReviewChannel, UserReview, UserReviewSummary,
};

/// The assessments of each procedure of a page, newest first.
pub(crate) type AssessmentsBatch = Batch<ProcedureId, Vec<QualityAssessment>>;

impl AssessmentsBatch {
    pub(crate) async fn get(
        &self,
        app: &App,
        id: ProcedureId,
    ) -> async_graphql::Result<Vec<QualityAssessment>> {
        let map = self
            .loaded("quality_assessments", |ids| async move {
                let rows = app.quality_assessments_for(&ids).await?;
                let mut grouped: HashMap<ProcedureId, Vec<QualityAssessment>> = HashMap::new();
                for a in QualityAssessment::page(rows) {
                    grouped.entry(a.row().procedure_id).or_default().push(a);
                }
                Ok(grouped)
            })
            .await?;
        Ok(map.get(&id).cloned().unwrap_or_default())
    }
}

/// `Procedure.qualityAssessments`.
pub(crate) async fn assessments_of(
    ctx: &Context<'_>,
    procedure: &Procedure,
    batch: &AssessmentsBatch,
) -> async_graphql::Result<Vec<QualityAssessment>> {
    let found = batch.get(app(ctx)?, procedure.row().id).await?;
    Ok(found.into_iter().map(|a| a.through(procedure)).collect())
}

#[derive(Debug, Default)]
pub(crate) struct QualityQuery;

#[Object]
impl QualityQuery {
    /// The quality map: priority procedures (10,000 or more applications a year) matching the
    /// filter, with their current indicators, the Kano level of each indicator and of each
    /// principle, and their review statistics. Pages like `procedures` (default 50, at most
    /// 500).
    #[instrument(skip_all)]
    async fn quality_map(
        &self,
        ctx: &Context<'_>,
        filter: Option<ProcedureFilterInput>,
        order_by: Option<ProcedureOrderInput>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<QualityMapConnection> {
        map::quality_map(ctx, filter, order_by, first, after).await
    }

    /// A procedure's user reviews over all time and per fiscal quarter from `from` to `to`
    /// (default: the current quarter and the seven before it; at most 40 quarters).
    #[instrument(skip(self, ctx))]
    async fn user_review_summary(
        &self,
        ctx: &Context<'_>,
        procedure_id: ID,
        from: Option<FiscalQuarter>,
        to: Option<FiscalQuarter>,
    ) -> async_graphql::Result<UserReviewSummary> {
        let actor = actor(ctx)?;
        let app = app(ctx)?;
        let id = ProcedureId(argument_id(&procedure_id, NodeType::Procedure)?);
        let summary = app
            .review_summary(&actor, id, from.map(|q| q.0), to.map(|q| q.0))
            .await
            .map_err(|e| errors::graphql_error(&e))?;
        Ok(UserReviewSummary {
            procedure: Procedure::single(summary.procedure),
            overall: (&summary.overall).into(),
            quarters: summary
                .quarters
                .iter()
                .map(|q| QuarterReviews {
                    quarter: FiscalQuarter(q.quarter),
                    reviews: (&q.reviews).into(),
                })
                .collect(),
        })
    }
}

/// An assessment of a procedure as it works today. It becomes the procedure's row on the
/// quality map; earlier assessments stay as its history.
#[derive(Debug, Clone, InputObject)]
pub struct RecordQualityAssessmentInput {
    pub procedure_id: ID,
    /// From application to result online: no paper, no visit.
    pub online_end_to_end: bool,
    pub smartphone_ready: bool,
    /// Documents to attach, 0–100.
    pub attachments: i32,
    pub identity_check: IdentityCheck,
    pub fee: FeePayment,
    /// The standard processing period (標準処理期間) in days, 0–3650, when one is set.
    pub standard_days: Option<i32>,
    /// The days processing actually takes, 0–3650.
    pub actual_days: Option<i32>,
    /// At most 4,000 characters.
    pub note: Option<String>,
}

/// A resident's review from an e-application site's review form.
#[derive(Debug, Clone, InputObject)]
pub struct SubmitUserReviewInput {
    pub procedure_id: ID,
    /// 1 (very dissatisfied) to 5 (very satisfied).
    pub rating: i32,
    /// At most 4,000 characters.
    pub comment: Option<String>,
    pub channel: ReviewChannel,
}

#[derive(Debug, Clone, SimpleObject)]
pub struct QualityAssessmentPayload {
    pub assessment: Option<QualityAssessment>,
    pub errors: Vec<UserError>,
}

#[derive(Debug, Clone, SimpleObject)]
pub struct UserReviewPayload {
    pub review: Option<UserReview>,
    pub errors: Vec<UserError>,
}

#[derive(Debug, Default)]
pub(crate) struct QualityMutation;

#[Object]
impl QualityMutation {
    /// Records a quality assessment of a procedure (the project office and admins).
    #[instrument(skip_all, fields(procedure = %input.procedure_id.as_str()))]
    async fn record_quality_assessment(
        &self,
        ctx: &Context<'_>,
        input: RecordQualityAssessmentInput,
    ) -> async_graphql::Result<QualityAssessmentPayload> {
        let actor = actor(ctx)?;
        let failed = |errors| QualityAssessmentPayload {
            assessment: None,
            errors,
        };
        let id = match procedure_id(&input.procedure_id, "procedureId") {
            Ok(id) => id,
            Err(e) => return Ok(failed(vec![e])),
        };
        let command = RecordQualityAssessment {
            procedure_id: id,
            online_end_to_end: input.online_end_to_end,
            smartphone_ready: input.smartphone_ready,
            attachments: i64::from(input.attachments),
            identity_check: input.identity_check.into(),
            fee: input.fee.into(),
            standard_days: input.standard_days.map(i64::from),
            actual_days: input.actual_days.map(i64::from),
            note: input.note,
        };
        Ok(
            match app(ctx)?.record_quality_assessment(&actor, command).await {
                Ok(a) => QualityAssessmentPayload {
                    assessment: QualityAssessment::page(vec![a]).pop(),
                    errors: Vec::new(),
                },
                Err(e) => failed(payload_errors(&e, "procedureId")?),
            },
        )
    }

    /// Submits a resident's review of a procedure: only the review intake identity (the
    /// e-application sites' review form), at most a configured number a minute
    /// (RATE_LIMITED beyond).
    #[instrument(skip_all, fields(procedure = %input.procedure_id.as_str()))]
    async fn submit_user_review(
        &self,
        ctx: &Context<'_>,
        input: SubmitUserReviewInput,
    ) -> async_graphql::Result<UserReviewPayload> {
        let actor = review_intake_actor(ctx)?;
        let failed = |errors| UserReviewPayload {
            review: None,
            errors,
        };
        let id = match procedure_id(&input.procedure_id, "procedureId") {
            Ok(id) => id,
            Err(e) => return Ok(failed(vec![e])),
        };
        let command = SubmitUserReview {
            procedure_id: id,
            rating: i64::from(input.rating),
            comment: input.comment,
            channel: input.channel.into(),
        };
        Ok(match app(ctx)?.submit_user_review(&actor, command).await {
            Ok(r) => UserReviewPayload {
                review: Some(UserReview(r)),
                errors: Vec::new(),
            },
            Err(e) => failed(payload_errors(&e, "procedureId")?),
        })
    }
}
