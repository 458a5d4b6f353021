//! The one place the app calls the domain's schedule and timing functions, so the scheduler's
//! parameters (grace, catch-up window, enumeration bound) are set once.

use chrono::{DateTime, Duration, Utc};
use rollout_domain::reminders::schedule::Schedule;
use rollout_domain::reminders::timing::{self, DuePlan};
use rollout_domain::reminders::{HolidayPolicy, ReminderRule};

/// A tick evaluated within this long of its instant is on time; older ones are misfires.
pub const GRACE: Duration = Duration::seconds(60);
/// FIRE_ALL catches up ticks at most this old.
pub const CATCH_UP_WINDOW: Duration = Duration::hours(24);
/// At most this many ticks are enumerated per evaluation (the rest are counted as missed).
pub const MAX_TICKS: usize = 10_000;

/// The rule's schedule (rules are validated on save, so a parse failure means the stored rule
/// predates a stricter parser: it is reported, not fired).
pub fn schedule_of(rule: &ReminderRule) -> Result<Schedule, String> {
    Schedule::parse(&rule.schedule, &rule.time_zone).map_err(|e| e.to_string())
}

pub fn plan(rule: &ReminderRule, schedule: &Schedule, now: DateTime<Utc>) -> DuePlan {
    timing::plan_due(
        schedule,
        rule.holiday_policy,
        rule.misfire_policy,
        rule.cursor,
        now,
        GRACE,
        CATCH_UP_WINDOW,
        MAX_TICKS,
    )
}

pub fn next_fire_times(
    schedule: &Schedule,
    holiday: HolidayPolicy,
    after: DateTime<Utc>,
    count: usize,
) -> Vec<DateTime<Utc>> {
    timing::next_effective(schedule, holiday, after, count)
}
