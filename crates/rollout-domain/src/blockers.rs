//! What procedures wait on: national (or Tokyo) law changes that Tokyo requests and follows up,
//! milestones such as a platform going live, and the dependencies that link a procedure to
//! what it needs (a law change, a milestone or another procedure). A blocker is *open* while it
//! still holds its dependents back; the dependency graph over them lives in [`crate::deps`].
//!
//! A law change's status moves through its own workflow definition (`law_change.toml`, run by
//! the same engine as procedures); a milestone's status is set directly. A dependency is never
//! deleted: removing one records who, when and why.

use chrono::{DateTime, NaiveDate, Utc};

use crate::procedure::keyed_enum;
use crate::{
    BureauId, DependencyId, LawChangeId, LawChangeStatusChangeId, MilestoneId, Platform,
    ProcedureId, UserId,
};

keyed_enum!(
    /// The level of the rule that must change.
    LawLevel {
        NationalLaw => "NATIONAL_LAW",
        CabinetOrder => "CABINET_ORDER",
        MinisterialOrdinance => "MINISTERIAL_ORDINANCE",
        Notice => "NOTICE",
        TokyoOrdinance => "TOKYO_ORDINANCE",
        TokyoRule => "TOKYO_RULE",
    }
);

impl LawLevel {
    /// Rules the national government changes (Tokyo must request them from a ministry); the
    /// others Tokyo changes itself.
    pub const fn is_national(self) -> bool {
        !matches!(self, Self::TokyoOrdinance | Self::TokyoRule)
    }
}

keyed_enum!(
    /// Where a law change stands. The allowed moves are the law-change workflow's.
    LawChangeStatus {
        NotRequested => "NOT_REQUESTED",
        Requested => "REQUESTED",
        UnderStudy => "UNDER_STUDY",
        DateShown => "DATE_SHOWN",
        Enacted => "ENACTED",
        Declined => "DECLINED",
        Withdrawn => "WITHDRAWN",
    }
);

impl LawChangeStatus {
    /// Open law changes still block their dependents. ENACTED clears them, and so does
    /// WITHDRAWN (Tokyo no longer needs the change); a DECLINED change still blocks: the
    /// procedure cannot go online until something else is decided for it.
    pub const fn is_open(self) -> bool {
        !matches!(self, Self::Enacted | Self::Withdrawn)
    }

    /// The workflow state key of this status (`law_change.toml` uses lower-case keys).
    pub fn state_key(self) -> String {
        self.as_str().to_ascii_lowercase()
    }
}

keyed_enum!(
    /// Where a milestone stands.
    MilestoneStatus {
        Planned => "PLANNED",
        Done => "DONE",
        Cancelled => "CANCELLED",
    }
);

impl MilestoneStatus {
    /// Only a PLANNED milestone blocks; DONE and CANCELLED both release their dependents.
    pub const fn is_open(self) -> bool {
        matches!(self, Self::Planned)
    }
}

/// A change of a law, cabinet order, ministerial ordinance, notice or Tokyo rule that one or
/// more procedures need before they can go online.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LawChange {
    pub id: LawChangeId,
    /// Human-facing key, e.g. `LAW-0007` (checked by [`check_law_change_code`]).
    pub code: String,
    pub title_ja: String,
    pub title_en: Option<String>,
    pub level: LawLevel,
    /// The ministry that owns the rule; `None` for Tokyo's own rules.
    pub ministry_ja: Option<String>,
    pub ministry_en: Option<String>,
    pub law_name: Option<String>,
    pub article: Option<String>,
    /// The Tokyo bureau that owns the request.
    pub owner_bureau_id: BureauId,
    pub status: LawChangeStatus,
    pub requested_on: Option<NaiveDate>,
    /// The effective date the ministry has shown (DATE_SHOWN), kept after enactment.
    pub expected_effective_on: Option<NaiveDate>,
    pub enacted_on: Option<NaiveDate>,
    pub notes: Option<String>,
    /// Optimistic-concurrency version: starts at 1, up by one with every change.
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl LawChange {
    pub fn is_open(&self) -> bool {
        self.status.is_open()
    }

    /// The date from which the change is expected to let its dependents move: the enactment
    /// date once enacted, else the date the ministry has shown, else unknown.
    pub fn expected_on(&self) -> Option<NaiveDate> {
        self.enacted_on.or(self.expected_effective_on)
    }
}

