//! Approvals as the API shows them: `ApprovalRequest` (a gated transition waiting for M
//! approvals), `ApprovalVote` and `Delegation` (a substitute approver), plus their queries and
//! mutations. The rules (who may decide, four eyes, quorum, re-checking the procedure when the
//! last approval arrives) live in the domain and the `App`; this module only shapes results.
//!
//! A request's `status` is computed at read time with `status_at(now)`, so a pending request
//! past its deadline shows as EXPIRED even before the expiry sweep has written that down.

mod mutation;
mod query;

use std::sync::Arc;

use async_graphql::{Context, ID, Object};
use rollout_app::App;
use rollout_domain::approval as domain;
use tracing::instrument;

pub(crate) use mutation::ApprovalMutation;
pub(crate) use query::ApprovalQuery;

use crate::app;
use crate::enums::{ApprovalStatus, Decision, Role};
use crate::identity::User;
use crate::ids::{NodeType, global_id};
use crate::loaders::{ProcedureBatch, UserBatch, VoteBatch};
use crate::procedure::Procedure;
use crate::scalars::{Date, DateTime};
use crate::workflow::{WorkflowState, state};

/// A request to apply a gated transition, waiting for approvals.
#[derive(Debug, Clone)]
pub struct ApprovalRequest {
    row: domain::ApprovalRequest,
    /// Shared by every request of the same page.
    page: Arc<PageRefs>,
}

/// What the requests of one page refer to, loaded together.
#[derive(Debug)]
struct PageRefs {
    procedures: ProcedureBatch,
    requesters: UserBatch,
    votes: VoteBatch,
}

impl ApprovalRequest {
    /// The requests of one page, whose procedures, requesters and votes load together.
    pub(crate) fn page(rows: Vec<domain::ApprovalRequest>) -> Vec<Self> {
        let page = Arc::new(PageRefs {
            procedures: ProcedureBatch::new(rows.iter().map(|r| r.procedure_id)),
            requesters: UserBatch::new(rows.iter().map(|r| r.requested_by)),
            votes: VoteBatch::new(rows.iter().map(|r| r.id)),
        });
        rows.into_iter()
            .map(|row| Self {
                row,
                page: page.clone(),
            })
            .collect()
    }

    /// Loads a request that something else refers to (a history record, an event); its absence
    /// means broken data, reported as an internal error.
    pub(crate) async fn referenced(
        ctx: &async_graphql::Context<'_>,
        id: rollout_domain::ApprovalRequestId,
    ) -> async_graphql::Result<Self> {
        let row = crate::app(ctx)?
            .store()
            .approval_request(id)
            .await
            .map_err(crate::errors::store_error)?
            .ok_or_else(|| {
                crate::errors::internal(format!(
                    "approval request {id} is referenced but does not exist"
                ))
            })?;
        Ok(Self::single(row))
    }

    pub(crate) fn single(row: domain::ApprovalRequest) -> Self {
        Self::page(vec![row])
            .pop()
            .expect("a page of one request has one request")
    }

    pub(crate) fn row(&self) -> &domain::ApprovalRequest {
        &self.row
    }

    pub(crate) fn is_pending_at(&self, now: chrono::DateTime<chrono::Utc>) -> bool {
        self.row.status_at(now) == domain::ApprovalStatus::Pending
    }

    /// The procedure the request is about, as it is now.
    pub(crate) async fn load_procedure(&self, app: &App) -> async_graphql::Result<Procedure> {
        self.page.procedures.get(app, self.row.procedure_id).await
    }
}

#[Object]
impl ApprovalRequest {
    pub async fn id(&self) -> ID {
        global_id(NodeType::ApprovalRequest, self.row.id.as_uuid())
    }

    /// The procedure as it is now.
    #[instrument(skip_all, fields(request = %self.row.id))]
    async fn procedure(&self, ctx: &Context<'_>) -> async_graphql::Result<Procedure> {
        self.load_procedure(app(ctx)?).await
    }

    /// The key of the requested transition.
    async fn transition(&self) -> &str {
        &self.row.transition
    }

    /// State key the procedure was in when the request was made.
    async fn from(&self) -> &str {
        &self.row.from_state
    }

    /// State key the transition leads to.
    async fn to(&self) -> &str {
        &self.row.to_state
    }

