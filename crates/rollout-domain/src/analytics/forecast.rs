//! Will we make the target? A Monte Carlo simulation over the weekly release history
//! ([`weekly_throughput`]): each run replays the future week by week, drawing for each simulated
//! week one past week at random and letting every bureau release, of its remaining procedures,
//! as many as it released in that past week, never a procedure before the law change blocking
//! it is expected. The share of runs that reach a target by its deadline is its probability;
//! the runs' completion weeks give the P50/P85/P95 dates and the [`Risk`]. Pure and seeded: the
//! same inputs and seed give the same answer on every platform (ChaCha8, whose stream
//! `rand_chacha` fixes, a range sampler of our own, and integer arithmetic only in the
//! simulation). What is remaining, blocked and needed is the app's to say; this module does not
//! read KPIs or law changes.
//!
//! Choices, and when they would flip:
//! - One past week for all bureaus, not one per bureau. Bureaus move together (the fiscal year
//!   end, Golden Week, a programme-wide push); independent draws would shrink the spread of the
//!   weekly total by treating them as unrelated, and so overstate the confidence in P85/P95.
//!   Replaying whole weeks keeps the programme's observed weekly totals and each bureau's own
//!   pace, and costs one random draw a week instead of one per bureau. With very few weeks of
//!   history there are few distinct weeks to replay: ask for more weeks rather than mix them.
//! - A bureau with no release in the window has no pace of its own (all-zero history would say
//!   it never finishes, which its history cannot support either). It gets, of the programme's
//!   releases in the replayed week, the share its remaining procedures are of all remaining
//!   procedures, the fraction carried to the next week so the pace is exact on average. This
//!   is generous to new bureaus (they add to the programme's pace rather than divide it); were
//!   most bureaus new, a pooled lane would model them better.
//! - Capacity is not banked: a week's releases beyond what the bureau may release (everything
//!   left is blocked, say) are lost, as a team waiting on a law cannot pre-release.
//! - Within a bureau, procedures release in the order (expected unblock date, the order the
//!   app passed them), so with a processes target the app's order (e.g. by target quarter)
//!   decides which processes come first.
//! - A completion is dated to the last day of its week, and counts as on time only when that
//!   day is on or before the deadline: a week straddling the deadline counts as late, which
//!   errs on the side of caution by at most six days. A target with nothing needed is met, on
//!   `as_of`, whatever its deadline.

use chrono::{Days, NaiveDate};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::percentile::nearest_rank;
use crate::BureauId;

#[path = "forecast_history.rs"]
mod history;
#[path = "forecast_plan.rs"]
mod plan;

pub use history::{Throughput, weekly_throughput};
use plan::Plan;

/// The most runs one forecast may ask for.
pub const MAX_RUNS: u32 = 100_000;
/// The longest horizon, in weeks (50 years).
pub const MAX_HORIZON_WEEKS: u32 = 2_600;
/// The longest release history a forecast may sample, in weeks (10 years).
pub const MAX_HISTORY_WEEKS: u32 = 520;

/// One procedure still to release (in scope, not yet DONE).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForecastItem {
    pub bureau: BureauId,
    /// Its process count, counted when a target is measured in processes.
    pub processes: i32,
    /// The latest expected effective date among the open law changes blocking it; `None` when
    /// nothing blocks it. It cannot be released in a week ending before this date.
    pub earliest: Option<NaiveDate>,
}

/// What a target counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Measure {
    Procedures,
    /// The sum of the released procedures' process counts.
    Processes,
}

/// A programme target, as what is still missing to meet it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForecastTarget {
    pub key: String,
    pub deadline: NaiveDate,
    pub measure: Measure,
    /// How many more procedures (or processes) must be released to meet it; 0 when it is met.
    pub needed: u64,
}

/// How to run the simulation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ForecastSettings {
    /// How many futures to simulate, 1 to [`MAX_RUNS`].
    pub runs: u32,
    pub seed: u64,
    /// When a run stops: a target not reached within this many weeks has no completion date.
    pub horizon_weeks: u32,
}

impl Default for ForecastSettings {
    fn default() -> Self {
        Self {
            runs: 10_000,
            seed: 0,
            horizon_weeks: 520,
        }
    }
}

/// How likely a target is to be met by its deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Risk {
    /// At least 85% of the runs meet it.
    OnTrack,
    /// At least 50%.
    AtRisk,
    OffTrack,
}

impl Risk {
    /// The rating of `met` runs out of `runs`, in integers so that exactly 85% is on track.
    pub fn of(met: u32, runs: u32) -> Self {
        let (met, runs) = (u64::from(met), u64::from(runs));
        if met * 100 >= runs * 85 {
            Self::OnTrack
        } else if met * 100 >= runs * 50 {
            Self::AtRisk
        } else {
            Self::OffTrack
        }
    }

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::OnTrack => "ON_TRACK",
            Self::AtRisk => "AT_RISK",
            Self::OffTrack => "OFF_TRACK",
        }
    }
}

