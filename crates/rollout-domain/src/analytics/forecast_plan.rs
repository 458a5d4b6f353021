//! The simulation itself, prepared once and run many times. Preparing sorts each bureau's
//! remaining procedures into release order, tabulates per week how many of them the blockers
//! let out by then, and lays the release history out one past week per row; a run is then
//! integer arithmetic over those tables, with no allocation and no per-procedure work:
//! O(weeks × bureaus) per run, one random draw per week.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rand_chacha::ChaCha8Rng;

use super::{ForecastItem, ForecastTarget, Measure, Throughput, pick};
use crate::BureauId;

/// Everything a run reads. Per-lane values are laid out in rows of one value per lane, so a
/// week's work is a few passes over short contiguous arrays that the compiler vectorises.
pub(super) struct Plan {
    lanes: usize,
    /// `paces[past * lanes + lane]`: what the lane releases in a week that replays past week
    /// `past` (its own releases then, or for a fallback lane the programme's).
    paces: Vec<u32>,
    weeks_of_history: usize,
    /// `caps[week * lanes + lane]`: how many of the lane's procedures the blockers let out by
    /// the end of `week`, for the weeks before the last unlock; `outs` from then on.
    caps: Vec<u32>,
    /// How many each lane can release within the horizon at all (0 for a lane without a pace).
    outs: Vec<u32>,
    /// `(lane, its remaining procedures)` for the fallback lanes: the numerator of its share of
    /// the programme's pace, whose denominator is `remaining`.
    shares: Vec<(usize, u64)>,
    remaining: u64,
    /// `processes[starts[lane] + k]`: the process count of the lane's first `k` procedures in
    /// release order.
    processes: Vec<u64>,
    starts: Vec<usize>,
    horizon: u32,
    /// What can be released within the horizon at all, by procedures and by processes.
    reachable: [u64; 2],
}

/// A run's working memory, allocated once for all runs.
pub(super) struct RunState {
    released: Vec<u32>,
    /// This week's draw per lane.
    draws: Vec<u32>,
    /// A fallback lane's fractional releases, in units of `1 / Plan::remaining`.
    carry: Vec<u64>,
    reached: Vec<bool>,
}

impl Plan {
    pub(super) fn new(items: &[ForecastItem], history: &Throughput, horizon: u32) -> Self {
        let as_of = history.as_of;
        let mut by_bureau: BTreeMap<BureauId, Vec<(Option<NaiveDate>, usize)>> = BTreeMap::new();
        for (i, item) in items.iter().enumerate() {
            by_bureau
                .entry(item.bureau)
                .or_default()
                .push((item.earliest, i));
        }
        let overall = history.overall.as_slice();
        let lanes = by_bureau.len();
        let mut columns: Vec<&[u32]> = Vec::with_capacity(lanes);
        let mut unlocks: Vec<Vec<u32>> = Vec::with_capacity(lanes);
        let mut plan = Plan {
            lanes,
            paces: Vec::new(),
            weeks_of_history: overall.len(),
            caps: Vec::new(),
            outs: Vec::with_capacity(lanes),
            shares: Vec::new(),
            remaining: items.len() as u64,
            processes: Vec::with_capacity(items.len() + lanes),
            starts: Vec::with_capacity(lanes),
            horizon,
            reachable: [0; 2],
        };
        for (lane, (bureau, mut order)) in by_bureau.into_iter().enumerate() {
            // `None` (unblocked) sorts first; ties keep the app's order.
            order.sort_unstable();
            let column = match history.by_bureau.get(&bureau) {
                Some(own) if own.iter().any(|&n| n > 0) => own.as_slice(),
                _ => {
                    plan.shares.push((lane, order.len() as u64));
                    overall
                }
            };
            let start = plan.processes.len();
            plan.starts.push(start);
            plan.processes.push(0);
            for &(_, i) in &order {
                let count = u64::try_from(items[i].processes).unwrap_or(0);
                plan.processes
                    .push(plan.processes[plan.processes.len() - 1] + count);
            }
            // Unlock weeks never decrease along `order`, so the last slot is always the latest
            // unlock week seen, and the items so far are all out by then.
            let mut eligible = vec![0u32];
            for (k, &(earliest, _)) in order.iter().enumerate() {
                let Some(week) = unlock_week(as_of, earliest, horizon) else {
                    break;
                };
                let last = eligible[eligible.len() - 1];
                eligible.resize(eligible.len().max(week + 1), last);
                let slot = eligible.len() - 1;
                eligible[slot] = u32::try_from(k + 1).unwrap_or(u32::MAX);
            }
            let out = if column.iter().any(|&n| n > 0) {
                eligible[eligible.len() - 1]
            } else {
                0
            };
            plan.reachable[0] += u64::from(out);
            plan.reachable[1] += plan.processes[start + out as usize];
            plan.outs.push(out);
            columns.push(column);
            unlocks.push(eligible);
        }
        for past in 0..plan.weeks_of_history {
            plan.paces.extend(columns.iter().map(|c| c[past]));
        }
        let last_unlock = unlocks.iter().map(Vec::len).max().unwrap_or(1);
        for week in 0..last_unlock {
            plan.caps.extend(
                unlocks
                    .iter()
                    .zip(&plan.outs)
                    .map(|(e, &out)| e.get(week).copied().unwrap_or(out).min(out)),
            );
        }
        plan
    }

