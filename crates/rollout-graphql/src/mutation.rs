//! The `Mutation` root, merged from one mutation object per feature (bureaus and procedures
//! here; identity and approvals in their modules), and the procedure payloads. Every mutation
//! calls exactly one `App` use case, which checks the actor's permissions; nothing else writes.
//! Expected failures (FORBIDDEN included) come back in the payload's `errors` (see
//! [`crate::errors`]), with the payload's object null; unexpected ones, and a request without an
//! actor (UNAUTHENTICATED), are GraphQL errors.

use async_graphql::{Context, MergedObject, Object, SimpleObject};
use tracing::instrument;

use crate::approval::{ApprovalMutation, ApprovalRequest};
use crate::bureau::Bureau;
use crate::errors::{UserError, payload_errors};
use crate::history::TransitionRecord;
use crate::identity::IdentityMutation;
use crate::inputs::{
    CreateBureauInput, CreateProcedureInput, TransitionProcedureInput, UpdateProcedureInput,
};
use crate::procedure::Procedure;
use crate::user_test::UserTestMutation;
use crate::{actor, app};

#[derive(Debug, Clone, SimpleObject)]
pub struct BureauPayload {
    pub bureau: Option<Bureau>,
    pub errors: Vec<UserError>,
}

#[derive(Debug, Clone, SimpleObject)]
pub struct ProcedurePayload {
    pub procedure: Option<Procedure>,
    pub errors: Vec<UserError>,
}

impl ProcedurePayload {
    fn failed(errors: Vec<UserError>) -> Self {
        Self {
            procedure: None,
            errors,
        }
    }
}

#[derive(Debug, Clone, SimpleObject)]
pub struct TransitionPayload {
    /// The procedure after the transition; unchanged when the transition waits for approval.
    pub procedure: Option<Procedure>,
    /// The history record of the transition; null when it waits for approval.
    pub record: Option<TransitionRecord>,
    /// For a gated transition: the approval request it opened (or, on a retry, the one already
    /// pending). The transition is applied when the request has its approvals.
    pub approval_request: Option<ApprovalRequest>,
    /// True when this answers a retry (the same idempotency key, or the same gated request
    /// while its approval request is pending); nothing was written.
    pub replayed: bool,
    pub errors: Vec<UserError>,
}

/// The mutation root.
#[derive(Debug, Default, MergedObject)]
#[graphql(name = "Mutation")]
pub struct MutationRoot(
    ProcedureMutation,
    IdentityMutation,
    ApprovalMutation,
    UserTestMutation,
    crate::hearing::HearingMutation,
    crate::task::TaskMutation,
    crate::blockers::BlockerMutation,
    crate::reminders::ReminderMutation,
    crate::analytics::AnalyticsMutation,
    crate::quality::QualityMutation,
);

/// Bureaus and procedures.
#[derive(Debug, Default)]
pub(crate) struct ProcedureMutation;

#[Object]
impl ProcedureMutation {
    #[instrument(skip_all, fields(code = %input.code))]
    async fn create_bureau(
        &self,
        ctx: &Context<'_>,
        input: CreateBureauInput,
    ) -> async_graphql::Result<BureauPayload> {
        let actor = actor(ctx)?;
        Ok(match app(ctx)?.create_bureau(&actor, input.into()).await {
            Ok(b) => BureauPayload {
                bureau: Some(Bureau(b)),
                errors: Vec::new(),
            },
            Err(e) => BureauPayload {
                bureau: None,
                errors: payload_errors(&e, "code")?,
            },
        })
    }

    #[instrument(skip_all, fields(code = %input.code))]
    async fn create_procedure(
        &self,
        ctx: &Context<'_>,
        input: CreateProcedureInput,
    ) -> async_graphql::Result<ProcedurePayload> {
        let actor = actor(ctx)?;
        Ok(
            match app(ctx)?.create_procedure(&actor, input.into()).await {
                Ok(p) => ProcedurePayload {
                    procedure: Some(Procedure::single(p)),
                    errors: Vec::new(),
                },
                Err(e) => ProcedurePayload::failed(payload_errors(&e, "code")?),
            },
        )
    }

    #[instrument(skip_all, fields(id = %input.id.as_str()))]
    async fn update_procedure(
        &self,
        ctx: &Context<'_>,
        input: UpdateProcedureInput,
    ) -> async_graphql::Result<ProcedurePayload> {
        let actor = actor(ctx)?;
        let (id, expected_version, update) = match input.into_command() {
            Ok(command) => command,
            Err(errors) => return Ok(ProcedurePayload::failed(errors)),
        };
        let result = app(ctx)?
            .update_procedure(&actor, id, expected_version, update)
            .await;
        Ok(match result {
            Ok(p) => ProcedurePayload {
                procedure: Some(Procedure::single(p)),
                errors: Vec::new(),
            },
            Err(e) => ProcedurePayload::failed(payload_errors(&e, "id")?),
        })
    }

    #[instrument(skip_all, fields(procedure = %input.procedure_id.as_str(), to = %input.to))]
    async fn transition_procedure(
        &self,
        ctx: &Context<'_>,
        input: TransitionProcedureInput,
    ) -> async_graphql::Result<TransitionPayload> {
        let actor = actor(ctx)?;
        let failed = |errors| TransitionPayload {
            procedure: None,
            record: None,
            approval_request: None,
            replayed: false,
            errors,
        };
        let command = match input.into_command() {
            Ok(command) => command,
            Err(error) => return Ok(failed(vec![error])),
        };
        Ok(match app(ctx)?.transition(&actor, command).await {
            Ok(outcome) => {
                let procedure = Procedure::single(outcome.procedure);
                TransitionPayload {
                    record: outcome
                        .record
                        .map(|r| TransitionRecord::new(r, procedure.clone())),
                    approval_request: outcome.approval.map(ApprovalRequest::single),
                    procedure: Some(procedure),
                    replayed: outcome.replayed,
                    errors: Vec::new(),
                }
            }
            Err(e) => failed(payload_errors(&e, "procedureId")?),
        })
    }
}
