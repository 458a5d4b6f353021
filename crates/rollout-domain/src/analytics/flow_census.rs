//! The one pass over the history that the flow metrics and the bottleneck ranking share: every
//! selected procedure replayed to the end of a Tokyo date, with its current stay, its completed
//! stays, its first start and its first release, all measured in Tokyo calendar days.
//!
//! Days are whole Asia/Tokyo calendar days: a stay entered on 1 October and left on 31 October
//! lasted 30 days, whatever the hours, and a stay still open "as of D" has lasted D minus the day
//! it began. Calendar days make every figure exact integers, agree with the date-only "as of" the
//! office asks in, and telescope: the stays of one procedure add up to the days between its
//! first record and its last (or D). The pass is linear in the number of history records and
//! allocates a few vectors for the whole population, never one per procedure; bureaus become
//! small positions once per procedure, so that results group by indexing, not by hashing.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};

use crate::analytics::facts::{end_of_day, tokyo_date};
use crate::analytics::{ProcedureAt, ProcedureFacts};
use crate::workflow::{StateDef, StateKind, WorkflowDefinition};
use crate::{BureauId, FiscalQuarter};

/// Days from 0001-01-01 (chrono's day 1 of the common era) to 1970-01-01.
const EPOCH_FROM_CE: i64 = 719_163;
/// 1952-01-01T00:00:00Z. Asia/Tokyo has kept UTC+9 without summer time since then (Japan used
/// summer time from 1948 to 1951), so later instants take the arithmetic fast path.
const FIXED_OFFSET_SINCE: i64 = -568_080_000;
const JST_SECONDS: i64 = 9 * 3600;

/// The Asia/Tokyo calendar day of an instant, as a day number (1970-01-01 is 0). Same answer as
/// [`tokyo_date`], without a time-zone lookup for the instants rollout actually holds.
pub(crate) fn tokyo_day(at: DateTime<Utc>) -> i64 {
    let secs = at.timestamp();
    if secs >= FIXED_OFFSET_SINCE {
        (secs + JST_SECONDS).div_euclid(86_400)
    } else {
        day_of(tokyo_date(at))
    }
}

/// The day number of a date (1970-01-01 is 0).
pub(crate) fn day_of(date: NaiveDate) -> i64 {
    i64::from(chrono::Datelike::num_days_from_ce(&date)) - EPOCH_FROM_CE
}

/// The date of a day number; `None` only far outside the dates rollout accepts.
pub(crate) fn date_of(day: i64) -> Option<NaiveDate> {
    i32::try_from(day + EPOCH_FROM_CE)
        .ok()
        .and_then(NaiveDate::from_num_days_from_ce_opt)
}

/// A quarter as a consecutive integer (FY2021-Q1 = 8084), so that ranges of quarters are
/// arithmetic.
pub(crate) fn quarter_index(q: FiscalQuarter) -> i32 {
    q.year() * 4 + i32::from(q.quarter()) - 1
}

/// The quarter of a [`quarter_index`].
pub(crate) fn quarter_at(index: i32) -> Option<FiscalQuarter> {
    let quarter = u8::try_from(index.rem_euclid(4) + 1).ok()?;
    FiscalQuarter::new(index.div_euclid(4), quarter).ok()
}

/// The [`quarter_index`] of a day; `None` outside the fiscal calendar's years.
pub(crate) fn quarter_of_day(day: i64) -> Option<i32> {
    let date = date_of(day)?;
    FiscalQuarter::try_containing(date).ok().map(quarter_index)
}

/// The workflow's states by position; positions are the workflow order every result uses.
#[derive(Debug, Clone, Copy)]
pub(crate) struct StateTable<'d> {
    pub defs: &'d [StateDef],
}

impl<'d> StateTable<'d> {
    pub fn new(def: &'d WorkflowDefinition) -> Self {
        Self { defs: def.states() }
    }
    /// A state's position. A linear scan: workflows have a handful of states, and comparing a
    /// few short keys is cheaper than hashing one. History may name a state a later workflow
    /// file dropped; such stays are `None` and counted nowhere.
    pub fn index(self, key: &str) -> Option<usize> {
        self.defs.iter().position(|s| s.key == key)
    }
    pub fn kind(self, index: usize) -> StateKind {
        self.defs[index].kind
    }
    /// Initial, active and blocked states: where work is in progress.
    pub fn is_open(self, index: usize) -> bool {
        !self.kind(index).is_terminal()
    }
    pub fn open_states(self) -> impl Iterator<Item = (usize, &'d StateDef)> {
        self.defs
            .iter()
            .enumerate()
            .filter(|(_, s)| !s.kind.is_terminal())
    }
}

