//! The workflow engine: from a definition, a subject and the guard inputs it decides whether a
//! transition is allowed, with every reason when it is not ([`decide`], shared by every
//! [`Subject`]), and plans the resulting change: for procedures here, for law changes in
//! [`super::law_change`]. It writes nothing; the app layer hands the plan to the store, which
//! applies it atomically.

use chrono::{DateTime, NaiveDate, Utc};

use super::definition::{StateKind, TransitionDef, WorkflowDefinition};
use super::guards::{Guard, GuardFacts, GuardInputs};
use super::subject::Subject;
use crate::{Procedure, TransitionRecord, TransitionRecordId};

/// A guard that did not hold, with a message for the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GuardFailure {
    pub guard: Guard,
    pub message: String,
}

/// Why a transition cannot happen.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionRefused {
    #[error("unknown state {to:?}")]
    UnknownState { to: String },
    #[error("no transition from {from:?} to {to:?}")]
    NoSuchTransition { from: String, to: String },
    #[error("{} guard(s) failed", .0.len())]
    GuardsFailed(Vec<GuardFailure>),
}

/// A transition out of the current state and whether it is allowed now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransitionOption<'a> {
    pub transition: &'a TransitionDef,
    /// Failing data guards; request guards (a comment) are not judged here.
    pub failures: Vec<GuardFailure>,
}

impl TransitionOption<'_> {
    pub fn allowed(&self) -> bool {
        self.failures.is_empty()
    }
}

/// The change a successful transition makes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedTransition {
    pub expected_version: i32,
    pub to_state: String,
    /// `released_on` after the change: set to `today` on reaching a DONE state if not set yet.
    pub released_on: Option<NaiveDate>,
    pub record: TransitionRecord,
}

/// Who asks for a transition, and when.
#[derive(Debug, Clone)]
pub struct TransitionRequest<'a> {
    pub to: &'a str,
    pub comment: Option<&'a str>,
    pub actor: &'a str,
    pub now: DateTime<Utc>,
    /// Today's date in Asia/Tokyo, for `released_on`.
    pub today: NaiveDate,
    pub record_id: TransitionRecordId,
    /// Stored facts the transition's guards may judge.
    pub facts: &'a GuardFacts,
}

fn failures<'g, S: Subject + ?Sized>(
    guards: impl Iterator<Item = &'g Guard>,
    subject: &S,
    inputs: &GuardInputs<'_>,
) -> Vec<GuardFailure> {
    guards
        .filter_map(|g| {
            g.check(subject, inputs)
                .map(|message| GuardFailure { guard: *g, message })
        })
        .collect()
}

/// Every transition out of the subject's current state, with its data-guard failures.
pub fn options<'a, S: Subject + ?Sized>(
    def: &'a WorkflowDefinition,
    subject: &S,
    inputs: &GuardInputs<'_>,
) -> Vec<TransitionOption<'a>> {
    let state = subject.state_key();
    def.transitions()
        .iter()
        .filter(|t| t.from == state)
        .map(|t| TransitionOption {
            transition: t,
            failures: failures(
                t.guards.iter().filter(|g| !g.is_request_guard()),
                subject,
                inputs,
            ),
        })
        .collect()
}

/// The decision shared by every subject: the transition that takes `subject` to state `to`,
/// if the state exists, a transition leads there from the current state, and every guard of
/// that transition holds (all failures are reported, not just the first).
pub fn decide<'d, S: Subject + ?Sized>(
    def: &'d WorkflowDefinition,
    subject: &S,
    to: &str,
    inputs: &GuardInputs<'_>,
) -> Result<&'d TransitionDef, TransitionRefused> {
    if def.state(to).is_none() {
        return Err(TransitionRefused::UnknownState { to: to.to_owned() });
    }
    let from = subject.state_key();
    let Some(transition) = def.transition(&from, to) else {
        return Err(TransitionRefused::NoSuchTransition {
            from: from.into_owned(),
            to: to.to_owned(),
        });
    };
    let failed = failures(transition.guards.iter(), subject, inputs);
    if failed.is_empty() {
        Ok(transition)
    } else {
        Err(TransitionRefused::GuardsFailed(failed))
    }
}

