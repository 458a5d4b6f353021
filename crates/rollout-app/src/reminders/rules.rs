//! Reminder rules: the project office and admins create, change, pause and preview them
//! (`Action::ManageReminders`). A rule is validated whole on save (schedule and time zone parsed,
//! kind and its days, scope bureaus and states known, named users known, at least one channel
//! and one kind of recipient) and every problem is reported with its field. A new rule, or one
//! re-enabled or rescheduled, starts counting ticks from the moment it is saved: ticks while it
//! was paused are neither fired nor missed.

use chrono::{DateTime, Utc};
use rollout_domain::ReminderRuleId;
use rollout_domain::authz::Action;
use rollout_domain::reminders::rule::KindError;
use rollout_domain::reminders::schedule::Schedule;
use rollout_domain::reminders::{
    Channel, HolidayPolicy, MisfirePolicy, Recipients, ReminderKind, ReminderRule, ReminderScope,
};
use rollout_domain::text::TextKind;
use rollout_store::Write;
use serde_json::{Value, json};
use tracing::instrument;

use crate::audit::Target;
use crate::error::FieldError;
use crate::text::TextChecks;
use crate::{Actor, App, AppError, AppResult, new_uuid};

/// The time zone a rule gets when none is given.
pub const DEFAULT_TIME_ZONE: &str = "Asia/Tokyo";
/// The most fire times a preview lists.
pub const MAX_PREVIEW: usize = 100;

/// A rule's definition, as created or replaced.
#[derive(Debug, Clone)]
pub struct RuleDefinition {
    pub name: String,
    pub schedule: String,
    pub time_zone: Option<String>,
    /// The kind's name (`TASK_OVERDUE`…) and its days, checked together.
    pub kind: String,
    pub days: Option<i64>,
    pub scope: ReminderScope,
    pub recipients: Recipients,
    pub channels: Vec<Channel>,
    pub holiday_policy: HolidayPolicy,
    pub misfire_policy: MisfirePolicy,
    pub quiet_days: i64,
    pub enabled: bool,
}

/// A rule's definition checked: what is stored.
struct Checked {
    kind: ReminderKind,
    time_zone: String,
}

impl Checked {
    /// `rule` with the definition's fields (its identity and scheduling state kept).
    fn apply(self, def: RuleDefinition, rule: ReminderRule) -> ReminderRule {
        ReminderRule {
            name: def.name,
            schedule: def.schedule.trim().to_owned(),
            time_zone: self.time_zone,
            kind: self.kind,
            scope: def.scope,
            recipients: def.recipients,
            channels: def.channels,
            holiday_policy: def.holiday_policy,
            misfire_policy: def.misfire_policy,
            quiet_days: u32::try_from(def.quiet_days).unwrap_or(0),
            enabled: def.enabled,
            ..rule
        }
    }
}

fn rule_json(r: &ReminderRule) -> Value {
    json!({
        "name": r.name, "schedule": r.schedule, "timeZone": r.time_zone,
        "kind": r.kind.name(), "days": r.kind.days(),
        "scope": { "bureaus": r.scope.bureaus.iter().map(ToString::to_string).collect::<Vec<_>>(),
                   "states": r.scope.states, "priorityOnly": r.scope.priority_only },
        "recipients": { "assignee": r.recipients.assignee,
                        "bureauCoordinators": r.recipients.bureau_coordinators,
                        "projectOffice": r.recipients.project_office,
                        "users": r.recipients.users.iter().map(ToString::to_string).collect::<Vec<_>>() },
        "channels": r.channels.iter().map(|c| c.name()).collect::<Vec<_>>(),
        "holidayPolicy": format!("{:?}", r.holiday_policy),
        "misfirePolicy": format!("{:?}", r.misfire_policy),
        "quietDays": r.quiet_days, "enabled": r.enabled, "version": r.version,
    })
}

fn not_found(id: ReminderRuleId) -> AppError {
    AppError::NotFound {
        entity: "reminder rule",
        key: id.to_string(),
    }
}