    pub(super) fn fresh_state(&self, targets: usize) -> RunState {
        RunState {
            released: vec![0; self.lanes],
            draws: vec![0; self.lanes],
            carry: vec![0; self.lanes],
            reached: vec![false; targets],
        }
    }

    /// One simulated future: calls `reached(target index, week)` once for each target reached
    /// within the horizon (week 0 when nothing is needed).
    pub(super) fn run(
        &self,
        targets: &[ForecastTarget],
        state: &mut RunState,
        rng: &mut ChaCha8Rng,
        mut reached: impl FnMut(usize, u32),
    ) {
        let RunState {
            released,
            draws,
            carry,
            reached: done_targets,
        } = state;
        released.fill(0);
        carry.fill(0);
        let mut open = 0usize;
        let mut by_processes = false;
        for (t, target) in targets.iter().enumerate() {
            let unreachable = target.needed > self.reachable[measure_slot(target.measure)];
            done_targets[t] = target.needed == 0 || unreachable;
            if target.needed == 0 {
                reached(t, 0);
            } else if !unreachable {
                open += 1;
                by_processes |= target.measure == Measure::Processes;
            }
        }
        let lanes = self.lanes;
        let mut done = [0u64; 2];
        let mut week = 0u32;
        while open > 0 && done[0] < self.reachable[0] && week < self.horizon {
            week += 1;
            // One past week for every bureau, so the weeks that were slow everywhere (year end,
            // Golden Week) stay slow everywhere.
            let past = pick(rng, self.weeks_of_history);
            draws.copy_from_slice(&self.paces[past * lanes..(past + 1) * lanes]);
            for &(lane, share) in &self.shares {
                carry[lane] += u64::from(draws[lane]) * share;
                draws[lane] = u32::try_from(carry[lane] / self.remaining).unwrap_or(u32::MAX);
                carry[lane] %= self.remaining;
            }
            let w = week as usize;
            let caps = match self.caps.get(w * lanes..(w + 1) * lanes) {
                Some(row) => row,
                None => &self.outs,
            };
            let mut out = 0u64;
            for ((r, &d), &cap) in released.iter_mut().zip(draws.iter()).zip(caps) {
                let k = d.min(cap - *r);
                *r += k;
                out += u64::from(k);
            }
            done[0] += out;
            if by_processes {
                done[1] = released
                    .iter()
                    .zip(&self.starts)
                    .map(|(&r, &start)| self.processes[start + r as usize])
                    .sum();
            }
            for (t, target) in targets.iter().enumerate() {
                if !done_targets[t] && done[measure_slot(target.measure)] >= target.needed {
                    done_targets[t] = true;
                    open -= 1;
                    reached(t, week);
                }
            }
        }
    }
}

fn measure_slot(measure: Measure) -> usize {
    match measure {
        Measure::Procedures => 0,
        Measure::Processes => 1,
    }
}

/// The first week whose last day is on or after `earliest` (0 when unblocked or already past);
/// `None` beyond the horizon.
fn unlock_week(as_of: NaiveDate, earliest: Option<NaiveDate>, horizon: u32) -> Option<usize> {
    let Some(date) = earliest.filter(|&d| d > as_of) else {
        return Some(0);
    };
    let days = (date - as_of).num_days();
    let week = (days + 6) / 7;
    usize::try_from(week)
        .ok()
        .filter(|&w| w <= horizon as usize)
}
