//! Where the programme is stuck, as of a Tokyo date: workflow states ranked by aging WIP, and
//! bureaus ranked by throughput deficit, what each must release per quarter to finish its
//! remaining scope by the deadline against what it has released per quarter lately. Every number
//! comes with the procedures behind it (at most [`PROCEDURES_PER_ROW`] of them, the count always
//! whole).
//!
//! Aging is [`super::flow`]'s: longer in a non-terminal state than its SLA, or than its p85 of
//! finished stays when it has no SLA. Aging and WIP count every selected procedure, whatever its
//! authority (a procedure waiting on a national law change is stuck all the same); "remaining"
//! and releases count only the scope Tokyo can decide (authority TOKYO, state not of kind
//! CLOSED, as of the date), because that is what the target counts. A procedure's bureau is its
//! bureau as of the date.
//!
//! The release rate is the average over the last four whole fiscal quarters before the date's
//! quarter, always divided by four (a bureau that started releasing a quarter ago has a low rate:
//! that is the honest answer to "at this pace"). The quarters left run from the date's quarter to
//! the deadline's, both included, and are at least one. Same cost as the flow metrics: one pass
//! over the history, one sort per ranked list.

use chrono::NaiveDate;

use super::flow::census::{StateTable, aging_reason, census, quarter_index, quarter_of_day};
use crate::analytics::{ProcedureAt, ProcedureFacts};
use crate::workflow::{StateKind, WorkflowDefinition};
use crate::{Authority, BureauId, FiscalQuarter, ProcedureId};

/// How many procedures a row lists at most (its count is never capped).
pub const PROCEDURES_PER_ROW: usize = 50;

/// One non-terminal state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateBottleneck {
    pub state: String,
    pub wip: u32,
    pub aging: u32,
    /// The aging procedures, longest in the state first.
    pub aging_procedures: Vec<ProcedureId>,
}

/// One bureau's pace against its remaining scope.
#[derive(Debug, Clone, PartialEq)]
pub struct BureauBottleneck {
    pub bureau_id: BureauId,
    pub aging: u32,
    /// Longest in their state first.
    pub aging_procedures: Vec<ProcedureId>,
    /// In scope and not done.
    pub remaining: u32,
    /// Longest in their current state first.
    pub remaining_procedures: Vec<ProcedureId>,
    /// First releases in the quarter before the date's quarter.
    pub released_last_quarter: u32,
    /// First releases in the four quarters before the date's quarter.
    pub released_last_four_quarters: u32,
    /// Those releases, latest first.
    pub released_procedures: Vec<ProcedureId>,
    /// `released_last_four_quarters / 4`.
    pub released_per_quarter_avg: f64,
    /// `remaining / quarters_left`.
    pub required_per_quarter: f64,
    /// `required_per_quarter − released_per_quarter_avg`: positive when behind.
    pub deficit: f64,
}

/// The rankings.
#[derive(Debug, Clone, PartialEq)]
pub struct Bottlenecks {
    pub as_of: NaiveDate,
    pub deadline: NaiveDate,
    /// Fiscal quarters from the date's to the deadline's, both included; at least 1.
    pub quarters_left: u32,
    /// By aging desc, then WIP desc, then workflow order; the first `first`.
    pub states: Vec<StateBottleneck>,
    /// By deficit desc, then aging desc, then bureau id; the first `first`. A bureau with no
    /// aging, remaining or recently released procedure has nothing to rank and is left out.
    pub bureaus: Vec<BureauBottleneck>,
}

/// Procedures keyed for a row's list: (how long, id), largest first once sorted.
type Listed = Vec<(i64, ProcedureId)>;

#[derive(Debug, Default)]
struct BureauAcc {
    aging: Listed,
    remaining: Listed,
    released: Listed,
    released_last_quarter: u32,
}

