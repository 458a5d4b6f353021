//! The loaded workflow definition as the API shows it (`Workflow`, `WorkflowState`,
//! `WorkflowTransition`) and a procedure's next transitions (`TransitionOption`). Everything here
//! is computed from the in-memory definition held by the `App` and the guard facts the caller
//! hands in (loaded once per page of procedures, see `loaders::GuardFactsBatch`); nothing here
//! touches the store, so listing next transitions for a page costs no query per row.

use async_graphql::SimpleObject;
use rollout_domain::workflow::{
    GuardFacts, GuardInputs, StateDef, TransitionDef, WorkflowDefinition, engine,
};

use crate::enums::StateKind;
use crate::errors;

/// A state of the workflow graph.
#[derive(Debug, Clone, SimpleObject)]
pub struct WorkflowState {
    pub key: String,
    pub label_ja: String,
    pub label_en: String,
    pub kind: StateKind,
    /// How many days a procedure should stay in this state at most.
    pub sla_days: Option<i32>,
}

impl From<&StateDef> for WorkflowState {
    fn from(s: &StateDef) -> Self {
        Self {
            key: s.key.clone(),
            label_ja: s.label_ja.clone(),
            label_en: s.label_en.clone(),
            kind: s.kind.into(),
            sla_days: s.sla_days.map(|d| i32::try_from(d).unwrap_or(i32::MAX)),
        }
    }
}

/// The definition's state `key`; `None` when the definition does not define it.
pub(crate) fn state(def: &WorkflowDefinition, key: &str) -> Option<WorkflowState> {
    def.state(key).map(WorkflowState::from)
}

/// The state `key`, which must exist: procedures are only ever in states of the loaded
/// definition (the server checks stored states at start-up), so a miss is our fault.
pub(crate) fn known_state(
    def: &WorkflowDefinition,
    key: &str,
) -> async_graphql::Result<WorkflowState> {
    state(def, key).ok_or_else(|| {
        errors::internal(format!(
            "state {key:?} is not defined by workflow {}",
            def.version_tag()
        ))
    })
}

/// An allowed move between two states.
#[derive(Debug, Clone, SimpleObject)]
pub struct WorkflowTransition {
    pub key: String,
    pub from: WorkflowState,
    pub to: WorkflowState,
    /// Names of the guards checked before the move (`target_quarter_set`, `platform_set`,
    /// `comment`, `user_test_passed`).
    pub guards: Vec<String>,
    pub requires_comment: bool,
}

impl WorkflowTransition {
    pub(crate) fn new(def: &WorkflowDefinition, t: &TransitionDef) -> async_graphql::Result<Self> {
        Ok(Self {
            key: t.key.clone(),
            from: known_state(def, &t.from)?,
            to: known_state(def, &t.to)?,
            guards: t.guards.iter().map(|g| g.name().to_owned()).collect(),
            requires_comment: t.requires_comment(),
        })
    }
}

/// The loaded workflow definition.
#[derive(Debug, Clone, SimpleObject)]
pub struct Workflow {
    pub name: String,
    pub version: i32,
    pub states: Vec<WorkflowState>,
    pub transitions: Vec<WorkflowTransition>,
}

impl Workflow {
    pub(crate) fn new(def: &WorkflowDefinition) -> async_graphql::Result<Self> {
        Ok(Self {
            name: def.name().to_owned(),
            version: i32::try_from(def.version())
                .map_err(|_| errors::internal("workflow version exceeds Int"))?,
            states: def.states().iter().map(WorkflowState::from).collect(),
            transitions: def
                .transitions()
                .iter()
                .map(|t| WorkflowTransition::new(def, t))
                .collect::<Result<_, _>>()?,
        })
    }
}

/// A guard that does not hold, and what to do about it.
#[derive(Debug, Clone, SimpleObject)]
pub struct GuardFailure {
    pub guard: String,
    pub message: String,
}

/// A transition out of a procedure's current state and whether it is possible now.
#[derive(Debug, Clone, SimpleObject)]
pub struct TransitionOption {
    pub transition: WorkflowTransition,
    pub to: WorkflowState,
    /// All data guards hold now (a required comment is not judged here).
    pub allowed: bool,
    pub requires_comment: bool,
    /// The failing data guards; empty when allowed.
    pub blocked_by: Vec<GuardFailure>,
}

/// Every transition out of `p`'s current state, judged against its stored data and `facts`.
pub(crate) fn next_transitions(
    def: &WorkflowDefinition,
    p: &rollout_domain::Procedure,
    facts: &GuardFacts,
) -> async_graphql::Result<Vec<TransitionOption>> {
    let inputs = GuardInputs {
        comment: None,
        on: None,
        facts,
    };
    engine::options(def, p, &inputs)
        .into_iter()
        .map(|o| {
            let transition = WorkflowTransition::new(def, o.transition)?;
            Ok(TransitionOption {
                to: transition.to.clone(),
                allowed: o.allowed(),
                requires_comment: o.transition.requires_comment(),
                blocked_by: o
                    .failures
                    .into_iter()
                    .map(|f| GuardFailure {
                        guard: f.guard.name().to_owned(),
                        message: f.message,
                    })
                    .collect(),
                transition,
            })
        })
        .collect()
}
