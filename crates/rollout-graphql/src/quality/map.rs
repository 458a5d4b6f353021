//! `qualityMap`: a Relay connection of priority procedures, each row with its current
//! indicators, the Kano level of every indicator and principle (with labels) and its review
//! statistics in the review window. Cursors are the procedure listing's, under the same order,
//! so the map pages exactly like `procedures`. The rows' procedures form one page for batching.

use async_graphql::{ComplexObject, Context, SimpleObject};
use rollout_app::quality::QualityMapRow as Row;
use rollout_store::{Page, ProcedureCursor, ProcedureOrder};

use super::types::{IndicatorLevel, PrincipleLevel, QualityAssessment, ReviewStats};
use crate::connection::{PageInfo, page_request, page_size, selected_total};
use crate::filter::{ProcedureFilterInput, ProcedureOrderInput};
use crate::procedure::Procedure;
use crate::scalars::{DateTime, FiscalQuarter};
use crate::{actor, app, errors, ids};

/// One procedure on the quality map.
#[derive(Debug, Clone, SimpleObject)]
pub struct QualityMapRow {
    pub procedure: Procedure,
    /// The latest assessment; null before the first.
    pub assessment: Option<QualityAssessment>,
    /// When the latest assessment was recorded.
    pub last_assessed_at: Option<DateTime>,
    /// Every indicator, in the map's column order.
    pub indicators: Vec<IndicatorLevel>,
    /// 早く, 簡単に, 使いやすく, in that order.
    pub principles: Vec<PrincipleLevel>,
    /// Reviews submitted in the review window (`QualityMapConnection.reviewWindow`).
    pub reviews: ReviewStats,
}

#[derive(Debug, Clone, SimpleObject)]
pub struct QualityMapEdge {
    pub cursor: String,
    pub node: QualityMapRow,
}

/// One page of the quality map.
#[derive(Debug, Clone, SimpleObject)]
#[graphql(complex)]
pub struct QualityMapConnection {
    pub edges: Vec<QualityMapEdge>,
    pub page_info: PageInfo,
    /// The fiscal quarters whose reviews the review score counts, oldest first (the current
    /// quarter last).
    pub review_window: Vec<FiscalQuarter>,
    #[graphql(skip)]
    total: Option<i64>,
}

#[ComplexObject]
impl QualityMapConnection {
    /// How many priority procedures match the filter in all, ignoring pagination.
    async fn total_count(&self) -> async_graphql::Result<i64> {
        selected_total(self.total)
    }
}

fn connection(
    app: &rollout_app::App,
    page: Page<Row>,
    order: ProcedureOrder,
    window: Vec<rollout_domain::FiscalQuarter>,
) -> QualityMapConnection {
    let thresholds = app.quality_thresholds();
    let cursors: Vec<String> = page
        .items
        .iter()
        .map(|r| ids::encode_procedure_cursor(&ProcedureCursor::of(&r.procedure, order), order))
        .collect();
    let page_info = PageInfo::of(&page, &cursors);
    let (procedures, rest): (Vec<_>, Vec<_>) = page
        .items
        .into_iter()
        .map(|r| (r.procedure, (r.assessment, r.reviews, r.score)))
        .unzip();
    let procedures = Procedure::page(procedures);
    let assessments =
        QualityAssessment::page(rest.iter().filter_map(|(a, ..)| a.clone()).collect());
    let mut assessments = assessments.into_iter().peekable();
    let edges = procedures
        .into_iter()
        .zip(rest)
        .zip(cursors)
        .map(|((procedure, (assessment, reviews, score)), cursor)| {
            // The assessments come in the rows' order, so each row takes the next one if
            // the row has one.
            let assessment = assessment.and_then(|a| {
                assessments
                    .next_if(|x| x.row().id == a.id)
                    .map(|x| x.through(&procedure))
            });
            QualityMapEdge {
                cursor,
                node: QualityMapRow {
                    last_assessed_at: assessment.as_ref().map(|a| DateTime(a.row().assessed_at)),
                    assessment,
                    indicators: score
                        .indicators
                        .iter()
                        .map(|s| IndicatorLevel::new(thresholds, s))
                        .collect(),
                    principles: score.principles.iter().map(PrincipleLevel::from).collect(),
                    reviews: (&reviews).into(),
                    procedure,
                },
            }
        })
        .collect();
    let mut window: Vec<FiscalQuarter> = window.into_iter().map(FiscalQuarter).collect();
    window.reverse();
    QualityMapConnection {
        edges,
        page_info,
        review_window: window,
        total: page.total_count,
    }
}

/// The `qualityMap` field.
pub(crate) async fn quality_map(
    ctx: &Context<'_>,
    filter: Option<ProcedureFilterInput>,
    order: Option<ProcedureOrderInput>,
    first: Option<i32>,
    after: Option<String>,
) -> async_graphql::Result<QualityMapConnection> {
    let actor = actor(ctx)?;
    let app = app(ctx)?;
    let first = page_size(first)?;
    let order = ProcedureOrder::from(order.unwrap_or_default());
    let after = after
        .map(|raw| ids::decode_procedure_cursor(&raw, order))
        .transpose()
        .map_err(|e| errors::validation(e.0))?;
    let filter = filter.unwrap_or_default().resolve(app).await?;
    let page = app
        .quality_map(&actor, &filter, order, page_request(ctx, first, after))
        .await
        .map_err(|e| errors::graphql_error(&e))?;
    let window = app.review_window().map_err(|e| errors::graphql_error(&e))?;
    Ok(connection(app, page, order, window))
}
