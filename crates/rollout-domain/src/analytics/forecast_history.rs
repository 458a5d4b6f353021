//! The history a forecast samples: how many procedures each bureau, and the programme as a
//! whole, released in each of the last N weeks. A release is a procedure's first entry into a
//! DONE state while in scope; re-entries and out-of-scope releases (a NATIONAL procedure, say)
//! are not Tokyo's pace and are not counted. Weeks are seven Tokyo days ending on `as_of`.

use std::collections::BTreeMap;

use chrono::{NaiveDate, TimeDelta};

use super::{ForecastError, MAX_HISTORY_WEEKS};
use crate::analytics::{ProcedureAt, ProcedureFacts, end_of_day, tokyo_date};
use crate::workflow::{StateKind, WorkflowDefinition};
use crate::{Authority, BureauId};

/// Releases per week over the last [`Throughput::weeks`] weeks, oldest week first: entry `i`
/// counts the week ending on `as_of - 7 × (weeks - 1 - i)` days.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Throughput {
    /// The last day of the most recent week, and the day the simulation starts from.
    pub as_of: NaiveDate,
    pub weeks: u32,
    /// The whole programme's releases per week (the sum over bureaus).
    pub overall: Vec<u32>,
    /// Each bureau that released at least one procedure in the window; a bureau that released
    /// nothing has no entry.
    pub by_bureau: BTreeMap<BureauId, Vec<u32>>,
}

/// Counts, per week and per bureau (the procedure's bureau right after its release), the
/// procedures that entered a DONE state for the first time in the `weeks` weeks ending on
/// `as_of` and were in scope right after (authority TOKYO, state not CLOSED).
pub fn weekly_throughput(
    facts: &[ProcedureFacts],
    def: &WorkflowDefinition,
    as_of: NaiveDate,
    weeks: u32,
) -> Result<Throughput, ForecastError> {
    if weeks == 0 || weeks > MAX_HISTORY_WEEKS {
        return Err(ForecastError::HistoryOutOfRange(weeks));
    }
    let done: Vec<&str> = def.states_of_kind(StateKind::Done).collect();
    let end = end_of_day(as_of);
    let len = weeks as usize;
    let mut overall = vec![0u32; len];
    let mut by_bureau: BTreeMap<BureauId, Vec<u32>> = BTreeMap::new();
    for p in facts {
        let Some(at) = p.first_entered(&done, end) else {
            continue;
        };
        let ago = (as_of - tokyo_date(at)).num_days() / 7;
        let Some(slot) = usize::try_from(ago).ok().filter(|&a| a < len) else {
            continue;
        };
        // The smallest step after `at`, so the release itself is seen.
        let Some(after) = p.as_of(at + TimeDelta::nanoseconds(1)) else {
            continue;
        };
        if !in_scope(&after, def) {
            continue;
        }
        let week = len - 1 - slot;
        overall[week] += 1;
        by_bureau
            .entry(after.bureau_id)
            .or_insert_with(|| vec![0; len])[week] += 1;
    }
    Ok(Throughput {
        as_of,
        weeks,
        overall,
        by_bureau,
    })
}

/// The scope rule ("what Tokyo can decide"): authority TOKYO and a state that is not CLOSED. An
/// unknown state (a workflow file changed since) counts as not closed.
fn in_scope(p: &ProcedureAt<'_>, def: &WorkflowDefinition) -> bool {
    p.authority == Authority::Tokyo
        && def
            .state(p.state)
            .is_none_or(|s| s.kind != StateKind::Closed)
}
