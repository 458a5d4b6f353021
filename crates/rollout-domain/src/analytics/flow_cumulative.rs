//! The cumulative-flow series: how many procedures were in each state at the end of each step
//! between two Tokyo dates, for the stacked-area chart of the flow.
//!
//! The points are the step ends: with [`Step::Week`], every seventh day counting `from` as the
//! first day of the first week (`from + 6`, `from + 13`, …), with [`Step::Quarter`] the last
//! days of the fiscal quarters that fall between the two dates; `to` always closes the series,
//! even when it ends no step. A series has at most [`MAX_FLOW_POINTS`] points (ten years of
//! weeks), checked before anything is computed.
//!
//! One sweep: each stay of each procedure adds one at the first point it covers and removes one
//! at the first point it no longer covers (a difference array per state, found by binary search
//! over the points), and a running sum per state gives the counts; linear in the records, not in
//! records × points. The selecting predicate is judged once per procedure, on the procedure as
//! it was at the end of `to`, so a procedure's whole series follows one bureau (or category…).

use chrono::{Days, NaiveDate};

use super::census::{StateTable, day_of, tokyo_day};
use crate::analytics::facts::end_of_day;
use crate::analytics::{ProcedureAt, ProcedureFacts};
use crate::workflow::WorkflowDefinition;
use crate::{FiscalQuarter, FiscalQuarterError};

/// The most points a series may have.
pub const MAX_FLOW_POINTS: usize = 520;

/// The spacing of the points.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Step {
    Week,
    /// Fiscal quarters.
    Quarter,
}

/// Why a series was refused; the message is meant for whoever chose the dates.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FlowRangeError {
    #[error("the series starts on {from}, after its end {to}")]
    Reversed { from: NaiveDate, to: NaiveDate },
    #[error("the series would have {points} points; at most {max} are allowed")]
    TooManyPoints { points: usize, max: usize },
    #[error(transparent)]
    Quarter(#[from] FiscalQuarterError),
}

/// The counts at one point; `counts[i]` is for `CumulativeFlow::states[i]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlowPoint {
    pub date: NaiveDate,
    pub counts: Vec<u32>,
}

/// A cumulative-flow series.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CumulativeFlow {
    /// Every state of the workflow, in workflow order (terminal states included: the done band
    /// is the one that should grow).
    pub states: Vec<String>,
    pub points: Vec<FlowPoint>,
}

/// The dates of the points between `from` and `to` (both inclusive), oldest first.
pub fn flow_points(
    from: NaiveDate,
    to: NaiveDate,
    step: Step,
) -> Result<Vec<NaiveDate>, FlowRangeError> {
    if from > to {
        return Err(FlowRangeError::Reversed { from, to });
    }
    let too_many = |points: usize| FlowRangeError::TooManyPoints {
        points,
        max: MAX_FLOW_POINTS,
    };
    let mut points = match step {
        Step::Week => {
            let days = usize::try_from(day_of(to) - day_of(from) + 1).unwrap_or(usize::MAX);
            let count = days.div_ceil(7);
            if count > MAX_FLOW_POINTS {
                return Err(too_many(count));
            }
            (1..=days / 7)
                .filter_map(|week| from.checked_add_days(Days::new(7 * week as u64 - 1)))
                .collect::<Vec<_>>()
        }
        Step::Quarter => {
            let first = FiscalQuarter::try_containing(from)?;
            let last = FiscalQuarter::try_containing(to)?;
            let quarters = (last.year() - first.year()) * 4 + i32::from(last.quarter())
                - i32::from(first.quarter())
                + 1;
            let count = usize::try_from(quarters).unwrap_or(usize::MAX);
            if count > MAX_FLOW_POINTS {
                return Err(too_many(count));
            }
            std::iter::successors(Some(first), |q| q.next().filter(|n| *n <= last))
                .map(|q| q.last_day())
                .filter(|d| *d <= to)
                .collect()
        }
    };
    if points.last() != Some(&to) {
        points.push(to);
    }
    Ok(points)
}

/// The count of procedures in each state at the end of each point's date, for the procedures
/// `keep` selects (judged as of `to`).
pub fn cumulative_flow(
    facts: &[ProcedureFacts],
    def: &WorkflowDefinition,
    from: NaiveDate,
    to: NaiveDate,
    step: Step,
    keep: &dyn Fn(&ProcedureAt<'_>) -> bool,
) -> Result<CumulativeFlow, FlowRangeError> {
    let dates = flow_points(from, to, step)?;
    let days: Vec<i64> = dates.iter().map(|d| day_of(*d)).collect();
    let states = StateTable::new(def);
    let width = days.len() + 1;
    // diff[state * width + point]: the change in the state's count at that point.
    let mut diff = vec![0i32; states.defs.len() * width];
    let cutoff = end_of_day(to);
    // The first point on or after a day: a state entered on day d counts from the point dated d.
    let point_from = |day: i64| days.partition_point(|&p| p < day);
    for f in facts {
        let Some(at) = f.as_of(cutoff) else { continue };
        if !keep(&at) {
            continue;
        }
        let seen = &f.changes[..f.changes.partition_point(|c| c.at < cutoff)];
        for (i, c) in seen.iter().enumerate() {
            let Some(state) = states.index(&c.to) else {
                continue;
            };
            let start = point_from(tokyo_day(c.at));
            let end = seen
                .get(i + 1)
                .map_or(days.len(), |next| point_from(tokyo_day(next.at)));
            if start < end {
                diff[state * width + start] += 1;
                diff[state * width + end] -= 1;
            }
        }
    }
    let mut points: Vec<FlowPoint> = dates
        .iter()
        .map(|&date| FlowPoint {
            date,
            counts: vec![0; states.defs.len()],
        })
        .collect();
    for state in 0..states.defs.len() {
        let mut running = 0i32;
        for (p, point) in points.iter_mut().enumerate() {
            running += diff[state * width + p];
            point.counts[state] = u32::try_from(running).unwrap_or(0);
        }
    }
    Ok(CumulativeFlow {
        states: states.defs.iter().map(|s| s.key.clone()).collect(),
        points,
    })
}

#[cfg(test)]
#[path = "flow_cumulative_tests.rs"]
mod tests;
