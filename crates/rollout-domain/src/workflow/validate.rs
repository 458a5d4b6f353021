//! Workflow validation: the rules a state graph must satisfy before rollout will run it.
//!
//! [`validate`] reports every violation at once, in file order, each naming the offending states
//! or transitions, so that a workflow author can fix a file in one pass. Local rules (key shape,
//! labels, duplicates, unknown names) are checked entry by entry; the graph rules (reachability
//! from the initial state, a way to finish from every state) run on a petgraph graph built from
//! the well-formed transitions only, so that one bad transition is reported once rather than
//! again as a knock-on reachability error. Parsing the file format is [`super::file`]'s job.

use crate::identity::Role;
use std::collections::HashSet;

use petgraph::graphmap::DiGraphMap;
use petgraph::visit::{Dfs, Reversed};

use super::definition::{StateKind, WorkflowDefinition};
use super::subject::SubjectKind;

/// Longest accepted state or transition key: keys are stored on every procedure and history row.
pub const MAX_KEY_LEN: usize = 40;

/// A reason a workflow definition is refused. Each names the offending states or transitions.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WorkflowError {
    #[error("workflow file is not valid TOML: {0}")]
    Syntax(String),
    #[error(
        "state {state:?} has unknown kind {kind:?} (expected INITIAL, ACTIVE, BLOCKED, DONE or CLOSED)"
    )]
    UnknownKind { state: String, kind: String },
    #[error("transition {transition:?} names unknown guard {guard:?}")]
    UnknownGuard { transition: String, guard: String },
    #[error(
        "transition {transition:?} needs approval from unknown role {role:?} \
         (expected ADMIN, PROJECT_OFFICE, BUREAU_COORDINATOR or VIEWER)"
    )]
    UnknownRole { transition: String, role: String },
    #[error("transition {transition:?} needs approval from {role}, who may not decide approvals")]
    RoleCannotApprove { transition: String, role: String },
    #[error("transition {transition:?} needs at least one approval (count = 0)")]
    ZeroApprovals { transition: String },
    #[error("the workflow has no INITIAL state: mark exactly one state as INITIAL")]
    NoInitialState,
    #[error(
        "the workflow has several INITIAL states ({}): keep exactly one",
        quoted(.states)
    )]
    SeveralInitialStates { states: Vec<String> },
    #[error("the workflow has no DONE state: at least one state must mean \"digitised\"")]
    NoDoneState,
    #[error("state key {state:?} is defined more than once")]
    DuplicateState { state: String },
    #[error(
        "state key {state:?} must be lower_snake_case ASCII (a-z, 0-9 and single underscores, starting with a letter), 1 to 40 characters"
    )]
    InvalidStateKey { state: String },
    #[error("state {state:?} has an empty {field}")]
    EmptyLabel { state: String, field: &'static str },
    #[error(
        "transition key {transition:?} must be lower_snake_case ASCII (a-z, 0-9 and single underscores, starting with a letter), 1 to 40 characters"
    )]
    InvalidTransitionKey { transition: String },
    #[error("transition key {transition:?} is used more than once")]
    DuplicateTransitionKey { transition: String },
    #[error("transition {transition:?} starts from unknown state {state:?}")]
    UnknownFromState { transition: String, state: String },
    #[error("transition {transition:?} leads to unknown state {state:?}")]
    UnknownToState { transition: String, state: String },
    #[error(
        "transition {transition:?} goes from {state:?} to itself; a state cannot transition to itself"
    )]
    SelfLoop { transition: String, state: String },
    #[error("transitions {earlier:?} and {transition:?} both go from {from:?} to {to:?}")]
    DuplicateTransition {
        /// The later of the two, as it appears in the file.
        transition: String,
        earlier: String,
        from: String,
        to: String,
    },
    #[error(
        "transition {transition:?} leaves {state:?}, a {} state; DONE and CLOSED states are final",
        .kind.as_str()
    )]
    TransitionFromTerminal {
        transition: String,
        state: String,
        kind: StateKind,
    },
    #[error("state {state:?} cannot be reached from the initial state {initial:?}")]
    UnreachableState { state: String, initial: String },
    #[error("state {state:?} cannot reach a DONE or CLOSED state")]
    CannotFinish { state: String },
    #[error(
        "transition {transition:?} is marked on_unblock but leaves {state:?}, a {} state; \
         only ways out of a BLOCKED state are taken when blockers are cleared",
        .kind.as_str()
    )]
    UnblockNotFromBlocked {
        transition: String,
        state: String,
        kind: StateKind,
    },
    #[error(
        "transition {transition:?} is taken by the system on unblock, so it cannot require a \
         comment"
    )]
    UnblockRequiresComment { transition: String },
    #[error(
        "transition {transition:?} is taken by the system on unblock, so it cannot need approval"
    )]
    UnblockNeedsApproval { transition: String },
    #[error(
        "BLOCKED state {state:?} has no on_unblock transition: mark the way out a procedure \
         takes when its last blocker is cleared with on_unblock = true"
    )]
    NoUnblockTransition { state: String },
    #[error(
        "every on_unblock transition out of BLOCKED state {state:?} has data guards ({}): \
         leave at least one unguarded, so that an unblocked procedure always has a way out",
        quoted(.transitions)
    )]
    UnblockAlwaysGuarded {
        state: String,
        transitions: Vec<String>,
    },
    #[error("the workflow has unknown subject {subject:?} (expected procedure or law_change)")]
    UnknownSubject { subject: String },
    #[error(
        "transition {transition:?} uses guard {guard:?}, which does not apply to {}",
        .subject.plural()
    )]
    GuardNotForSubject {
        transition: String,
        guard: &'static str,
        subject: SubjectKind,
    },
    #[error(
        "transition {transition:?} needs approval, but {} have no approvals: \
         remove the approval",
        .subject.plural()
    )]
    ApprovalNotForSubject {
        transition: String,
        subject: SubjectKind,
    },
}