impl App {
    /// Parses a schedule in a time zone (the default when `None`), for saving and previews.
    pub fn parse_schedule(&self, schedule: &str, time_zone: Option<&str>) -> AppResult<Schedule> {
        let tz = time_zone.unwrap_or(DEFAULT_TIME_ZONE);
        Schedule::parse(schedule, tz).map_err(|e| AppError::validation("schedule", e.to_string()))
    }

    async fn check_definition(&self, def: &mut RuleDefinition) -> AppResult<Checked> {
        TextChecks::default()
            .check("name", TextKind::Name, &mut def.name)
            .finish()?;
        let mut errors: Vec<FieldError> = Vec::new();
        let mut fail = |field: &str, message: String| {
            errors.push(FieldError {
                path: vec![field.to_owned()],
                message,
            })
        };
        def.name = def.name.trim().to_owned();
        if def.name.is_empty() {
            fail("name", "a name needs 1 to 200 characters".into());
        }
        let time_zone = def
            .time_zone
            .clone()
            .unwrap_or_else(|| DEFAULT_TIME_ZONE.to_owned());
        if let Err(e) = Schedule::parse(def.schedule.trim(), &time_zone) {
            let field = if e.to_string().contains("time zone") {
                "timeZone"
            } else {
                "schedule"
            };
            fail(field, e.to_string());
        }
        let kind = ReminderKind::from_parts(&def.kind, def.days).map_err(|e| {
            let field = match e {
                KindError::Unknown(_) => "kind",
                _ => "days",
            };
            (field, e.to_string())
        });
        if let Err((field, message)) = &kind {
            fail(field, message.clone());
        }
        if def.channels.is_empty() {
            fail("channels", "give at least one channel".into());
        }
        def.channels.sort();
        def.channels.dedup();
        if def.recipients.is_empty() {
            fail("recipients", "give at least one kind of recipient".into());
        }
        if !(0..=3650).contains(&def.quiet_days) {
            fail(
                "quietDays",
                format!("quiet days must be 0–3650, not {}", def.quiet_days),
            );
        }
        for (i, s) in def.scope.states.iter().enumerate() {
            if self.workflow().state(s).is_none() {
                fail(
                    &format!("scope.states.{i}"),
                    format!("the workflow has no state {s:?}"),
                );
            }
        }
        let bureaus = self.store().list_bureaus().await?;
        for (i, b) in def.scope.bureaus.iter().enumerate() {
            if !bureaus.iter().any(|x| x.id == *b) {
                fail(
                    &format!("scope.bureaus.{i}"),
                    format!("bureau {b} not found"),
                );
            }
        }
        if !def.recipients.users.is_empty() {
            let found = self.store().users_by_ids(&def.recipients.users).await?;
            for (i, u) in def.recipients.users.iter().enumerate() {
                if !found.iter().any(|x| x.id == *u) {
                    fail(
                        &format!("recipients.users.{i}"),
                        format!("user {u} not found"),
                    );
                }
            }
        }
        dedup_ids(&mut def.scope.bureaus);
        dedup_ids(&mut def.recipients.users);
        def.scope.states.sort();
        def.scope.states.dedup();
        if !errors.is_empty() {
            return Err(AppError::Validation(errors));
        }
        Ok(Checked {
            kind: kind.unwrap_or(ReminderKind::TaskOverdue),
            time_zone,
        })
    }

