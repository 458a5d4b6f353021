//! From the replay dataset to what the store takes: the bureaus, each procedure's history and
//! evidence (planned by [`Generator::replayed`]) in chunks of [`REPLAY_CHUNK`], and what the
//! procedures wait on. The law changes, milestones and named procedure pairs are the demo's own
//! ([`super::super::blockers::real_seed`], so `nationalRequestSummary(asOf: "2021-12-31")` gives
//! the programme's 7 / 13 / 11); each national procedure of the dataset is linked to the law
//! change its `law_change` column names. Pure: no store, no clock.

use chrono::{DateTime, TimeDelta, Utc};
use rand::SeedableRng;
use rand::rngs::SmallRng;
use rollout_domain::analytics::{ProcedureFacts, StateChange, TargetMove, end_of_day};
use rollout_domain::blockers::BlockerRef;
use rollout_domain::workflow::WorkflowDefinition;
use rollout_domain::{Bureau, UserId};
use rollout_store::{BlockerSeed, ProcedureSeed};
use uuid::Uuid;

use super::super::blockers::{EdgeMaker, real_seed};
use super::super::real::{self, FALLBACK_BUREAU};
use super::super::{
    BLOCKER_SEED, DEFAULT_SEED, DemoStaff, Generated, Generator, StaffMember, laws,
};
use super::{REPLAY_END, ReplayDataset};

/// Procedures per write: five writes for the dataset, so the progress bar moves, each far
/// below the size where a bulk write's statistics refresh starts to cost.
pub const REPLAY_CHUNK: usize = 150;

/// Prepares a replay: the bureaus first, because the demo users (who record the evidence)
/// belong to them and must be stored before the histories are made.
#[derive(Debug)]
pub struct ReplayBuilder<'a> {
    def: &'a WorkflowDefinition,
    generator: Generator<'a>,
    dataset: ReplayDataset,
    as_of: DateTime<Utc>,
}

/// Everything a replay writes, in the order it is written.
#[derive(Debug, Clone)]
pub struct Replay {
    pub bureaus: Vec<Bureau>,
    /// The procedures with their histories and evidence, [`REPLAY_CHUNK`] per chunk, in the
    /// dataset's order.
    pub chunks: Vec<Generated>,
    pub blockers: BlockerSeed,
    /// Where the replay stands: the last second of [`REPLAY_END`] in Tokyo. Open tasks
    /// and the law changes' statuses are as of then.
    pub as_of: DateTime<Utc>,
}

impl<'a> ReplayBuilder<'a> {
    pub fn new(def: &'a WorkflowDefinition, dataset: ReplayDataset) -> Result<Self, String> {
        if dataset.procedures.is_empty() {
            return Err("the replay dataset has no procedures".to_owned());
        }
        let as_of = end_of_day(REPLAY_END) - TimeDelta::seconds(1);
        Ok(Self {
            def,
            generator: Generator::new(def, as_of, DEFAULT_SEED),
            dataset,
            as_of,
        })
    }

    pub fn as_of(&self) -> DateTime<Utc> {
        self.as_of
    }

    /// The bureaus, with ids drawn from the seed.
    pub fn bureaus(&self) -> &[Bureau] {
        self.generator.bureaus()
    }

    /// Every history and its evidence (recorded by `staff`), and the blockers.
    pub fn finish(mut self, staff: &DemoStaff) -> Result<Replay, String> {
        let mut chunks = Vec::new();
        for part in self.dataset.procedures.chunks(REPLAY_CHUNK) {
            let mut out = Generated::default();
            for r in part {
                let code = r.bureau_code.as_deref().unwrap_or(FALLBACK_BUREAU);
                let bureau = self
                    .generator
                    .bureau_index(code)
                    .ok_or_else(|| format!("{}: unknown bureau {code}", r.code))?;
                if !r.code.as_str().starts_with(&format!("{code}-")) {
                    return Err(format!("{}: the code does not name bureau {code}", r.code));
                }
                let seed = self
                    .generator
                    .replayed(r, bureau, staff, &mut out.evidence)?;
                out.procedures.push(seed);
            }
            chunks.push(out);
        }
        let blockers = self.blockers(&chunks)?;
        Ok(Replay {
            bureaus: self.generator.bureaus().to_vec(),
            chunks,
            blockers,
            as_of: self.as_of,
        })
    }

    fn blockers(&self, chunks: &[Generated]) -> Result<BlockerSeed, String> {
        let seeds: Vec<ProcedureSeed> = chunks
            .iter()
            .flat_map(|c| c.procedures.iter().cloned())
            .collect();
        let plans = laws::plans(&real::procedures());
        let mut rng = SmallRng::seed_from_u64(DEFAULT_SEED ^ BLOCKER_SEED);
        let mut maker = EdgeMaker {
            def: self.def,
            rng: &mut rng,
        };
        let mut out = real_seed(&plans, &seeds, self.bureaus(), &mut maker, self.as_of);
        for (r, s) in self.dataset.procedures.iter().zip(&seeds) {
            let Some(code) = &r.law_change else {
                continue;
            };
            let plan = plans.iter().find(|p| &p.code == code);
            let lc = out.law_changes.iter().find(|l| &l.code == code);
            let (Some(plan), Some(lc)) = (plan, lc) else {
                return Err(format!("{}: unknown law change {code}", r.code));
            };
            // The demo's own edges already link the real procedures its law changes name.
            if plan.procedures.contains(&r.name_ja) {
                continue;
            }
            let reason = "オンライン化に法令改正が必要 / needs this rule change to go online";
            let on = BlockerRef::LawChange(lc.id);
            let (open, since) = (lc.is_open(), lc.created_at);
            out.dependencies
                .extend(maker.edge(s, on, open, since, reason));
        }
        Ok(out)
    }
}

impl Replay {
    /// Every procedure with its history, in the dataset's order.
    pub fn seeds(&self) -> impl Iterator<Item = &ProcedureSeed> {
        self.chunks.iter().flat_map(|c| c.procedures.iter())
    }

    /// What the analytics read of each procedure (no field revisions: the dataset changes none).
    pub fn facts(&self) -> Vec<ProcedureFacts> {
        self.seeds()
            .map(|s| {
                let p = &s.procedure;
                ProcedureFacts {
                    id: p.id,
                    code: p.code.as_str().to_owned(),
                    name: p.name.clone(),
                    name_en: p.name_en.clone(),
                    bureau_id: p.bureau_id,
                    category: p.category,
                    authority: p.authority,
                    annual_applications: p.annual_applications,
                    process_count: p.process_count,
                    platform: p.platform,
                    target_quarter: p.target_quarter,
                    changes: s
                        .history
                        .iter()
                        .map(|h| StateChange {
                            at: h.at,
                            to: h.to_state.clone(),
                            comment: h.comment.clone(),
                        })
                        .collect(),
                    revisions: Vec::new(),
                    target_moves: s
                        .target_changes
                        .iter()
                        .map(|t| TargetMove {
                            at: t.at,
                            from: t.from,
                            to: t.to,
                        })
                        .collect(),
                }
            })
            .collect()
    }
}

/// Recorders for a replay made without a store: the project-office demo users with fixed ids
/// (their evidence then names users that do not exist; only figures are read from it).
pub fn detached_staff() -> DemoStaff {
    let member = |n: u128, label: &str| StaffMember {
        id: UserId(Uuid::from_u128(n)),
        label: label.to_owned(),
    };
    DemoStaff {
        office: vec![
            member(1, "sato@office.demo"),
            member(2, "suzuki@office.demo"),
        ],
        coordinators: Vec::new(),
    }
}