impl WorkflowError {
    /// Whether this violation follows from the declared subject (and so means little while it
    /// is unknown).
    pub(super) fn depends_on_subject(&self) -> bool {
        matches!(
            self,
            Self::GuardNotForSubject { .. } | Self::ApprovalNotForSubject { .. }
        )
    }

    /// Whether this violation follows from the kinds of the states (and so means little while
    /// one of them is unknown).
    pub(super) fn depends_on_kinds(&self) -> bool {
        matches!(
            self,
            Self::NoInitialState
                | Self::SeveralInitialStates { .. }
                | Self::NoDoneState
                | Self::UnreachableState { .. }
                | Self::CannotFinish { .. }
                | Self::UnblockNotFromBlocked { .. }
                | Self::NoUnblockTransition { .. }
                | Self::UnblockAlwaysGuarded { .. }
        )
    }
}

pub(super) fn quoted(items: &[String]) -> String {
    items
        .iter()
        .map(|s| format!("{s:?}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `lower_snake_case`: a letter first, then letters, digits and single underscores, no trailing
/// underscore. Keys end up in URLs, CSV headers and logs, where anything looser causes quoting.
fn is_snake_key(key: &str) -> bool {
    let b = key.as_bytes();
    (1..=MAX_KEY_LEN).contains(&b.len())
        && b[0].is_ascii_lowercase()
        && b[b.len() - 1] != b'_'
        && !key.contains("__")
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'_')
}

/// Every rule violation of `def`, in file order; empty when the definition is valid.
pub fn validate(def: &WorkflowDefinition) -> Vec<WorkflowError> {
    let mut errors = Vec::new();
    check_states(def, &mut errors);
    check_transitions(def, &mut errors);
    super::usage::check_subject(def, &mut errors);
    super::usage::check_unblock(def, &mut errors);
    check_graph(def, &mut errors);
    errors
}

fn check_states(def: &WorkflowDefinition, errors: &mut Vec<WorkflowError>) {
    let mut seen = HashSet::new();
    for s in def.states() {
        if !is_snake_key(&s.key) {
            errors.push(WorkflowError::InvalidStateKey {
                state: s.key.clone(),
            });
        }
        if !seen.insert(s.key.as_str()) {
            errors.push(WorkflowError::DuplicateState {
                state: s.key.clone(),
            });
        }
        for (field, label) in [("label_ja", &s.label_ja), ("label_en", &s.label_en)] {
            if label.trim().is_empty() {
                errors.push(WorkflowError::EmptyLabel {
                    state: s.key.clone(),
                    field,
                });
            }
        }
    }
    let initials: Vec<String> = def
        .states_of_kind(StateKind::Initial)
        .map(str::to_owned)
        .collect();
    match initials.len() {
        0 => errors.push(WorkflowError::NoInitialState),
        1 => {}
        _ => errors.push(WorkflowError::SeveralInitialStates { states: initials }),
    }
    if def.states_of_kind(StateKind::Done).next().is_none() {
        errors.push(WorkflowError::NoDoneState);
    }
}

fn check_transitions(def: &WorkflowDefinition, errors: &mut Vec<WorkflowError>) {
    let transitions = def.transitions();
    for (i, t) in transitions.iter().enumerate() {
        let earlier = &transitions[..i];
        if let Some(policy) = t.approval {
            if policy.required == 0 {
                errors.push(WorkflowError::ZeroApprovals {
                    transition: t.key.clone(),
                });
            }
            if matches!(policy.role, Role::Admin | Role::Viewer | Role::ReviewIntake) {
                errors.push(WorkflowError::RoleCannotApprove {
                    transition: t.key.clone(),
                    role: policy.role.to_string(),
                });
            }
        }
        if !is_snake_key(&t.key) {
            errors.push(WorkflowError::InvalidTransitionKey {
                transition: t.key.clone(),
            });
        }
        if earlier.iter().any(|e| e.key == t.key) {
            errors.push(WorkflowError::DuplicateTransitionKey {
                transition: t.key.clone(),
            });
        }
        match def.state(&t.from) {
            None => errors.push(WorkflowError::UnknownFromState {
                transition: t.key.clone(),
                state: t.from.clone(),
            }),
            Some(from) if from.kind.is_terminal() => {
                errors.push(WorkflowError::TransitionFromTerminal {
                    transition: t.key.clone(),
                    state: t.from.clone(),
                    kind: from.kind,
                });
            }
            Some(_) => {}
        }
        if def.state(&t.to).is_none() {
            errors.push(WorkflowError::UnknownToState {
                transition: t.key.clone(),
                state: t.to.clone(),
            });
        }
        if t.from == t.to {
            errors.push(WorkflowError::SelfLoop {
                transition: t.key.clone(),
                state: t.from.clone(),
            });
        } else if let Some(e) = earlier.iter().find(|e| e.from == t.from && e.to == t.to) {
            errors.push(WorkflowError::DuplicateTransition {
                transition: t.key.clone(),
                earlier: e.key.clone(),
                from: t.from.clone(),
                to: t.to.clone(),
            });
        }
    }
}

/// Reachability rules. Edges that are already errors (unknown ends, self-loops, leaving a
/// terminal state) are left out, so a state only counts as reachable along transitions that
/// would actually be allowed.
fn check_graph(def: &WorkflowDefinition, errors: &mut Vec<WorkflowError>) {
    let mut graph: DiGraphMap<&str, ()> = DiGraphMap::new();
    for s in def.states() {
        graph.add_node(s.key.as_str());
    }
    for t in def.transitions() {
        let usable = t.from != t.to
            && def.state(&t.to).is_some()
            && def.state(&t.from).is_some_and(|s| !s.kind.is_terminal());
        if usable {
            graph.add_edge(t.from.as_str(), t.to.as_str(), ());
        }
    }
    // Keys in file order, once each (duplicates are reported by `check_states`).
    let mut seen = HashSet::new();
    let keys: Vec<&str> = def
        .states()
        .iter()
        .map(|s| s.key.as_str())
        .filter(|k| seen.insert(*k))
        .collect();

    // With no or several initial states "reachable" has no meaning; that error stands alone.
    let mut initials = def.states_of_kind(StateKind::Initial);
    if let (Some(initial), None) = (initials.next(), initials.next()) {
        let mut dfs = Dfs::new(&graph, initial);
        let mut reached = HashSet::new();
        while let Some(n) = dfs.next(&graph) {
            reached.insert(n);
        }
        for key in keys.iter().filter(|k| !reached.contains(*k)) {
            errors.push(WorkflowError::UnreachableState {
                state: (*key).to_owned(),
                initial: initial.to_owned(),
            });
        }
    }

    // Without any terminal state every state would be named; `NoDoneState` already says it.
    let terminals: Vec<&str> = def
        .states()
        .iter()
        .filter(|s| s.kind.is_terminal())
        .map(|s| s.key.as_str())
        .collect();
    if terminals.is_empty() {
        return;
    }
    let reversed = Reversed(&graph);
    let mut dfs = Dfs::empty(reversed);
    let mut finishing = HashSet::new();
    for t in terminals {
        // `move_to` keeps the discovered set, so this is one walk from all terminal states.
        dfs.move_to(t);
        while let Some(n) = dfs.next(reversed) {
            finishing.insert(n);
        }
    }
    for key in keys.iter().filter(|k| !finishing.contains(*k)) {
        errors.push(WorkflowError::CannotFinish {
            state: (*key).to_owned(),
        });
    }
}
