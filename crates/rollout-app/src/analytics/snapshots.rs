//! Quarter snapshots: the project office freezes a finished quarter's figures (once; freezing
//! again returns what was frozen), and anyone reads a quarter's figures with the difference from
//! the quarter before: frozen where frozen, else computed from history, which is what a frozen
//! snapshot was computed from, so the two agree unless history was rewritten.

use chrono::{DateTime, Utc};
use rollout_domain::FiscalQuarter;
use rollout_domain::analytics::snapshot::{QuarterDelta, QuarterFigures, quarter_figures};
use rollout_domain::authz::Action;
use rollout_store::{QuarterSnapshot, StoreError, Write};
use serde_json::json;
use tracing::instrument;

use crate::audit::Target;
use crate::{Actor, App, AppError, AppResult};

/// A quarter's figures, frozen or computed, with the quarter before it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotView {
    pub figures: QuarterFigures,
    /// When and by whom it was frozen; `None` when computed now from history.
    pub frozen: Option<(DateTime<Utc>, String)>,
    /// Whether the quarter has ended (in Tokyo).
    pub complete: bool,
    /// The previous quarter's figures (frozen where frozen) and the difference from them.
    pub previous: Option<QuarterFigures>,
    pub delta: Option<QuarterDelta>,
}

impl App {
    /// A quarter's figures: the frozen ones when it was frozen, else computed from history.
    async fn figures_of(
        &self,
        quarter: FiscalQuarter,
    ) -> AppResult<(QuarterFigures, Option<(DateTime<Utc>, String)>)> {
        if let Some(s) = self.store().quarter_snapshot(quarter).await? {
            return Ok((s.figures, Some((s.frozen_at, s.frozen_by))));
        }
        Ok((self.computed_quarter(quarter).await?, None))
    }

    /// A quarter's figures computed from history now (what freezing it would store).
    pub async fn computed_quarter(&self, quarter: FiscalQuarter) -> AppResult<QuarterFigures> {
        let facts = self.analytics_facts().await?;
        Ok(quarter_figures(&facts, self.workflow(), quarter))
    }

    fn check_started(&self, quarter: FiscalQuarter) -> AppResult<()> {
        if quarter.first_day() > self.today() {
            return Err(AppError::validation(
                "quarter",
                format!(
                    "{quarter} has not started (it begins on {})",
                    quarter.first_day()
                ),
            ));
        }
        Ok(())
    }

    /// A quarter's figures with the difference from the previous quarter's.
    #[instrument(name = "app.quarter_snapshot", skip(self), fields(quarter = %quarter))]
    pub async fn quarter_snapshot(&self, quarter: FiscalQuarter) -> AppResult<SnapshotView> {
        self.check_started(quarter)?;
        let (figures, frozen) = self.figures_of(quarter).await?;
        let previous = match quarter.previous() {
            Some(q) => Some(self.figures_of(q).await?.0),
            None => None,
        };
        Ok(SnapshotView {
            delta: previous
                .as_ref()
                .map(|p| QuarterDelta::between(&figures, p)),
            complete: quarter.last_day() < self.today(),
            figures,
            frozen,
            previous,
        })
    }

    /// Freezes a finished quarter's figures (the project office only). Idempotent: a quarter
    /// frozen already is returned as it was frozen, and nothing is written.
    #[instrument(name = "app.freeze_quarter", skip(self, actor), fields(quarter = %quarter))]
    pub async fn freeze_quarter(
        &self,
        actor: &Actor,
        quarter: FiscalQuarter,
    ) -> AppResult<SnapshotView> {
        let target = Target::new("Quarter", quarter);
        self.require(actor, Action::FreezeQuarter, "quarter.freeze", &target)
            .await?;
        let today = self.today();
        if quarter.last_day() >= today {
            return Err(AppError::validation(
                "quarter",
                format!(
                    "{quarter} has not ended: it can be frozen from {}",
                    quarter.last_day().succ_opt().unwrap_or(today)
                ),
            ));
        }
        if self.store().quarter_snapshot(quarter).await?.is_none() {
            let figures = self.computed_quarter(quarter).await?;
            let snapshot = QuarterSnapshot {
                figures,
                frozen_at: self.now(),
                frozen_by: actor.label.clone(),
            };
            let after = json!({
                "quarter": quarter.to_string(),
                "procedures": [snapshot.figures.overall.procedures.digitised,
                               snapshot.figures.overall.procedures.in_scope],
                "processes": [snapshot.figures.overall.processes.digitised,
                              snapshot.figures.overall.processes.in_scope],
            });
            let audit = self.audit_entry(actor, "quarter.freeze", &target, None, Some(after));
            match self
                .store()
                .commit(&[Write::FreezeQuarter(snapshot), Write::Audit(audit)])
                .await
            {
                // Another request froze it first: theirs stands, as if this one came second.
                Err(e) if matches!(e.error, StoreError::Duplicate { .. }) => {}
                Err(e) => return Err(e.error.into()),
                Ok(()) => {}
            }
        }
        self.quarter_snapshot(quarter).await
    }
}
