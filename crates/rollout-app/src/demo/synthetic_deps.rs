//! The dependency graph of generated procedures, for scale runs: about one law change per 30
//! procedures, a done and a planned milestone per platform, and about two edges per procedure,
//! labelled synthetic: mostly law changes and the platform's go-live, as in the programme, and
//! an earlier procedure for nearly half of them. Edges only go from a procedure to earlier
//! ones, so the graph is a DAG; a third of those go to the latest eligible procedure, which
//! makes long chains. A
//! procedure waiting for a law change gets an open one; a released one depends only on
//! released (or abolished) procedures and closed blockers.
//!
//! It has its own seeded RNG, so that adding the graph leaves the generated procedures as they
//! were; the law changes start after 2021-12-31, so the December-2021 split stays the real one.

use chrono::{DateTime, NaiveDate, Utc};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use rollout_domain::blockers::{BlockerRef, Dependency, LawChangeStatus, LawLevel, Milestone};
use rollout_domain::workflow::{StateKind, WorkflowDefinition};
use rollout_domain::{Bureau, Platform};
use rollout_store::{BlockerSeed, ProcedureSeed};

use super::blockers::{EdgeMaker, law_change, recorded_at};
use super::calendar::{tokyo_date, uuid_at};
use super::laws::LawPlan;

/// Procedures per synthetic law change.
const PROCEDURES_PER_LAW: usize = 30;

const NOTE: &str = "合成データ（スケール試験用）。Synthetic record for scale runs, not a real one.";

/// A blocker an edge may point at, with what the consistency rule needs.
#[derive(Debug, Clone, Copy)]
struct Target {
    on: BlockerRef,
    open: bool,
    since: DateTime<Utc>,
}

/// The growing synthetic graph: fed each chunk of generated procedures in order.
#[derive(Debug)]
pub struct SyntheticGraph {
    rng: SmallRng,
    law_changes: Vec<Target>,
    milestones: Vec<(Platform, Target)>,
    /// Released or abolished procedures so far (anything may depend on them).
    closed: Vec<Target>,
    /// Every procedure so far.
    any: Vec<Target>,
    /// The last procedure of the chain being grown (long chains of procedures, each needing the
    /// one before).
    chain: Option<Target>,
}

fn day_between(rng: &mut SmallRng, from: NaiveDate, to: NaiveDate) -> NaiveDate {
    let span = (to - from).num_days().max(1);
    from + chrono::Days::new(u64::try_from(rng.random_range(0..span)).unwrap_or(0))
}

impl SyntheticGraph {
    /// The law changes and milestones for `n` generated procedures (returned as a seed to
    /// write before any edge), and the graph that will link them.
    pub fn new(seed: u64, n: usize, bureaus: &[Bureau], now: DateTime<Utc>) -> (Self, BlockerSeed) {
        let mut rng = SmallRng::seed_from_u64(seed ^ 0x5359_4E54_4445_5053);
        let today = tokyo_date(now);
        let first = NaiveDate::from_ymd_opt(2022, 1, 1)
            .expect("a valid date")
            .min(today);
        let mut out = BlockerSeed::default();
        let count = if n == 0 {
            0
        } else {
            n.div_ceil(PROCEDURES_PER_LAW)
        };
        for i in 0..count {
            let requested = day_between(&mut rng, first, today);
            let mut steps = vec![(LawChangeStatus::Requested, requested)];
            // The first stays requested, so that waiting procedures always have an open one.
            let roll = if i == 0 { 0 } else { rng.random_range(0..100) };
            let later = |rng: &mut SmallRng, after: NaiveDate| day_between(rng, after, today);
            if roll >= 30 {
                let d = later(&mut rng, requested);
                steps.push((LawChangeStatus::UnderStudy, d));
            }
            if roll >= 55 {
                let d = later(&mut rng, steps[1].1);
                steps.push((LawChangeStatus::DateShown, d));
            }
            if roll >= 75 {
                let d = later(&mut rng, steps[2].1);
                steps.push((LawChangeStatus::Enacted, d));
            }
            let bureau = &bureaus[rng.random_range(0..bureaus.len())];
            let plan = LawPlan {
                code: format!("SYN-{:05}", i + 1),
                title_ja: format!("合成データ 法令改正 {}", i + 1),
                title_en: format!("Synthetic law change {}", i + 1),
                level: [
                    LawLevel::NationalLaw,
                    LawLevel::CabinetOrder,
                    LawLevel::MinisterialOrdinance,
                ][i % 3],
                ministry_ja: "（合成）所管省庁",
                ministry_en: "(synthetic) ministry",
                law_name: None,
                bureau: bureau.code.as_str().to_owned(),
                expected: steps.get(2).map(|(_, d)| *d + chrono::Days::new(180)),
                steps,
                notes: NOTE.to_owned(),
                procedures: Vec::new(),
            };
            if let Some((lc, history)) = law_change(&plan, bureaus, today, &mut rng) {
                out.law_changes.push(lc);
                out.law_change_history.extend(history);
            }
        }
        for (i, platform) in Platform::ALL.iter().enumerate() {
            for done in [true, false] {
                let created = recorded_at(first);
                let planned = day_between(&mut rng, first, today + chrono::Days::new(720));
                let done_on = (done && planned <= today).then_some(planned);
                out.milestones.push(Milestone {
                    id: rollout_domain::MilestoneId(uuid_at(&mut rng, created)),
                    name: format!(
                        "合成データ マイルストーン {}-{} ({})",
                        i + 1,
                        u8::from(done),
                        platform.as_str()
                    ),
                    platform: Some(*platform),
                    planned_on: Some(planned),
                    status: if done_on.is_some() {
                        rollout_domain::blockers::MilestoneStatus::Done
                    } else {
                        rollout_domain::blockers::MilestoneStatus::Planned
                    },
                    done_on,
                    notes: Some(NOTE.to_owned()),
                    version: 1,
                    created_at: created,
                    updated_at: created,
                });
            }
        }
        let graph = Self {
            rng,
            law_changes: out
                .law_changes
                .iter()
                .map(|l| Target {
                    on: BlockerRef::LawChange(l.id),
                    open: l.is_open(),
                    since: l.created_at,
                })
                .collect(),
            milestones: out
                .milestones
                .iter()
                .map(|m| {
                    let on = BlockerRef::Milestone(m.id);
                    let target = Target {
                        on,
                        open: m.is_open(),
                        since: m.created_at,
                    };
                    (m.platform.unwrap_or(Platform::DedicatedSystem), target)
                })
                .collect(),
            closed: Vec::new(),
            any: Vec::new(),
            chain: None,
        };
        (graph, out)
    }