/// One target's forecast.
#[derive(Debug, Clone, PartialEq)]
pub struct Forecast {
    pub key: String,
    pub deadline: NaiveDate,
    pub measure: Measure,
    pub needed: u64,
    /// `met_runs / runs`.
    pub probability: f64,
    /// Runs that reached the target on or before its deadline.
    pub met_runs: u32,
    /// Completion dates (the last day of the week the target is reached) by the nearest-rank
    /// percentile over the runs; `None` when that share of runs did not reach it within the
    /// horizon. `as_of` itself when nothing is needed.
    pub p50: Option<NaiveDate>,
    pub p85: Option<NaiveDate>,
    pub p95: Option<NaiveDate>,
    pub risk: Risk,
    pub runs: u32,
    pub seed: u64,
    pub weeks_of_history: u32,
    /// Remaining procedures that cannot be released before a date after `as_of`.
    pub blocked_items: u32,
}

/// Why a forecast cannot be run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ForecastError {
    #[error("runs must be between 1 and {MAX_RUNS}, not {0}")]
    RunsOutOfRange(u32),
    #[error("the horizon must be between 1 and {MAX_HORIZON_WEEKS} weeks, not {0}")]
    HorizonOutOfRange(u32),
    #[error("the history must cover between 1 and {MAX_HISTORY_WEEKS} weeks, not {0}")]
    HistoryOutOfRange(u32),
}

/// A week's completion that never happened within the horizon.
const NEVER: u32 = u32::MAX;

/// Simulates `settings.runs` futures from `history.as_of` and forecasts each target, in order.
/// Every run uses its own ChaCha8 stream (the seed's stream number `run`), so a run's draws do
/// not depend on how long other runs lasted, nor on which other targets were asked for.
pub fn forecast(
    items: &[ForecastItem],
    history: &Throughput,
    targets: &[ForecastTarget],
    settings: ForecastSettings,
) -> Result<Vec<Forecast>, ForecastError> {
    let ForecastSettings {
        runs,
        seed,
        horizon_weeks,
    } = settings;
    if runs == 0 || runs > MAX_RUNS {
        return Err(ForecastError::RunsOutOfRange(runs));
    }
    if horizon_weeks == 0 || horizon_weeks > MAX_HORIZON_WEEKS {
        return Err(ForecastError::HorizonOutOfRange(horizon_weeks));
    }
    let weeks = history.overall.len();
    if weeks == 0
        || weeks > MAX_HISTORY_WEEKS as usize
        || weeks != history.weeks as usize
        || history.by_bureau.values().any(|h| h.len() != weeks)
    {
        return Err(ForecastError::HistoryOutOfRange(history.weeks));
    }
    let as_of = history.as_of;
    let plan = Plan::new(items, history, horizon_weeks);
    // completions[t * runs + r]: the week run r reached target t, or NEVER.
    let n_runs = runs as usize;
    let mut completions = vec![NEVER; targets.len() * n_runs];
    let mut state = plan.fresh_state(targets.len());
    let base = ChaCha8Rng::seed_from_u64(seed);
    for run in 0..n_runs {
        let mut rng = base.clone();
        rng.set_stream(run as u64);
        plan.run(targets, &mut state, &mut rng, |t, week| {
            completions[t * n_runs + run] = week;
        });
    }
    let blocked_items = items
        .iter()
        .filter(|i| i.earliest.is_some_and(|d| d > as_of))
        .count();
    let out = targets
        .iter()
        .zip(completions.chunks_mut(n_runs))
        .map(|(target, weeks_to)| {
            weeks_to.sort_unstable();
            let on_time = |w: &u32| {
                target.needed == 0 || (*w != NEVER && week_end(as_of, *w) <= target.deadline)
            };
            let met = weeks_to.partition_point(on_time);
            let met = u32::try_from(met).unwrap_or(u32::MAX);
            let at = |p: f64| {
                nearest_rank(weeks_to, p)
                    .filter(|&w| w != NEVER)
                    .map(|w| week_end(as_of, w))
            };
            Forecast {
                key: target.key.clone(),
                deadline: target.deadline,
                measure: target.measure,
                needed: target.needed,
                probability: f64::from(met) / f64::from(runs),
                met_runs: met,
                p50: at(50.0),
                p85: at(85.0),
                p95: at(95.0),
                risk: Risk::of(met, runs),
                runs,
                seed,
                weeks_of_history: history.weeks,
                blocked_items: u32::try_from(blocked_items).unwrap_or(u32::MAX),
            }
        })
        .collect();
    Ok(out)
}

/// The last day of simulated week `week` (week 0 ends on `as_of`).
fn week_end(as_of: NaiveDate, week: u32) -> NaiveDate {
    as_of
        .checked_add_days(Days::new(u64::from(week) * 7))
        .unwrap_or(NaiveDate::MAX)
}

/// An index in `0..len` (1 ≤ len ≤ [`MAX_HISTORY_WEEKS`]), exactly uniform: Lemire's
/// multiply-shift with rejection. Written here rather than taken from `rand`'s range sampling so
/// that the result depends on the ChaCha8 stream alone, whatever `rand` version samples ranges.
fn pick(rng: &mut ChaCha8Rng, len: usize) -> usize {
    let len = len as u64;
    let mut m = u64::from(rng.random::<u32>()) * len;
    if (m as u32 as u64) < len {
        let threshold = (1u64 << 32) % len;
        while (m as u32 as u64) < threshold {
            m = u64::from(rng.random::<u32>()) * len;
        }
    }
    (m >> 32) as usize
}

#[cfg(test)]
#[path = "forecast_tests.rs"]
mod tests;