/// Decides a transition request and, if it is allowed, plans the change.
pub fn plan(
    def: &WorkflowDefinition,
    procedure: &Procedure,
    req: &TransitionRequest<'_>,
) -> Result<PlannedTransition, TransitionRefused> {
    let comment = req.comment.map(str::trim).filter(|c| !c.is_empty());
    let inputs = GuardInputs {
        comment,
        on: None,
        facts: req.facts,
    };
    let transition = decide(def, procedure, req.to, &inputs)?;
    Ok(planned(
        def,
        procedure,
        transition,
        comment,
        &Stamp {
            actor: req.actor,
            now: req.now,
            today: req.today,
            record_id: req.record_id,
        },
    ))
}

/// What the system needs to move a procedure whose last open blocker has just been cleared.
#[derive(Debug, Clone)]
pub struct UnblockRequest<'a> {
    /// The system actor's label (`system:…`).
    pub actor: &'a str,
    /// Why it moves (e.g. "LAW-0007 enacted"), recorded as the transition's comment.
    pub comment: Option<&'a str>,
    pub now: DateTime<Utc>,
    /// Today's date in Asia/Tokyo, for `released_on`.
    pub today: NaiveDate,
    pub record_id: TransitionRecordId,
    /// Stored facts the `on_unblock` transitions' guards may judge.
    pub facts: &'a GuardFacts,
}

/// The move out of a BLOCKED state once nothing blocks the procedure any more: the first
/// `on_unblock` transition out of its current state, in file order, whose data guards all hold.
/// `None` when the state has no such transition or none of them holds (validation makes sure a
/// BLOCKED state that can be entered has an unguarded one).
pub fn unblock_plan(
    def: &WorkflowDefinition,
    procedure: &Procedure,
    req: &UnblockRequest<'_>,
) -> Option<PlannedTransition> {
    let comment = req.comment.map(str::trim).filter(|c| !c.is_empty());
    let inputs = GuardInputs {
        comment,
        on: None,
        facts: req.facts,
    };
    let transition = def.unblock_transitions_from(&procedure.state).find(|t| {
        let data_guards = t.guards.iter().filter(|g| !g.is_request_guard());
        failures(data_guards, procedure, &inputs).is_empty()
    })?;
    let stamp = Stamp {
        actor: req.actor,
        now: req.now,
        today: req.today,
        record_id: req.record_id,
    };
    Some(planned(def, procedure, transition, comment, &stamp))
}

/// Who makes a change and when, as recorded in history.
struct Stamp<'a> {
    actor: &'a str,
    now: DateTime<Utc>,
    today: NaiveDate,
    record_id: TransitionRecordId,
}

/// The change `transition` (already allowed) makes to `procedure`.
fn planned(
    def: &WorkflowDefinition,
    procedure: &Procedure,
    transition: &TransitionDef,
    comment: Option<&str>,
    stamp: &Stamp<'_>,
) -> PlannedTransition {
    let done = def
        .state(&transition.to)
        .is_some_and(|s| s.kind == StateKind::Done);
    let released_on = match (done, procedure.released_on) {
        (true, None) => Some(stamp.today),
        (_, current) => current,
    };
    PlannedTransition {
        expected_version: procedure.version,
        to_state: transition.to.clone(),
        released_on,
        record: TransitionRecord {
            id: stamp.record_id,
            procedure_id: procedure.id,
            from_state: Some(procedure.state.clone()),
            to_state: transition.to.clone(),
            transition: transition.key.clone(),
            actor: stamp.actor.to_owned(),
            comment: comment.map(str::to_owned),
            at: stamp.now,
            workflow_version: def.version_tag(),
            procedure_version: procedure.version + 1,
            approval_request_id: None,
        },
    }
}
