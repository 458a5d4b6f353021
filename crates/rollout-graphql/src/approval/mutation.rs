//! The approval mutations: deciding a request (`approveRequest`, `rejectRequest`, as oneself or
//! as a substitute with `onBehalfOf`), withdrawing one, and making or ending a substitute
//! arrangement. Each calls one `App` use case; expected failures come back as payload errors
//! (see [`crate::errors`]), e.g. FORBIDDEN for one's own request and APPROVAL_CLOSED for a
//! request that is no longer pending.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use rollout_domain::approval::Decision;
use rollout_domain::{ApprovalRequestId, DelegationId, UserId};
use tracing::instrument;

use super::{ApprovalRequest, Delegation};
use crate::errors::{UserError, payload_errors};
use crate::ids::NodeType;
use crate::inputs::input_id;
use crate::procedure::Procedure;
use crate::scalars::Date;
use crate::{actor, app};

#[derive(Debug, Clone, InputObject)]
pub struct ApproveRequestInput {
    pub id: ID,
    pub comment: Option<String>,
    /// Decide as the substitute of this user (a User id), under a delegation covering today.
    pub on_behalf_of: Option<ID>,
}

#[derive(Debug, Clone, InputObject)]
pub struct RejectRequestInput {
    pub id: ID,
    /// Becomes the request's `reason`.
    pub comment: Option<String>,
    /// Decide as the substitute of this user (a User id), under a delegation covering today.
    pub on_behalf_of: Option<ID>,
}

#[derive(Debug, Clone, InputObject)]
pub struct WithdrawRequestInput {
    pub id: ID,
}

#[derive(Debug, Clone, InputObject)]
pub struct CreateDelegationInput {
    /// The substitute (a User id), who must be able to decide for the viewer's role.
    pub delegate_id: ID,
    pub starts_on: Date,
    /// Inclusive.
    pub ends_on: Date,
}

#[derive(Debug, Clone, InputObject)]
pub struct RevokeDelegationInput {
    pub id: ID,
}

/// The request after a decision and the procedure now.
#[derive(Debug, Clone)]
pub struct ApprovalDecisionPayload {
    request: Option<ApprovalRequest>,
    /// The procedure after the transition, when this decision completed the count.
    moved: Option<Procedure>,
    errors: Vec<UserError>,
}

impl ApprovalDecisionPayload {
    fn failed(errors: Vec<UserError>) -> Self {
        Self {
            request: None,
            moved: None,
            errors,
        }
    }
}

#[Object]
impl ApprovalDecisionPayload {
    async fn request(&self) -> Option<&ApprovalRequest> {
        self.request.as_ref()
    }

    /// The procedure as it is now: moved when this approval completed the count, unchanged
    /// otherwise.
    async fn procedure(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Procedure>> {
        match (&self.moved, &self.request) {
            (Some(moved), _) => Ok(Some(moved.clone())),
            (None, Some(request)) => Ok(Some(request.load_procedure(app(ctx)?).await?)),
            (None, None) => Ok(None),
        }
    }

    async fn errors(&self) -> &[UserError] {
        &self.errors
    }
}

#[derive(Debug, Clone, SimpleObject)]
pub struct ApprovalRequestPayload {
    pub request: Option<ApprovalRequest>,
    pub errors: Vec<UserError>,
}

#[derive(Debug, Clone, SimpleObject)]
pub struct DelegationPayload {
    pub delegation: Option<Delegation>,
    pub errors: Vec<UserError>,
}

impl DelegationPayload {
    fn of(result: Result<Delegation, Vec<UserError>>) -> Self {
        match result {
            Ok(d) => Self {
                delegation: Some(d),
                errors: Vec::new(),
            },
            Err(errors) => Self {
                delegation: None,
                errors,
            },
        }
    }
}

async fn decide(
    ctx: &Context<'_>,
    decision: Decision,
    id: &ID,
    comment: Option<String>,
    on_behalf_of: Option<&ID>,
) -> async_graphql::Result<ApprovalDecisionPayload> {
    let actor = actor(ctx)?;
    let mut errors = Vec::new();
    let id = input_id(id, NodeType::ApprovalRequest, "id")
        .map_err(|e| errors.push(e))
        .ok();
    let on_behalf_of = match on_behalf_of.map(|raw| input_id(raw, NodeType::User, "onBehalfOf")) {
        None => None,
        Some(Ok(uuid)) => Some(UserId(uuid)),
        Some(Err(e)) => {
            errors.push(e);
            None
        }
    };
    let (Some(id), true) = (id, errors.is_empty()) else {
        return Ok(ApprovalDecisionPayload::failed(errors));
    };
    let result = app(ctx)?
        .decide_approval(
            &actor,
            ApprovalRequestId(id),
            decision,
            comment,
            on_behalf_of,
        )
        .await;
    Ok(match result {
        Ok(outcome) => ApprovalDecisionPayload {
            request: Some(ApprovalRequest::single(outcome.request)),
            moved: outcome.procedure.map(Procedure::single),
            errors: Vec::new(),
        },
        Err(e) => ApprovalDecisionPayload::failed(payload_errors(&e, "id")?),
    })
}

#[derive(Debug, Default)]
pub(crate) struct ApprovalMutation;

#[Object]
impl ApprovalMutation {
    /// Approves a pending request. The approval that completes the count applies the
    /// transition, if the procedure has not changed since the request; otherwise the request
    /// closes as FAILED with the reason and nothing moves.
    #[instrument(skip_all, fields(id = %input.id.as_str()))]
    async fn approve_request(
        &self,
        ctx: &Context<'_>,
        input: ApproveRequestInput,
    ) -> async_graphql::Result<ApprovalDecisionPayload> {
        let ApproveRequestInput {
            id,
            comment,
            on_behalf_of,
        } = input;
        decide(ctx, Decision::Approve, &id, comment, on_behalf_of.as_ref()).await
    }

