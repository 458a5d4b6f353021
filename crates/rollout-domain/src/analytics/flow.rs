//! Flow metrics as of a Tokyo date: work in progress per state, time in state (p50/p85/p95, per
//! state and per bureau), cycle time from the first initial state to the first release,
//! throughput per fiscal quarter, aging WIP and the share of time blocked
//! ([`flow_metrics`]); the cumulative-flow series between two dates ([`cumulative_flow`]).
//!
//! Everything is replayed from [`ProcedureFacts`] ("as of D" sees the records strictly before
//! the end of D in Asia/Tokyo), so a later transition never changes an earlier answer. Which
//! procedures count is the caller's predicate, judged on each procedure as it was on the date
//! (bureau, category, authority, platform, priority as of then); a procedure's bureau in the
//! per-bureau figures is also its bureau as of the date. Durations are whole Tokyo calendar
//! days (see `flow_census`), percentiles are nearest-rank ([`crate::analytics::percentile`]).
//!
//! Aging WIP is a procedure longer in its non-terminal state than the state's `sla_days`, or,
//! for a state without an SLA, than the state's p85 of finished stays (of the same selected
//! procedures, so the figure shown beside it is the one in `time_in_state`). Processes are each
//! procedure's `process_count` as of the date.
//!
//! Cost: one pass over the history records plus sorts of the finished stays' days; nothing is
//! allocated per procedure but the aging items themselves. This module ranks nothing (see
//! [`super::bottleneck`]) and knows nothing of scope or targets.

use chrono::NaiveDate;

use crate::analytics::percentile::nearest_rank;
use crate::analytics::{ProcedureAt, ProcedureFacts};
use crate::workflow::WorkflowDefinition;
use crate::{BureauId, FiscalQuarter, ProcedureId};

#[path = "flow_census.rs"]
pub(crate) mod census;
#[path = "flow_cumulative.rs"]
mod cumulative;

#[cfg(test)]
#[path = "flow_testkit.rs"]
pub(crate) mod testkit;
#[cfg(test)]
#[path = "flow_tests.rs"]
mod tests;

pub use census::AgingReason;
pub use cumulative::{
    CumulativeFlow, FlowPoint, FlowRangeError, MAX_FLOW_POINTS, Step, cumulative_flow, flow_points,
};

use census::{StateTable, aging_reason, census, date_of, quarter_at, quarter_of_day};

/// The predicate that selects every procedure: `flow_metrics(facts, def, date, &every)`.
pub fn every(_: &ProcedureAt<'_>) -> bool {
    true
}

/// Procedures (and the processes they stand for) in one state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateCount {
    pub state: String,
    pub procedures: u32,
    /// Sum of the procedures' `process_count` as of the date.
    pub processes: i64,
}

/// Percentiles of a set of durations in whole days; the percentiles are `None` when `samples`
/// is 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Durations {
    pub samples: u32,
    pub p50_days: Option<i64>,
    pub p85_days: Option<i64>,
    pub p95_days: Option<i64>,
}

impl Durations {
    /// From durations sorted ascending.
    pub fn of_sorted(days: &[i64]) -> Self {
        Self {
            samples: u32::try_from(days.len()).unwrap_or(u32::MAX),
            p50_days: nearest_rank(days, 50.0),
            p85_days: nearest_rank(days, 85.0),
            p95_days: nearest_rank(days, 95.0),
        }
    }
}

/// Time spent in one state by the stays that had ended by the date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateDurations {
    pub state: String,
    /// `None`: all bureaus together.
    pub bureau_id: Option<BureauId>,
    pub durations: Durations,
}

/// Procedures first released in one fiscal quarter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuarterCount {
    pub quarter: FiscalQuarter,
    pub procedures: u32,
    /// Sum of their `process_count` as of the date.
    pub processes: i64,
}

/// A procedure that has been in its current state for too long.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgingItem {
    pub procedure_id: ProcedureId,
    pub state: String,
    pub bureau_id: BureauId,
    /// The Tokyo date it entered the state.
    pub entered_on: NaiveDate,
    pub days_in_state: i64,
    pub sla_days: Option<u32>,
    /// The state's p85 of finished stays (over the selected procedures), for comparison.
    pub p85_days: Option<i64>,
    pub reason: AgingReason,
}

/// Days in blocked states against days in any non-terminal state (open stays counted up to the
/// date).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct BlockedTime {
    pub blocked_days: i64,
    pub open_days: i64,
}

impl BlockedTime {
    /// `blocked_days / open_days`, 0 when no time passed at all.
    pub fn share(&self) -> f64 {
        if self.open_days == 0 {
            0.0
        } else {
            self.blocked_days as f64 / self.open_days as f64
        }
    }
}

/// The flow of the selected procedures as of one date.
#[derive(Debug, Clone, PartialEq)]
pub struct FlowMetrics {
    pub as_of: NaiveDate,
    /// Every non-terminal state, in workflow order, zeros included.
    pub wip: Vec<StateCount>,
    /// Per non-terminal state in workflow order: the all-bureaus row (always present), then one
    /// row per bureau that has finished stays there, by bureau id.
    pub time_in_state: Vec<StateDurations>,
    /// From the first entry into the initial state to the first entry into a done state, over
    /// the procedures released by the date that have both.
    pub cycle_time: Durations,
    /// First releases per fiscal quarter, from the quarter of the earliest record of a selected
    /// procedure up to the date's quarter, empty quarters included.
    pub throughput: Vec<QuarterCount>,
    /// Aging WIP, longest in state first (then by procedure id).
    pub aging: Vec<AgingItem>,
    pub blocked: BlockedTime,
    /// Per bureau, by bureau id; bureaus with no time in non-terminal states are left out.
    pub blocked_by_bureau: Vec<(BureauId, BlockedTime)>,
}

