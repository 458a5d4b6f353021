//! `Notification` (one recipient's digest of one firing, read in the app), its lines, and the
//! `notifications` connection: the viewer's own, newest first, keyset-paged on
//! (createdAt, id). A notification is only ever shown to its owner; its `rule` only to those
//! who may read rules (null for everybody else), loaded once per page.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::{Context, ID, Object, SimpleObject};
use rollout_app::{Actor, App, AppError};
use rollout_domain::ReminderRuleId;
use rollout_domain::reminders as domain;

use super::ReminderKind;
use super::rule::ReminderRule;
use crate::connection::PageInfo;
use crate::ids::{NodeType, TimeOrdering, encode_time_cursor, global_id};
use crate::loaders::{Batch, keyed};
use crate::scalars::{Date, DateTime};
use crate::{actor, app};

/// The rules a page of notifications names, as the viewer may see them: none at all for a
/// viewer who may not read rules.
type RuleBatch = Batch<ReminderRuleId, ReminderRule>;

/// The rules of a page, or an empty map when the actor may not read rules.
async fn visible_rules(
    app: &App,
    actor: &Actor,
    ids: Vec<ReminderRuleId>,
) -> Result<HashMap<ReminderRuleId, ReminderRule>, AppError> {
    let rules = match app.reminder_rules(actor).await {
        Ok(rules) => rules,
        Err(AppError::Forbidden { .. }) => return Ok(HashMap::new()),
        Err(e) => return Err(e),
    };
    let wanted: Vec<_> = rules.into_iter().filter(|r| ids.contains(&r.id)).collect();
    Ok(keyed(ReminderRule::page(wanted), |r| r.row().id))
}

/// One recipient's digest of one firing.
#[derive(Debug, Clone)]
pub struct Notification {
    row: domain::Notification,
    rules: Arc<RuleBatch>,
}

impl Notification {
    pub(crate) fn page(rows: Vec<domain::Notification>) -> Vec<Self> {
        let rules = Arc::new(RuleBatch::new(rows.iter().map(|n| n.rule_id)));
        rows.into_iter()
            .map(|row| Self {
                row,
                rules: rules.clone(),
            })
            .collect()
    }

    pub(crate) fn single(row: domain::Notification) -> Self {
        Self::page(vec![row])
            .pop()
            .expect("a page of one notification has one")
    }
}

#[Object]
impl Notification {
    pub async fn id(&self) -> ID {
        global_id(NodeType::Notification, self.row.id.as_uuid())
    }

    /// The kind of the rule that fired.
    async fn kind(&self) -> async_graphql::Result<ReminderKind> {
        ReminderKind::parse(&self.row.kind)
    }

    /// In the recipient's language as it was when the rule fired.
    async fn subject(&self) -> &str {
        &self.row.subject
    }

    async fn body(&self) -> &str {
        &self.row.body
    }

    /// One line per item, in the digest's order.
    async fn lines(&self) -> Vec<NotificationLine> {
        self.row
            .lines
            .iter()
            .map(|l| NotificationLine {
                key: l.key.clone(),
                reference: l.reference.clone(),
                title: l.title.clone(),
                date: l.date.map(Date),
                days: l.days,
            })
            .collect()
    }

    /// The rule that fired; null for a reader who may not read rules (or when it is gone).
    async fn rule(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<ReminderRule>> {
        let actor = actor(ctx)?;
        let app = app(ctx)?;
        let map = self
            .rules
            .loaded("reminder_rules", |ids| async move {
                visible_rules(app, &actor, ids).await
            })
            .await?;
        Ok(map.get(&self.row.rule_id).cloned())
    }

    async fn created_at(&self) -> DateTime {
        DateTime(self.row.created_at)
    }

    async fn read_at(&self) -> Option<DateTime> {
        self.row.read_at.map(DateTime)
    }

    async fn read(&self) -> bool {
        self.row.read_at.is_some()
    }
}

/// One item of a digest.
#[derive(Debug, Clone, SimpleObject)]
pub struct NotificationLine {
    /// The item's stable key (`task:<id>`, `procedure:<id>`, `report:2026-09-30`…): what
    /// `snoozeReminderItem` takes.
    pub key: String,
    /// A short reference: a procedure or law-change code, a task title.
    pub reference: String,
    pub title: String,
    /// The date that makes it due, if any.
    pub date: Option<Date>,
    /// Days past (positive) or before (negative) that date, or days without change.
    pub days: i64,
}

#[derive(Debug, Clone, SimpleObject)]
pub struct NotificationEdge {
    pub cursor: String,
    pub node: Notification,
}

/// One page of the viewer's notifications, newest first. It has no `totalCount`;
/// `unreadNotificationCount` counts what matters.
#[derive(Debug, Clone, SimpleObject)]
pub struct NotificationConnection {
    pub edges: Vec<NotificationEdge>,
    pub page_info: PageInfo,
}

impl NotificationConnection {
    pub(crate) fn new(rows: Vec<domain::Notification>, has_next_page: bool, after: bool) -> Self {
        let cursors: Vec<String> = rows
            .iter()
            .map(|n| encode_time_cursor(TimeOrdering::Notifications, n.created_at, n.id.as_uuid()))
            .collect();
        let page_info = PageInfo {
            has_next_page,
            has_previous_page: after,
            start_cursor: cursors.first().cloned(),
            end_cursor: cursors.last().cloned(),
        };
        let edges = Notification::page(rows)
            .into_iter()
            .zip(cursors)
            .map(|(node, cursor)| NotificationEdge { cursor, node })
            .collect();
        Self { edges, page_info }
    }
}
