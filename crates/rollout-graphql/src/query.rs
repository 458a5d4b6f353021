//! The `Query` root, merged from one query object per feature (procedures here; identity,
//! approvals and the audit trail in their modules). Reads go to the store through the `App`
//! (listing and summary use cases, point reads for single objects); argument problems become
//! VALIDATION errors before any read. Every root field requires an actor (UNAUTHENTICATED
//! otherwise), even where it only reads what every role may read.

use async_graphql::{Context, ID, MergedObject, Object};
use rollout_domain::{BureauCode, ProcedureCode, ProcedureId};
use tracing::instrument;

use crate::approval::ApprovalQuery;
use crate::audit::AuditQuery;
use crate::bureau::Bureau;
use crate::connection::ProcedureConnection;
use crate::filter::{ProcedureFilterInput, ProcedureOrderInput, list_procedures};
use crate::identity::IdentityQuery;
use crate::ids::{NodeType, argument_id};
use crate::node::Node;
use crate::procedure::Procedure;
use crate::summary::RolloutSummary;
use crate::workflow::Workflow;
use crate::{actor, app, errors};

/// The query root.
#[derive(Debug, Default, MergedObject)]
#[graphql(name = "Query")]
pub struct QueryRoot(
    ProcedureQuery,
    IdentityQuery,
    ApprovalQuery,
    AuditQuery,
    crate::hearing::HearingQuery,
    crate::task::TaskQuery,
    crate::blockers::BlockerQuery,
    crate::deps::DepsQuery,
    crate::reminders::ReminderQuery,
    crate::analytics::AnalyticsQueryRoot,
    crate::flow::FlowQuery,
    crate::forecast::ForecastQuery,
    crate::report::ReportQuery,
    crate::quality::QualityQuery,
);

/// Bureaus, procedures, the workflow and the summary; `node`.
#[derive(Debug, Default)]
pub(crate) struct ProcedureQuery;

#[Object]
impl ProcedureQuery {
    /// The object with this global id, or null when there is none.
    async fn node(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Option<Node>> {
        crate::node::node(ctx, &id).await
    }

    /// All bureaus, ordered by code.
    #[instrument(skip_all)]
    async fn bureaus(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Bureau>> {
        actor(ctx)?;
        let bureaus = app(ctx)?
            .store()
            .list_bureaus()
            .await
            .map_err(errors::store_error)?;
        Ok(bureaus.into_iter().map(Bureau).collect())
    }

    #[instrument(skip(self, ctx))]
    async fn bureau(
        &self,
        ctx: &Context<'_>,
        code: String,
    ) -> async_graphql::Result<Option<Bureau>> {
        actor(ctx)?;
        let code = BureauCode::parse(&code).map_err(|e| errors::validation(e.0))?;
        let bureau = app(ctx)?
            .store()
            .bureau_by_code(&code)
            .await
            .map_err(errors::store_error)?;
        Ok(bureau.map(Bureau))
    }

    /// One procedure by global id or by code: give exactly one of them.
    #[instrument(skip(self, ctx))]
    async fn procedure(
        &self,
        ctx: &Context<'_>,
        id: Option<ID>,
        code: Option<String>,
    ) -> async_graphql::Result<Option<Procedure>> {
        actor(ctx)?;
        let store = app(ctx)?.store();
        let found = match (id, code) {
            (Some(id), None) => {
                let uuid = argument_id(&id, NodeType::Procedure)?;
                store.procedure(ProcedureId(uuid)).await
            }
            (None, Some(code)) => {
                let code = ProcedureCode::parse(&code).map_err(|e| errors::validation(e.0))?;
                store.procedure_by_code(&code).await
            }
            _ => return Err(errors::validation("give exactly one of `id` and `code`")),
        };
        Ok(found.map_err(errors::store_error)?.map(Procedure::single))
    }

    /// One page of procedures (default 50, at most 500), filtered and ordered.
    async fn procedures(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        filter: Option<ProcedureFilterInput>,
        order_by: Option<ProcedureOrderInput>,
    ) -> async_graphql::Result<ProcedureConnection> {
        actor(ctx)?;
        list_procedures(ctx, first, after, filter, order_by, None).await
    }

    /// The workflow definition the server runs.
    async fn workflow(&self, ctx: &Context<'_>) -> async_graphql::Result<Workflow> {
        actor(ctx)?;
        Workflow::new(app(ctx)?.workflow())
    }

    /// Headline figures for the procedures matching the filter.
    #[instrument(skip_all)]
    async fn rollout_summary(
        &self,
        ctx: &Context<'_>,
        filter: Option<ProcedureFilterInput>,
    ) -> async_graphql::Result<RolloutSummary> {
        actor(ctx)?;
        let app = app(ctx)?;
        let filter = filter.unwrap_or_default().resolve(app).await?;
        let summary = app
            .summary(&filter)
            .await
            .map_err(|e| errors::graphql_error(&e))?;
        Ok(RolloutSummary::new(app.workflow(), summary))
    }
}