    #[instrument(name = "app.create_reminder_rule", skip_all, fields(actor = %actor.label))]
    pub async fn create_reminder_rule(
        &self,
        actor: &Actor,
        def: RuleDefinition,
    ) -> AppResult<ReminderRule> {
        let id = ReminderRuleId(new_uuid());
        let target = Target::new("ReminderRule", id);
        self.require(
            actor,
            Action::ManageReminders,
            "reminder_rule.create",
            &target,
        )
        .await?;
        let mut def = def;
        let checked = self.check_definition(&mut def).await?;
        let now = self.now();
        let rule = checked.apply(
            def,
            ReminderRule {
                id,
                name: String::new(),
                schedule: String::new(),
                time_zone: String::new(),
                kind: ReminderKind::TaskOverdue,
                scope: ReminderScope::default(),
                recipients: Recipients::default(),
                channels: Vec::new(),
                holiday_policy: HolidayPolicy::Fire,
                misfire_policy: MisfirePolicy::FireOnce,
                quiet_days: 0,
                enabled: false,
                cursor: now,
                last_fired_at: None,
                last_tick: None,
                missed_ticks: 0,
                created_by: actor.user.as_ref().map(|u| u.id),
                created_at: now,
                updated_at: now,
                version: 1,
            },
        );
        let audit = self.audit_entry(
            actor,
            "reminder_rule.create",
            &target,
            None,
            Some(rule_json(&rule)),
        );
        self.store()
            .commit(&[Write::InsertReminderRule(rule.clone()), Write::Audit(audit)])
            .await
            .map_err(|e| duplicate_name(e.error))?;
        self.wake_scheduler();
        Ok(rule)
    }

    /// Replaces a rule's definition under its version.
    #[instrument(name = "app.update_reminder_rule", skip_all, fields(rule = %id, actor = %actor.label))]
    pub async fn update_reminder_rule(
        &self,
        actor: &Actor,
        id: ReminderRuleId,
        expected_version: i32,
        def: RuleDefinition,
    ) -> AppResult<ReminderRule> {
        let target = Target::new("ReminderRule", id);
        self.require(
            actor,
            Action::ManageReminders,
            "reminder_rule.update",
            &target,
        )
        .await?;
        let current = self
            .store()
            .reminder_rule(id)
            .await?
            .ok_or_else(|| not_found(id))?;
        crate::blockers::check_version(expected_version, current.version)?;
        let mut def = def;
        let checked = self.check_definition(&mut def).await?;
        let now = self.now();
        let schedule = def.schedule.trim().to_owned();
        let restart = (def.enabled && !current.enabled)
            || schedule != current.schedule
            || checked.time_zone != current.time_zone;
        let after = checked.apply(
            def,
            ReminderRule {
                cursor: if restart { now } else { current.cursor },
                updated_at: now,
                version: current.version + 1,
                ..current.clone()
            },
        );
        let audit = self.audit_entry(
            actor,
            "reminder_rule.update",
            &target,
            Some(rule_json(&current)),
            Some(rule_json(&after)),
        );
        let write = Write::UpdateReminderRule {
            rule: after.clone(),
            expected_version: current.version,
            reset_cursor: restart.then_some(now),
        };
        self.store()
            .commit(&[write, Write::Audit(audit)])
            .await
            .map_err(|e| duplicate_name(e.error))?;
        self.wake_scheduler();
        Ok(after)
    }

    /// Every rule, by name (for those who manage or operate them).
    pub async fn reminder_rules(&self, actor: &Actor) -> AppResult<Vec<ReminderRule>> {
        self.require_quietly(actor, Action::ManageReminders)?;
        Ok(self.store().reminder_rules().await?)
    }

    pub async fn reminder_rule(
        &self,
        actor: &Actor,
        id: ReminderRuleId,
    ) -> AppResult<Option<ReminderRule>> {
        self.require_quietly(actor, Action::ManageReminders)?;
        Ok(self.store().reminder_rule(id).await?)
    }

    /// The next `count` fire times of a schedule after `after`, with the holiday policy.
    pub fn preview_fire_times(
        &self,
        schedule: &Schedule,
        holiday: HolidayPolicy,
        after: DateTime<Utc>,
        count: usize,
    ) -> Vec<DateTime<Utc>> {
        super::timing_glue::next_fire_times(schedule, holiday, after, count.min(MAX_PREVIEW))
    }
}

fn dedup_ids<T: Ord + Copy>(ids: &mut Vec<T>) {
    ids.sort();
    ids.dedup();
}

fn duplicate_name(e: rollout_store::StoreError) -> AppError {
    match e {
        rollout_store::StoreError::Duplicate {
            entity: "reminder rule",
            ..
        } => AppError::Duplicate {
            path: vec!["name".into()],
            message: "a reminder rule with this name exists".into(),
        },
        other => other.into(),
    }
}
