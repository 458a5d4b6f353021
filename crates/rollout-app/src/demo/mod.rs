//! Demo data: the real bureaus and a few dozen real procedures of the Tokyo programme, plus any
//! number of generated ones, each with a back-dated history that follows the loaded workflow and
//! the (illustrative) evidence behind it: hearings, user tests, tasks, target changes.
//!
//! Generation is deterministic (a seeded `SmallRng`, ids derived from it, "now" read once through
//! [`App::now`]) so that two loads of the same size give the same data. The store writes in chunks
//! of [`CHUNK`] procedures (the procedures with their histories, then their evidence), each
//! write all or nothing: a failure part-way leaves the chunks before it in place, and since a
//! second load refuses a non-empty database the remedy is a fresh one. That trade buys progress
//! reporting and bounded transaction sizes; a demo database is disposable, an import is not (see
//! [`crate::import`], which writes everything in one go).

mod blockers;
mod calendar;
mod evidence;
mod generator;
mod laws;
mod names;
mod people;
mod real;
pub mod replay;
mod synthetic;
mod synthetic_deps;
mod wording;

use rollout_domain::Bureau;
use tracing::instrument;

use crate::{App, AppError};

pub use evidence::{DemoStaff, StaffMember};
pub use generator::{Generated, Generator};
pub use people::DemoIdentity;
pub use synthetic_deps::SyntheticGraph;

/// The seed used unless one is given, so that every demo database looks the same.
pub const DEFAULT_SEED: u64 = 0x524F_4C4C_4F55_5421;

/// Procedures are written in transactions of this many. Each bulk write ends with the store's
/// statistics refresh (PostgreSQL's `VACUUM (ANALYZE)`), which grows with the tables: at 2,000
/// a 28,000 load took 21 s on PostgreSQL, at 7,000 13 s (SQLite 13 s and 12 s), with progress
/// still shown four times.
pub const CHUNK: usize = 7_000;

/// Mixed into the seed for the RNG of law changes, milestones and edges.
const BLOCKER_SEED: u64 = 0x424C_4F43_4B45_5253;

/// What to load.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoOptions {
    /// How many generated procedures to add to the real ones.
    pub synthetic: usize,
    pub seed: u64,
}

impl Default for DemoOptions {
    fn default() -> Self {
        Self {
            synthetic: 0,
            seed: DEFAULT_SEED,
        }
    }
}

/// `done` of `total` procedures written so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoProgress {
    pub done: usize,
    pub total: usize,
}

/// What a demo load wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoReport {
    pub bureaus: u64,
    /// Real procedures from the embedded list.
    pub real_procedures: u64,
    pub synthetic_procedures: u64,
    /// History records of all procedures, creation records included.
    pub history_records: u64,
    /// The evidence behind the histories (illustrative, like the histories themselves).
    pub hearings: u64,
    pub user_tests: u64,
    pub tasks: u64,
    /// What the procedures wait on: law changes (with their status history), milestones and
    /// dependencies, real, illustrative and synthetic alike.
    pub law_changes: u64,
    pub milestones: u64,
    pub dependencies: u64,
}

/// Why a demo load did not happen or did not finish.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error(
        "the database already holds bureaus or procedures; demo data loads only into an empty one"
    )]
    NotEmpty,
    #[error("the replay dataset cannot be loaded: {0}")]
    Replay(String),
    #[error(transparent)]
    App(#[from] AppError),
}