/// The flow metrics of the procedures `keep` selects, as of the end of `as_of` in Tokyo.
pub fn flow_metrics(
    facts: &[ProcedureFacts],
    def: &WorkflowDefinition,
    as_of: NaiveDate,
    keep: &dyn Fn(&ProcedureAt<'_>) -> bool,
) -> FlowMetrics {
    let states = StateTable::new(def);
    let census = census(facts, states, as_of, keep);

    // (procedures, processes) per state position.
    let mut counts = vec![(0u32, 0i64); states.defs.len()];
    let mut cycle = Vec::new();
    let mut blocked = BlockedTime::default();
    let mut by_bureau = vec![BlockedTime::default(); census.bureaus.len()];
    let mut aging = Vec::new();
    for r in &census.procedures {
        if let Some(i) = r.state {
            counts[i].0 += 1;
            counts[i].1 += i64::from(r.at.process_count);
        }
        if let (Some(start), Some(end)) = (r.started_day, r.released_day)
            && start <= end
        {
            cycle.push(end - start);
        }
        blocked.blocked_days += r.blocked_days;
        blocked.open_days += r.open_days;
        by_bureau[r.bureau].blocked_days += r.blocked_days;
        by_bureau[r.bureau].open_days += r.open_days;
        if let Some((state, reason)) = aging_reason(&census, states, r) {
            aging.push(AgingItem {
                procedure_id: r.at.facts.id,
                state: states.defs[state].key.clone(),
                bureau_id: r.at.bureau_id,
                entered_on: date_of(r.since_day).unwrap_or(as_of),
                days_in_state: r.days_in_state(census.as_of_day),
                sla_days: states.defs[state].sla_days,
                p85_days: census.p85(state),
                reason,
            });
        }
    }
    let wip = states
        .open_states()
        .map(|(i, def)| StateCount {
            state: def.key.clone(),
            procedures: counts[i].0,
            processes: counts[i].1,
        })
        .collect();
    cycle.sort_unstable();
    aging.sort_by(|a, b| (b.days_in_state, a.procedure_id).cmp(&(a.days_in_state, b.procedure_id)));

    FlowMetrics {
        as_of,
        wip,
        time_in_state: time_in_state(&census, states),
        cycle_time: Durations::of_sorted(&cycle),
        throughput: throughput(&census, as_of),
        aging,
        blocked,
        blocked_by_bureau: blocked_by_bureau(&census, by_bureau),
    }
}

/// The all-bureaus row and the per-bureau rows of every non-terminal state.
fn time_in_state(census: &census::Census<'_>, states: StateTable<'_>) -> Vec<StateDurations> {
    // Days per (state, bureau position), sorted below; only groups with stays allocate.
    let width = census.bureaus.len();
    let mut groups: Vec<Vec<i64>> = vec![Vec::new(); states.defs.len() * width];
    for s in &census.stays {
        groups[s.state * width + s.bureau].push(s.days);
    }
    let mut by_id: Vec<usize> = (0..width).collect();
    by_id.sort_unstable_by_key(|&b| census.bureaus[b]);
    let mut rows = Vec::new();
    for (i, def) in states.open_states() {
        rows.push(StateDurations {
            state: def.key.clone(),
            bureau_id: None,
            durations: Durations::of_sorted(&census.days_by_state[i]),
        });
        for &b in &by_id {
            let days = &mut groups[i * width + b];
            if days.is_empty() {
                continue;
            }
            days.sort_unstable();
            rows.push(StateDurations {
                state: def.key.clone(),
                bureau_id: Some(census.bureaus[b]),
                durations: Durations::of_sorted(days),
            });
        }
    }
    rows
}

/// Bureaus by id, those with no time in open states left out.
fn blocked_by_bureau(
    census: &census::Census<'_>,
    times: Vec<BlockedTime>,
) -> Vec<(BureauId, BlockedTime)> {
    let mut rows: Vec<(BureauId, BlockedTime)> = census
        .bureaus
        .iter()
        .copied()
        .zip(times)
        .filter(|(_, t)| t.open_days > 0)
        .collect();
    rows.sort_unstable_by_key(|(id, _)| *id);
    rows
}

/// First releases per quarter, from the earliest record's quarter to the date's.
fn throughput(census: &census::Census<'_>, as_of: NaiveDate) -> Vec<QuarterCount> {
    let Ok(last) = FiscalQuarter::try_containing(as_of) else {
        return Vec::new();
    };
    let last = census::quarter_index(last);
    let first = census
        .procedures
        .iter()
        .filter_map(|r| quarter_of_day(r.created_day))
        .min()
        .unwrap_or(last)
        .min(last);
    let mut rows: Vec<QuarterCount> = (first..=last)
        .filter_map(quarter_at)
        .map(|quarter| QuarterCount {
            quarter,
            procedures: 0,
            processes: 0,
        })
        .collect();
    for r in &census.procedures {
        let Some(q) = r.released_day.and_then(quarter_of_day) else {
            continue;
        };
        if let Some(row) = usize::try_from(q - first)
            .ok()
            .and_then(|i| rows.get_mut(i))
        {
            row.procedures += 1;
            row.processes += i64::from(r.at.process_count);
        }
    }
    rows
}
