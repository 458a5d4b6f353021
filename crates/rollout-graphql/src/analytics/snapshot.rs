//! Quarter snapshots in the API: `QuarterSnapshot` (figures, frozen or computed, with the
//! previous quarter's and the change) and the `freezeQuarter` mutation, whose expected failures
//! (FORBIDDEN, VALIDATION for an unfinished quarter) come back in the payload's `errors`.

use async_graphql::{Context, InputObject, Object, SimpleObject};
use rollout_app::analytics::SnapshotView;
use rollout_domain::analytics::snapshot::FiguresDelta;
use tracing::instrument;

use super::figures::QuarterFigures;
use crate::enums::ProcedureCategory;
use crate::errors::{UserError, payload_errors};
use crate::scalars::{DateTime, FiscalQuarter};
use crate::{actor, app};

/// The change of each count from the previous quarter (this minus previous).
#[derive(Debug, Clone, SimpleObject)]
pub struct FiguresChange {
    pub procedures_digitised: i64,
    pub procedures_in_scope: i64,
    pub processes_digitised: i64,
    pub processes_in_scope: i64,
    pub applications_digitised: i64,
    pub applications_in_scope: i64,
}

impl From<FiguresDelta> for FiguresChange {
    fn from(d: FiguresDelta) -> Self {
        Self {
            procedures_digitised: d.procedures_digitised,
            procedures_in_scope: d.procedures_in_scope,
            processes_digitised: d.processes_digitised,
            processes_in_scope: d.processes_in_scope,
            applications_digitised: d.applications_digitised,
            applications_in_scope: d.applications_in_scope,
        }
    }
}

#[derive(Debug, Clone, SimpleObject)]
pub struct CategoryChange {
    pub category: ProcedureCategory,
    pub change: FiguresChange,
}

#[derive(Debug, Clone, SimpleObject)]
pub struct QuarterChange {
    pub overall: FiguresChange,
    pub categories: Vec<CategoryChange>,
}

/// A quarter's figures with the quarter before it.
#[derive(Debug, Clone, SimpleObject)]
pub struct QuarterSnapshot {
    pub figures: QuarterFigures,
    /// Whether these are the figures the project office froze (else computed from history now).
    pub frozen: bool,
    pub frozen_at: Option<DateTime>,
    /// Who froze it.
    pub frozen_by: Option<String>,
    /// Whether the quarter has ended in Tokyo (an unfinished quarter's figures are so far).
    pub complete: bool,
    /// The previous quarter's figures (frozen where frozen); null before FY1989.
    pub previous: Option<QuarterFigures>,
    pub change: Option<QuarterChange>,
}

impl From<SnapshotView> for QuarterSnapshot {
    fn from(v: SnapshotView) -> Self {
        Self {
            figures: v.figures.into(),
            frozen: v.frozen.is_some(),
            frozen_at: v.frozen.as_ref().map(|f| DateTime(f.0)),
            frozen_by: v.frozen.map(|f| f.1),
            complete: v.complete,
            previous: v.previous.map(Into::into),
            change: v.delta.map(|d| QuarterChange {
                overall: d.overall.into(),
                categories: d
                    .categories
                    .into_iter()
                    .map(|(c, change)| CategoryChange {
                        category: c.into(),
                        change: change.into(),
                    })
                    .collect(),
            }),
        }
    }
}

#[derive(Debug, InputObject)]
pub struct FreezeQuarterInput {
    /// A fiscal quarter that has ended, e.g. "FY2021-Q3".
    pub quarter: FiscalQuarter,
}

#[derive(Debug, Clone, SimpleObject)]
pub struct FreezeQuarterPayload {
    pub snapshot: Option<QuarterSnapshot>,
    pub errors: Vec<UserError>,
}

#[derive(Debug, Default)]
pub struct AnalyticsMutation;

#[Object]
impl AnalyticsMutation {
    /// Stores a finished quarter's figures as the project office reports them (the project
    /// office only). Freezing a quarter again changes nothing and returns what was frozen.
    #[instrument(skip_all)]
    async fn freeze_quarter(
        &self,
        ctx: &Context<'_>,
        input: FreezeQuarterInput,
    ) -> async_graphql::Result<FreezeQuarterPayload> {
        let actor = actor(ctx)?;
        Ok(
            match app(ctx)?.freeze_quarter(&actor, input.quarter.0).await {
                Ok(view) => FreezeQuarterPayload {
                    snapshot: Some(view.into()),
                    errors: Vec::new(),
                },
                Err(e) => FreezeQuarterPayload {
                    snapshot: None,
                    errors: payload_errors(&e, "quarter")?,
                },
            },
        )
    }
}