/// One change of a law change's status, with who, when and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LawChangeStatusChange {
    pub id: LawChangeStatusChangeId,
    pub law_change_id: LawChangeId,
    /// `None` for the record made when the law change was created.
    pub from_status: Option<LawChangeStatus>,
    pub to_status: LawChangeStatus,
    /// The date the status names (requested on, expected effective date, enacted on).
    pub on: Option<NaiveDate>,
    pub reason: Option<String>,
    /// The actor's label (an e-mail address, or `system:…`).
    pub actor: String,
    pub actor_id: Option<UserId>,
    pub at: DateTime<Utc>,
}

/// Something a procedure may wait on that is not a law change or a procedure: a platform
/// going live, a system procurement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Milestone {
    pub id: MilestoneId,
    pub name: String,
    pub platform: Option<Platform>,
    pub planned_on: Option<NaiveDate>,
    pub status: MilestoneStatus,
    pub done_on: Option<NaiveDate>,
    pub notes: Option<String>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Milestone {
    pub fn is_open(&self) -> bool {
        self.status.is_open()
    }

    /// The date from which the milestone is expected to let its dependents move.
    pub fn expected_on(&self) -> Option<NaiveDate> {
        self.done_on.or(self.planned_on)
    }
}

/// What a procedure may depend on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum BlockerRef {
    LawChange(LawChangeId),
    Milestone(MilestoneId),
    Procedure(ProcedureId),
}

impl BlockerRef {
    /// The stored kind key (`LAW_CHANGE`, `MILESTONE`, `PROCEDURE`).
    pub const fn kind(self) -> &'static str {
        match self {
            Self::LawChange(_) => "LAW_CHANGE",
            Self::Milestone(_) => "MILESTONE",
            Self::Procedure(_) => "PROCEDURE",
        }
    }

    pub const fn uuid(self) -> uuid::Uuid {
        match self {
            Self::LawChange(id) => id.0,
            Self::Milestone(id) => id.0,
            Self::Procedure(id) => id.0,
        }
    }

    /// Rebuilds a reference from its stored kind key and id.
    pub fn from_parts(kind: &str, id: uuid::Uuid) -> Option<Self> {
        match kind {
            "LAW_CHANGE" => Some(Self::LawChange(LawChangeId(id))),
            "MILESTONE" => Some(Self::Milestone(MilestoneId(id))),
            "PROCEDURE" => Some(Self::Procedure(ProcedureId(id))),
            _ => None,
        }
    }
}

/// "Procedure `procedure_id` needs `on`". Removal is recorded, never deleted; only edges that
/// are not removed take part in the graph.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dependency {
    pub id: DependencyId,
    pub procedure_id: ProcedureId,
    pub on: BlockerRef,
    pub reason: Option<String>,
    /// `None` for edges loaded by `rollout import` or the demo generator.
    pub created_by: Option<UserId>,
    pub created_at: DateTime<Utc>,
    pub removed_at: Option<DateTime<Utc>>,
    pub removed_by: Option<UserId>,
    pub removed_reason: Option<String>,
}

impl Dependency {
    /// Whether the edge was in the graph at `at`.
    pub fn active_at(&self, at: DateTime<Utc>) -> bool {
        self.created_at <= at && self.removed_at.is_none_or(|r| r > at)
    }

    pub fn is_removed(&self) -> bool {
        self.removed_at.is_some()
    }
}

/// Checks a law change's code: 1 to 32 characters, an upper-case ASCII letter first, then
/// upper-case letters, digits and hyphens (`LAW-0007`). Returns the code trimmed, or why not.
pub fn check_law_change_code(raw: &str) -> Result<String, String> {
    let code = raw.trim();
    let ok = (1..=32).contains(&code.len())
        && code.starts_with(|c: char| c.is_ascii_uppercase())
        && code
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-');
    if ok {
        Ok(code.to_owned())
    } else {
        Err(format!(
            "{code:?} is not a law change code: use 1 to 32 upper-case letters, digits and \
             hyphens, starting with a letter (e.g. LAW-0007)"
        ))
    }
}
