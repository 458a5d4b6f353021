//! The forecast use case: will each programme target be met by its deadline? It gathers what
//! the pure simulation (`rollout_domain::analytics::forecast`) needs, as of today in Tokyo: the
//! weekly release history of the last N weeks, the procedures still to release (in scope, not
//! digitised, of the target's category) with their bureau, process count and the date their
//! open blockers are expected to clear, and per target what is still missing (its gap in its
//! measure, as `programmeTargets` reports it). The arithmetic is the domain's; this module only
//! chooses the inputs and the defaults.
//!
//! Blockers: an item's `earliest` is the date the dependency graph's earliest-release walk
//! gives (the latest expected date of its open law changes and milestones, through the open
//! procedures it depends on), computed with zero lead time. The platform lead time that
//! `earliestRelease` adds is deliberately left out: the sampled weekly pace already carries how
//! long building takes, and adding it to the blocked procedures only would hold them back while
//! an unblocked procedure still in `hearing` may release in the first simulated week. A blocker
//! with no date yet (a request the ministry has not answered) holds its procedures beyond any
//! horizon: nothing says they can be released, so the forecast does not count on them.

use std::collections::{BTreeMap, HashSet};

use chrono::NaiveDate;
use rollout_domain::analytics::end_of_day;
use rollout_domain::analytics::forecast::{
    Forecast, ForecastError, ForecastItem, ForecastSettings, ForecastTarget, MAX_HORIZON_WEEKS,
    MAX_RUNS, Measure, forecast, weekly_throughput,
};
use rollout_domain::analytics::scope::StateKinds;
use rollout_domain::analytics::targets::{ProgrammeTarget, TargetMeasure, TargetProgress};
use rollout_domain::deps::LeadTimes;
use rollout_domain::{Category, FiscalQuarter, ProcedureId};
use tracing::instrument;

use crate::{App, AppError, AppResult};

/// Runs when the request names none: enough for the P95 to move by less than a week between
/// seeds on the programme's histories, and within the 300 ms at 28,000 procedures.
pub const DEFAULT_FORECAST_RUNS: u32 = 10_000;

/// The seed when the request names none. Any fixed value would do; what matters is that the
/// same request gives the same answer every time (2026: the year of the programme's last target).
pub const DEFAULT_FORECAST_SEED: u64 = 2_026;

/// How far a run looks ahead at least, in weeks (ten years); further when a deadline is.
pub const DEFAULT_FORECAST_HORIZON_WEEKS: u32 = 520;

/// What to forecast; every `None` takes the default.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ForecastRequest {
    /// The key of one configured target; all targets when `None`.
    pub target: Option<String>,
    /// 1 to [`MAX_RUNS`]; [`DEFAULT_FORECAST_RUNS`] when `None`.
    pub runs: Option<u32>,
    /// [`DEFAULT_FORECAST_SEED`] when `None`.
    pub seed: Option<u64>,
    /// Weeks of release history to sample; the configured `forecast_weeks` when `None`.
    pub weeks: Option<u32>,
}

/// One target's forecast with the target it is for.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetForecast {
    pub target: ProgrammeTarget,
    /// The Tokyo date the forecast starts from (today): the last day of the history sampled.
    pub as_of: NaiveDate,
    /// How many weeks each run simulated at most.
    pub horizon_weeks: u32,
    /// Procedures still to release, of the target's category (or all).
    pub remaining_items: u32,
    pub forecast: Forecast,
}

