//! Reminders as the API shows them (issue 12): rules (`ReminderRule`, its scope, recipients,
//! schedule preview and firings), the viewer's notifications, the operator's views (scheduler
//! status, deliveries) and webhook endpoints; their queries, mutations, and the
//! `notificationAdded` stream the subscription root serves. Permissions, validation and
//! timing are the app's and the domain's; this module converts by hand and shapes results.
//!
//! `ReminderRule` and `Notification` are nodes: a rule for those who manage reminders, a
//! notification for its owner only; to anyone else `node(id)` is null ([`node_rule`],
//! [`node_notification`]). Firings, deliveries and webhook endpoints have ids but are not
//! nodes: nothing asks for one alone except the mutations that take them.

mod enums;
mod inputs;
mod mutation;
mod notification;
mod operations;
mod query;
mod rule;
mod stream;

use rollout_app::{Actor, App, AppError, AppResult};
use rollout_domain::{NotificationId, ReminderRuleId};

pub(crate) use enums::{Language, ReminderKind};
pub(crate) use mutation::ReminderMutation;
pub(crate) use notification::Notification;
pub(crate) use query::ReminderQuery;
pub(crate) use rule::ReminderRule;
pub(crate) use stream::notifications_added;

/// A rule for `node(id)`: null to those who may not read rules, as for an unknown id.
pub(crate) async fn node_rule(
    app: &App,
    actor: &Actor,
    id: ReminderRuleId,
) -> AppResult<Option<ReminderRule>> {
    match app.reminder_rule(actor, id).await {
        Ok(rule) => Ok(rule.map(ReminderRule::single)),
        Err(AppError::Forbidden { .. }) => Ok(None),
        Err(e) => Err(e),
    }
}

/// A notification for `node(id)`: its owner's only, null to everyone else.
pub(crate) async fn node_notification(
    app: &App,
    actor: &Actor,
    id: NotificationId,
) -> AppResult<Option<Notification>> {
    let Some(me) = actor.user.as_ref().map(|u| u.id) else {
        return Ok(None);
    };
    let found = app.store().notifications_by_ids(&[id]).await?;
    Ok(found
        .into_iter()
        .find(|n| n.id == id && n.user_id == me)
        .map(Notification::single))
}
