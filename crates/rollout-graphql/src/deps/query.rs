//! The project office's graph queries: `blockerRanking`, `dependencyGraph`,
//! `nationalRequestSummary`.

use async_graphql::{Context, ID, Object};
use tracing::instrument;

use super::types::{BlockerImpact, DependencyGraph, GraphDirection, NationalRequestSummary};
use crate::blockers::{Dependency, resolve_blockers};
use crate::filter::ProcedureFilterInput;
use crate::scalars::Date;
use crate::{actor, app, errors};

/// The most blockers `blockerRanking` returns.
const MAX_RANKING: i32 = 500;

#[derive(Debug, Default)]
pub(crate) struct DepsQuery;

#[Object]
impl DepsQuery {
    /// Open law changes, milestones and unreleased procedures, ranked by what clearing each
    /// would unblock, transitively (annual applications, then procedures, then processes),
    /// counting only the procedures the filter matches.
    #[instrument(skip_all, fields(first))]
    async fn blocker_ranking(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 20)] first: i32,
        filter: Option<ProcedureFilterInput>,
    ) -> async_graphql::Result<Vec<BlockerImpact>> {
        actor(ctx)?;
        let app = app(ctx)?;
        if !(1..=MAX_RANKING).contains(&first) {
            return Err(errors::validation(format!(
                "first must be between 1 and {MAX_RANKING}, not {first}"
            )));
        }
        let filter = match filter {
            Some(f) => Some(f.resolve(app).await?),
            None => None,
        };
        let ranking = app
            .blocker_ranking(first as usize, filter.as_ref())
            .await
            .map_err(|e| errors::graphql_error(&e))?;
        let refs: Vec<_> = ranking.iter().map(|i| i.blocker).collect();
        let blockers = resolve_blockers(app, &refs).await?;
        Ok(ranking
            .into_iter()
            .zip(blockers)
            .map(|(i, blocker)| BlockerImpact {
                blocker,
                procedures: i.procedures,
                processes: i.processes,
                annual_applications: i.annual_applications,
                fully_unblocked: i.fully_unblocked,
                fully_unblocked_applications: i.fully_unblocked_applications,
            })
            .collect())
    }

    /// The nodes within `depth` steps of `root` (a law change, milestone or procedure id) and
    /// the dependencies between them.
    async fn dependency_graph(
        &self,
        ctx: &Context<'_>,
        root: ID,
        #[graphql(default = 3)] depth: i32,
        #[graphql(default)] direction: GraphDirection,
    ) -> async_graphql::Result<DependencyGraph> {
        actor(ctx)?;
        let app = app(ctx)?;
        let root = super::blocker_ref(&root)?;
        let depth = usize::try_from(depth)
            .map_err(|_| errors::validation(format!("depth must be 0 or more, not {depth}")))?;
        let (nodes, edges) = app
            .dependency_subgraph(root, depth, direction.into())
            .await
            .map_err(|e| errors::graphql_error(&e))?;
        let graph = app.graph().await.map_err(|e| errors::graphql_error(&e))?;
        let nodes = resolve_blockers(app, &nodes).await?;
        let edges = Dependency::page(
            edges
                .iter()
                .filter_map(|id| graph.dependencies.get(id).cloned())
                .collect(),
        );
        Ok(DependencyGraph { nodes, edges })
    }

    /// National-level law changes Tokyo requested and the procedures behind them, by status as
    /// of the end of `asOf` (Tokyo time; today when omitted), rebuilt from status history.
    async fn national_request_summary(
        &self,
        ctx: &Context<'_>,
        as_of: Option<Date>,
    ) -> async_graphql::Result<NationalRequestSummary> {
        actor(ctx)?;
        let summary = app(ctx)?
            .national_request_summary(as_of.map(|d| d.0))
            .await
            .map_err(|e| errors::graphql_error(&e))?;
        Ok(summary.into())
    }
}
