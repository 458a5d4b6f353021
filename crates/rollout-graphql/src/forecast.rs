//! `forecast(target, runs, seed, weeks)`: the Monte Carlo forecast of the programme targets
//! (`rollout_app::analytics::ForecastRequest`), one [`TargetForecast`] per target. Every role
//! may read it; an actor is required like everywhere. Arguments the client got wrong (an
//! unknown target key, runs, seed or weeks out of range) are VALIDATION errors.

use async_graphql::{Context, Enum, Object, SimpleObject};
use rollout_app::AppError;
use rollout_app::analytics::{DEFAULT_FORECAST_RUNS, ForecastRequest, TargetForecast as View};
use rollout_domain::analytics::forecast::Risk;
use rollout_domain::analytics::targets::TargetMeasure as DomainMeasure;
use tracing::instrument;

use crate::analytics::TargetMeasure;
use crate::enums::ProcedureCategory;
use crate::scalars::Date;
use crate::{actor, app, errors};

/// How likely a target is to be met by its deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum ForecastRisk {
    /// At least 85% of the simulated futures meet it.
    #[graphql(name = "ON_TRACK")]
    OnTrack,
    /// At least 50%.
    #[graphql(name = "AT_RISK")]
    AtRisk,
    /// Fewer than 50%.
    #[graphql(name = "OFF_TRACK")]
    OffTrack,
}

impl From<Risk> for ForecastRisk {
    fn from(r: Risk) -> Self {
        match r {
            Risk::OnTrack => Self::OnTrack,
            Risk::AtRisk => Self::AtRisk,
            Risk::OffTrack => Self::OffTrack,
        }
    }
}

/// One programme target's forecast, simulated from `asOf` (today in Tokyo) week by week over
/// the release history of the last `weeksOfHistory` weeks.
#[derive(Debug, Clone, SimpleObject)]
pub struct TargetForecast {
    pub key: String,
    pub label_ja: String,
    pub label_en: String,
    pub deadline: Date,
    pub measure: TargetMeasure,
    /// Only this category's procedures; null for all.
    pub category: Option<ProcedureCategory>,
    /// Procedures (or processes, by `measure`) still to digitise to meet the target; 0 when met.
    pub needed: i64,
    /// The share of runs that meet the target on or before its deadline (0 to 1).
    pub probability: f64,
    /// How many runs met it.
    pub met_runs: i32,
    /// The date by which half the runs reach the target (the last day of the simulated week);
    /// null when fewer than half reach it within the horizon. `asOf` when nothing is needed.
    pub p50: Option<Date>,
    /// The same for 85% of the runs.
    pub p85: Option<Date>,
    /// The same for 95% of the runs.
    pub p95: Option<Date>,
    pub risk: ForecastRisk,
    pub runs: i32,
    /// The seed the runs were drawn with: the same seed on the same history gives the same
    /// answer.
    pub seed: i64,
    pub weeks_of_history: i32,
    /// How many weeks ahead a run looks at most.
    pub horizon_weeks: i32,
    /// Procedures still to release (in scope, not digitised, of the target's category).
    pub remaining_items: i32,
    /// Of the remaining procedures, those that cannot be released yet: an open law change or
    /// milestone they depend on (directly or through other procedures) is expected after
    /// `asOf`, or has no date yet (then the forecast does not count on them at all).
    pub blocked_items: i32,
    pub as_of: Date,
}

fn int(n: u32) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

impl From<View> for TargetForecast {
    fn from(v: View) -> Self {
        let f = v.forecast;
        Self {
            key: v.target.key,
            label_ja: v.target.label_ja,
            label_en: v.target.label_en,
            deadline: Date(v.target.deadline),
            measure: match v.target.measure {
                DomainMeasure::Procedures => TargetMeasure::Procedures,
                DomainMeasure::Processes => TargetMeasure::Processes,
            },
            category: v.target.category.map(Into::into),
            needed: i64::try_from(f.needed).unwrap_or(i64::MAX),
            probability: f.probability,
            met_runs: int(f.met_runs),
            p50: f.p50.map(Date),
            p85: f.p85.map(Date),
            p95: f.p95.map(Date),
            risk: f.risk.into(),
            runs: int(f.runs),
            // Seeds come in as non-negative i64s, so they go back out unchanged.
            seed: i64::try_from(f.seed).unwrap_or(i64::MAX),
            weeks_of_history: int(f.weeks_of_history),
            horizon_weeks: int(v.horizon_weeks),
            remaining_items: int(v.remaining_items),
            blocked_items: int(f.blocked_items),
            as_of: Date(v.as_of),
        }
    }
}

#[derive(Debug, Default)]
pub(crate) struct ForecastQuery;

/// A non-negative argument as the app's type, or VALIDATION on `field`.
fn non_negative<T: TryFrom<i64>>(field: &str, value: Option<i64>) -> Result<Option<T>, AppError> {
    value
        .map(|v| {
            T::try_from(v).map_err(|_| {
                AppError::validation(field, format!("{field} must not be negative, not {v}"))
            })
        })
        .transpose()
}

/// The app's request from the arguments; a negative number is refused on its field.
fn request(
    target: Option<String>,
    runs: i32,
    seed: Option<i64>,
    weeks: Option<i32>,
) -> Result<ForecastRequest, AppError> {
    Ok(ForecastRequest {
        target,
        runs: non_negative("runs", Some(i64::from(runs)))?,
        seed: non_negative("seed", seed)?,
        weeks: non_negative("weeks", weeks.map(i64::from))?,
    })
}

#[Object]
impl ForecastQuery {
    /// Will the programme targets be met? A Monte Carlo simulation from today (Asia/Tokyo):
    /// each of `runs` futures replays, week after week, one past week drawn at random from the
    /// last `weeks` weeks of releases, each bureau releasing as many of its remaining procedures
    /// as it did that week, never one before the law changes and milestones blocking it are
    /// expected. Gives, per target (`target`'s key, or all configured targets), the probability
    /// of meeting it by its deadline, the P50/P85/P95 completion dates and a risk rating.
    /// `seed` fixes every draw: the same arguments on the same history give the same answer
    /// (2026 when omitted). `runs` is 1 to 100,000; `weeks` is 1 to 520, by default the
    /// configuration's `forecast_weeks` (26 unless set).
    #[instrument(skip(self, ctx))]
    async fn forecast(
        &self,
        ctx: &Context<'_>,
        target: Option<String>,
        #[graphql(default_with = "DEFAULT_FORECAST_RUNS as i32")] runs: i32,
        seed: Option<i64>,
        weeks: Option<i32>,
    ) -> async_graphql::Result<Vec<TargetForecast>> {
        actor(ctx)?;
        let request = request(target, runs, seed, weeks).map_err(|e| errors::graphql_error(&e))?;
        let forecasts = app(ctx)?
            .forecast(&request)
            .await
            .map_err(|e| errors::graphql_error(&e))?;
        Ok(forecasts.into_iter().map(Into::into).collect())
    }
}
