//! The Relay `Node` interface and the `node(id)` lookup. The global id names its type, so the
//! lookup is one store read of that type (two for a TransitionRecord: the record, then its
//! procedure, which the record's `procedure` field needs).
//!
//! Tokens and delegations are shown by `node` only to whom `tokens` and `delegations` show
//! them (the owner, the two parties, admins); to anyone else they do not exist (null), so an id
//! reveals nothing. Audit entries are not nodes: the store cannot read one by id.

use async_graphql::{Context, ID, Interface};
use rollout_app::Actor;
use rollout_domain::identity::Role;
use rollout_domain::{
    ApprovalRequestId, BureauId, DelegationId, ProcedureId, TokenId, TransitionRecordId, UserId,
};
use tracing::instrument;

use crate::approval::{ApprovalRequest, Delegation};
use crate::bureau::Bureau;
use crate::history::TransitionRecord;
use crate::identity::{ApiToken, User};
use crate::ids::{NodeType, decode_global_id};
use crate::procedure::Procedure;
use crate::{actor, app, errors};

/// An object with a global id, which `Query.node` can fetch.
#[derive(Debug, Clone, Interface)]
#[graphql(field(name = "id", ty = "ID"))]
pub enum Node {
    Bureau(Bureau),
    Procedure(Procedure),
    TransitionRecord(TransitionRecord),
    User(User),
    ApiToken(ApiToken),
    ApprovalRequest(ApprovalRequest),
    Delegation(Delegation),
}

/// Whether `actor` may see what belongs to `owners` (admins and the system see everything).
fn sees(actor: &Actor, owners: &[UserId]) -> bool {
    match &actor.user {
        None => true,
        Some(u) => u.role == Role::Admin || owners.contains(&u.id),
    }
}

#[instrument(skip(ctx), fields(id = %id.as_str()))]
pub(crate) async fn node(ctx: &Context<'_>, id: &ID) -> async_graphql::Result<Option<Node>> {
    let actor = actor(ctx)?;
    let (ty, uuid) = decode_global_id(id).map_err(|e| errors::validation(e.0))?;
    let store = app(ctx)?.store();
    let found = match ty {
        NodeType::Bureau => store
            .bureaus_by_ids(&[BureauId(uuid)])
            .await
            .map(|b| b.into_iter().next().map(|b| Node::Bureau(Bureau(b)))),
        NodeType::Procedure => store
            .procedure(ProcedureId(uuid))
            .await
            .map(|p| p.map(|p| Node::Procedure(Procedure::single(p)))),
        NodeType::TransitionRecord => {
            let Some(record) = store
                .transition_record(TransitionRecordId(uuid))
                .await
                .map_err(errors::store_error)?
            else {
                return Ok(None);
            };
            store.procedure(record.procedure_id).await.map(|p| {
                p.map(|p| {
                    Node::TransitionRecord(TransitionRecord::new(record, Procedure::single(p)))
                })
            })
        }
        NodeType::User => store
            .user(UserId(uuid))
            .await
            .map(|u| u.map(|u| Node::User(User::single(u)))),
        NodeType::ApiToken => store.token(TokenId(uuid)).await.map(|t| {
            t.filter(|t| sees(&actor, &[t.user_id]))
                .map(|t| Node::ApiToken(ApiToken::single(t)))
        }),
        NodeType::ApprovalRequest => store
            .approval_request(ApprovalRequestId(uuid))
            .await
            .map(|r| r.map(|r| Node::ApprovalRequest(ApprovalRequest::single(r)))),
        NodeType::Delegation => store.delegation(DelegationId(uuid)).await.map(|d| {
            d.filter(|d| sees(&actor, &[d.delegator, d.delegate]))
                .map(|d| Node::Delegation(Delegation::single(d)))
        }),
    };
    found.map_err(errors::store_error)
}