/// One procedure as of the census date, with what its history says.
#[derive(Debug, Clone)]
pub(crate) struct Replayed<'a> {
    pub at: ProcedureAt<'a>,
    /// Its bureau as of the census date, as a position in [`Census::bureaus`].
    pub bureau: usize,
    /// Position of its current state; `None` for a state the workflow does not know.
    pub state: Option<usize>,
    /// The day it entered its current state.
    pub since_day: i64,
    /// The day of its first record.
    pub created_day: i64,
    /// The day it first entered the initial state.
    pub started_day: Option<i64>,
    /// The day it first entered a done state.
    pub released_day: Option<i64>,
    /// Days spent in blocked states, up to the census date.
    pub blocked_days: i64,
    /// Days spent in any non-terminal state, up to the census date.
    pub open_days: i64,
}

impl Replayed<'_> {
    /// Days in the current state as of the census date.
    pub fn days_in_state(&self, as_of_day: i64) -> i64 {
        as_of_day - self.since_day
    }
}

/// A finished stay in a non-terminal state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Stay {
    pub state: usize,
    /// The procedure's bureau as of the census date, as a position in [`Census::bureaus`].
    pub bureau: usize,
    pub days: i64,
}

/// Every selected procedure as of the end of one Tokyo date.
#[derive(Debug)]
pub(crate) struct Census<'a> {
    pub as_of_day: i64,
    pub procedures: Vec<Replayed<'a>>,
    /// The bureaus of the procedures, in order of first appearance: results index small
    /// vectors by position instead of hashing or comparing UUIDs per record.
    pub bureaus: Vec<BureauId>,
    /// Stays that ended before the census date, in non-terminal states, in history order.
    pub stays: Vec<Stay>,
    /// Per state position, the days of its finished stays, sorted (all bureaus together).
    pub days_by_state: Vec<Vec<i64>>,
}

impl Census<'_> {
    /// The p85 of the finished stays in a state.
    pub fn p85(&self, state: usize) -> Option<i64> {
        crate::analytics::percentile::nearest_rank(&self.days_by_state[state], 85.0)
    }
}

/// Replays every procedure that existed at the end of `as_of` and that `keep` selects (judged on
/// the procedure as it was then).
pub(crate) fn census<'a>(
    facts: &'a [ProcedureFacts],
    states: StateTable<'_>,
    as_of: NaiveDate,
    keep: &dyn Fn(&ProcedureAt<'_>) -> bool,
) -> Census<'a> {
    let cutoff = end_of_day(as_of);
    let as_of_day = day_of(as_of);
    let mut procedures = Vec::with_capacity(facts.len());
    let mut stays = Vec::with_capacity(facts.len() * 4);
    let mut bureaus = Vec::new();
    let mut bureau_index: HashMap<BureauId, usize> = HashMap::new();
    for f in facts {
        let Some(at) = f.as_of(cutoff) else { continue };
        if !keep(&at) {
            continue;
        }
        let bureau = *bureau_index.entry(at.bureau_id).or_insert_with(|| {
            bureaus.push(at.bureau_id);
            bureaus.len() - 1
        });
        let seen = f.changes.partition_point(|c| c.at < cutoff);
        let mut r = Replayed {
            bureau,
            state: None,
            since_day: tokyo_day(at.state_since),
            created_day: tokyo_day(f.changes[0].at),
            started_day: None,
            released_day: None,
            blocked_days: 0,
            open_days: 0,
            at,
        };
        // The stay under way: its state's position and first day.
        let mut open: Option<(Option<usize>, i64)> = None;
        for c in &f.changes[..seen] {
            let day = tokyo_day(c.at);
            if let Some((Some(state), from)) = open
                && r.close(states, state, day - from)
            {
                stays.push(Stay {
                    state,
                    bureau,
                    days: day - from,
                });
            }
            let state = states.index(&c.to);
            match state.map(|i| states.kind(i)) {
                Some(StateKind::Initial) if r.started_day.is_none() => r.started_day = Some(day),
                Some(StateKind::Done) if r.released_day.is_none() => r.released_day = Some(day),
                _ => {}
            }
            open = Some((state, day));
        }
        if let Some((state, from)) = open {
            r.state = state;
            if let Some(state) = state {
                let _measured = r.close(states, state, as_of_day - from);
            }
        }
        procedures.push(r);
    }
    let mut days_by_state = vec![Vec::new(); states.defs.len()];
    for s in &stays {
        days_by_state[s.state].push(s.days);
    }
    for days in &mut days_by_state {
        days.sort_unstable();
    }
    Census {
        as_of_day,
        procedures,
        bureaus,
        stays,
        days_by_state,
    }
}