/// Ranks the states and bureaus of the procedures `keep` selects (judged as of the date) by
/// aging WIP and by throughput deficit against `deadline`; at most `first` of each.
pub fn bottlenecks(
    facts: &[ProcedureFacts],
    def: &WorkflowDefinition,
    as_of: NaiveDate,
    deadline: NaiveDate,
    first: usize,
    keep: &dyn Fn(&ProcedureAt<'_>) -> bool,
) -> Bottlenecks {
    let states = StateTable::new(def);
    let census = census(facts, states, as_of, keep);
    let this_quarter = FiscalQuarter::try_containing(as_of).ok().map(quarter_index);
    let quarters_left = match (this_quarter, FiscalQuarter::try_containing(deadline)) {
        (Some(now), Ok(end)) => u32::try_from(quarter_index(end) - now + 1).unwrap_or(0),
        _ => 0,
    }
    .max(1);

    let mut by_state: Vec<(u32, Listed)> = vec![(0, Vec::new()); states.defs.len()];
    let mut by_bureau: Vec<BureauAcc> = (0..census.bureaus.len())
        .map(|_| BureauAcc::default())
        .collect();
    for r in &census.procedures {
        let id = r.at.facts.id;
        let days = r.days_in_state(census.as_of_day);
        let kind = r.state.map(|i| states.kind(i));
        let aging = aging_reason(&census, states, r).is_some();
        if let Some(i) = r.state.filter(|&i| states.is_open(i)) {
            by_state[i].0 += 1;
            if aging {
                by_state[i].1.push((days, id));
            }
        }
        let in_scope = r.at.authority == Authority::Tokyo && kind != Some(StateKind::Closed);
        let remaining = in_scope && kind != Some(StateKind::Done);
        // Quarters back from the date's: 1 = the last whole quarter, 4 = a year ago.
        let released_ago = r
            .released_day
            .and_then(quarter_of_day)
            .zip(this_quarter)
            .map(|(q, now)| now - q)
            .filter(|ago| in_scope && (1..=4).contains(ago));
        let acc = &mut by_bureau[r.bureau];
        if aging {
            acc.aging.push((days, id));
        }
        if remaining {
            acc.remaining.push((days, id));
        }
        if let (Some(ago), Some(day)) = (released_ago, r.released_day) {
            acc.released.push((day, id));
            acc.released_last_quarter += u32::from(ago == 1);
        }
    }

    let mut ranked_states: Vec<StateBottleneck> = states
        .open_states()
        .map(|(i, def)| {
            let (wip, aging) = std::mem::take(&mut by_state[i]);
            StateBottleneck {
                state: def.key.clone(),
                wip,
                aging: count(&aging),
                aging_procedures: listed(aging),
            }
        })
        .collect();
    // Stable: equal rows keep the workflow order.
    ranked_states.sort_by_key(|s| std::cmp::Reverse((s.aging, s.wip)));
    ranked_states.truncate(first);

    let mut bureaus: Vec<BureauBottleneck> = census
        .bureaus
        .iter()
        .zip(by_bureau)
        .filter(|(_, acc)| {
            !(acc.aging.is_empty() && acc.remaining.is_empty() && acc.released.is_empty())
        })
        .map(|(&bureau_id, acc)| {
            let remaining = count(&acc.remaining);
            let released = count(&acc.released);
            let avg = f64::from(released) / 4.0;
            let required = f64::from(remaining) / f64::from(quarters_left);
            BureauBottleneck {
                bureau_id,
                aging: count(&acc.aging),
                aging_procedures: listed(acc.aging),
                remaining,
                remaining_procedures: listed(acc.remaining),
                released_last_quarter: acc.released_last_quarter,
                released_last_four_quarters: released,
                released_procedures: listed(acc.released),
                released_per_quarter_avg: avg,
                required_per_quarter: required,
                deficit: required - avg,
            }
        })
        .collect();
    bureaus.sort_by(|a, b| {
        b.deficit
            .total_cmp(&a.deficit)
            .then(b.aging.cmp(&a.aging))
            .then(a.bureau_id.cmp(&b.bureau_id))
    });
    bureaus.truncate(first);

    Bottlenecks {
        as_of,
        deadline,
        quarters_left,
        states: ranked_states,
        bureaus,
    }
}

fn count(list: &Listed) -> u32 {
    u32::try_from(list.len()).unwrap_or(u32::MAX)
}

/// The ids of the first [`PROCEDURES_PER_ROW`] entries, largest key first, then by id.
fn listed(mut list: Listed) -> Vec<ProcedureId> {
    let by_key_desc =
        |a: &(i64, ProcedureId), b: &(i64, ProcedureId)| b.0.cmp(&a.0).then(a.1.cmp(&b.1));
    if list.len() > PROCEDURES_PER_ROW {
        list.select_nth_unstable_by(PROCEDURES_PER_ROW - 1, by_key_desc);
        list.truncate(PROCEDURES_PER_ROW);
    }
    list.sort_unstable_by(by_key_desc);
    list.into_iter().map(|(_, id)| id).collect()
}

#[cfg(test)]
#[path = "bottleneck_tests.rs"]
mod tests;
