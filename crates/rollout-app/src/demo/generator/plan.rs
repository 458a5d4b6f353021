//! The evidence around a procedure's moves: what is recorded before each move (user tests, the
//! deciding hearing), which decision leads to a move, when the target quarter was set and
//! whether it slipped, and what the procedure's current state has gathered since it was
//! entered. The generator ([`super`]) plans the moves themselves.

use chrono::{DateTime, Utc};
use rand::Rng;
use rollout_domain::hearing::{HearingDecision, HearingKind};
use rollout_domain::workflow::{Guard, GuardFacts, StateKind, TransitionDef};
use rollout_domain::{FiscalQuarter, Procedure};

use super::super::calendar::{clamped_quarter, instant_between, quarter_between};
use super::super::evidence::{Decision, Subject, TargetPlan, Trail};
use super::{Generator, Route, secs};

/// Share of builds preceded by a meeting with the platform vendor.
const VENDOR_SHARE: f64 = 0.3;
/// Share of procedures waiting in a state that needs a passing user test whose last test
/// failed.
const FAILED_WAITING_SHARE: f64 = 0.35;
/// Share of procedures still in the initial state that had a second, follow-up hearing.
const FOLLOW_UP_SHARE: f64 = 0.5;
/// Share of scheduled procedures whose target quarter moved later once.
const SLIP_SHARE: f64 = 0.25;

/// The span between entering the current state and the next move.
#[derive(Debug, Clone, Copy)]
pub(super) struct Window {
    pub entered: DateTime<Utc>,
    pub at: DateTime<Utc>,
}

impl Generator<'_> {
    /// The evidence recorded before move `t` at `w.at`: the user tests its `user_test_passed`
    /// guard is judged on, sometimes a meeting with the platform vendor before a build, and the
    /// hearing that decided it. Returns the guard facts for the engine and, when the hearing
    /// applies the move itself, its index in `trail.hearings`.
    pub(super) fn before_step(
        &mut self,
        subject: &Subject<'_>,
        procedure: &Procedure,
        t: &TransitionDef,
        w: Window,
        targets: &TargetPlan,
        trail: &mut Trail,
    ) -> (GuardFacts, Option<usize>) {
        let (entered, at) = (w.entered, w.at);
        let mut facts = GuardFacts::NOT_JUDGED;
        if t.guards.contains(&Guard::UserTestPassed) {
            let tests = subject.user_tests(&mut self.rng, entered, at, true);
            facts.latest_user_test = tests.last().map(|u| u.verdict);
            trail.user_tests.extend(tests);
        }
        if t.guards.contains(&Guard::PlatformSet) && self.rng.random_bool(VENDOR_SHARE) {
            let recorded = instant_between(&mut self.rng, entered + secs(1), at - secs(1));
            let vendor = Decision {
                platform: procedure.platform,
                ..Decision::plain(HearingKind::PlatformVendor, HearingDecision::Proceed)
            };
            let hearing = subject.hearing(&mut self.rng, vendor, entered, recorded, false);
            trail.hearings.push(hearing);
        }
        let Some(decision) = self.decision_for(t) else {
            return (facts, None);
        };
        let applies = decision != HearingDecision::ProposeAbolition
            && decision.target_state() == Some(t.to.as_str());
        let recorded = if applies {
            at
        } else {
            instant_between(&mut self.rng, entered + secs(1), at - secs(1))
        };
        let proceed = decision == HearingDecision::Proceed;
        let d = Decision {
            quarter: targets.first.filter(|_| proceed),
            platform: procedure.platform.filter(|_| proceed),
            ..Decision::plain(HearingKind::PolicyDepartment, decision)
        };
        let hearing = subject.hearing(&mut self.rng, d, entered, recorded, applies);
        trail.hearings.push(hearing);
        (facts, applies.then(|| trail.hearings.len() - 1))
    }

    /// The decision of the hearing that leads to `t`: moving out of the initial state is agreed
    /// (or abolition proposed) at a hearing, and so is every wait for a law change.
    pub(super) fn decision_for(&self, t: &TransitionDef) -> Option<HearingDecision> {
        let from_initial = t.from == self.def.initial().key;
        match self.def.state(&t.to).map(|s| s.kind)? {
            StateKind::Blocked => Some(HearingDecision::NeedsLawChange),
            StateKind::Active | StateKind::Done if from_initial => Some(HearingDecision::Proceed),
            StateKind::Closed if from_initial => Some(HearingDecision::ProposeAbolition),
            _ => None,
        }
    }

    /// When the target quarter was first set (the first step that needs one), to what, and
    /// whether and when it moved later to the final `quarter`.
    pub(super) fn target_plan(
        &mut self,
        route: &Route,
        steps: &[DateTime<Utc>],
        created: DateTime<Utc>,
        quarter: Option<FiscalQuarter>,
    ) -> TargetPlan {
        let Some(last) = quarter else {
            return TargetPlan::default();
        };
        let set_at = route
            .transitions
            .iter()
            .position(|t| t.guards.contains(&Guard::TargetQuarterSet))
            .or_else(|| steps.len().checked_sub(1));
        let set_time = set_at.map_or(created, |i| steps[i]);
        let earliest = clamped_quarter(set_time);
        let slipped = self.rng.random_bool(SLIP_SHARE) && earliest < last && set_at.is_some();
        if !slipped {
            return TargetPlan {
                first: quarter,
                set_at,
                slip_at: None,
            };
        }
        let before = last.previous().unwrap_or(earliest).max(earliest);
        let first = quarter_between(&mut self.rng, earliest, before);
        let until = if route.kind == StateKind::Done {
            steps.last().copied().unwrap_or(self.now) - secs(1)
        } else {
            self.now
        };
        TargetPlan {
            first: Some(first),
            set_at,
            slip_at: Some(instant_between(&mut self.rng, set_time + secs(1), until)),
        }
    }

    /// Evidence of the procedure's current state: a failed user test for some of those waiting
    /// for a passing one, a follow-up hearing for some still in the initial state.
    pub(super) fn after_history(
        &mut self,
        subject: &Subject<'_>,
        procedure: &Procedure,
        trail: &mut Trail,
        entered: DateTime<Utc>,
    ) {
        let waits_for_test = self
            .def
            .transitions()
            .iter()
            .any(|t| t.from == procedure.state && t.guards.contains(&Guard::UserTestPassed));
        if waits_for_test && self.rng.random_bool(FAILED_WAITING_SHARE) {
            let tests = subject.user_tests(&mut self.rng, entered, self.now, false);
            trail.user_tests.extend(tests);
        }
        if procedure.state == self.def.initial().key && self.rng.random_bool(FOLLOW_UP_SHARE) {
            let at = instant_between(&mut self.rng, entered + secs(1), self.now);
            let d = Decision::plain(HearingKind::PolicyDepartment, HearingDecision::Undecided);
            trail
                .hearings
                .push(subject.hearing(&mut self.rng, d, entered, at, false));
        }
    }
}