    /// The edges of the next generated procedures (in generation order).
    pub fn edges(&mut self, def: &WorkflowDefinition, chunk: &[ProcedureSeed]) -> Vec<Dependency> {
        let mut rng = SmallRng::seed_from_u64(self.rng.random());
        let mut out = Vec::with_capacity(chunk.len() * 2);
        for p in chunk {
            let mut maker = EdgeMaker { def, rng: &mut rng };
            let kind = maker.kind(p);
            let mut picked: Vec<Target> = Vec::with_capacity(3);
            let open_laws: Vec<Target> = self
                .law_changes
                .iter()
                .copied()
                .filter(|t| t.open)
                .collect();
            if kind == StateKind::Blocked && !open_laws.is_empty() {
                picked.push(open_laws[maker.rng.random_range(0..open_laws.len())]);
            }
            // Mostly law changes and the platform's go-live, as in the programme; an edge to
            // an earlier procedure for nearly half, a third of those to the latest. Released
            // procedures need only what is closed.
            let laws: Vec<Target> = if kind == StateKind::Done {
                self.law_changes
                    .iter()
                    .copied()
                    .filter(|t| !t.open)
                    .collect()
            } else {
                self.law_changes.clone()
            };
            for chance in [0.8, 0.5] {
                if !laws.is_empty() && maker.rng.random_bool(chance) {
                    picked.push(laws[maker.rng.random_range(0..laws.len())]);
                }
            }
            let pool = if kind == StateKind::Done {
                &self.closed
            } else {
                &self.any
            };
            if !pool.is_empty() && maker.rng.random_bool(0.45) {
                let i = if maker.rng.random_bool(0.35) {
                    pool.len() - 1
                } else {
                    maker.rng.random_range(0..pool.len())
                };
                picked.push(pool[i]);
            }
            if maker.rng.random_bool(0.9)
                && let Some((_, m)) = self.milestones.iter().find(|(pl, m)| {
                    Some(*pl) == p.procedure.platform && !(kind == StateKind::Done && m.open)
                })
            {
                picked.push(*m);
            }
            let me = Target {
                on: BlockerRef::Procedure(p.procedure.id),
                open: !matches!(kind, StateKind::Done | StateKind::Closed),
                since: p.procedure.created_at,
            };
            // One in eight extends the current chain (when it may depend on its tail); now and
            // then a new chain starts.
            match self.chain {
                Some(tail)
                    if maker.rng.random_bool(0.12) && !(kind == StateKind::Done && tail.open) =>
                {
                    picked.push(tail);
                    self.chain = Some(me);
                }
                None => self.chain = Some(me),
                Some(_) if maker.rng.random_bool(0.003) => self.chain = Some(me),
                Some(_) => {}
            }
            picked.sort_by_key(|t| t.on);
            picked.dedup_by_key(|t| t.on);
            for t in picked {
                out.extend(maker.edge(p, t.on, t.open, t.since, "合成データ / synthetic"));
            }
            if !me.open {
                self.closed.push(me);
            }
            self.any.push(me);
        }
        out
    }
}
