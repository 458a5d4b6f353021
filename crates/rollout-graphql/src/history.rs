//! Transition history: the `TransitionRecord` type and the paginated `Procedure.history` read
//! (first pages batched per page of procedures, see `loaders`).
//! A record names states by key; `fromState`/`toState` resolve them against the current
//! definition and are null for states it no longer defines, because history outlives workflow
//! versions. Records are only ever built where their procedure is already at hand (its history,
//! a transition's outcome), so `TransitionRecord.procedure` costs no read.
//!
//! `approvalRequest` is a point read, not a batch: only records of gated transitions have one,
//! and the default workflow gates only moves into terminal states, so a history holds at most
//! one. (The store has no by-ids read of approval requests to batch with either.)

use async_graphql::{Context, ID, Object};
use rollout_domain as domain;
use tracing::instrument;

use crate::approval::ApprovalRequest;
use crate::connection::{TransitionRecordConnection, page_request, page_size};
use crate::ids::{NodeType, decode_history_cursor, global_id};
use crate::procedure::Procedure;
use crate::scalars::DateTime;
use crate::workflow::{WorkflowState, state};
use crate::{app, errors};

/// One state change of one procedure.
#[derive(Debug, Clone)]
pub struct TransitionRecord {
    row: domain::TransitionRecord,
    /// The procedure the record belongs to, as it is now.
    procedure: Procedure,
}

impl TransitionRecord {
    pub(crate) fn new(row: domain::TransitionRecord, procedure: Procedure) -> Self {
        Self { row, procedure }
    }
}

#[Object]
impl TransitionRecord {
    pub async fn id(&self) -> ID {
        global_id(NodeType::TransitionRecord, self.row.id.as_uuid())
    }

    /// The procedure as it is now.
    async fn procedure(&self) -> &Procedure {
        &self.procedure
    }

    /// State key before the change; null for the creation record.
    async fn from(&self) -> Option<&str> {
        self.row.from_state.as_deref()
    }

    /// State key after the change.
    async fn to(&self) -> &str {
        &self.row.to_state
    }

    /// Null when the current workflow does not define that state.
    #[graphql(name = "fromState")]
    async fn start_state(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<WorkflowState>> {
        let def = app(ctx)?.workflow();
        Ok(self.row.from_state.as_deref().and_then(|k| state(def, k)))
    }

    /// Null when the current workflow does not define that state.
    async fn to_state(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<WorkflowState>> {
        Ok(state(app(ctx)?.workflow(), &self.row.to_state))
    }

    /// The transition key; "create" for the creation record.
    async fn transition(&self) -> &str {
        &self.row.transition
    }

    async fn actor(&self) -> &str {
        &self.row.actor
    }

    async fn comment(&self) -> Option<&str> {
        self.row.comment.as_deref()
    }

    async fn at(&self) -> DateTime {
        DateTime(self.row.at)
    }

    /// `name@version` of the workflow definition that allowed the change.
    async fn workflow_version(&self) -> &str {
        &self.row.workflow_version
    }

    /// The procedure's version after this change.
    async fn procedure_version(&self) -> i32 {
        self.row.procedure_version
    }

    /// The approval request whose last approval applied this change; null for ungated ones.
    #[instrument(skip_all, fields(record = %self.row.id))]
    async fn approval_request(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<ApprovalRequest>> {
        let Some(id) = self.row.approval_request_id else {
            return Ok(None);
        };
        ApprovalRequest::referenced(ctx, id).await.map(Some)
    }
}

/// One page of a procedure's history, oldest first.
#[instrument(skip(ctx, procedure, after), fields(procedure = %procedure.row().id))]
pub(crate) async fn history_page(
    ctx: &Context<'_>,
    procedure: &Procedure,
    first: Option<i32>,
    after: Option<String>,
) -> async_graphql::Result<TransitionRecordConnection> {
    let first = page_size(first)?;
    let after = after
        .map(|raw| decode_history_cursor(&raw))
        .transpose()
        .map_err(|e| errors::validation(e.0))?;
    let request = page_request(ctx, first, after);
    let app = app(ctx)?;
    let page = if request.after.is_none() {
        procedure.first_history_page(app, &request).await?
    } else {
        app.store()
            .history(procedure.row().id, &request)
            .await
            .map_err(errors::store_error)?
    };
    Ok(TransitionRecordConnection::new(page, procedure))
}