impl App {
    /// The forecast of one configured target, or of all, as of today in Tokyo. Same request
    /// (and same history), same answer: the seed fixes every draw.
    #[instrument(name = "app.forecast", skip(self), fields(target = ?request.target))]
    pub async fn forecast(&self, request: &ForecastRequest) -> AppResult<Vec<TargetForecast>> {
        let runs = request.runs.unwrap_or(DEFAULT_FORECAST_RUNS);
        if runs == 0 || runs > MAX_RUNS {
            return Err(AppError::validation(
                "runs",
                format!("runs must be between 1 and {MAX_RUNS}, not {runs}"),
            ));
        }
        let seed = request.seed.unwrap_or(DEFAULT_FORECAST_SEED);
        let weeks = request
            .weeks
            .unwrap_or(self.analytics_settings().forecast_weeks);
        let targets = self.forecast_targets(request.target.as_deref()).await?;
        let as_of = self.today();
        // From every configured deadline, not only the requested ones, so that asking for one
        // target gives the same answer as asking for all.
        let latest = self
            .analytics_settings()
            .targets
            .iter()
            .map(|t| t.deadline)
            .max();
        let settings = ForecastSettings {
            runs,
            seed,
            horizon_weeks: horizon(as_of, latest),
        };

        let facts = self.analytics_facts().await?;
        let history = weekly_throughput(&facts, self.workflow(), as_of, weeks).map_err(refusal)?;
        // The facts of the procedures still to release, in release order within a bureau
        // (earliest target quarter first, those without one last, then by code): with a
        // processes target this decides which processes the pace releases first.
        let kinds = StateKinds::new(self.workflow());
        let end = end_of_day(as_of);
        let mut remaining: Vec<Remaining> = facts
            .iter()
            .filter_map(|f| {
                let p = f.as_of(end)?;
                (kinds.in_scope(&p) && !kinds.is_digitised(&p)).then_some(Remaining {
                    id: f.id,
                    code: f.code.as_str(),
                    category: p.category,
                    target_quarter: p.target_quarter,
                    item: ForecastItem {
                        bureau: p.bureau_id,
                        processes: p.process_count,
                        earliest: None,
                    },
                })
            })
            .collect();
        remaining.sort_by(|a, b| {
            let quarter = |r: &Remaining| (r.target_quarter.is_none(), r.target_quarter);
            quarter(a).cmp(&quarter(b)).then(a.code.cmp(b.code))
        });
        self.blocked_until(as_of, &mut remaining).await?;

        // One simulation per category the targets name (usually one, for all procedures):
        // each run draws from its own stream, so splitting the targets changes no answer.
        let mut by_category: BTreeMap<Option<Category>, Vec<usize>> = BTreeMap::new();
        for (i, t) in targets.iter().enumerate() {
            by_category.entry(t.target.category).or_default().push(i);
        }
        let mut out: Vec<Option<TargetForecast>> = vec![None; targets.len()];
        for (category, indices) in by_category {
            let items: Vec<ForecastItem> = remaining
                .iter()
                .filter(|r| category.is_none_or(|c| r.category == c))
                .map(|r| r.item.clone())
                .collect();
            let wanted: Vec<ForecastTarget> =
                indices.iter().map(|&i| wanted(&targets[i])).collect();
            let forecasts = forecast(&items, &history, &wanted, settings).map_err(refusal)?;
            for (&i, f) in indices.iter().zip(forecasts) {
                out[i] = Some(TargetForecast {
                    target: targets[i].target.clone(),
                    as_of,
                    horizon_weeks: settings.horizon_weeks,
                    remaining_items: u32::try_from(items.len()).unwrap_or(u32::MAX),
                    forecast: f,
                });
            }
        }
        Ok(out.into_iter().flatten().collect())
    }

    /// The configured targets' progress as of today, only `key`'s when given (which must name
    /// one).
    async fn forecast_targets(&self, key: Option<&str>) -> AppResult<Vec<TargetProgress>> {
        if let Some(key) = key {
            let known = &self.analytics_settings().targets;
            if !known.iter().any(|t| t.key == key) {
                let keys: Vec<&str> = known.iter().map(|t| t.key.as_str()).collect();
                return Err(AppError::validation(
                    "target",
                    format!(
                        "no programme target has the key {key:?}; the targets are {}",
                        keys.join(", ")
                    ),
                ));
            }
        }
        let mut all = self.target_progress(None).await?;
        all.retain(|t| key.is_none_or(|k| t.target.key == k));
        Ok(all)
    }

