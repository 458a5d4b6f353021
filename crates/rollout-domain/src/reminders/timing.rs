//! When a rule's ticks are due: holiday policy and misfire policy.
//!
//! A schedule's raw ticks become *effective* ticks under a [`HolidayPolicy`], judged on the
//! tick's date in Asia/Tokyo (Japanese holidays and the year-end closure, from
//! [`super::calendar`]) whatever the schedule's own zone. [`plan_due`] then decides, for the
//! ticks that came due since the last evaluation, which fire and which are missed under a
//! [`MisfirePolicy`]. The preview (`nextFireTimes`) is [`next_effective`].
//!
//! How moving stays ordered and cheap. Every day belongs to one *group*: under `Fire` the day
//! itself; under `Skip` and `NextBusinessDay` the run of days from just after a business day up
//! to the next business day (the *target*), e.g. Saturday–Monday. All effective ticks of a group
//! lie on its target day, so groups come out in order. Within a group, `NextBusinessDay` merges
//! the raw ticks of each of its days shifted onto the target (same Tokyo time of day) and drops
//! duplicates; the merge advances each day's stream once per tick it yields, so a tick costs at
//! most one step per day of the group (about ten at the longest, Golden Week 2019) and a
//! per-second schedule over a long weekend is never enumerated whole. Between groups the next
//! raw tick is looked up directly, so an empty stretch costs one schedule search.
//!
//! Japan has had no daylight-saving time since 1951, so "the same Tokyo time of day on another
//! day" is an exact shift by whole days of 24 hours.

use chrono::{DateTime, Days, Duration, FixedOffset, NaiveDate, NaiveTime, TimeZone, Utc};

use super::calendar::{next_business_day, previous_business_day};
use super::merge::{Merged, Stream};
use super::schedule::Schedule;

/// What happens to a tick whose Tokyo date is not a business day (weekend, public holiday,
/// 29 December – 3 January).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HolidayPolicy {
    /// Every tick, business day or not.
    Fire,
    /// Ticks on non-business days are dropped.
    Skip,
    /// A tick on a non-business day moves to the same Tokyo time of day on the next business
    /// day; ticks landing on the same instant (moved or not) are one tick.
    NextBusinessDay,
}

/// What happens to ticks that came due while nobody evaluated the rule (downtime).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MisfirePolicy {
    /// On-time ticks fire, plus one catch-up firing for the latest late tick.
    #[default]
    FireOnce,
    /// Only on-time ticks fire.
    Skip,
    /// On-time ticks fire, and late ticks within the catch-up window.
    FireAll,
}

/// The outcome of one evaluation of a rule, from [`plan_due`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DuePlan {
    /// The ticks to fire, ascending.
    pub fire: Vec<DateTime<Utc>>,
    /// How many due ticks were enumerated and not fired.
    pub missed: u64,
    /// True when more than `max_ticks` ticks were due: the older ones were not enumerated, are
    /// missed too, and are not counted in `missed`.
    pub missed_uncounted: bool,
    /// The latest due tick, fired or missed, for the caller to store as its new cursor; `None`
    /// when nothing was due.
    pub cursor_to: Option<DateTime<Utc>>,
}

/// The effective ticks strictly after `after`, ascending.
pub fn effective_after(
    schedule: &Schedule,
    policy: HolidayPolicy,
    after: DateTime<Utc>,
) -> Effective<'_> {
    let first = group_of(policy, tokyo_date(after)).first;
    Effective {
        schedule,
        policy,
        forward: true,
        bound: after,
        pos: Some(day_start(first)),
        group: None,
    }
}

/// The effective ticks strictly before `before`, descending.
pub fn effective_before(
    schedule: &Schedule,
    policy: HolidayPolicy,
    before: DateTime<Utc>,
) -> Effective<'_> {
    let target = group_of(policy, tokyo_date(before)).target;
    Effective {
        schedule,
        policy,
        forward: false,
        bound: before,
        pos: Some(day_start(next_day(target))),
        group: None,
    }
}

/// The first `count` effective ticks strictly after `after` (the preview of a rule).
pub fn next_effective(
    schedule: &Schedule,
    policy: HolidayPolicy,
    after: DateTime<Utc>,
    count: usize,
) -> Vec<DateTime<Utc>> {
    effective_after(schedule, policy, after)
        .take(count)
        .collect()
}

