//! Workflow definitions and the engine that applies them.
//!
//! A definition is a state graph (states with a kind, transitions with guards) read from TOML
//! ([`file`]), validated with petgraph when loaded ([`validate`]), and consulted by the engine
//! ([`engine`]) to decide whether a procedure, or a law change ([`law_change`]), may move; what
//! a workflow moves is its [`subject`]. Guards ([`guards`]) are the extension
//! point for later rules: adding one is a new variant, its name and its check, all in one file.

pub mod definition;
pub mod dot;
pub mod engine;
pub mod file;
pub mod guards;
pub mod law_change;
pub mod subject;
mod usage;
pub mod validate;

#[cfg(test)]
mod tests;

pub use definition::{StateDef, StateKind, TransitionDef, WorkflowDefinition};
pub use engine::{
    GuardFailure, PlannedTransition, TransitionOption, TransitionRefused, UnblockRequest,
};
pub use guards::{Guard, GuardFacts, GuardInputs};
pub use law_change::{
    PlannedStatusChange, StatusChangeRequest, initial_record, plan_status_change,
};
pub use subject::{Subject, SubjectKind};
pub use validate::WorkflowError;

/// The default workflow, embedded in the binary; `--workflow FILE` replaces it.
pub const DEFAULT_WORKFLOW_TOML: &str = include_str!("default.toml");

/// The default workflow, parsed and validated.
pub fn default_workflow() -> WorkflowDefinition {
    WorkflowDefinition::from_toml(DEFAULT_WORKFLOW_TOML)
        .expect("the embedded default workflow is valid (checked by a unit test)")
}

/// The life cycle of a law change (`subject = "law_change"`), embedded in the binary.
pub const LAW_CHANGE_WORKFLOW_TOML: &str = include_str!("law_change.toml");

/// The law-change workflow, parsed and validated.
pub fn law_change_workflow() -> WorkflowDefinition {
    WorkflowDefinition::from_toml(LAW_CHANGE_WORKFLOW_TOML)
        .expect("the embedded law-change workflow is valid (checked by a unit test)")
}