    /// Sets each remaining procedure's `earliest`: the date its open blockers are expected to
    /// clear, when that is after today (see the module header). Only procedures in the
    /// dependency graph can be blocked, so only they are looked at.
    async fn blocked_until(
        &self,
        today: NaiveDate,
        remaining: &mut [Remaining<'_>],
    ) -> AppResult<()> {
        let graph = self.graph().await?;
        let in_graph: HashSet<ProcedureId> = graph.graph.procedures().into_iter().collect();
        let ids: Vec<ProcedureId> = remaining
            .iter()
            .map(|r| r.id)
            .filter(|id| in_graph.contains(id))
            .collect();
        if ids.is_empty() {
            return Ok(());
        }
        let procs = self.procs_upstream(&graph, &ids).await?;
        let no_lead_time = LeadTimes::from_samples(&[], 1, 0);
        let releases = graph
            .graph
            .earliest_releases(&ids, &procs, &no_lead_time, today);
        for r in remaining.iter_mut() {
            let Some(er) = releases.get(&r.id) else {
                continue;
            };
            r.item.earliest = if er.decided_by.is_empty() {
                None
            } else if er.quarter.is_none() {
                // Undated somewhere on the deciding chain: not within any horizon.
                Some(NaiveDate::MAX)
            } else {
                Some(er.date).filter(|&d| d > today)
            };
        }
        Ok(())
    }
}

/// A procedure still to release, with what orders and filters it.
struct Remaining<'a> {
    id: ProcedureId,
    code: &'a str,
    category: Category,
    target_quarter: Option<FiscalQuarter>,
    item: ForecastItem,
}

/// What is still missing to meet a target, in its measure.
fn wanted(p: &TargetProgress) -> ForecastTarget {
    let (measure, gap) = match p.target.measure {
        TargetMeasure::Procedures => (Measure::Procedures, p.gap_procedures),
        TargetMeasure::Processes => (Measure::Processes, p.gap_processes),
    };
    ForecastTarget {
        key: p.target.key.clone(),
        deadline: p.target.deadline,
        measure,
        needed: u64::try_from(gap).unwrap_or(0),
    }
}

/// Ten years, or up to the week after the latest deadline when that is further, within the
/// domain's bound.
fn horizon(as_of: NaiveDate, latest_deadline: Option<NaiveDate>) -> u32 {
    let to_deadline = latest_deadline
        .map(|d| (d - as_of).num_days().div_euclid(7) + 2)
        .and_then(|w| u32::try_from(w).ok())
        .unwrap_or(0);
    to_deadline.clamp(DEFAULT_FORECAST_HORIZON_WEEKS, MAX_HORIZON_WEEKS)
}

/// The domain's refusal, on the request field it is about.
fn refusal(e: ForecastError) -> AppError {
    let field = match e {
        ForecastError::RunsOutOfRange(_) => "runs",
        ForecastError::HistoryOutOfRange(_) => "weeks",
        // The horizon is ours, not the client's: bounded above, so this is a bug.
        ForecastError::HorizonOutOfRange(_) => {
            return AppError::Internal(rollout_store::StoreError::corrupt(e.to_string()));
        }
    };
    AppError::validation(field, e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn the_horizon_reaches_past_the_latest_deadline() {
        let today = day(2026, 6, 1);
        assert_eq!(horizon(today, None), 520);
        assert_eq!(horizon(today, Some(day(2027, 3, 31))), 520);
        // 2045-06-01 is 991 weeks and 6 days away: the week holding it and one more.
        let far = day(2045, 6, 1);
        assert_eq!((far - today).num_days(), 6_940);
        assert_eq!(horizon(today, Some(far)), 993);
        assert_eq!(horizon(today, Some(day(2200, 1, 1))), MAX_HORIZON_WEEKS);
        assert_eq!(horizon(today, Some(day(2000, 1, 1))), 520);
    }

    #[test]
    fn domain_refusals_name_the_request_field() {
        let path = |e: AppError| match e {
            AppError::Validation(f) => f[0].path.join("."),
            other => panic!("not a validation error: {other:?}"),
        };
        assert_eq!(path(refusal(ForecastError::RunsOutOfRange(0))), "runs");
        assert_eq!(path(refusal(ForecastError::HistoryOutOfRange(0))), "weeks");
        assert!(matches!(
            refusal(ForecastError::HorizonOutOfRange(0)),
            AppError::Internal(_)
        ));
    }
}
