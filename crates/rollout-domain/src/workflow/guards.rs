//! Guards: named conditions a transition must meet. To add one: a variant, its name in
//! [`Guard::name`]/[`Guard::parse`], its check in [`Guard::check`], and (if it needs data the
//! procedure does not carry) a field in [`GuardInputs`] that the app layer fills in.

use crate::Procedure;
use crate::user_test::UserTestVerdict;

/// A condition on a transition, named in the workflow file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Guard {
    /// The procedure has a target quarter (`target_quarter_set`).
    TargetQuarterSet,
    /// The procedure has a platform (`platform_set`).
    PlatformSet,
    /// The request carries a non-blank comment (`comment`).
    Comment,
    /// The latest user test recorded since the procedure entered its current state passed
    /// (`user_test_passed`).
    UserTestPassed,
    /// The procedure has no open blocker, direct or transitive (`no_open_blockers`): every law
    /// change, milestone and procedure it needs, and everything those need, is cleared.
    NoOpenBlockers,
}

impl Guard {
    pub const ALL: &'static [Guard] = &[
        Self::TargetQuarterSet,
        Self::PlatformSet,
        Self::Comment,
        Self::UserTestPassed,
        Self::NoOpenBlockers,
    ];

    pub const fn name(self) -> &'static str {
        match self {
            Self::TargetQuarterSet => "target_quarter_set",
            Self::PlatformSet => "platform_set",
            Self::Comment => "comment",
            Self::UserTestPassed => "user_test_passed",
            Self::NoOpenBlockers => "no_open_blockers",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|g| g.name() == name)
    }

    /// Whether the guard judges stored facts beyond the procedure row ([`GuardFacts`]), which
    /// cost a read: only procedures in a state with such a guard on a way out need them.
    pub const fn reads_stored_facts(self) -> bool {
        matches!(self, Self::UserTestPassed | Self::NoOpenBlockers)
    }

    /// Whether the guard depends on the request rather than on stored data. Such guards cannot be
    /// judged when listing next transitions; they are reported as requirements instead.
    pub const fn is_request_guard(self) -> bool {
        matches!(self, Self::Comment)
    }

    /// `None` when the guard holds, otherwise a message for the user saying what is missing.
    pub fn check(self, procedure: &Procedure, inputs: &GuardInputs<'_>) -> Option<String> {
        let holds = match self {
            Self::TargetQuarterSet => procedure.target_quarter.is_some(),
            Self::PlatformSet => procedure.platform.is_some(),
            Self::Comment => inputs.comment.is_some_and(|c| !c.trim().is_empty()),
            Self::UserTestPassed => inputs.facts.latest_user_test == Some(UserTestVerdict::Pass),
            Self::NoOpenBlockers => inputs.facts.open_blockers.is_empty(),
        };
        (!holds).then(|| match self {
            Self::TargetQuarterSet => "set a target quarter before scheduling".to_owned(),
            Self::PlatformSet => "choose the platform before marking it built".to_owned(),
            Self::Comment => "this transition requires a comment".to_owned(),
            Self::UserTestPassed => match inputs.facts.latest_user_test {
                Some(_) => "the latest user test since the procedure entered this state failed: \
                            record a passing one first"
                    .to_owned(),
                None => "record a passing user test before marking it user-tested".to_owned(),
            },
            Self::NoOpenBlockers => format!(
                "open blockers must be cleared before release: {}",
                inputs.facts.open_blockers.join(", ")
            ),
        })
    }
}

/// Facts a guard may need beyond the procedure itself.
#[derive(Debug, Clone, Copy)]
pub struct GuardInputs<'a> {
    /// The comment given with the transition request, if any.
    pub comment: Option<&'a str>,
    pub facts: &'a GuardFacts,
}

/// Stored facts about one procedure that guards judge, loaded by the app (in one batched read
/// for a page of procedures, and again before a write). There is deliberately no `Default`: a
/// new fact must be loaded everywhere, never silently assumed to hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GuardFacts {
    /// The verdict of the latest user test recorded since the procedure entered its current
    /// state; `None` when there is none.
    pub latest_user_test: Option<UserTestVerdict>,
    /// The labels (law change codes, milestone names, procedure codes) of every open blocker of
    /// the procedure, direct or transitive, in the order the failure message should name them.
    pub open_blockers: Vec<String>,
}

impl GuardFacts {
    /// The facts of a procedure in a state none of whose ways out has a guard that reads them
    /// ([`WorkflowDefinition::reads_stored_facts`](super::WorkflowDefinition::reads_stored_facts)):
    /// nothing is loaded because nothing judges them.
    pub const NOT_JUDGED: GuardFacts = GuardFacts {
        latest_user_test: None,
        open_blockers: Vec::new(),
    };
}
