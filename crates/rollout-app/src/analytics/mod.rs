//! The project office's figures, computed from history: the facts of every procedure, loaded
//! once and kept while nothing changes ([`FactsCache`], checked against the store's stamp on
//! every read, so a change made by any replica or any command is seen by the next read), and the
//! use cases over them: KPIs as of a date, the scope ledger, target progress ([`figures`]), quarter
//! snapshots ([`snapshots`]). The arithmetic is the domain's (`rollout_domain::analytics`).

mod figures;
mod flow;
mod forecast;
mod snapshots;

use std::sync::Arc;

use rollout_domain::analytics::ProcedureFacts;
use rollout_domain::analytics::targets::{ProgrammeTarget, default_targets};
use rollout_store::AnalyticsStamp;
use tokio::sync::Mutex;
use tracing::instrument;

use crate::{App, AppResult};

pub use figures::{AnalyticsQuery, LedgerEntry, LedgerView};
pub use flow::{
    AgingEntry, BottleneckView, BureauRow, FlowView, MAX_AGING_PAGE, MAX_BOTTLENECKS, ProcedureRef,
    StateRow,
};
pub use forecast::{
    DEFAULT_FORECAST_HORIZON_WEEKS, DEFAULT_FORECAST_RUNS, DEFAULT_FORECAST_SEED, ForecastRequest,
    TargetForecast,
};
pub use snapshots::SnapshotView;

/// What the project office configures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnalyticsSettings {
    /// The programme targets (validated by the caller with
    /// [`rollout_domain::analytics::targets::validate_targets`]).
    pub targets: Vec<ProgrammeTarget>,
    /// How many past weeks of throughput the forecast samples.
    pub forecast_weeks: u32,
}

impl Default for AnalyticsSettings {
    fn default() -> Self {
        Self {
            targets: default_targets(),
            forecast_weeks: 26,
        }
    }
}

/// The facts of the latest stamp this process has read, shared by every clone of the app.
#[derive(Default)]
pub(crate) struct FactsCache {
    loaded: Mutex<Option<(AnalyticsStamp, Arc<Vec<ProcedureFacts>>)>>,
}

impl std::fmt::Debug for FactsCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FactsCache").finish_non_exhaustive()
    }
}

/// Settings and cache, behind one `Arc` in [`App`].
#[derive(Debug, Default)]
pub(crate) struct AnalyticsState {
    pub(crate) settings: AnalyticsSettings,
    pub(crate) cache: FactsCache,
}

impl App {
    pub fn analytics_settings(&self) -> &AnalyticsSettings {
        &self.analytics.settings
    }

    /// Every procedure's facts as they stand: the cached copy while the store's stamp is the
    /// one it was loaded at, else a fresh load (four statements). Concurrent misses load once.
    #[instrument(name = "app.analytics_facts", skip(self))]
    pub async fn analytics_facts(&self) -> AppResult<Arc<Vec<ProcedureFacts>>> {
        // The stamp is read before the facts: a change committed in between makes the next
        // read's stamp differ, so it can only cause an extra load, never a stale answer.
        let stamp = self.store().analytics_stamp().await?;
        let mut loaded = self.analytics.cache.loaded.lock().await;
        if let Some((at, facts)) = loaded.as_ref()
            && *at == stamp
        {
            return Ok(facts.clone());
        }
        let facts = Arc::new(self.store().analytics_facts().await?);
        *loaded = Some((stamp, facts.clone()));
        Ok(facts)
    }
}
