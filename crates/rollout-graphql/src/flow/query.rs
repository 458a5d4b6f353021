//! The flow root fields: `flowMetrics`, `cumulativeFlow`, `bottlenecks`. Each requires an actor
//! (every role may read), resolves the listing filter to the store's (VALIDATION for a bad
//! bureau code or state), and leaves dates, ranges and bounds to the use cases, whose refusals
//! come back as VALIDATION errors.

use async_graphql::{Context, Object};
use rollout_app::analytics::AnalyticsQuery;
use tracing::instrument;

use super::bottlenecks::Bottlenecks;
use super::bureau_map;
use super::cumulative::{CumulativeFlow, FlowStep};
use super::metrics::FlowMetrics;
use crate::filter::ProcedureFilterInput;
use crate::scalars::Date;
use crate::{actor, app, errors};

#[derive(Debug, Default)]
pub(crate) struct FlowQuery;

/// The analytics query of the arguments.
async fn query(
    app: &rollout_app::App,
    as_of: Option<Date>,
    filter: Option<ProcedureFilterInput>,
) -> async_graphql::Result<AnalyticsQuery> {
    Ok(AnalyticsQuery {
        as_of: as_of.map(|d| d.0),
        filter: filter.unwrap_or_default().resolve(app).await?,
    })
}

#[Object]
impl FlowQuery {
    /// WIP, time in state, cycle time, throughput, aging WIP and the share of time blocked of
    /// the procedures the filter selects, as of the end of `asOf` in Tokyo (today when omitted;
    /// a future date is refused). The filter is judged on each procedure as it was on that date
    /// (`slipped` is refused: it only has a meaning today). Later history never changes the
    /// answer for a past date.
    #[instrument(skip_all)]
    async fn flow_metrics(
        &self,
        ctx: &Context<'_>,
        as_of: Option<Date>,
        filter: Option<ProcedureFilterInput>,
    ) -> async_graphql::Result<FlowMetrics> {
        actor(ctx)?;
        let app = app(ctx)?;
        let query = query(app, as_of, filter).await?;
        let view = app
            .flow_metrics(&query)
            .await
            .map_err(|e| errors::graphql_error(&e))?;
        let bureaus = bureau_map(app, &view.bureau_ids()).await?;
        FlowMetrics::new(view, app.workflow(), bureaus)
    }

    /// How many of the selected procedures were in each state at the end of every week (or
    /// fiscal quarter) from `from` to `to`, and on `to` itself. At most 520 points; `to` may
    /// not be after today. The filter is judged on each procedure as it was on `to`.
    #[instrument(skip_all)]
    async fn cumulative_flow(
        &self,
        ctx: &Context<'_>,
        from: Date,
        to: Date,
        #[graphql(default)] step: FlowStep,
        filter: Option<ProcedureFilterInput>,
    ) -> async_graphql::Result<CumulativeFlow> {
        actor(ctx)?;
        let app = app(ctx)?;
        let filter = filter.unwrap_or_default().resolve(app).await?;
        let flow = app
            .cumulative_flow(from.0, to.0, step.into(), &filter)
            .await
            .map_err(|e| errors::graphql_error(&e))?;
        CumulativeFlow::new(app.workflow(), from, to, step, flow)
    }

    /// Non-terminal states ranked by aging WIP, and bureaus by throughput deficit: what each
    /// must release per quarter to finish its remaining scope by the deadline of `target` (a
    /// programme target's key; by default the target with the latest deadline), against what it
    /// released per quarter over the last four quarters. At most `first` (1 to 100) of each,
    /// as of the end of `asOf` in Tokyo (today when omitted).
    #[instrument(skip_all, fields(first))]
    async fn bottlenecks(
        &self,
        ctx: &Context<'_>,
        as_of: Option<Date>,
        #[graphql(default = 10)] first: i32,
        filter: Option<ProcedureFilterInput>,
        target: Option<String>,
    ) -> async_graphql::Result<Bottlenecks> {
        actor(ctx)?;
        let app = app(ctx)?;
        let first = usize::try_from(first).map_err(|_| {
            errors::validation(format!("first must be between 1 and 100 (got {first})"))
        })?;
        let query = query(app, as_of, filter).await?;
        let view = app
            .bottlenecks(&query, first, target.as_deref())
            .await
            .map_err(|e| errors::graphql_error(&e))?;
        let bureaus = bureau_map(app, &view.bureau_ids()).await?;
        Bottlenecks::new(view, app.workflow(), &bureaus)
    }
}
