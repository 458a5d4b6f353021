//! The reminder queries. Rules (`reminderRules`, `reminderRule`) are read by those who manage
//! reminders, the operator's views (`schedulerStatus`, `deliveries`) by those who operate the
//! scheduler, `webhookEndpoints` by admins: anyone else gets a FORBIDDEN error, as for every
//! refused read. `notifications` and `unreadNotificationCount` are the viewer's own, and
//! `previewSchedule` (a computation that reads nothing) is open to every role; a schedule or
//! time zone it cannot read is a VALIDATION error saying why.
//!
//! Rules are few (tens), so `reminderRules` reads them all and pages in memory, by name then
//! id; its cursor belongs to that listing alone.

use async_graphql::{ComplexObject, Context, ID, Object, SimpleObject};
use rollout_app::AppError;
use rollout_app::reminders::MAX_NOTIFICATION_PAGE;
use rollout_domain::{NotificationId, ReminderRuleId};
use tracing::instrument;

use super::enums::{DeliveryStatus, HolidayPolicy};
use super::notification::NotificationConnection;
use super::operations::{Delivery, SchedulerStatus, WebhookEndpoint};
use super::rule::{ReminderRule, preview_count};
use crate::connection::{PageInfo, page_size};
use crate::ids::{
    NodeType, TimeOrdering, argument_id, decode_rule_cursor, decode_time_cursor, encode_rule_cursor,
};
use crate::scalars::DateTime;
use crate::{actor, app, errors};

#[derive(Debug, Clone, SimpleObject)]
pub struct ReminderRuleEdge {
    pub cursor: String,
    pub node: ReminderRule,
}

/// One page of reminder rules, by name.
#[derive(Debug, Clone, SimpleObject)]
#[graphql(complex)]
pub struct ReminderRuleConnection {
    pub edges: Vec<ReminderRuleEdge>,
    pub page_info: PageInfo,
    #[graphql(skip)]
    total: usize,
}

#[ComplexObject]
impl ReminderRuleConnection {
    /// How many rules there are in all.
    async fn total_count(&self) -> i64 {
        i64::try_from(self.total).unwrap_or(i64::MAX)
    }
}

/// `first` rules after the cursor (name, id) of `rules` in (name, id) order.
fn rule_page(
    mut rules: Vec<rollout_domain::reminders::ReminderRule>,
    first: usize,
    after: Option<(String, uuid::Uuid)>,
) -> ReminderRuleConnection {
    rules.sort_by(|a, b| (a.name.as_str(), a.id).cmp(&(b.name.as_str(), b.id)));
    let total = rules.len();
    let start = after.as_ref().map_or(0, |(name, id)| {
        rules
            .iter()
            .position(|r| (r.name.as_str(), r.id.as_uuid()) > (name.as_str(), *id))
            .unwrap_or(total)
    });
    let has_next_page = total > start + first;
    let page: Vec<_> = rules.into_iter().skip(start).take(first).collect();
    let cursors: Vec<String> = page
        .iter()
        .map(|r| encode_rule_cursor(&r.name, r.id.as_uuid()))
        .collect();
    let page_info = PageInfo {
        has_next_page,
        has_previous_page: after.is_some(),
        start_cursor: cursors.first().cloned(),
        end_cursor: cursors.last().cloned(),
    };
    let edges = ReminderRule::page(page)
        .into_iter()
        .zip(cursors)
        .map(|(node, cursor)| ReminderRuleEdge { cursor, node })
        .collect();
    ReminderRuleConnection {
        edges,
        page_info,
        total,
    }
}

/// A page size between 0 and `max`, `default` when absent or null.
fn bounded(first: Option<i32>, default: usize, max: usize) -> async_graphql::Result<usize> {
    let Some(first) = first else {
        return Ok(default);
    };
    usize::try_from(first)
        .ok()
        .filter(|n| *n <= max)
        .ok_or_else(|| {
            errors::validation(format!("first must be between 0 and {max} (got {first})"))
        })
}

#[derive(Debug, Default)]
pub(crate) struct ReminderQuery;

