//! Firing due ticks, exactly once however many processes evaluate them. For each enabled rule
//! with a due tick: claim the rule (a short lease and an attempt number, one statement), re-read
//! it, plan its due ticks with the domain (holiday and misfire policies), select each firing's
//! items, split them into digests, and commit ONE batch: the cursor step (asserting the attempt
//! and the cursor), the firing rows (unique per rule and tick), the notifications, the outbox
//! deliveries and the quiet-period record. A process that lost its lease, or evaluated ticks
//! another already handled, fails at the first write and changes nothing.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use rollout_domain::reminders::records::Firing;
use rollout_domain::reminders::{ReminderRule, select};
use rollout_domain::{FiringId, ReminderRuleId};
use rollout_store::{StoreError, Write};
use tracing::{info, instrument, warn};

use super::timing_glue::{plan, schedule_of};
use crate::{App, AppError, AppResult, TOKYO, new_uuid};

/// How long a claimed rule is held: longer than the slowest firing (a budget of 10 s over
/// 28,000 procedures), and shorter than the misfire grace (`GRACE`, 60 s), so the ticks a
/// crashed replica held are taken over while they are still on time and fire normally.
pub const RULE_LEASE: Duration = Duration::seconds(30);

/// What one evaluation did.
#[derive(Debug, Clone, Default)]
pub struct FireReport {
    /// Rules that had a due tick.
    pub due_rules: usize,
    pub firings: Vec<Firing>,
    /// Ticks counted as missed (misfire policy).
    pub missed: i64,
    /// Rules another process was already handling, or had handled.
    pub skipped: usize,
    /// Rules that could not be evaluated, with why (logged too).
    pub failed: Vec<(ReminderRuleId, String)>,
}

impl App {
    /// Evaluates every tick due at `now`, for every enabled rule.
    #[instrument(name = "app.run_due_reminders", skip(self))]
    pub async fn run_due_reminders(&self, now: DateTime<Utc>) -> AppResult<FireReport> {
        self.run_due_reminders_of(now, None).await
    }

    /// As [`App::run_due_reminders`], for one rule only when `only` is given (`run-once
    /// --rule`: looking ahead for one rule must not move the others' cursors).
    #[instrument(name = "app.run_due_reminders_of", skip(self))]
    pub async fn run_due_reminders_of(
        &self,
        now: DateTime<Utc>,
        only: Option<ReminderRuleId>,
    ) -> AppResult<FireReport> {
        let mut report = FireReport::default();
        for rule in self.store().reminder_rules().await? {
            if !rule.enabled || only.is_some_and(|id| id != rule.id) {
                continue;
            }
            let due = schedule_of(&rule).map(|s| plan(&rule, &s, now).cursor_to.is_some());
            match due {
                Ok(false) => continue,
                Ok(true) => report.due_rules += 1,
                Err(e) => {
                    warn!(rule = %rule.id, error = %e, "a stored rule's schedule does not parse");
                    report.failed.push((rule.id, e));
                    continue;
                }
            }
            match self.fire_rule(rule.id, now).await {
                Ok(Some((firings, missed))) => {
                    report.missed += missed;
                    report.firings.extend(firings);
                }
                Ok(None) => report.skipped += 1,
                Err(e) => {
                    warn!(rule = %rule.id, error = %e, "a reminder rule could not be evaluated");
                    report.failed.push((rule.id, e.to_string()));
                }
            }
        }
        Ok(report)
    }

    /// Claims, plans and fires one rule; `None` when another process holds or handled it.
    async fn fire_rule(
        &self,
        id: ReminderRuleId,
        now: DateTime<Utc>,
    ) -> AppResult<Option<(Vec<Firing>, i64)>> {
        let store = self.store();
        // The lease runs on the clock, not on `now`: a `run-once --now` far ahead that crashed
        // holding it must not keep the rule from everyone until that day.
        let clock = self.now();
        let Some(attempt) = store.claim_rule(id, clock, clock + RULE_LEASE).await? else {
            return Ok(None);
        };
        let result = self.fire_claimed(id, attempt, now).await;
        if !matches!(result, Ok(Some(_))) {
            // Give the lease back at once (best effort; it expires anyway).
            if let Err(e) = store.release_rule(id, attempt).await {
                warn!(rule = %id, error = %e, "could not release a reminder rule's lease");
            }
        }
        result
    }

