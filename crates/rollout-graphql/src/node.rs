//! The Relay `Node` interface and the `node(id)` lookup. The global id names its type, so the
//! lookup is one app read of that type (two for a TransitionRecord: the record, then its
//! procedure, which the record's `procedure` field needs).
//!
//! Who sees what is decided in the app (`App::visible_*`), with the visibility of each type's
//! own query: users only for admins and the user themself, tokens and delegations for their
//! owner, parties and admins; reminder rules to those who manage reminders, notifications to
//! their owner. To anyone else an object does not exist (null), so an id reveals nothing. Audit
//! entries are not nodes: the store cannot read one by id. A new Node type needs a row in the end-to-end table `tests/e2e/node_visibility.rs`, which fails otherwise.

use async_graphql::{Context, ID, Interface};
use rollout_domain::{
    ApprovalRequestId, BureauId, DelegationId, ProcedureId, TokenId, TransitionRecordId, UserId,
    UserTestId,
};
use tracing::instrument;

use crate::approval::{ApprovalRequest, Delegation};
use crate::bureau::Bureau;
use crate::history::TransitionRecord;
use crate::identity::{ApiToken, User};
use crate::ids::{NodeType, decode_global_id};
use crate::procedure::Procedure;
use crate::user_test::UserTest;
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
    UserTest(UserTest),
    Hearing(crate::hearing::Hearing),
    Task(crate::task::Task),
    LawChange(crate::blockers::LawChange),
    Milestone(crate::blockers::Milestone),
    Dependency(crate::blockers::Dependency),
    ReminderRule(crate::reminders::ReminderRule),
    Notification(crate::reminders::Notification),
}

#[instrument(skip(ctx), fields(id = %id.as_str()))]
pub(crate) async fn node(ctx: &Context<'_>, id: &ID) -> async_graphql::Result<Option<Node>> {
    let actor = actor(ctx)?;
    let (ty, uuid) = decode_global_id(id).map_err(|e| errors::validation(e.0))?;
    let app = app(ctx)?;
    let found = match ty {
        NodeType::Bureau => app
            .visible_bureau(&actor, BureauId(uuid))
            .await
            .map(|b| b.map(|b| Node::Bureau(Bureau(b)))),
        NodeType::Procedure => app
            .visible_procedure(&actor, ProcedureId(uuid))
            .await
            .map(|p| p.map(|p| Node::Procedure(Procedure::single(p)))),
        NodeType::TransitionRecord => app
            .visible_transition_record(&actor, TransitionRecordId(uuid))
            .await
            .map(|found| {
                found.map(|(record, p)| {
                    Node::TransitionRecord(TransitionRecord::new(record, Procedure::single(p)))
                })
            }),
        NodeType::User => app
            .visible_user(&actor, UserId(uuid))
            .await
            .map(|u| u.map(|u| Node::User(User::single(u)))),
        NodeType::ApiToken => app
            .visible_token(&actor, TokenId(uuid))
            .await
            .map(|t| t.map(|t| Node::ApiToken(ApiToken::single(t)))),
        NodeType::ApprovalRequest => app
            .visible_approval_request(&actor, ApprovalRequestId(uuid))
            .await
            .map(|r| r.map(|r| Node::ApprovalRequest(ApprovalRequest::single(r)))),
        NodeType::Delegation => app
            .visible_delegation(&actor, DelegationId(uuid))
            .await
            .map(|d| d.map(|d| Node::Delegation(Delegation::single(d)))),
        NodeType::UserTest => app
            .visible_user_test(&actor, UserTestId(uuid))
            .await
            .map(|t| t.map(|t| Node::UserTest(UserTest::single(t)))),
        NodeType::Hearing => app
            .visible_hearing(&actor, rollout_domain::HearingId(uuid))
            .await
            .map(|h| h.map(|h| Node::Hearing(crate::hearing::Hearing::single(h)))),
        NodeType::Task => app
            .visible_task(&actor, rollout_domain::TaskId(uuid))
            .await
            .map(|t| t.map(|t| Node::Task(crate::task::Task::single(t)))),
        NodeType::LawChange => app
            .visible_law_change(&actor, rollout_domain::LawChangeId(uuid))
            .await
            .map(|l| l.map(|l| Node::LawChange(crate::blockers::LawChange::single(l)))),
        NodeType::Milestone => app
            .visible_milestone(&actor, rollout_domain::MilestoneId(uuid))
            .await
            .map(|m| m.map(|m| Node::Milestone(crate::blockers::Milestone::single(m)))),
        NodeType::Dependency => app
            .visible_dependency(&actor, rollout_domain::DependencyId(uuid))
            .await
            .map(|d| d.map(|d| Node::Dependency(crate::blockers::Dependency::single(d)))),
        NodeType::ReminderRule => {
            crate::reminders::node_rule(app, &actor, rollout_domain::ReminderRuleId(uuid))
                .await
                .map(|r| r.map(Node::ReminderRule))
        }
        NodeType::Notification => {
            crate::reminders::node_notification(app, &actor, rollout_domain::NotificationId(uuid))
                .await
                .map(|n| n.map(Node::Notification))
        }
        // Ids of these exist (for the mutations that take them) but they are not nodes.
        NodeType::ReminderFiring
        | NodeType::Delivery
        | NodeType::WebhookEndpoint
        | NodeType::QualityAssessment
        | NodeType::UserReview => Ok(None),
    };
    found.map_err(|e| errors::graphql_error(&e))
}
