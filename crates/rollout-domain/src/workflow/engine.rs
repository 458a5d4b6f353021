//! The workflow engine: from a definition, a procedure and the guard inputs it decides whether a
//! transition is allowed, with every reason when it is not, and plans the resulting change.
//! It writes nothing; the app layer hands the plan to the store, which applies it atomically.

use chrono::{DateTime, NaiveDate, Utc};

use super::definition::{StateKind, TransitionDef, WorkflowDefinition};
use super::guards::{Guard, GuardFacts, GuardInputs};
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

fn failures<'g>(
    guards: impl Iterator<Item = &'g Guard>,
    procedure: &Procedure,
    inputs: &GuardInputs<'_>,
) -> Vec<GuardFailure> {
    guards
        .filter_map(|g| {
            g.check(procedure, inputs)
                .map(|message| GuardFailure { guard: *g, message })
        })
        .collect()
}

/// Every transition out of the procedure's current state, with its data-guard failures.
pub fn options<'a>(
    def: &'a WorkflowDefinition,
    procedure: &Procedure,
    inputs: &GuardInputs<'_>,
) -> Vec<TransitionOption<'a>> {
    def.transitions()
        .iter()
        .filter(|t| t.from == procedure.state)
        .map(|t| TransitionOption {
            transition: t,
            failures: failures(
                t.guards.iter().filter(|g| !g.is_request_guard()),
                procedure,
                inputs,
            ),
        })
        .collect()
}

/// Decides a transition request and, if it is allowed, plans the change.
pub fn plan(
    def: &WorkflowDefinition,
    procedure: &Procedure,
    req: &TransitionRequest<'_>,
) -> Result<PlannedTransition, TransitionRefused> {
    let Some(target) = def.state(req.to) else {
        return Err(TransitionRefused::UnknownState {
            to: req.to.to_owned(),
        });
    };
    let Some(transition) = def.transition(&procedure.state, req.to) else {
        return Err(TransitionRefused::NoSuchTransition {
            from: procedure.state.clone(),
            to: req.to.to_owned(),
        });
    };
    let comment = req.comment.map(str::trim).filter(|c| !c.is_empty());
    let inputs = GuardInputs {
        comment,
        facts: req.facts,
    };
    let failed = failures(transition.guards.iter(), procedure, &inputs);
    if !failed.is_empty() {
        return Err(TransitionRefused::GuardsFailed(failed));
    }
    let released_on = match (target.kind, procedure.released_on) {
        (StateKind::Done, None) => Some(req.today),
        (_, current) => current,
    };
    Ok(PlannedTransition {
        expected_version: procedure.version,
        to_state: target.key.clone(),
        released_on,
        record: TransitionRecord {
            id: req.record_id,
            procedure_id: procedure.id,
            from_state: Some(procedure.state.clone()),
            to_state: target.key.clone(),
            transition: transition.key.clone(),
            actor: req.actor.to_owned(),
            comment: comment.map(str::to_owned),
            at: req.now,
            workflow_version: def.version_tag(),
            procedure_version: procedure.version + 1,
            approval_request_id: None,
        },
    })
}
