//! The quarterly progress report: the domain's report model
//! (`rollout_domain::analytics::report`) over the cached facts of every procedure, the national
//! requests as of the report's date and the bureau directory. Anyone may read it, as anyone reads
//! the KPIs. Rendering is not here (`rollout-report` does it for the API, the HTTP download
//! and the CLI).
//!
//! A quarter that has not started is refused; one that has started but not ended is reported
//! as it stands today ("so far", and the report says so), because a project office preparing
//! the quarter's report wants the draft before the quarter closes.
//!
//! Reproducible from the snapshot: the figures come from the same domain functions over the
//! same history as `freezeQuarter` (`quarter_figures`), so a frozen quarter's report states its
//! frozen figures. The report is still computed from history, never pasted from the snapshot;
//! when the quarter was frozen, the two are compared figure by figure and the report carries the
//! result ([`SnapshotCheck`]), so a history rewritten since the freeze shows instead of hiding.

use chrono::TimeDelta;
use rollout_domain::FiscalQuarter;
use rollout_domain::analytics::ProcedureFacts;
use rollout_domain::analytics::end_of_day;
use rollout_domain::analytics::report::{
    NationalRequests, QuarterlyReport, SnapshotCheck, national_requests, quarterly_report,
};
use tracing::instrument;

use crate::{App, AppError, AppResult};

impl App {
    /// The report of `quarter`, as of its last day, or as of today while it runs.
    #[instrument(name = "app.quarterly_report", skip(self), fields(quarter = %quarter))]
    pub async fn quarterly_report(&self, quarter: FiscalQuarter) -> AppResult<QuarterlyReport> {
        let today = self.today();
        if quarter.first_day() > today {
            return Err(AppError::validation(
                "quarter",
                format!(
                    "{quarter} has not started (it begins on {}): there is nothing to report yet",
                    quarter.first_day()
                ),
            ));
        }
        let facts = self.analytics_facts().await?;
        let as_of = quarter.last_day().min(today);
        let national = self.national_requests_as_of(as_of, &facts).await?;
        let bureaus = self.store().list_bureaus().await?;
        let mut report =
            quarterly_report(&facts, self.workflow(), quarter, today, national, &bureaus);
        if let Some(frozen) = self.store().quarter_snapshot(quarter).await? {
            report.snapshot = Some(SnapshotCheck {
                frozen_at: frozen.frozen_at,
                difference: report.check_against(&frozen.figures).err(),
            });
        }
        Ok(report)
    }

    /// The open national requests at the end of `as_of` with the procedures behind them: the
    /// same reads and the same as-of rule as [`App::national_request_summary`].
    async fn national_requests_as_of(
        &self,
        as_of: chrono::NaiveDate,
        facts: &[ProcedureFacts],
    ) -> AppResult<NationalRequests> {
        // The last instant of the day: instants are whole microseconds.
        let until = end_of_day(as_of) - TimeDelta::microseconds(1);
        let graph = self.graph().await?;
        let law_changes: Vec<_> = graph.law_changes.values().cloned().collect();
        let history = self.store().law_change_history(None).await?;
        let dependencies = self.store().all_dependencies().await?;
        Ok(national_requests(
            &law_changes,
            &history,
            &dependencies,
            facts,
            as_of,
            until,
        ))
    }
}
