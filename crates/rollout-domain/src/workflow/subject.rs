//! What a workflow moves. The engine's decisions read only a subject's state and version and ask
//! it to judge data guards, so one engine and one validator serve procedures and law changes;
//! a workflow file declares its subject (`[workflow] subject = "procedure"` or `"law_change"`),
//! which decides the guards and approvals it may use.

use std::borrow::Cow;

use super::guards::{Guard, GuardFacts};
use crate::Procedure;

/// The kind of thing a workflow definition moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SubjectKind {
    /// An administrative procedure going online (the default).
    Procedure,
    /// A law change Tokyo requests and follows up.
    LawChange,
}

impl SubjectKind {
    pub const ALL: &'static [SubjectKind] = &[Self::Procedure, Self::LawChange];

    /// The name in the workflow file header.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Procedure => "procedure",
            Self::LawChange => "law_change",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|s| s.as_str() == raw)
    }

    /// For messages: "procedures", "law changes".
    pub const fn plural(self) -> &'static str {
        match self {
            Self::Procedure => "procedures",
            Self::LawChange => "law changes",
        }
    }

    /// Whether transitions may need approvals: only procedures have an approval flow; a law
    /// change's status is the ministry's answer, recorded by whoever follows it.
    pub const fn has_approvals(self) -> bool {
        matches!(self, Self::Procedure)
    }
}

/// Something a workflow moves from state to state.
pub trait Subject {
    /// The subject a definition must declare to move this.
    const KIND: SubjectKind;
    /// The key of the current state in the workflow definition.
    fn state_key(&self) -> Cow<'_, str>;
    /// The optimistic-concurrency version the change must still find.
    fn version(&self) -> i32;
    /// Judges a data guard (not a request guard) on this subject and its stored facts: `None`
    /// when it holds, else what is missing.
    fn check_data_guard(&self, guard: Guard, facts: &GuardFacts) -> Option<String>;
}

impl Subject for Procedure {
    const KIND: SubjectKind = SubjectKind::Procedure;

    fn state_key(&self) -> Cow<'_, str> {
        Cow::Borrowed(&self.state)
    }
    fn version(&self) -> i32 {
        self.version
    }
    fn check_data_guard(&self, guard: Guard, facts: &GuardFacts) -> Option<String> {
        guard.check_procedure(self, facts)
    }
}
