//! The approval queries: `approvals` (a filtered, keyset-paginated listing, newest first),
//! `myPendingApprovals` (what the viewer could decide now) and `delegations` (the viewer's
//! substitute arrangements; an admin's are everybody's). Arguments are checked before any read,
//! so a bad id or bureau code is a VALIDATION error rather than an empty page.

use async_graphql::{Context, ID, InputObject, Object};
use rollout_domain::{ApprovalRequestId, BureauCode, ProcedureId, UserId};
use rollout_store::ApprovalCursor;
use tracing::instrument;

use super::{ApprovalRequest, Delegation};
use crate::connection::{ApprovalRequestConnection, page_request, page_size};
use crate::enums::{ApprovalStatus, Role};
use crate::ids::{NodeType, TimeOrdering, argument_id, decode_time_cursor};
use crate::{actor, app, errors};

/// Which approval requests to list; every given field narrows the result.
#[derive(Debug, Clone, Default, InputObject)]
#[graphql(name = "ApprovalFilter")]
pub struct ApprovalFilterInput {
    /// Any of these statuses.
    pub statuses: Option<Vec<ApprovalStatus>>,
    /// Of procedures in any of these bureaus.
    pub bureau_codes: Option<Vec<String>>,
    /// Needing a decision from this role.
    pub role: Option<Role>,
    /// A User id.
    pub requested_by: Option<ID>,
    /// A Procedure id.
    pub procedure_id: Option<ID>,
}

impl ApprovalFilterInput {
    fn into_store(self) -> async_graphql::Result<rollout_store::ApprovalFilter> {
        Ok(rollout_store::ApprovalFilter {
            statuses: self
                .statuses
                .unwrap_or_default()
                .into_iter()
                .map(Into::into)
                .collect(),
            bureau_codes: self
                .bureau_codes
                .unwrap_or_default()
                .iter()
                .map(|raw| BureauCode::parse(raw).map_err(|e| errors::validation(e.0)))
                .collect::<Result<_, _>>()?,
            role: self.role.map(Into::into),
            requested_by: self
                .requested_by
                .map(|id| argument_id(&id, NodeType::User).map(UserId))
                .transpose()?,
            procedure_id: self
                .procedure_id
                .map(|id| argument_id(&id, NodeType::Procedure).map(ProcedureId))
                .transpose()?,
            not_voted_by: None,
        })
    }
}

#[derive(Debug, Default)]
pub(crate) struct ApprovalQuery;

#[Object]
impl ApprovalQuery {
    /// One page of approval requests (default 50, at most 500), newest first. Requests past
    /// their deadline are closed as EXPIRED before the page is read.
    #[instrument(skip_all)]
    async fn approvals(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        filter: Option<ApprovalFilterInput>,
    ) -> async_graphql::Result<ApprovalRequestConnection> {
        actor(ctx)?;
        let first = page_size(first)?;
        let after = after
            .map(|raw| decode_time_cursor(&raw, TimeOrdering::Approvals))
            .transpose()
            .map_err(|e| errors::validation(e.0))?
            .map(|(created_at, id)| ApprovalCursor {
                created_at,
                id: ApprovalRequestId(id),
            });
        let filter = filter.unwrap_or_default().into_store()?;
        let page = app(ctx)?
            .list_approvals(&filter, page_request(ctx, first, after))
            .await
            .map_err(|e| errors::graphql_error(&e))?;
        Ok(ApprovalRequestConnection::new(page))
    }

    /// Pending requests the viewer could decide now (as themselves or as a substitute), soonest
    /// deadline first: not their own, not yet decided by them.
    #[instrument(skip_all)]
    async fn my_pending_approvals(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<ApprovalRequest>> {
        let requests = app(ctx)?
            .my_pending_approvals(&actor(ctx)?)
            .await
            .map_err(|e| errors::graphql_error(&e))?;
        Ok(ApprovalRequest::page(requests))
    }

    /// Substitute arrangements given by or to the viewer, newest first (an admin sees all).
    #[instrument(skip_all)]
    async fn delegations(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Delegation>> {
        let delegations = app(ctx)?
            .list_delegations(&actor(ctx)?)
            .await
            .map_err(|e| errors::graphql_error(&e))?;
        Ok(Delegation::page(delegations))
    }
}
