//! The project office's figures: `kpis(asOf, filter, groupBy)`, `programmeTargets(asOf)`,
//! `scopeLedger(from, to)`, `quarterSnapshot(quarter)` and the `freezeQuarter` mutation. Each
//! calls one `App` use case (`rollout_app::analytics`); every root field needs an actor, every
//! role may read; freezing is the project office's.

mod figures;
mod snapshot;

use async_graphql::{Context, Object};
use rollout_app::analytics::AnalyticsQuery;
use tracing::instrument;

use crate::filter::ProcedureFilterInput;
use crate::scalars::Date;
use crate::{actor, app, errors};

pub use figures::{KpiFigures, KpiGroup, KpiGroupBy, ScopeLedger, TargetMeasure, TargetProgress};
pub use snapshot::{AnalyticsMutation, QuarterSnapshot};

/// KPIs as of a date.
#[derive(Debug, Clone, async_graphql::SimpleObject)]
pub struct Kpis {
    /// The Tokyo date the figures are as of (the end of that day).
    pub as_of: Date,
    pub overall: KpiFigures,
    /// One entry per combination of the grouping values that has procedures; empty without
    /// `groupBy`.
    pub groups: Vec<KpiGroup>,
}

#[derive(Debug, Default)]
pub(crate) struct AnalyticsQueryRoot;

#[Object]
impl AnalyticsQueryRoot {
    /// Digitised / in scope / rate by procedures, processes and annual applications, as of the
    /// end of `asOf` in Tokyo (today when omitted), replayed from history, overall and per
    /// group. The scope is what Tokyo can decide: abolished and NATIONAL procedures are out.
    /// The filter's bureau, category, authority, priority, state, target quarter and search
    /// are judged as of the date; `slipped` is refused.
    #[instrument(skip_all)]
    async fn kpis(
        &self,
        ctx: &Context<'_>,
        as_of: Option<Date>,
        filter: Option<ProcedureFilterInput>,
        group_by: Option<Vec<KpiGroupBy>>,
    ) -> async_graphql::Result<Kpis> {
        actor(ctx)?;
        let app = app(ctx)?;
        let query = AnalyticsQuery {
            as_of: as_of.map(|d| d.0),
            filter: filter.unwrap_or_default().resolve(app).await?,
        };
        let group_by: Vec<_> = group_by
            .unwrap_or_default()
            .into_iter()
            .map(Into::into)
            .collect();
        let k = app
            .kpis(&query, &group_by)
            .await
            .map_err(|e| errors::graphql_error(&e))?;
        let bureaus = app
            .store()
            .list_bureaus()
            .await
            .map_err(|e| errors::graphql_error(&e.into()))?;
        Ok(Kpis {
            as_of: Date(k.as_of),
            overall: k.overall.into(),
            groups: k
                .groups
                .into_iter()
                .map(|g| KpiGroup::new(g, &bureaus))
                .collect(),
        })
    }

    /// The configured programme targets against the figures as of `asOf` (today when omitted).
    #[instrument(skip_all)]
    async fn programme_targets(
        &self,
        ctx: &Context<'_>,
        as_of: Option<Date>,
    ) -> async_graphql::Result<Vec<TargetProgress>> {
        actor(ctx)?;
        let targets = app(ctx)?
            .target_progress(as_of.map(|d| d.0))
            .await
            .map_err(|e| errors::graphql_error(&e))?;
        Ok(targets.into_iter().map(Into::into).collect())
    }

    /// What entered and left the scope between two Tokyo dates (both inclusive), each with its
    /// reason and date, and the scope's size before and after: why the denominator changed.
    #[instrument(skip_all)]
    async fn scope_ledger(
        &self,
        ctx: &Context<'_>,
        from: Date,
        to: Date,
    ) -> async_graphql::Result<ScopeLedger> {
        actor(ctx)?;
        let ledger = app(ctx)?
            .scope_ledger(from.0, to.0)
            .await
            .map_err(|e| errors::graphql_error(&e))?;
        Ok(ledger.into())
    }

    /// A fiscal quarter's figures (frozen ones when the project office froze it, else computed
    /// from history) with the previous quarter's and the difference.
    #[instrument(skip_all)]
    async fn quarter_snapshot(
        &self,
        ctx: &Context<'_>,
        quarter: crate::scalars::FiscalQuarter,
    ) -> async_graphql::Result<QuarterSnapshot> {
        actor(ctx)?;
        let view = app(ctx)?
            .quarter_snapshot(quarter.0)
            .await
            .map_err(|e| errors::graphql_error(&e))?;
        Ok(view.into())
    }
}