#[Object]
impl ReminderQuery {
    /// One page of reminder rules (default 50, at most 500), by name. Project office and admins.
    #[instrument(skip_all)]
    async fn reminder_rules(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<ReminderRuleConnection> {
        let actor = actor(ctx)?;
        let first = page_size(first)?;
        let after = after
            .map(|raw| decode_rule_cursor(&raw))
            .transpose()
            .map_err(|e| errors::validation(e.0))?;
        let rules = app(ctx)?
            .reminder_rules(&actor)
            .await
            .map_err(|e| errors::graphql_error(&e))?;
        Ok(rule_page(rules, first, after))
    }

    /// The rule with this id, or null. Project office and admins.
    #[instrument(skip(self, ctx))]
    async fn reminder_rule(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> async_graphql::Result<Option<ReminderRule>> {
        let actor = actor(ctx)?;
        let id = ReminderRuleId(argument_id(&id, NodeType::ReminderRule)?);
        let rule = app(ctx)?
            .reminder_rule(&actor, id)
            .await
            .map_err(|e| errors::graphql_error(&e))?;
        Ok(rule.map(ReminderRule::single))
    }

    /// The next `count` (at most 100) fire times of a schedule after now: a crontab expression
    /// (5 fields, or 6 with seconds first) in `timeZone` (default Asia/Tokyo), with the holiday
    /// policy applied. A schedule or time zone that does not parse is a VALIDATION error whose
    /// message says why, as `createReminderRule` would report it.
    #[instrument(skip(self, ctx))]
    async fn preview_schedule(
        &self,
        ctx: &Context<'_>,
        schedule: String,
        time_zone: Option<String>,
        #[graphql(default_with = "Some(HolidayPolicy::Fire)")] holiday_policy: Option<
            HolidayPolicy,
        >,
        #[graphql(default_with = "Some(5)")] count: Option<i32>,
    ) -> async_graphql::Result<Vec<DateTime>> {
        actor(ctx)?;
        let count = preview_count(count.unwrap_or(5))?;
        let app = app(ctx)?;
        let parsed = app
            .parse_schedule(schedule.trim(), time_zone.as_deref())
            .map_err(|e| errors::graphql_error(&e))?;
        Ok(app
            .preview_fire_times(
                &parsed,
                holiday_policy.unwrap_or(HolidayPolicy::Fire).into(),
                app.now(),
                count,
            )
            .into_iter()
            .map(DateTime)
            .collect())
    }

    /// The viewer's notifications, newest first (default 20, at most 100 per page).
    #[instrument(skip_all)]
    async fn notifications(
        &self,
        ctx: &Context<'_>,
        #[graphql(default_with = "Some(false)")] unread_only: Option<bool>,
        #[graphql(default_with = "Some(20)")] first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<NotificationConnection> {
        let actor = actor(ctx)?;
        let first = bounded(first, 20, MAX_NOTIFICATION_PAGE)?;
        let unread_only = unread_only.unwrap_or(false);
        let before = after
            .map(|raw| decode_time_cursor(&raw, TimeOrdering::Notifications))
            .transpose()
            .map_err(|e| errors::validation(e.0))?
            .map(|(at, id)| (at, NotificationId(id)));
        let app = app(ctx)?;
        let fail = |e: AppError| errors::graphql_error(&e);
        // One more than asked tells whether a next page exists; at the app's maximum page
        // size, a second read of one row past the page does.
        let ask = (first + 1).min(MAX_NOTIFICATION_PAGE);
        let mut rows = app
            .my_notifications(&actor, unread_only, before, ask)
            .await
            .map_err(fail)?;
        let has_next_page = if rows.len() > first {
            rows.truncate(first);
            true
        } else if ask == first && rows.len() == first && first > 0 {
            let last = rows.last().map(|n| (n.created_at, n.id));
            !app.my_notifications(&actor, unread_only, last, 1)
                .await
                .map_err(fail)?
                .is_empty()
        } else {
            false
        };
        Ok(NotificationConnection::new(
            rows,
            has_next_page,
            before.is_some(),
        ))
    }

    /// How many of the viewer's notifications are unread.
    #[instrument(skip_all)]
    async fn unread_notification_count(&self, ctx: &Context<'_>) -> async_graphql::Result<i64> {
        let actor = actor(ctx)?;
        app(ctx)?
            .my_unread_notifications(&actor)
            .await
            .map_err(|e| errors::graphql_error(&e))
    }

    /// Every rule's last and next fire, missed ticks, and the outbox. Project office and admins.
    #[instrument(skip_all)]
    async fn scheduler_status(&self, ctx: &Context<'_>) -> async_graphql::Result<SchedulerStatus> {
        let actor = actor(ctx)?;
        let status = app(ctx)?
            .scheduler_status(&actor)
            .await
            .map_err(|e| errors::graphql_error(&e))?;
        Ok(status.into())
    }

    /// Deliveries with this status (DEAD unless given; null: any), newest first, at most 100.
    /// Project office and admins.
    #[instrument(skip_all)]
    async fn deliveries(
        &self,
        ctx: &Context<'_>,
        #[graphql(default_with = "Some(DeliveryStatus::Dead)")] status: Option<DeliveryStatus>,
        #[graphql(default_with = "Some(20)")] first: Option<i32>,
    ) -> async_graphql::Result<Vec<Delivery>> {
        let actor = actor(ctx)?;
        let first = bounded(first, 20, 100)?;
        let rows = app(ctx)?
            .deliveries(&actor, status.map(Into::into), first)
            .await
            .map_err(|e| errors::graphql_error(&e))?;
        Ok(rows.into_iter().map(Delivery).collect())
    }

    /// Every webhook endpoint, without secrets. Admins.
    #[instrument(skip_all)]
    async fn webhook_endpoints(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<WebhookEndpoint>> {
        let actor = actor(ctx)?;
        let rows = app(ctx)?
            .webhook_endpoints(&actor)
            .await
            .map_err(|e| errors::graphql_error(&e))?;
        Ok(rows.into_iter().map(WebhookEndpoint).collect())
    }
}

#[cfg(test)]
mod tests {
    use chrono::Utc;
    use rollout_domain::reminders::{
        HolidayPolicy, MisfirePolicy, Recipients, ReminderKind, ReminderRule, ReminderScope,
    };
    use uuid::Uuid;

    use super::*;

    fn rule(name: &str, n: u128) -> ReminderRule {
        let now = Utc::now();
        ReminderRule {
            id: ReminderRuleId(Uuid::from_u128(n)),
            name: name.to_owned(),
            schedule: "0 9 * * *".into(),
            time_zone: "Asia/Tokyo".into(),
            kind: ReminderKind::TaskOverdue,
            scope: ReminderScope::default(),
            recipients: Recipients::default(),
            channels: Vec::new(),
            holiday_policy: HolidayPolicy::Fire,
            misfire_policy: MisfirePolicy::FireOnce,
            quiet_days: 0,
            enabled: true,
            cursor: now,
            last_fired_at: None,
            last_tick: None,
            missed_ticks: 0,
            created_by: None,
            created_at: now,
            updated_at: now,
            version: 1,
        }
    }

    fn names(c: &ReminderRuleConnection) -> Vec<String> {
        c.edges.iter().map(|e| e.node.row().name.clone()).collect()
    }

    #[test]
    fn rules_page_by_name_after_the_cursor() {
        let rules = vec![rule("c", 1), rule("a", 2), rule("b", 3)];
        let first = rule_page(rules.clone(), 2, None);
        assert_eq!(names(&first), ["a", "b"]);
        assert!(first.page_info.has_next_page);
        assert!(!first.page_info.has_previous_page);
        let after = decode_rule_cursor(first.page_info.end_cursor.as_deref().unwrap()).unwrap();
        let second = rule_page(rules.clone(), 2, Some(after));
        assert_eq!(names(&second), ["c"]);
        assert!(!second.page_info.has_next_page);
        assert!(second.page_info.has_previous_page);
        assert_eq!(second.total, 3);
        // A cursor whose rule was deleted still pages on from where it stood.
        let gone = rule_page(rules, 5, Some(("b0".into(), Uuid::from_u128(9))));
        assert_eq!(names(&gone), ["c"]);
    }
}