impl App {
    /// Loads the demo data into an empty database.
    #[instrument(name = "app.load_demo", skip(self, progress))]
    pub async fn load_demo(
        &self,
        options: DemoOptions,
        progress: &(dyn Fn(DemoProgress) + Send + Sync),
    ) -> Result<DemoReport, DemoError> {
        if !self.store().is_empty().await.map_err(AppError::from)? {
            return Err(DemoError::NotEmpty);
        }
        let mut generator = Generator::new(self.workflow(), self.now(), options.seed);
        let bureaus: Vec<Bureau> = generator.bureaus().to_vec();
        let system = crate::Actor::system("demo");
        let audit = |what: &str, count: usize| {
            self.audit_entry(
                &system,
                what,
                &crate::audit::Target::kind("Demo"),
                None,
                Some(serde_json::json!({ "count": count, "seed": options.seed })),
            )
        };
        let bureau_count = self
            .store()
            .insert_bureaus(&bureaus, &audit("demo.bureaus", bureaus.len()))
            .await
            .map_err(AppError::from)?;
        self.changed(crate::CacheChange::Bureaus).await;
        // The evidence names its recorders: the demo users exist from here on (their tokens
        // are made only when asked for, by `create_demo_identities`).
        let staff = self.demo_staff().await?;
        let real = generator.real_procedures(&staff);
        let total = real.procedures.len() + options.synthetic;
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
        progress(DemoProgress { done: 0, total });
        report.real_procedures = self.write_demo(&real, &mut report, &audit).await?;
        // Law changes, milestones and edges have their own RNG, so that they leave the
        // procedures as they were.
        let mut rng =
            <rand::rngs::SmallRng as rand::SeedableRng>::seed_from_u64(options.seed ^ BLOCKER_SEED);
        let plans = laws::plans(&real::procedures());
        let mut maker = blockers::EdgeMaker {
            def: self.workflow(),
            rng: &mut rng,
        };
        let mut seed =
            blockers::real_seed(&plans, &real.procedures, &bureaus, &mut maker, self.now());
        let (mut graph, synthetic) =
            SyntheticGraph::new(options.seed, options.synthetic, &bureaus, self.now());
        seed.law_changes.extend(synthetic.law_changes);
        seed.law_change_history.extend(synthetic.law_change_history);
        seed.milestones.extend(synthetic.milestones);
        self.write_demo_blockers(&seed, &mut report, &audit).await?;
        let mut done = real.procedures.len();
        progress(DemoProgress { done, total });
        while done < total {
            let n = CHUNK.min(total - done);
            let chunk = generator.synthetic_procedures(n, &staff);
            report.synthetic_procedures += self.write_demo(&chunk, &mut report, &audit).await?;
            let edges = rollout_store::BlockerSeed {
                dependencies: graph.edges(self.workflow(), &chunk.procedures),
                ..Default::default()
            };
            self.write_demo_blockers(&edges, &mut report, &audit)
                .await?;
            done += n;
            progress(DemoProgress { done, total });
        }
        tracing::info!(?report, "demo data loaded");
        Ok(report)
    }

    /// Writes law changes, milestones and dependencies in one transaction.
    async fn write_demo_blockers(
        &self,
        seed: &rollout_store::BlockerSeed,
        report: &mut DemoReport,
        audit: &(dyn Fn(&str, usize) -> rollout_domain::audit::AuditEntry + Sync),
    ) -> Result<(), DemoError> {
        let rows = seed.law_changes.len() + seed.milestones.len() + seed.dependencies.len();
        self.store()
            .insert_blockers(seed, &audit("demo.blockers", rows))
            .await
            .map_err(AppError::from)?;
        report.law_changes += seed.law_changes.len() as u64;
        report.milestones += seed.milestones.len() as u64;
        report.dependencies += seed.dependencies.len() as u64;
        Ok(())
    }

    /// Writes one batch: its procedures with their histories, then the evidence that refers to
    /// them (two transactions). Returns how many procedures were written.
    async fn write_demo(
        &self,
        batch: &Generated,
        report: &mut DemoReport,
        audit: &(dyn Fn(&str, usize) -> rollout_domain::audit::AuditEntry + Sync),
    ) -> Result<u64, DemoError> {
        let procedures = &batch.procedures;
        let written = self
            .store()
            .insert_procedures(procedures, &audit("demo.procedures", procedures.len()))
            .await
            .map_err(AppError::from)?;
        let e = &batch.evidence;
        let rows = e.hearings.len() + e.user_tests.len() + e.tasks.len();
        self.store()
            .insert_evidence(e, &audit("demo.evidence", rows))
            .await
            .map_err(AppError::from)?;
        report.history_records += procedures
            .iter()
            .map(|s| s.history.len() as u64)
            .sum::<u64>();
        report.hearings += e.hearings.len() as u64;
        report.user_tests += e.user_tests.len() as u64;
        report.tasks += e.tasks.len() as u64;
        Ok(written)
    }
}

#[cfg(test)]
mod blocker_tests;
#[cfg(test)]
mod evidence_tests;
#[cfg(test)]
mod load_tests;
#[cfg(test)]
mod tests;
