//! The generator: it turns a [`Draft`] (what a procedure is) into a [`ProcedureSeed`] (the
//! procedure as stored and its history). Histories are not made up record by record: each step
//! of the workflow's shortest path to the chosen state is planned by the real engine
//! ([`engine::plan`]), so every record is one the running system could have written. The
//! evidence behind each step ([`super::evidence`]) is made beside it: the hearing that decided a
//! move (and, when the hearing applied it, the move's actor and comment), the passing user test
//! the engine's `user_test_passed` guard is judged on, the changes of the target quarter.

mod plan;
mod replay;

use chrono::{DateTime, TimeDelta, Utc};
use rand::{Rng, SeedableRng, rngs::SmallRng};
use rollout_domain::hearing::{HearingDecision, HearingKind};
use rollout_domain::task::Task;
use rollout_domain::workflow::engine::{self, TransitionRequest};
use rollout_domain::workflow::{Guard, StateKind, TransitionDef, WorkflowDefinition};
use rollout_domain::{
    Authority, Bureau, BureauId, Category, FiscalQuarter, Platform, Procedure, ProcedureCode,
    ProcedureId, TransitionRecord, TransitionRecordId,
};
use rollout_store::{EvidenceSeed, ProcedureSeed};

use super::calendar::{
    clamped_quarter, days, first_quarter, instant_between, last_quarter, quarter_between,
    quarter_end, tokyo_date, tokyo_midnight, uuid_at,
};
use super::evidence::{Decision, DemoStaff, Subject, Trail, hearing_comment};
use super::wording::{self, pick};
use super::{names, real, synthetic};
use plan::Window;

/// Share of procedures whose first hearing decided nothing (those still in the initial state
/// always have one).
const KICKOFF_SHARE: f64 = 0.8;
pub(super) fn secs(n: i64) -> TimeDelta {
    TimeDelta::seconds(n)
}

/// Procedures and the evidence behind their histories, ready for the store.
#[derive(Debug, Clone, Default)]
pub struct Generated {
    pub procedures: Vec<ProcedureSeed>,
    pub evidence: EvidenceSeed,
}

/// Where a procedure's history should end, in terms of the programme rather than state keys, so
/// that the generator works with any workflow that has states of these kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// The initial state or an ACTIVE one.
    InProgress,
    /// A DONE state: online.
    Done,
    /// A BLOCKED state: waiting for a national law change.
    Blocked,
    /// A CLOSED state: abolished.
    Closed,
}

/// What a procedure is, before its history is generated.
#[derive(Debug, Clone)]
pub(crate) struct Draft {
    /// Index into the generator's bureaus.
    pub bureau: usize,
    pub name: String,
    pub name_en: Option<String>,
    pub category: Category,
    pub authority: Authority,
    pub annual_applications: Option<i64>,
    pub process_count: i32,
    /// The platform it goes online through, set on the procedure when the workflow needs one.
    pub platform: Platform,
    pub outcome: Outcome,
    /// A released procedure goes online after this (the law change it waited for).
    pub released_after: Option<DateTime<Utc>>,
}

/// A reachable state and the shortest path to it from the initial state.
#[derive(Debug, Clone)]
struct Route {
    kind: StateKind,
    transitions: Vec<TransitionDef>,
}

impl Route {
    fn needs(&self, guard: Guard) -> bool {
        self.transitions.iter().any(|t| t.guards.contains(&guard))
    }
}

/// Seeded generator of demo procedures for one workflow and one "now".
#[derive(Debug)]
pub struct Generator<'a> {
    def: &'a WorkflowDefinition,
    now: DateTime<Utc>,
    /// Histories start here: 1 April 2020 in Tokyo, or two years before "now" if that is earlier.
    start: DateTime<Utc>,
    pub(super) rng: SmallRng,
    bureaus: Vec<Bureau>,
    /// The last procedure number used per bureau (same index as `bureaus`).
    numbers: Vec<u32>,
    in_progress: Vec<Route>,
    done: Option<Route>,
    blocked: Option<Route>,
    closed: Option<Route>,
    /// Cumulative bureau weights for synthetic procedures.
    pub(super) bureau_weights: Vec<u32>,
}

