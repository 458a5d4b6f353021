//! Single reads by id, each with the visibility of its type's own query, so that a lookup by id
//! (GraphQL's `node(id:)` today, the dashboard's pages later) shows exactly what the listings
//! show and nothing more. What an actor may not see is absent (`None`), never FORBIDDEN: an id
//! must not reveal whether its object exists. No refusal is audited here for the same reason.
//!
//! The rules, mirroring the queries: users only to admins (`users`) and to the user themself
//! (`viewer`); tokens to their owner and admins (`tokens`); delegations to their two parties and
//! admins (`delegations`); bureaus, procedures, history records and approval requests to every
//! role that may read (`bureaus`, `procedures`, `history`, `approvals`). The system sees all.
//! Fields nested inside a visible object (an approval's `requestedBy`) are not judged here.

use rollout_domain::approval::{ApprovalRequest, Delegation};
use rollout_domain::authz::{self, Action};
use rollout_domain::identity::User;
use rollout_domain::token::ApiToken;
use rollout_domain::{
    ApprovalRequestId, Bureau, BureauId, DelegationId, Procedure, ProcedureId, TokenId,
    TransitionRecord, TransitionRecordId, UserId,
};
use tracing::instrument;

use crate::{Actor, App, AppResult};

/// Whether `actor` may read what every role may read (a disabled user may not).
pub(crate) fn reads(actor: &Actor) -> bool {
    actor
        .user
        .as_ref()
        .is_none_or(|u| authz::authorize(u, Action::Read).is_ok())
}

/// Whether `actor` sees every user's people-owned objects (users, tokens, delegations), not
/// only their own: the system and whoever may manage users.
pub(crate) fn sees_everyones(actor: &Actor) -> bool {
    actor
        .user
        .as_ref()
        .is_none_or(|u| authz::authorize(u, Action::ManageUsers).is_ok())
}

/// Whether `actor` sees an object that belongs to `owners`.
fn sees_owned(actor: &Actor, owners: &[UserId]) -> bool {
    reads(actor)
        && (sees_everyones(actor) || actor.user_id().is_some_and(|me| owners.contains(&me)))
}

impl App {
    #[instrument(name = "app.visible_bureau", skip(self, actor), fields(actor = %actor.label))]
    pub async fn visible_bureau(&self, actor: &Actor, id: BureauId) -> AppResult<Option<Bureau>> {
        if !reads(actor) {
            return Ok(None);
        }
        Ok(self.bureaus_by_ids(&[id]).await?.into_iter().next())
    }

    #[instrument(name = "app.visible_procedure", skip(self, actor, id), fields(procedure_id = %id, actor = %actor.label))]
    pub async fn visible_procedure(
        &self,
        actor: &Actor,
        id: ProcedureId,
    ) -> AppResult<Option<Procedure>> {
        if !reads(actor) {
            return Ok(None);
        }
        Ok(self.store().procedure(id).await?)
    }

    /// A history record with the procedure it belongs to.
    #[instrument(name = "app.visible_transition_record", skip(self, actor), fields(actor = %actor.label))]
    pub async fn visible_transition_record(
        &self,
        actor: &Actor,
        id: TransitionRecordId,
    ) -> AppResult<Option<(TransitionRecord, Procedure)>> {
        if !reads(actor) {
            return Ok(None);
        }
        let Some(record) = self.store().transition_record(id).await? else {
            return Ok(None);
        };
        let procedure = self.store().procedure(record.procedure_id).await?;
        Ok(procedure.map(|p| (record, p)))
    }

    #[instrument(name = "app.visible_approval_request", skip(self, actor), fields(actor = %actor.label))]
    pub async fn visible_approval_request(
        &self,
        actor: &Actor,
        id: ApprovalRequestId,
    ) -> AppResult<Option<ApprovalRequest>> {
        if !reads(actor) {
            return Ok(None);
        }
        Ok(self.store().approval_request(id).await?)
    }

    #[instrument(name = "app.visible_user", skip(self, actor), fields(actor = %actor.label))]
    pub async fn visible_user(&self, actor: &Actor, id: UserId) -> AppResult<Option<User>> {
        if !sees_owned(actor, &[id]) {
            return Ok(None);
        }
        Ok(self.store().user(id).await?)
    }

    #[instrument(name = "app.visible_token", skip(self, actor), fields(actor = %actor.label))]
    pub async fn visible_token(&self, actor: &Actor, id: TokenId) -> AppResult<Option<ApiToken>> {
        if !reads(actor) {
            return Ok(None);
        }
        let token = self.store().token(id).await?;
        Ok(token.filter(|t| sees_owned(actor, &[t.user_id])))
    }

    #[instrument(name = "app.visible_delegation", skip(self, actor), fields(actor = %actor.label))]
    pub async fn visible_delegation(
        &self,
        actor: &Actor,
        id: DelegationId,
    ) -> AppResult<Option<Delegation>> {
        if !reads(actor) {
            return Ok(None);
        }
        let delegation = self.store().delegation(id).await?;
        Ok(delegation.filter(|d| sees_owned(actor, &[d.delegator, d.delegate])))
    }
}