impl Replayed<'_> {
    /// Adds a stay's days to the totals; whether the state is one whose stays are measured.
    fn close(&mut self, states: StateTable<'_>, state: usize, days: i64) -> bool {
        if !states.is_open(state) {
            return false;
        }
        self.open_days += days;
        if states.kind(state) == StateKind::Blocked {
            self.blocked_days += days;
        }
        true
    }
}

/// Why a procedure counts as aging WIP.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AgingReason {
    /// Longer in its state than the state's `sla_days`.
    PastSla,
    /// The state has no SLA, and the procedure has been there longer than the state's p85 of
    /// finished stays.
    PastP85,
}

/// Whether a procedure of the census is aging WIP, and why: in a non-terminal state for longer
/// than the state's SLA when it has one, else longer than the state's p85 (no finished stays,
/// no p85, never aging). "Longer" is strict: exactly the SLA is still on time.
/// Answers with the state's position.
pub(crate) fn aging_reason(
    census: &Census<'_>,
    states: StateTable<'_>,
    r: &Replayed<'_>,
) -> Option<(usize, AgingReason)> {
    let state = r.state.filter(|&i| states.is_open(i))?;
    let days = r.days_in_state(census.as_of_day);
    match states.defs[state].sla_days {
        Some(sla) => (days > i64::from(sla)).then_some((state, AgingReason::PastSla)),
        None => census
            .p85(state)
            .filter(|&p85| days > p85)
            .map(|_| (state, AgingReason::PastP85)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};

    #[test]
    fn tokyo_day_agrees_with_tokyo_date_across_summer_time_and_midnight() {
        let mut at = Utc.with_ymd_and_hms(1947, 12, 31, 0, 0, 0).unwrap();
        let end = Utc.with_ymd_and_hms(1953, 1, 2, 0, 0, 0).unwrap();
        while at < end {
            assert_eq!(date_of(tokyo_day(at)), Some(tokyo_date(at)), "{at}");
            at += Duration::minutes(37);
        }
        for (y, m, d, h) in [(2021, 12, 31, 14), (2021, 12, 31, 15), (1989, 3, 31, 23)] {
            let at = Utc.with_ymd_and_hms(y, m, d, h, 59, 59).unwrap();
            assert_eq!(date_of(tokyo_day(at)), Some(tokyo_date(at)), "{at}");
        }
        assert_eq!(
            FIXED_OFFSET_SINCE,
            Utc.with_ymd_and_hms(1952, 1, 1, 0, 0, 0)
                .unwrap()
                .timestamp()
        );
    }

    #[test]
    fn day_numbers_and_quarter_indices_round_trip() {
        let d = NaiveDate::from_ymd_opt(2022, 1, 1).unwrap();
        assert_eq!(day_of(NaiveDate::from_ymd_opt(1970, 1, 1).unwrap()), 0);
        assert_eq!(date_of(day_of(d)), Some(d));
        let q = FiscalQuarter::parse("FY2021-Q4").unwrap();
        assert_eq!(quarter_of_day(day_of(d)), Some(quarter_index(q)));
        assert_eq!(quarter_at(quarter_index(q)), Some(q));
        assert_eq!(
            quarter_at(quarter_index(q) + 1).unwrap().to_string(),
            "FY2022-Q1"
        );
    }
}