    /// Rejects a pending request, which closes it; the comment becomes its reason.
    #[instrument(skip_all, fields(id = %input.id.as_str()))]
    async fn reject_request(
        &self,
        ctx: &Context<'_>,
        input: RejectRequestInput,
    ) -> async_graphql::Result<ApprovalDecisionPayload> {
        let RejectRequestInput {
            id,
            comment,
            on_behalf_of,
        } = input;
        decide(ctx, Decision::Reject, &id, comment, on_behalf_of.as_ref()).await
    }

    /// The requester takes back their pending request.
    #[instrument(skip_all, fields(id = %input.id.as_str()))]
    async fn withdraw_request(
        &self,
        ctx: &Context<'_>,
        input: WithdrawRequestInput,
    ) -> async_graphql::Result<ApprovalRequestPayload> {
        let actor = actor(ctx)?;
        let failed = |errors| ApprovalRequestPayload {
            request: None,
            errors,
        };
        let id = match input_id(&input.id, NodeType::ApprovalRequest, "id") {
            Ok(id) => ApprovalRequestId(id),
            Err(e) => return Ok(failed(vec![e])),
        };
        Ok(match app(ctx)?.withdraw_approval(&actor, id).await {
            Ok(r) => ApprovalRequestPayload {
                request: Some(ApprovalRequest::single(r)),
                errors: Vec::new(),
            },
            Err(e) => failed(payload_errors(&e, "id")?),
        })
    }

    /// Names a substitute who may decide in the viewer's place over a range of days.
    #[instrument(skip_all)]
    async fn create_delegation(
        &self,
        ctx: &Context<'_>,
        input: CreateDelegationInput,
    ) -> async_graphql::Result<DelegationPayload> {
        let actor = actor(ctx)?;
        let delegate = match input_id(&input.delegate_id, NodeType::User, "delegateId") {
            Ok(id) => UserId(id),
            Err(e) => return Ok(DelegationPayload::of(Err(vec![e]))),
        };
        let result = app(ctx)?
            .create_delegation(&actor, delegate, input.starts_on.0, input.ends_on.0)
            .await;
        Ok(DelegationPayload::of(match result {
            Ok(d) => Ok(Delegation::single(d)),
            Err(e) => Err(payload_errors(&e, "delegateId")?),
        }))
    }

    /// Ends a substitute arrangement early. The delegator (or an admin) may.
    #[instrument(skip_all, fields(id = %input.id.as_str()))]
    async fn revoke_delegation(
        &self,
        ctx: &Context<'_>,
        input: RevokeDelegationInput,
    ) -> async_graphql::Result<DelegationPayload> {
        let actor = actor(ctx)?;
        let id = match input_id(&input.id, NodeType::Delegation, "id") {
            Ok(id) => DelegationId(id),
            Err(e) => return Ok(DelegationPayload::of(Err(vec![e]))),
        };
        let result = app(ctx)?.revoke_delegation(&actor, id).await;
        Ok(DelegationPayload::of(match result {
            Ok(d) => Ok(Delegation::single(d)),
            Err(e) => Err(payload_errors(&e, "id")?),
        }))
    }
}