/// Which ticks of a rule fire now. `cursor` is the last instant already handled (ticks at or
/// before it are done); the due ticks are the effective ticks in (`cursor`, `now`]. A due tick
/// is on time when `now − tick ≤ grace`, late otherwise; the [`MisfirePolicy`] decides which
/// late ones fire (`catch_up_window` only matters to `FireAll`: late ticks with
/// `now − tick ≤ catch_up_window` fire).
///
/// Work is bounded by `max_ticks`: due ticks are enumerated from `now` backwards, at most
/// `max_ticks` of them (0 counts as 1), so the ticks that can fire, which are the latest, are
/// always among them. Due ticks older than those are missed and not enumerated:
/// [`DuePlan::missed_uncounted`] says there were some, and `cursor_to` is still the latest due
/// tick, so the next evaluation starts after all of them. `FireAll` fires at most `max_ticks`.
// Eight parameters: each is one setting of the rule or the evaluation; a struct would only
// rename them at the single call site in the scheduler.
#[allow(clippy::too_many_arguments)]
pub fn plan_due(
    schedule: &Schedule,
    holiday: HolidayPolicy,
    misfire: MisfirePolicy,
    cursor: DateTime<Utc>,
    now: DateTime<Utc>,
    grace: Duration,
    catch_up_window: Duration,
    max_ticks: usize,
) -> DuePlan {
    let mut plan = DuePlan::default();
    if now <= cursor {
        return plan;
    }
    let mut due = effective_before(schedule, holiday, now + Duration::nanoseconds(1))
        .take_while(|&t| t > cursor);
    let mut caught_up = false;
    for tick in due.by_ref().take(max_ticks.max(1)) {
        plan.cursor_to.get_or_insert(tick);
        let age = now - tick;
        let fires = age <= grace
            || match misfire {
                MisfirePolicy::FireAll => age <= catch_up_window,
                MisfirePolicy::FireOnce => !std::mem::replace(&mut caught_up, true),
                MisfirePolicy::Skip => false,
            };
        if fires {
            plan.fire.push(tick);
        } else {
            plan.missed += 1;
        }
    }
    plan.missed_uncounted = due.next().is_some();
    plan.fire.reverse();
    plan
}

/// The iterator of [`effective_after`] and [`effective_before`].
pub struct Effective<'a> {
    schedule: &'a Schedule,
    policy: HolidayPolicy,
    forward: bool,
    /// The exclusive bound: ticks must be after it (forward) or before it (backward).
    bound: DateTime<Utc>,
    /// Where the search for the next group's raw ticks starts: inclusive going forward,
    /// exclusive going backward; `None` once the schedule has no more ticks.
    pos: Option<DateTime<Utc>>,
    /// The effective ticks of the group being yielded.
    group: Option<Merged<'a>>,
}

impl std::fmt::Debug for Effective<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Effective")
            .field("schedule", &self.schedule.expression())
            .field("policy", &self.policy)
            .field("forward", &self.forward)
            .field("bound", &self.bound)
            .field("pos", &self.pos)
            .finish()
    }
}

impl Iterator for Effective<'_> {
    type Item = DateTime<Utc>;

    fn next(&mut self) -> Option<DateTime<Utc>> {
        loop {
            if let Some(tick) = self.group.as_mut().and_then(Iterator::next) {
                return Some(tick);
            }
            let pos = self.pos?;
            let raw = if self.forward {
                self.schedule.after(pos - Duration::nanoseconds(1)).next()
            } else {
                self.schedule.before(pos).next()
            };
            let Some(raw) = raw else {
                self.pos = None;
                self.group = None;
                return None;
            };
            let group = group_of(self.policy, tokyo_date(raw));
            self.pos = Some(if self.forward {
                day_start(next_day(group.target))
            } else {
                day_start(group.first)
            });
            self.group = Some(self.merged(group));
        }
    }
}

impl<'a> Effective<'a> {
    /// The effective ticks of `group` within the bound, in the iterator's direction.
    fn merged(&self, group: Group) -> Merged<'a> {
        let contributing = match self.policy {
            HolidayPolicy::NextBusinessDay => group.first,
            HolidayPolicy::Fire | HolidayPolicy::Skip => group.target,
        };
        let schedule = self.schedule;
        let mut streams: Vec<Stream<'a>> = Vec::new();
        let mut day = contributing;
        while day <= group.target {
            let shift = Duration::days((group.target - day).num_days());
            let (start, end) = (day_start(day), day_start(next_day(day)));
            let stream: Stream<'a> = if self.forward {
                let lower = (start - Duration::nanoseconds(1)).max(self.bound - shift);
                Box::new(
                    schedule
                        .after(lower)
                        .take_while(move |&t| t < end)
                        .map(move |t| t + shift),
                )
            } else {
                let upper = end.min(self.bound - shift);
                Box::new(
                    schedule
                        .before(upper)
                        .take_while(move |&t| t >= start)
                        .map(move |t| t + shift),
                )
            };
            streams.push(stream);
            day = next_day(day);
        }
        Merged::new(streams, !self.forward)
    }
}

/// The days whose ticks become effective on one day, `target`.
#[derive(Debug, Clone, Copy)]
struct Group {
    first: NaiveDate,
    target: NaiveDate,
}

fn group_of(policy: HolidayPolicy, day: NaiveDate) -> Group {
    match policy {
        HolidayPolicy::Fire => Group {
            first: day,
            target: day,
        },
        HolidayPolicy::Skip | HolidayPolicy::NextBusinessDay => {
            let target = next_business_day(day);
            let before = previous_business_day(target - Days::new(1));
            Group {
                first: next_day(before),
                target,
            }
        }
    }
}

fn next_day(day: NaiveDate) -> NaiveDate {
    day + Days::new(1)
}

fn tokyo() -> FixedOffset {
    FixedOffset::east_opt(9 * 3600).expect("+09:00 is a valid offset")
}

fn tokyo_date(t: DateTime<Utc>) -> NaiveDate {
    t.with_timezone(&tokyo()).date_naive()
}

/// Midnight at the start of `day` in Tokyo, as an instant.
fn day_start(day: NaiveDate) -> DateTime<Utc> {
    tokyo()
        .from_local_datetime(&day.and_time(NaiveTime::MIN))
        .single()
        .expect("a fixed offset maps every local time once")
        .with_timezone(&Utc)
}

#[cfg(test)]
#[path = "timing_tests.rs"]
mod tests;