    /// Null when the current workflow does not define that state.
    #[graphql(name = "fromState")]
    async fn start_state(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<WorkflowState>> {
        Ok(state(app(ctx)?.workflow(), &self.row.from_state))
    }

    /// Null when the current workflow does not define that state.
    async fn to_state(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<WorkflowState>> {
        Ok(state(app(ctx)?.workflow(), &self.row.to_state))
    }

    /// The procedure version the request was made against. If the procedure has changed by the
    /// time the last approval arrives, the request closes as FAILED and nothing moves.
    async fn expected_version(&self) -> i32 {
        self.row.expected_version
    }

    /// The comment the transition will carry.
    async fn comment(&self) -> Option<&str> {
        self.row.comment.as_deref()
    }

    #[instrument(skip_all, fields(request = %self.row.id))]
    async fn requested_by(&self, ctx: &Context<'_>) -> async_graphql::Result<User> {
        self.page
            .requesters
            .get(app(ctx)?, self.row.requested_by)
            .await
    }

    /// The role whose members decide.
    async fn role(&self) -> Role {
        self.row.policy.role.into()
    }

    /// How many distinct approvals apply the transition.
    async fn required(&self) -> i32 {
        i32::try_from(self.row.policy.required).unwrap_or(i32::MAX)
    }

    /// How many approvals it has so far.
    async fn approvals(&self, ctx: &Context<'_>) -> async_graphql::Result<i32> {
        let votes = self.page.votes.get(app(ctx)?, self.row.id).await?;
        let approvals = votes
            .iter()
            .filter(|v| v.row.decision == domain::Decision::Approve)
            .count();
        Ok(i32::try_from(approvals).unwrap_or(i32::MAX))
    }

    /// As of now: a pending request past its deadline is EXPIRED.
    async fn status(&self, ctx: &Context<'_>) -> async_graphql::Result<ApprovalStatus> {
        Ok(self.row.status_at(app(ctx)?.now()).into())
    }

    /// Why it closed: the rejection's comment, or what stopped a FAILED or EXPIRED request.
    async fn reason(&self) -> Option<&str> {
        self.row.reason.as_deref()
    }

    /// The decisions so far, oldest first.
    #[instrument(skip_all, fields(request = %self.row.id))]
    async fn votes(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<ApprovalVote>> {
        self.page.votes.get(app(ctx)?, self.row.id).await
    }

    async fn created_at(&self) -> DateTime {
        DateTime(self.row.created_at)
    }

    /// When an undecided request expires.
    async fn expires_at(&self) -> DateTime {
        DateTime(self.row.expires_at)
    }

    async fn closed_at(&self) -> Option<DateTime> {
        self.row.closed_at.map(DateTime)
    }
}

/// One person's decision on an approval request.
#[derive(Debug, Clone)]
pub struct ApprovalVote {
    row: domain::ApprovalVote,
    /// The voters of every vote of the same page of requests.
    users: Arc<UserBatch>,
}

impl ApprovalVote {
    pub(crate) fn new(row: domain::ApprovalVote, users: Arc<UserBatch>) -> Self {
        Self { row, users }
    }
}

#[Object]
impl ApprovalVote {
    /// The person who decided.
    async fn approver(&self, ctx: &Context<'_>) -> async_graphql::Result<User> {
        self.users.get(app(ctx)?, self.row.approver).await
    }

    /// When the approver decided as a substitute: the person whose vote this counts as.
    async fn on_behalf_of(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
        match self.row.on_behalf_of {
            None => Ok(None),
            Some(id) => Ok(Some(self.users.get(app(ctx)?, id).await?)),
        }
    }

    async fn decision(&self) -> Decision {
        self.row.decision.into()
    }

    async fn comment(&self) -> Option<&str> {
        self.row.comment.as_deref()
    }

    async fn at(&self) -> DateTime {
        DateTime(self.row.at)
    }
}

/// A substitute arrangement: `delegate` may decide approvals in `delegator`'s place from
/// `startsOn` to `endsOn` (Tokyo dates, inclusive).
#[derive(Debug, Clone)]
pub struct Delegation {
    row: domain::Delegation,
    /// The people of every delegation of the same page.
    users: Arc<UserBatch>,
}

impl Delegation {
    pub(crate) fn page(rows: Vec<domain::Delegation>) -> Vec<Self> {
        let users = Arc::new(UserBatch::new(
            rows.iter().flat_map(|d| [d.delegator, d.delegate]),
        ));
        rows.into_iter()
            .map(|row| Self {
                row,
                users: users.clone(),
            })
            .collect()
    }

    pub(crate) fn single(row: domain::Delegation) -> Self {
        Self::page(vec![row])
            .pop()
            .expect("a page of one delegation has one delegation")
    }
}

#[Object]
impl Delegation {
    pub async fn id(&self) -> ID {
        global_id(NodeType::Delegation, self.row.id.as_uuid())
    }

    /// The person stood in for.
    async fn delegator(&self, ctx: &Context<'_>) -> async_graphql::Result<User> {
        self.users.get(app(ctx)?, self.row.delegator).await
    }

    /// The substitute.
    async fn delegate(&self, ctx: &Context<'_>) -> async_graphql::Result<User> {
        self.users.get(app(ctx)?, self.row.delegate).await
    }

    async fn starts_on(&self) -> Date {
        Date(self.row.starts_on)
    }

    async fn ends_on(&self) -> Date {
        Date(self.row.ends_on)
    }

    async fn created_at(&self) -> DateTime {
        DateTime(self.row.created_at)
    }

    /// Set when the arrangement was ended early.
    async fn revoked_at(&self) -> Option<DateTime> {
        self.row.revoked_at.map(DateTime)
    }
}
