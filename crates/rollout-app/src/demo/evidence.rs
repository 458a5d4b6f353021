//! The evidence behind generated histories: the hearings that decided a procedure's moves, the
//! user tests that let it leave `built`, the tasks the hearings left, and the changes of its
//! target quarter. The generator ([`super::generator`]) decides *when* (between which history
//! steps); this module makes the records, each stamped inside the interval it is given, so that
//! what the running system would check (a passing user test recorded since the procedure
//! entered `built`, a hearing before the move it applied) holds by construction.
//!
//! Tasks are resolved last, once the procedure's history is known: those of hearings held
//! before its latest move were dealt with (done, a few cancelled); those of the hearing that
//! led to its current state are mostly still open, a tenth of the open ones overdue against the
//! demo's "today".

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use rand::Rng;
use rand::rngs::SmallRng;
use rollout_domain::hearing::{Hearing, HearingDecision, HearingKind, HearingOutcome};
use rollout_domain::target::TargetChange;
use rollout_domain::task::{Task, TaskStatus};
use rollout_domain::user_test::{UserTest, UserTestVerdict};
use rollout_domain::{
    Bureau, BureauId, FiscalQuarter, HearingId, Platform, ProcedureId, TaskId, UserId, UserTestId,
};
use rollout_store::EvidenceSeed;

use super::calendar::{days, instant_between, tokyo_date, tokyo_midnight, uuid_at};
use super::wording::{self as w, pick};

/// Share of open tasks due before the demo's "today".
pub(super) const OVERDUE_SHARE: f64 = 0.1;
/// Share of tasks left by the hearing behind a procedure's current state that are still open.
const OPEN_SHARE: f64 = 0.75;
/// Share of passing user tests that followed a failed one.
const FAILED_FIRST: f64 = 0.25;

/// A demo user as the evidence names them: their id, and how they appear in history records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffMember {
    pub id: UserId,
    /// Their e-mail address: what a history record shows as the actor of their moves.
    pub label: String,
}

/// Who records the demo's evidence: the project office (hearings, its own tasks; never empty)
/// and the coordinators of some bureaus (user tests and tasks of their bureau).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoStaff {
    pub office: Vec<StaffMember>,
    pub coordinators: Vec<(BureauId, StaffMember)>,
}

impl DemoStaff {
    fn coordinator(&self, bureau: BureauId) -> Option<&StaffMember> {
        self.coordinators
            .iter()
            .find(|(b, _)| *b == bureau)
            .map(|(_, m)| m)
    }

    fn office_member(&self, rng: &mut SmallRng) -> &StaffMember {
        &self.office[rng.random_range(0..self.office.len())]
    }

    /// How `user` appears in history records (their e-mail address).
    pub(super) fn label(&self, user: UserId) -> String {
        self.office
            .iter()
            .chain(self.coordinators.iter().map(|(_, m)| m))
            .find(|m| m.id == user)
            .map_or_else(|| "system:demo".to_owned(), |m| m.label.clone())
    }
}

/// When a procedure's target quarter was first set and whether it moved later.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct TargetPlan {
    /// The quarter first agreed (the final one unless it slipped).
    pub first: Option<FiscalQuarter>,
    /// The index of the history step that first set it.
    pub set_at: Option<usize>,
    /// When it moved from `first` to the final quarter, if it did.
    pub slip_at: Option<DateTime<Utc>>,
}

/// One procedure's evidence as it is generated.
#[derive(Debug, Default)]
pub(super) struct Trail {
    pub hearings: Vec<Hearing>,
    pub user_tests: Vec<UserTest>,
    pub tasks: Vec<Task>,
    pub target_changes: Vec<TargetChange>,
}

impl Trail {
    pub fn target(
        &mut self,
        procedure_id: ProcedureId,
        from: Option<FiscalQuarter>,
        to: Option<FiscalQuarter>,
        at: DateTime<Utc>,
        actor: &str,
        reason: Option<String>,
    ) {
        self.target_changes.push(TargetChange {
            procedure_id,
            from,
            to,
            at,
            actor: actor.to_owned(),
            reason,
        });
    }

    /// Moves the hearings (in time order), user tests and tasks into `out`; returns the target
    /// changes, oldest first, which are stored with the procedure.
    pub fn drain_into(mut self, out: &mut EvidenceSeed) -> Vec<TargetChange> {
        self.hearings.sort_by_key(|h| h.created_at);
        self.target_changes.sort_by_key(|c| c.at);
        out.hearings.append(&mut self.hearings);
        out.user_tests.append(&mut self.user_tests);
        out.tasks.append(&mut self.tasks);
        self.target_changes
    }
}

