//! The in-memory workflow definition. It can only be built through
//! [`WorkflowDefinition::from_toml`] or [`WorkflowDefinition::new`], both of which validate, so a
//! value of this type always satisfies the rules in [`super::validate`].

use std::collections::{HashMap, VecDeque};

use super::guards::Guard;
use super::subject::SubjectKind;
use super::validate::{self, WorkflowError};
use crate::approval::ApprovalPolicy;

/// What a state means to the programme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StateKind {
    /// Where every procedure starts; exactly one per workflow.
    Initial,
    /// Work in progress.
    Active,
    /// Waiting on something outside Tokyo's control (a national law change).
    Blocked,
    /// Finished: the procedure is online. Counts as digitised. Terminal.
    Done,
    /// Out of scope (abolished). Terminal.
    Closed,
}

impl StateKind {
    pub const ALL: &'static [StateKind] = &[
        Self::Initial,
        Self::Active,
        Self::Blocked,
        Self::Done,
        Self::Closed,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Initial => "INITIAL",
            Self::Active => "ACTIVE",
            Self::Blocked => "BLOCKED",
            Self::Done => "DONE",
            Self::Closed => "CLOSED",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL
            .iter()
            .copied()
            .find(|k| k.as_str().eq_ignore_ascii_case(raw.trim()))
    }

    /// DONE and CLOSED states have no way out.
    pub const fn is_terminal(self) -> bool {
        matches!(self, Self::Done | Self::Closed)
    }
}

/// One state of the graph.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateDef {
    pub key: String,
    pub label_ja: String,
    pub label_en: String,
    pub kind: StateKind,
    /// How many days a procedure should stay in this state at most.
    pub sla_days: Option<u32>,
}

/// One allowed move between two states.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransitionDef {
    pub key: String,
    pub from: String,
    pub to: String,
    /// Checked in order; every failing guard is reported, not just the first.
    pub guards: Vec<Guard>,
    /// When set, requesting this transition opens an approval request instead of applying it.
    pub approval: Option<ApprovalPolicy>,
    /// Taken by the system when the last open blocker of a procedure in the (BLOCKED) `from`
    /// state is cleared: the first such transition, in file order, whose guards hold wins.
    pub on_unblock: bool,
}

impl TransitionDef {
    pub fn requires_comment(&self) -> bool {
        self.guards.contains(&Guard::Comment)
    }
}

/// A validated workflow: what it moves, states, transitions, and the name and version recorded
/// in history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkflowDefinition {
    name: String,
    version: u32,
    subject: SubjectKind,
    states: Vec<StateDef>,
    transitions: Vec<TransitionDef>,
}

impl WorkflowDefinition {
    /// Builds and validates a definition. Every rule violation is reported at once.
    pub fn new(
        name: String,
        version: u32,
        subject: SubjectKind,
        states: Vec<StateDef>,
        transitions: Vec<TransitionDef>,
    ) -> Result<Self, Vec<WorkflowError>> {
        let def = Self {
            name,
            version,
            subject,
            states,
            transitions,
        };
        let errors = validate::validate(&def);
        if errors.is_empty() {
            Ok(def)
        } else {
            Err(errors)
        }
    }

    /// Parses the TOML file format (see [`super::file`]) and validates the result.
    pub fn from_toml(text: &str) -> Result<Self, Vec<WorkflowError>> {
        super::file::parse(text)
    }

    pub fn name(&self) -> &str {
        &self.name
    }
    pub fn version(&self) -> u32 {
        self.version
    }
    /// What the workflow moves, as declared in the file header.
    pub fn subject(&self) -> SubjectKind {
        self.subject
    }
    /// `name@version`, as recorded in transition history.
    pub fn version_tag(&self) -> String {
        format!("{}@{}", self.name, self.version)
    }
    pub fn states(&self) -> &[StateDef] {
        &self.states
    }
    pub fn transitions(&self) -> &[TransitionDef] {
        &self.transitions
    }
    /// Whether a transition out of `state` has a guard that reads stored facts, so that a
    /// procedure there needs its [`GuardFacts`](super::GuardFacts) loaded.
    pub fn reads_stored_facts(&self, state: &str) -> bool {
        self.transitions
            .iter()
            .filter(|t| t.from == state)
            .any(|t| t.guards.iter().any(|g| g.reads_stored_facts()))
    }

    pub fn state(&self, key: &str) -> Option<&StateDef> {
        self.states.iter().find(|s| s.key == key)
    }
    /// The single INITIAL state (validation guarantees there is exactly one).
    pub fn initial(&self) -> &StateDef {
        self.states
            .iter()
            .find(|s| s.kind == StateKind::Initial)
            .expect("validated definitions have exactly one initial state")
    }
    pub fn transitions_from<'a>(
        &'a self,
        from: &'a str,
    ) -> impl Iterator<Item = &'a TransitionDef> {
        self.transitions.iter().filter(move |t| t.from == from)
    }
    /// The `on_unblock` transitions out of `from`, in file order (the order they are tried in).
    pub fn unblock_transitions_from<'a>(
        &'a self,
        from: &'a str,
    ) -> impl Iterator<Item = &'a TransitionDef> {
        self.transitions_from(from).filter(|t| t.on_unblock)
    }
    pub fn transition(&self, from: &str, to: &str) -> Option<&TransitionDef> {
        self.transitions
            .iter()
            .find(|t| t.from == from && t.to == to)
    }
    /// Keys of the states of the given kind.
    pub fn states_of_kind(&self, kind: StateKind) -> impl Iterator<Item = &str> {
        self.states
            .iter()
            .filter(move |s| s.kind == kind)
            .map(|s| s.key.as_str())
    }
    /// The DONE and CLOSED states, in file order.
    pub fn terminal_states(&self) -> impl Iterator<Item = &StateDef> {
        self.states.iter().filter(|s| s.kind.is_terminal())
    }

    /// The shortest sequence of transitions leading from state `from` to state `to`: `Some(vec![])`
    /// when they are the same state, `None` when either is unknown or `to` cannot be reached.
    /// Guards are ignored: this answers "which moves", not "which moves are allowed now".
    ///
    /// Among paths of equal length the one preferring earlier transitions in the file wins, so
    /// that generated histories are stable and follow the order a workflow author wrote.
    pub fn path(&self, from: &str, to: &str) -> Option<Vec<&TransitionDef>> {
        let from = self.state(from)?.key.as_str();
        let to = self.state(to)?.key.as_str();
        if from == to {
            return Some(Vec::new());
        }
        // Breadth-first; `via[state]` is the transition that first discovered it.
        let mut via: HashMap<&str, &TransitionDef> = HashMap::new();
        let mut queue = VecDeque::from([from]);
        while let Some(current) = queue.pop_front() {
            for t in self.transitions.iter().filter(|t| t.from == current) {
                let next = t.to.as_str();
                if next == from || via.contains_key(next) {
                    continue;
                }
                via.insert(next, t);
                if next == to {
                    let mut path = vec![t];
                    while path[path.len() - 1].from != from {
                        path.push(via[path[path.len() - 1].from.as_str()]);
                    }
                    path.reverse();
                    return Some(path);
                }
                queue.push_back(next);
            }
        }
        None
    }
}
