//! `ReminderRule` as the API shows it (its scope, recipients, schedule preview and recent
//! firings) and `ReminderFiring`. The named users of a page of rules load together (one read);
//! scope bureaus come from the app's bureau cache; `nextFireTimes` is computed from the stored
//! schedule with no read at all, and `firings` is one read per rule that asks for it.

use std::sync::Arc;

use async_graphql::{Context, ID, Object, SimpleObject};
use rollout_domain::reminders as domain;
use rollout_domain::reminders::Firing;

use super::enums::{HolidayPolicy, MisfirePolicy, NotificationChannel, ReminderKind};
use crate::bureau::Bureau;
use crate::identity::User;
use crate::ids::{NodeType, global_id};
use crate::loaders::UserBatch;
use crate::scalars::DateTime;
use crate::{app, errors};

/// The most firings `ReminderRule.firings` lists.
const MAX_FIRINGS: i32 = 100;

/// A reminder rule: what it looks for, where, who hears of it, when, and how it has fired.
/// Readable by those who manage reminders (the project office and admins).
#[derive(Debug, Clone)]
pub struct ReminderRule {
    row: domain::ReminderRule,
    /// The named recipients of every rule of the same page.
    users: Arc<UserBatch>,
}

impl ReminderRule {
    pub(crate) fn page(rows: Vec<domain::ReminderRule>) -> Vec<Self> {
        let users = Arc::new(UserBatch::new(
            rows.iter().flat_map(|r| r.recipients.users.iter().copied()),
        ));
        rows.into_iter()
            .map(|row| Self {
                row,
                users: users.clone(),
            })
            .collect()
    }

    pub(crate) fn single(row: domain::ReminderRule) -> Self {
        Self::page(vec![row])
            .pop()
            .expect("a page of one rule has one rule")
    }

    pub(crate) fn row(&self) -> &domain::ReminderRule {
        &self.row
    }
}

#[Object]
impl ReminderRule {
    pub async fn id(&self) -> ID {
        global_id(NodeType::ReminderRule, self.row.id.as_uuid())
    }

    async fn name(&self) -> &str {
        &self.row.name
    }

    /// The crontab expression as saved: 5 fields, or 6 with seconds first.
    async fn schedule(&self) -> &str {
        &self.row.schedule
    }

    /// The IANA time zone the schedule is read in, e.g. "Asia/Tokyo".
    async fn time_zone(&self) -> &str {
        &self.row.time_zone
    }

    async fn kind(&self) -> ReminderKind {
        self.row.kind.into()
    }

    /// The kind's number of days; null for TASK_OVERDUE and STAGE_SLA_EXCEEDED.
    async fn days(&self) -> Option<i32> {
        self.row.kind.days().and_then(|d| i32::try_from(d).ok())
    }

    async fn scope(&self) -> ReminderScope {
        ReminderScope(self.row.scope.clone())
    }

    async fn recipients(&self) -> ReminderRecipients {
        ReminderRecipients {
            row: self.row.recipients.clone(),
            users: self.users.clone(),
        }
    }

    async fn channels(&self) -> Vec<NotificationChannel> {
        self.row.channels.iter().map(|c| (*c).into()).collect()
    }

    async fn holiday_policy(&self) -> HolidayPolicy {
        self.row.holiday_policy.into()
    }

    async fn misfire_policy(&self) -> MisfirePolicy {
        self.row.misfire_policy.into()
    }

    /// An item this rule reminded a person of within this many days is not repeated to them
    /// (0: every firing).
    async fn quiet_days(&self) -> i64 {
        i64::from(self.row.quiet_days)
    }

    /// False while the rule is paused: its ticks are neither fired nor counted missed.
    async fn enabled(&self) -> bool {
        self.row.enabled
    }

    /// When the rule last fired (the moment of the firing, not its tick).
    async fn last_fired_at(&self) -> Option<DateTime> {
        self.row.last_fired_at.map(DateTime)
    }

    /// The scheduled instant of the last firing.
    async fn last_tick_at(&self) -> Option<DateTime> {
        self.row.last_tick.map(DateTime)
    }

    /// Ticks that came due while no scheduler ran and were not fired (misfire policy).
    async fn missed_ticks(&self) -> i64 {
        self.row.missed_ticks
    }