/// One procedure's context for its evidence.
pub(super) struct Subject<'a> {
    pub id: ProcedureId,
    pub code: &'a str,
    pub bureau: &'a Bureau,
    pub staff: &'a DemoStaff,
    pub now: DateTime<Utc>,
}

/// A random day in `[from, to]` (`from` when the range is empty).
fn day_between(rng: &mut SmallRng, from: NaiveDate, to: NaiveDate) -> NaiveDate {
    let span = (to - from).num_days();
    if span <= 0 {
        from
    } else {
        from + TimeDelta::days(rng.random_range(0..=span))
    }
}

/// The comment a move applied by a hearing carries: the hearing's title and date.
pub(super) fn hearing_comment(h: &Hearing) -> String {
    format!("{} ({})", h.title, h.held_on)
}

/// What a hearing decided for its one procedure, before the decision is applied.
pub(super) struct Decision {
    pub kind: HearingKind,
    pub decision: HearingDecision,
    pub quarter: Option<FiscalQuarter>,
    pub platform: Option<Platform>,
}

impl Decision {
    /// A decision that agrees no quarter and no platform.
    pub fn plain(kind: HearingKind, decision: HearingDecision) -> Self {
        Self {
            kind,
            decision,
            quarter: None,
            platform: None,
        }
    }
}

