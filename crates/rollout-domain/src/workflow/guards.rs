//! Guards: named conditions a transition must meet. To add one: a variant, its name in
//! [`Guard::name`]/[`Guard::parse`], the subjects it applies to in [`Guard::applies_to`], its
//! check (request guards in [`Guard::check`], data guards in [`Guard::check_procedure`] or the
//! subject's own [`Subject::check_data_guard`]), and (if it needs data the subject does not
//! carry) a field in [`GuardFacts`] that the app layer fills in.

use chrono::NaiveDate;

use super::subject::{Subject, SubjectKind};
use crate::Procedure;
use crate::user_test::UserTestVerdict;

/// A condition on a transition, named in the workflow file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Guard {
    /// The procedure has a target quarter (`target_quarter_set`).
    TargetQuarterSet,
    /// The procedure has a platform (`platform_set`).
    PlatformSet,
    /// The request carries a non-blank comment (`comment`); for a law change, the reason.
    Comment,
    /// The latest user test recorded since the procedure entered its current state passed
    /// (`user_test_passed`).
    UserTestPassed,
    /// The procedure has no open blocker, direct or transitive (`no_open_blockers`): every law
    /// change, milestone and procedure it needs, and everything those need, is cleared.
    NoOpenBlockers,
    /// The request carries a date (`date`): for a law change, the date the ministry has shown or
    /// the date it was enacted. The date must lie in [`EARLIEST_DATE`]..=[`LATEST_DATE`].
    Date,
}

/// The earliest date a request may carry: nothing in the programme predates it, so an earlier
/// one is a typo (`1021-04-01`).
pub const EARLIEST_DATE: NaiveDate = NaiveDate::from_ymd_opt(2000, 1, 1).expect("a valid date");
/// The latest date a request may carry, for the same reason.
pub const LATEST_DATE: NaiveDate = NaiveDate::from_ymd_opt(2100, 12, 31).expect("a valid date");

/// Why a date given with a request is not plausible, or `None` when it is.
pub fn date_out_of_range(on: NaiveDate) -> Option<String> {
    (!(EARLIEST_DATE..=LATEST_DATE).contains(&on)).then(|| {
        format!("the date {on} is out of range: give a date from {EARLIEST_DATE} to {LATEST_DATE}")
    })
}

impl Guard {
    pub const ALL: &'static [Guard] = &[
        Self::TargetQuarterSet,
        Self::PlatformSet,
        Self::Comment,
        Self::UserTestPassed,
        Self::NoOpenBlockers,
        Self::Date,
    ];

    pub const fn name(self) -> &'static str {
        match self {
            Self::TargetQuarterSet => "target_quarter_set",
            Self::PlatformSet => "platform_set",
            Self::Comment => "comment",
            Self::UserTestPassed => "user_test_passed",
            Self::NoOpenBlockers => "no_open_blockers",
            Self::Date => "date",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|g| g.name() == name)
    }

    /// Whether a workflow moving `subject` may use the guard (checked when a file is loaded).
    pub const fn applies_to(self, subject: SubjectKind) -> bool {
        match self {
            Self::Comment => true,
            Self::Date => matches!(subject, SubjectKind::LawChange),
            Self::TargetQuarterSet
            | Self::PlatformSet
            | Self::UserTestPassed
            | Self::NoOpenBlockers => matches!(subject, SubjectKind::Procedure),
        }
    }

    /// Whether the guard judges stored facts beyond the procedure row ([`GuardFacts`]), which
    /// cost a read: only procedures in a state with such a guard on a way out need them.
    pub const fn reads_stored_facts(self) -> bool {
        matches!(self, Self::UserTestPassed | Self::NoOpenBlockers)
    }

    /// Whether the guard depends on the request rather than on stored data. Such guards cannot be
    /// judged when listing next transitions; they are reported as requirements instead.
    pub const fn is_request_guard(self) -> bool {
        matches!(self, Self::Comment | Self::Date)
    }

    /// `None` when the guard holds for `subject`, otherwise a message for the user saying what is
    /// missing. Request guards are judged here, data guards by the subject.
    pub fn check<S: Subject + ?Sized>(
        self,
        subject: &S,
        inputs: &GuardInputs<'_>,
    ) -> Option<String> {
        match self {
            Self::Comment => {
                inputs
                    .comment
                    .is_none_or(|c| c.trim().is_empty())
                    .then(|| match S::KIND {
                        SubjectKind::Procedure => "this transition requires a comment".to_owned(),
                        SubjectKind::LawChange => "this status change requires a reason".to_owned(),
                    })
            }
            Self::Date => match inputs.on {
                None => Some("this status change requires a date (`on`)".to_owned()),
                Some(on) => date_out_of_range(on),
            },
            _ => subject.check_data_guard(self, inputs.facts),
        }
    }

    /// A data guard judged on a procedure and its stored facts; `None` when it holds.
    pub fn check_procedure(self, procedure: &Procedure, facts: &GuardFacts) -> Option<String> {
        match self {
            Self::TargetQuarterSet => procedure
                .target_quarter
                .is_none()
                .then(|| "set a target quarter before scheduling".to_owned()),
            Self::PlatformSet => procedure
                .platform
                .is_none()
                .then(|| "choose the platform before marking it built".to_owned()),
            Self::UserTestPassed => match facts.latest_user_test {
                Some(UserTestVerdict::Pass) => None,
                Some(_) => Some(
                    "the latest user test since the procedure entered this state failed: \
                     record a passing one first"
                        .to_owned(),
                ),
                None => Some("record a passing user test before marking it user-tested".to_owned()),
            },
            Self::NoOpenBlockers => (!facts.open_blockers.is_empty()).then(|| {
                format!(
                    "open blockers must be cleared before release: {}",
                    facts.open_blockers.join(", ")
                )
            }),
            Self::Comment | Self::Date => not_for(self, SubjectKind::Procedure),
        }
    }
}

/// The failure of a guard judged on a subject it does not apply to. Validation refuses such
/// workflows, so this is only reached by a definition used with the wrong subject; it refuses
/// rather than letting the move through.
pub(super) fn not_for(guard: Guard, subject: SubjectKind) -> Option<String> {
    Some(format!(
        "the guard {} does not apply to {}",
        guard.name(),
        subject.plural()
    ))
}

/// What a guard may need beyond the subject itself.
#[derive(Debug, Clone, Copy)]
pub struct GuardInputs<'a> {
    /// The comment (for a law change, the reason) given with the request, if any.
    pub comment: Option<&'a str>,
    /// The date given with the request, if any (law changes: the date the new status names).
    pub on: Option<NaiveDate>,
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
    /// nothing is loaded because nothing judges them. Law changes have no stored facts.
    pub const NOT_JUDGED: GuardFacts = GuardFacts {
        latest_user_test: None,
        open_blockers: Vec::new(),
    };
}