impl<'a> Generator<'a> {
    pub fn new(def: &'a WorkflowDefinition, now: DateTime<Utc>, seed: u64) -> Self {
        let mut rng = SmallRng::seed_from_u64(seed);
        let start = tokyo_midnight(first_quarter().first_day()).min(now - days(730));
        let bureaus: Vec<Bureau> = real::bureaus()
            .into_iter()
            .map(|b| Bureau {
                id: BureauId(uuid_at(&mut rng, start)),
                code: b.code,
                name_ja: b.name_ja,
                name_en: b.name_en,
            })
            .collect();
        let initial = def.initial().key.as_str();
        let routes: Vec<Route> = def
            .states()
            .iter()
            .filter_map(|s| {
                def.path(initial, &s.key).map(|path| Route {
                    kind: s.kind,
                    transitions: path.into_iter().cloned().collect(),
                })
            })
            .collect();
        let first_of = |kind| routes.iter().find(|r| r.kind == kind).cloned();
        let bureau_weights = synthetic::cumulative_weights(&bureaus);
        Self {
            def,
            now,
            start,
            rng,
            numbers: vec![0; bureaus.len()],
            bureaus,
            in_progress: routes
                .iter()
                .filter(|r| matches!(r.kind, StateKind::Initial | StateKind::Active))
                .cloned()
                .collect(),
            done: first_of(StateKind::Done),
            blocked: first_of(StateKind::Blocked),
            closed: first_of(StateKind::Closed),
            bureau_weights,
        }
    }

    /// The bureaus, with ids drawn from the seed.
    pub fn bureaus(&self) -> &[Bureau] {
        &self.bureaus
    }

    /// The real procedures; call once, before [`Self::synthetic_procedures`], so that they get
    /// the first number of each bureau.
    pub fn real_procedures(&mut self, staff: &DemoStaff) -> Generated {
        let drafts = real::drafts(self);
        let mut out = Generated::default();
        for d in drafts {
            let seed = self.seed(d, staff, &mut out.evidence);
            out.procedures.push(seed);
        }
        out
    }

    /// `n` more generated procedures.
    pub fn synthetic_procedures(&mut self, n: usize, staff: &DemoStaff) -> Generated {
        let mut out = Generated::default();
        for _ in 0..n {
            let draft = synthetic::draft(self);
            let seed = self.seed(draft, staff, &mut out.evidence);
            out.procedures.push(seed);
        }
        out
    }

    /// The day of "now" in Tokyo.
    pub(super) fn today(&self) -> chrono::NaiveDate {
        tokyo_date(self.now)
    }

    pub(super) fn bureau_index(&self, code: &str) -> Option<usize> {
        self.bureaus.iter().position(|b| b.code.as_str() == code)
    }

    fn route(&mut self, outcome: Outcome) -> Route {
        let chosen = match outcome {
            Outcome::Done => self.done.as_ref(),
            Outcome::Blocked => self.blocked.as_ref(),
            Outcome::Closed => self.closed.as_ref(),
            Outcome::InProgress => None,
        };
        match chosen {
            Some(route) => route.clone(),
            None => {
                // Validation guarantees the initial state, so this list is never empty.
                let i = self.rng.random_range(0..self.in_progress.len());
                self.in_progress[i].clone()
            }
        }
    }

    /// The instant the history ends and the target quarter that goes with it.
    fn timeline(
        &mut self,
        route: &Route,
        released_after: Option<DateTime<Utc>>,
    ) -> (DateTime<Utc>, Option<FiscalQuarter>) {
        let earliest = self.start + days(60);
        if route.kind == StateKind::Done {
            let latest = self.now.min(quarter_end(last_quarter()));
            let earliest = released_after.map_or(earliest, |a| earliest.max(a).min(latest));
            let released = instant_between(&mut self.rng, earliest, latest);
            let mut quarter = clamped_quarter(released);
            // A fifth of procedures went online a quarter ahead of plan.
            if self.rng.random_bool(0.2) {
                quarter = quarter.next().unwrap_or(quarter).min(last_quarter());
            }
            return (released, Some(quarter));
        }
        let end = instant_between(&mut self.rng, earliest.max(self.now - days(540)), self.now);
        let quarter = route.needs(Guard::TargetQuarterSet).then(|| {
            let from = clamped_quarter(end);
            quarter_between(&mut self.rng, from, last_quarter())
        });
        (end, quarter)
    }

    /// Creation and step instants: `created < steps[0] < … < steps[k-1] == end`, at least a day
    /// apart on average, each step in its own slice of the span.
    fn step_times(&mut self, end: DateTime<Utc>, k: usize) -> (DateTime<Utc>, Vec<DateTime<Utc>>) {
        if k == 0 {
            return (end, Vec::new());
        }
        let k_days = i64::try_from(k).unwrap_or(i64::MAX / 2);
        let latest = end - days(k_days + 1);
        let earliest = self.start.max(end - days(900));
        let created = if latest > earliest {
            instant_between(&mut self.rng, earliest, latest)
        } else {
            latest
        };
        let span = (end - created).num_seconds() as f64;
        let mut steps: Vec<DateTime<Utc>> = (0..k - 1)
            .map(|i| {
                let offset = (i as f64 + self.rng.random_range(0.1..0.9)) / k as f64;
                created + chrono::TimeDelta::seconds((span * offset) as i64)
            })
            .collect();
        steps.push(end);
        (created, steps)
    }