impl Subject<'_> {
    /// A hearing about this procedure alone, recorded at `recorded` and held at most two weeks
    /// earlier but not before `not_before`. `applied` outcomes name no record yet: the generator
    /// sets it once the move is planned.
    pub fn hearing(
        &self,
        rng: &mut SmallRng,
        d: Decision,
        not_before: DateTime<Utc>,
        recorded: DateTime<Utc>,
        applied: bool,
    ) -> Hearing {
        let latest = tokyo_date(recorded);
        let earliest = tokyo_date(not_before).max(latest - TimeDelta::days(14));
        let held_on = day_between(rng, earliest, latest);
        let title = match (d.kind, d.decision) {
            (HearingKind::PlatformVendor, _) => format!("構築打合せ（{}）", self.code),
            (_, HearingDecision::Undecided) => format!(
                "{} 制度所管部署ヒアリング 事前協議（{}）",
                self.bureau.name_ja, self.code
            ),
            _ => format!(
                "{} 制度所管部署ヒアリング（{}）",
                self.bureau.name_ja, self.code
            ),
        };
        let attendees = match d.kind {
            HearingKind::PlatformVendor => vec![
                "デジタルサービス局 プロジェクト推進担当".to_owned(),
                "プラットフォーム事業者".to_owned(),
            ],
            _ => vec![
                "デジタルサービス局 プロジェクト推進担当".to_owned(),
                format!("{} 制度所管部署", self.bureau.name_ja),
            ],
        };
        let (issues, next) = match d.decision {
            HearingDecision::Proceed => (w::AGREED_ISSUES, w::NEXT_STEPS_PROCEED),
            HearingDecision::NeedsLawChange => (w::LAW_ISSUES, w::NEXT_STEPS_LAW),
            HearingDecision::ProposeAbolition => (w::OPEN_ISSUES, w::NEXT_STEPS_ABOLISH),
            HearingDecision::Undecided => (w::OPEN_ISSUES, w::NEXT_STEPS_OPEN),
        };
        let creator = self.staff.office_member(rng).id;
        Hearing {
            id: HearingId(uuid_at(rng, recorded)),
            bureau_id: self.bureau.id,
            held_on,
            kind: d.kind,
            title,
            attendees,
            notes: Some(w::ILLUSTRATIVE.to_owned()),
            outcomes: vec![HearingOutcome {
                procedure_id: self.id,
                decision: d.decision,
                agreed_target_quarter: d.quarter,
                agreed_platform: d.platform,
                issues: Some(pick(rng, issues).to_owned()),
                next_step: Some(pick(rng, next).to_owned()),
                applied,
                record_id: None,
                approval_request_id: None,
            }],
            created_by: creator,
            created_at: recorded,
        }
    }

    /// The user tests recorded strictly between `entered` (the procedure entered its state) and
    /// `before`: one passing test, sometimes after a failed one, when `pass` is asked for;
    /// otherwise one failed test. Returns the tests, oldest first.
    pub fn user_tests(
        &self,
        rng: &mut SmallRng,
        entered: DateTime<Utc>,
        before: DateTime<Utc>,
        pass: bool,
    ) -> Vec<UserTest> {
        let (lo, hi) = (
            entered + TimeDelta::seconds(1),
            before - TimeDelta::seconds(1),
        );
        let verdicts: &[UserTestVerdict] = match (pass, rng.random_bool(FAILED_FIRST)) {
            (true, true) => &[UserTestVerdict::Fail, UserTestVerdict::Pass],
            (true, false) => &[UserTestVerdict::Pass],
            (false, _) => &[UserTestVerdict::Fail],
        };
        let mut from = lo;
        let slice = (hi - lo) / i32::try_from(verdicts.len()).unwrap_or(1);
        let recorder = self
            .staff
            .coordinator(self.bureau.id)
            .unwrap_or_else(|| self.staff.office_member(rng))
            .id;
        verdicts
            .iter()
            .map(|&verdict| {
                let at = instant_between(rng, from, (from + slice).min(hi));
                from = at + TimeDelta::seconds(1);
                self.user_test(rng, verdict, tokyo_date(entered), at, recorder)
            })
            .collect()
    }

    fn user_test(
        &self,
        rng: &mut SmallRng,
        verdict: UserTestVerdict,
        entered_on: NaiveDate,
        at: DateTime<Utc>,
        recorder: UserId,
    ) -> UserTest {
        let participants = rng.random_range(3..=12);
        let attempted = participants * rng.random_range(3..=6);
        let rate = match verdict {
            UserTestVerdict::Pass => rng.random_range(0.8..=1.0),
            UserTestVerdict::Fail => rng.random_range(0.4..0.75),
        };
        let completed = ((f64::from(attempted) * rate).round() as i32).min(attempted);
        let sus = match verdict {
            UserTestVerdict::Pass => rng.random_range(68.0..92.0_f64),
            UserTestVerdict::Fail => rng.random_range(40.0..65.0_f64),
        };
        let findings = (0..rng.random_range(1..=3))
            .map(|_| pick(rng, w::FINDINGS).to_owned())
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        UserTest {
            id: UserTestId(uuid_at(rng, at)),
            procedure_id: self.id,
            held_on: day_between(rng, entered_on, tokyo_date(at)),
            participants,
            tasks_attempted: attempted,
            tasks_completed: completed,
            median_minutes: Some(f64::from(rng.random_range(4..=30_u8)) / 2.0),
            sus_score: rng.random_bool(0.8).then(|| (sus * 2.0).round() / 2.0),
            findings,
            verdict,
            recorded_by: recorder,
            created_at: at,
        }
    }

    /// The tasks `hearing` left: one or two, each for the bureau or for the project office.
    /// `current` tasks belong to the hearing behind the procedure's current, unfinished state.
    pub fn tasks(&self, rng: &mut SmallRng, hearing: &Hearing, current: bool) -> Vec<Task> {
        let n = if rng.random_bool(0.5) { 2 } else { 1 };
        (0..n).map(|_| self.task(rng, hearing, current)).collect()
    }

    fn task(&self, rng: &mut SmallRng, hearing: &Hearing, current: bool) -> Task {
        let created = hearing.created_at;
        let created_on = tokyo_date(created);
        let today = tokyo_date(self.now);
        let office_side = rng.random_bool(0.35);
        let (title, assignee) = if office_side {
            (
                pick(rng, w::OFFICE_TASKS),
                Some(self.staff.office_member(rng).id),
            )
        } else {
            let coordinator = self.staff.coordinator(self.bureau.id).map(|m| m.id);
            (pick(rng, w::BUREAU_TASKS), coordinator)
        };
        let open = current && rng.random_bool(OPEN_SHARE);
        let (status, due_on, note, completed_at) = if open {
            let overdue = rng.random_bool(OVERDUE_SHARE) && created_on < today;
            let due = if overdue {
                day_between(
                    rng,
                    created_on.max(today - TimeDelta::days(45)),
                    today - TimeDelta::days(1),
                )
            } else {
                day_between(rng, created_on.max(today), today + TimeDelta::days(60))
            };
            (TaskStatus::Open, due, None, None)
        } else {
            let due = created_on + TimeDelta::days(rng.random_range(7..=45));
            let latest = self.now.min(tokyo_midnight(due) + days(10));
            let at = instant_between(rng, created, latest);
            if rng.random_bool(0.93) {
                (
                    TaskStatus::Done,
                    due,
                    Some(pick(rng, w::COMPLETION_NOTES)),
                    Some(at),
                )
            } else {
                (
                    TaskStatus::Cancelled,
                    due,
                    Some(pick(rng, w::CANCEL_REASONS)),
                    Some(at),
                )
            }
        };
        Task {
            id: TaskId(uuid_at(rng, created)),
            title: title.to_owned(),
            description: None,
            procedure_id: Some(self.id),
            bureau_id: hearing.bureau_id,
            assignee_id: assignee,
            due_on: Some(due_on),
            status,
            completion_note: note.map(str::to_owned),
            completed_at,
            hearing_id: Some(hearing.id),
            created_by: hearing.created_by,
            version: if status == TaskStatus::Open { 1 } else { 2 },
            created_at: created,
            updated_at: completed_at.unwrap_or(created),
        }
    }
}