    async fn fire_claimed(
        &self,
        id: ReminderRuleId,
        attempt: i32,
        now: DateTime<Utc>,
    ) -> AppResult<Option<(Vec<Firing>, i64)>> {
        let Some(rule) = self.store().reminder_rule(id).await? else {
            return Ok(None);
        };
        if !rule.enabled {
            return Ok(None);
        }
        let schedule = schedule_of(&rule).map_err(|e| AppError::validation("schedule", e))?;
        let due = plan(&rule, &schedule, now);
        // `now` decides what is due (`run-once --now T` may look ahead); the records carry the
        // clock's time, so the deliveries they queue are due at once, not at `T`.
        let at = self.now();
        let Some(to) = due.cursor_to else {
            return Ok(None);
        };
        let mut writes = vec![Write::AdvanceRuleCursor {
            rule_id: rule.id,
            attempt,
            from: rule.cursor,
            to,
            missed: i64::try_from(due.missed).unwrap_or(i64::MAX),
            fired: due.fire.last().map(|t| (*t, at)),
        }];
        let mut firings = Vec::with_capacity(due.fire.len());
        let people = self.store().people().await?;
        for &tick in &due.fire {
            let (firing, more) = self
                .firing_writes(&rule, tick, at, attempt, &people)
                .await?;
            firings.push(firing);
            writes.extend(more);
        }
        match self.store().commit(&writes).await {
            Ok(()) => {}
            Err(e)
                if matches!(
                    e.error,
                    StoreError::Conflict { .. } | StoreError::Duplicate { .. }
                ) =>
            {
                info!(rule = %rule.id, "another process handled these ticks");
                return Ok(None);
            }
            Err(e) => return Err(e.error.into()),
        }
        for firing in &firings {
            info!(rule = %rule.id, tick = %firing.tick_at, items = firing.items,
                recipients = firing.recipients, "reminder fired");
            self.publish_firing(firing);
        }
        Ok(Some((
            firings,
            i64::try_from(due.missed).unwrap_or(i64::MAX),
        )))
    }

    /// The items of `rule` at `tick`, for previews and firings.
    pub(crate) async fn select_items(
        &self,
        rule: &ReminderRule,
        tick: DateTime<Utc>,
    ) -> AppResult<Vec<rollout_domain::reminders::ReminderItem>> {
        use rollout_domain::reminders::Needs;
        let today = tick.with_timezone(&TOKYO).date_naive();
        let store = self.store();
        let (mut tasks, mut procedures, mut approvals, mut law_changes, mut milestones) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
        let mut refs = HashMap::new();
        match select::needs(rule.kind, today) {
            Needs::TasksDueBy(date) => {
                tasks = store.open_tasks_due_by(date).await?;
                let ids: Vec<_> = tasks.iter().filter_map(|t| t.procedure_id).collect();
                for p in store.procedures_by_ids(&ids).await? {
                    refs.insert(p.id, (p.code.clone(), p.bureau_id));
                }
            }
            Needs::Procedures => {
                procedures = store.procedure_activity(&rule.scope.states).await?;
            }
            Needs::PendingApprovals => approvals = store.pending_approvals().await?,
            Needs::OpenLawChanges => law_changes = store.open_law_change_activity().await?,
            Needs::Milestones => milestones = store.planned_milestones().await?,
            Needs::Nothing => {}
        }
        let facts = select::Facts {
            today,
            now: tick,
            workflow: self.workflow(),
            tasks: &tasks,
            procedures: &procedures,
            approvals: &approvals,
            law_changes: &law_changes,
            milestones: &milestones,
            procedure_refs: &refs,
        };
        Ok(select::select(rule, &facts))
    }
}

/// A new firing's id.
pub(crate) fn new_firing_id() -> FiringId {
    FiringId(new_uuid())
}