    fn seed(&mut self, draft: Draft, staff: &DemoStaff, out: &mut EvidenceSeed) -> ProcedureSeed {
        let route = self.route(draft.outcome);
        let (end, target_quarter) = self.timeline(&route, draft.released_after);
        let (created, steps) = self.step_times(end, route.transitions.len());
        let needs_platform = route.kind == StateKind::Done || route.needs(Guard::PlatformSet);
        self.numbers[draft.bureau] += 1;
        let bureau = self.bureaus[draft.bureau].clone();
        let code = ProcedureCode::numbered(&bureau.code, self.numbers[draft.bureau]);
        let actor = format!("coordinator.{}", bureau.code.as_str().to_ascii_lowercase());
        let initial = self.def.initial().key.clone();
        let mut procedure = Procedure {
            id: ProcedureId(uuid_at(&mut self.rng, created)),
            code,
            name: draft.name,
            name_en: draft.name_en,
            bureau_id: bureau.id,
            category: draft.category,
            authority: draft.authority,
            annual_applications: draft.annual_applications,
            process_count: draft.process_count,
            platform: needs_platform.then_some(draft.platform),
            target_quarter,
            released_on: None,
            state: initial.clone(),
            version: 1,
            created_at: created,
            updated_at: created,
        };
        let mut history = vec![TransitionRecord {
            id: TransitionRecordId(uuid_at(&mut self.rng, created)),
            procedure_id: procedure.id,
            from_state: None,
            to_state: initial,
            transition: "create".to_owned(),
            actor: actor.clone(),
            comment: None,
            at: created,
            workflow_version: self.def.version_tag(),
            procedure_version: 1,
            approval_request_id: None,
        }];
        let code = procedure.code.as_str().to_owned();
        let subject = Subject {
            id: procedure.id,
            code: &code,
            bureau: &bureau,
            staff,
            now: self.now,
        };
        let targets = self.target_plan(&route, &steps, created, target_quarter);
        let mut trail = Trail::default();
        let first_step = steps.first().copied().unwrap_or(self.now);
        if steps.is_empty() || self.rng.random_bool(KICKOFF_SHARE) {
            let at = instant_between(&mut self.rng, created + secs(1), first_step - secs(1));
            let undecided =
                Decision::plain(HearingKind::PolicyDepartment, HearingDecision::Undecided);
            trail
                .hearings
                .push(subject.hearing(&mut self.rng, undecided, created, at, false));
        }
        let mut entered = created;
        for (i, (t, at)) in route.transitions.iter().zip(steps).enumerate() {
            let window = Window { entered, at };
            let (facts, applied) =
                self.before_step(&subject, &procedure, t, window, &targets, &mut trail);
            let (by, comment) = match applied.map(|i| &trail.hearings[i]) {
                Some(h) => (staff.label(h.created_by), Some(hearing_comment(h))),
                None => (
                    actor.clone(),
                    t.requires_comment()
                        .then(|| names::comment(&mut self.rng, route.kind)),
                ),
            };
            let request = TransitionRequest {
                to: &t.to,
                comment: comment.as_deref(),
                actor: &by,
                now: at,
                today: tokyo_date(at),
                record_id: TransitionRecordId(uuid_at(&mut self.rng, at)),
                facts: &facts,
            };
            // A guard this generator cannot satisfy (a workflow with newer guards) ends the
            // history where it is rather than writing a step the engine would refuse.
            let Ok(plan) = engine::plan(self.def, &procedure, &request) else {
                if let Some(i) = applied {
                    trail.hearings[i].outcomes[0].applied = false;
                }
                break;
            };
            if let Some(i) = applied {
                trail.hearings[i].outcomes[0].record_id = Some(plan.record.id);
            }
            if targets.set_at == Some(i) {
                let reason = applied.map(|i| hearing_comment(&trail.hearings[i]));
                trail.target(procedure.id, None, targets.first, at, &by, reason);
            }
            procedure.state = plan.to_state;
            procedure.version = plan.record.procedure_version;
            procedure.released_on = plan.released_on;
            procedure.updated_at = at;
            history.push(plan.record);
            entered = at;
        }
        self.after_history(&subject, &procedure, &mut trail, entered);
        if let (Some(at), Some(from)) = (targets.slip_at, targets.first) {
            let reason = Some(pick(&mut self.rng, wording::SLIP_REASONS).to_owned());
            trail.target(procedure.id, Some(from), target_quarter, at, &actor, reason);
        }
        let unfinished = self
            .def
            .state(&procedure.state)
            .is_some_and(|s| !matches!(s.kind, StateKind::Done | StateKind::Closed));
        let tasks: Vec<Task> = trail
            .hearings
            .iter()
            .flat_map(|h| {
                let current = unfinished && h.created_at >= entered;
                subject.tasks(&mut self.rng, h, current)
            })
            .collect();
        trail.tasks = tasks;
        let target_changes = trail.drain_into(out);
        ProcedureSeed {
            procedure,
            history,
            target_changes,
        }
    }
}