    /// The next `count` (at most 100) fire times after now, with the holiday policy applied.
    async fn next_fire_times(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 5)] count: i32,
    ) -> async_graphql::Result<Vec<DateTime>> {
        let count = preview_count(count)?;
        let app = app(ctx)?;
        let schedule = app
            .parse_schedule(&self.row.schedule, Some(&self.row.time_zone))
            .map_err(|e| {
                errors::internal(format!("stored rule {} does not parse: {e}", self.row.id))
            })?;
        Ok(app
            .preview_fire_times(&schedule, self.row.holiday_policy, app.now(), count)
            .into_iter()
            .map(DateTime)
            .collect())
    }

    /// The rule's latest firings (at most 100), newest tick first.
    async fn firings(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 10)] first: i32,
    ) -> async_graphql::Result<Vec<ReminderFiring>> {
        let first = usize::try_from(first)
            .ok()
            .filter(|n| *n <= MAX_FIRINGS as usize)
            .ok_or_else(|| {
                errors::validation(format!(
                    "first must be between 0 and {MAX_FIRINGS} (got {first})"
                ))
            })?;
        if first == 0 {
            return Ok(Vec::new());
        }
        let rows = app(ctx)?
            .store()
            .firings(self.row.id, first)
            .await
            .map_err(errors::store_error)?;
        Ok(rows.into_iter().map(ReminderFiring::from).collect())
    }

    async fn created_at(&self) -> DateTime {
        DateTime(self.row.created_at)
    }

    async fn updated_at(&self) -> DateTime {
        DateTime(self.row.updated_at)
    }

    /// Give it back as `expectedVersion` when changing the rule.
    async fn version(&self) -> i32 {
        self.row.version
    }
}

/// Checks a preview's `count` (0..=100) before anything is computed.
pub(crate) fn preview_count(count: i32) -> async_graphql::Result<usize> {
    let max = rollout_app::reminders::MAX_PREVIEW;
    usize::try_from(count)
        .ok()
        .filter(|n| *n <= max)
        .ok_or_else(|| {
            errors::validation(format!("count must be between 0 and {max} (got {count})"))
        })
}

/// Which items a rule considers; empty lists mean all.
#[derive(Debug, Clone)]
pub struct ReminderScope(domain::ReminderScope);

#[Object]
impl ReminderScope {
    /// Items of these bureaus only (all bureaus when empty).
    async fn bureaus(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Bureau>> {
        if self.0.bureaus.is_empty() {
            return Ok(Vec::new());
        }
        let rows = app(ctx)?
            .bureaus_by_ids(&self.0.bureaus)
            .await
            .map_err(|e| errors::graphql_error(&e))?;
        let mut bureaus: Vec<Bureau> = rows.into_iter().map(Bureau).collect();
        bureaus.sort_by(|a, b| a.0.code.as_str().cmp(b.0.code.as_str()));
        Ok(bureaus)
    }

    /// Procedures in these workflow states only (all when empty).
    async fn states(&self) -> &[String] {
        &self.0.states
    }

    /// Priority procedures only (10,000+ applications a year).
    async fn priority_only(&self) -> bool {
        self.0.priority_only
    }
}

/// Who hears of a rule's items: each item goes to the union of these, each person once.
#[derive(Debug, Clone)]
pub struct ReminderRecipients {
    row: domain::Recipients,
    users: Arc<UserBatch>,
}

#[Object]
impl ReminderRecipients {
    /// The assignee of a task item.
    async fn assignee(&self) -> bool {
        self.row.assignee
    }

    /// The active coordinators of the item's bureau.
    async fn bureau_coordinators(&self) -> bool {
        self.row.bureau_coordinators
    }

    /// Every active project-office member.
    async fn project_office(&self) -> bool {
        self.row.project_office
    }

    /// Named users, who hear of every item of a firing.
    async fn users(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<User>> {
        let app = app(ctx)?;
        let mut users = Vec::with_capacity(self.row.users.len());
        for id in &self.row.users {
            users.push(self.users.get(app, *id).await?);
        }
        Ok(users)
    }
}

/// One tick of a rule, fired once: what it found and sent.
#[derive(Debug, Clone, SimpleObject)]
pub struct ReminderFiring {
    pub id: ID,
    /// The scheduled instant (after the holiday policy); a rule fires once per tick.
    pub tick_at: DateTime,
    /// When it was fired.
    pub fired_at: DateTime,
    /// How many items it found.
    pub items: i64,
    /// How many people received a digest.
    pub recipients: i64,
    /// How many e-mails and webhook calls it queued.
    pub deliveries: i64,
}

impl From<Firing> for ReminderFiring {
    fn from(f: Firing) -> Self {
        Self {
            id: global_id(NodeType::ReminderFiring, f.id.as_uuid()),
            tick_at: DateTime(f.tick_at),
            fired_at: DateTime(f.fired_at),
            items: f.items,
            recipients: f.recipients,
            deliveries: f.deliveries,
        }
    }
}
