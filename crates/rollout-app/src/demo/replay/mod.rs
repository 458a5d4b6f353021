//! The programme's own history, replayed (`rollout demo --replay`): the dataset in
//! `deploy/demo/history/` (its README says what is real and what is illustrative) loaded into
//! an empty database with every procedure moving on the dataset's dates, so that figures as of
//! a past date (56 major procedures digitised by 2021-03-31, 71 by 2021-12-31, 88.6% of the
//! processes by 2025-09-30…) come out of rollout as the programme published them.
//!
//! Like the generated demo ([`super`]) it writes the real bureaus, the demo users, the histories
//! with their evidence in chunks (progress after each), then the law changes, milestones and
//! dependencies; unlike it, nothing is drawn at random but the evidence's details. It refuses a
//! database that holds data, and a clock that reads earlier than the dataset's last day (the
//! histories would lie in the future).

mod build;
mod dataset;

use rollout_domain::workflow::WorkflowDefinition;
use tracing::instrument;

use super::{DemoError, DemoProgress, DemoReport};
use crate::{App, AppError};

pub use build::{REPLAY_CHUNK, Replay, ReplayBuilder, detached_staff};
pub use dataset::{REPLAY_END, ReplayDataset, ReplayEvent, ReplayProcedure, ReplayTarget};

/// How the moves the system makes by itself (a law change closed, its procedures move on) are
/// signed, as [`crate::blockers`] signs them.
pub const UNBLOCK_LABEL: &str = "system:unblock";

/// The embedded dataset built for `def` without a store: for tests and tools that want the
/// replay's histories (and [`Replay::facts`]) without loading them. The evidence names demo
/// users that exist only in a loaded database ([`detached_staff`]).
pub fn replay(def: &WorkflowDefinition) -> Result<Replay, DemoError> {
    let dataset = ReplayDataset::embedded().map_err(DemoError::Replay)?;
    ReplayBuilder::new(def, dataset)
        .and_then(|b| b.finish(&detached_staff()))
        .map_err(DemoError::Replay)
}

impl App {
    /// Loads the replay dataset into an empty database (see the module comment).
    #[instrument(name = "app.load_replay", skip(self, progress))]
    pub async fn load_replay(
        &self,
        progress: &(dyn Fn(DemoProgress) + Send + Sync),
    ) -> Result<DemoReport, DemoError> {
        if !self.store().is_empty().await.map_err(AppError::from)? {
            return Err(DemoError::NotEmpty);
        }
        let dataset = ReplayDataset::embedded().map_err(DemoError::Replay)?;
        let real = dataset.procedures.iter().filter(|p| !p.synthetic).count() as u64;
        let total = dataset.procedures.len();
        let builder = ReplayBuilder::new(self.workflow(), dataset).map_err(DemoError::Replay)?;
        if self.now() < builder.as_of() {
            return Err(DemoError::Replay(format!(
                "the dataset runs to {} but the clock reads {}: its histories would lie in the future",
                builder.as_of(),
                self.now()
            )));
        }
        let system = crate::Actor::system("demo");
        let audit = |what: &str, count: usize| {
            self.audit_entry(
                &system,
                what,
                &crate::audit::Target::kind("Demo"),
                None,
                Some(serde_json::json!({ "count": count, "dataset": "deploy/demo/history" })),
            )
        };
        let bureaus = builder.bureaus().to_vec();
        let bureau_count = self
            .store()
            .insert_bureaus(&bureaus, &audit("demo.bureaus", bureaus.len()))
            .await
            .map_err(AppError::from)?;
        self.changed(crate::CacheChange::Bureaus).await;
        let staff = self.demo_staff().await?;
        let replay = builder.finish(&staff).map_err(DemoError::Replay)?;
        let mut report = DemoReport {
            bureaus: bureau_count,
            real_procedures: 0,
            synthetic_procedures: 0,
            history_records: 0,
            hearings: 0,
            user_tests: 0,
            tasks: 0,
            law_changes: 0,
            milestones: 0,
            dependencies: 0,
        };
        let mut done = 0;
        progress(DemoProgress { done, total });
        for chunk in &replay.chunks {
            self.write_demo(chunk, &mut report, &audit).await?;
            done += chunk.procedures.len();
            progress(DemoProgress { done, total });
        }
        self.write_demo_blockers(&replay.blockers, &mut report, &audit)
            .await?;
        report.real_procedures = real;
        report.synthetic_procedures = done as u64 - real;
        tracing::info!(?report, "replay loaded");
        Ok(report)
    }
}

#[cfg(test)]
mod load_tests;
#[cfg(test)]
mod tests;
