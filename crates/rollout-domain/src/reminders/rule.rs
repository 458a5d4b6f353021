//! A reminder rule: what it looks for (its kind and parameter), where (its scope), who hears
//! about it (recipients, channels), when (schedule, time zone, holiday and misfire policies) and
//! how often an item may be repeated (the quiet period). Also the per-rule scheduling state the
//! store keeps beside it (cursor, missed ticks, lease).

use chrono::{DateTime, Utc};

use super::timing::{HolidayPolicy, MisfirePolicy};
use crate::{BureauId, ReminderRuleId, UserId};

/// What a rule looks for. The parameter, where there is one, is a number of days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReminderKind {
    /// Open tasks due within `days` days (today included), not yet overdue.
    TaskDueSoon { days: u32 },
    /// Open tasks whose due date has passed.
    TaskOverdue,
    /// Procedures in a state longer than the state's `sla_days`.
    StageSlaExceeded,
    /// Approval requests pending for at least `days` days.
    ApprovalPending { days: u32 },
    /// Procedures not released whose target quarter ends within `days` days.
    TargetQuarterAtRisk { days: u32 },
    /// Open law changes with no status change for `days` days.
    LawChangeFollowUp { days: u32 },
    /// Planned milestones due within `days` days (or past due).
    MilestoneDue { days: u32 },
    /// Open procedures with no change for `days` days.
    StaleProcedure { days: u32 },
    /// The quarterly progress report, `days` days after a fiscal quarter ends, until it is
    /// `days + 7` days past (one item per quarter).
    QuarterlyReportDue { days: u32 },
}

/// The kinds' stable names (API enum values, stored text).
pub const KIND_NAMES: [&str; 9] = [
    "TASK_DUE_SOON",
    "TASK_OVERDUE",
    "STAGE_SLA_EXCEEDED",
    "APPROVAL_PENDING",
    "TARGET_QUARTER_AT_RISK",
    "LAW_CHANGE_FOLLOW_UP",
    "MILESTONE_DUE",
    "STALE_PROCEDURE",
    "QUARTERLY_REPORT_DUE",
];

/// The largest `days` parameter accepted (ten years).
pub const MAX_DAYS: u32 = 3650;

/// Why a kind and parameter do not make a rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KindError {
    #[error("unknown reminder kind {0:?}")]
    Unknown(String),
    #[error("{kind} needs a number of days (1–{MAX_DAYS})")]
    MissingDays { kind: &'static str },
    #[error("{kind} takes no number of days")]
    UnexpectedDays { kind: &'static str },
    #[error("days must be between 1 and {MAX_DAYS}, not {0}")]
    DaysOutOfRange(i64),
}

impl ReminderKind {
    /// Builds a kind from its name and optional number of days.
    pub fn from_parts(name: &str, days: Option<i64>) -> Result<Self, KindError> {
        let name = KIND_NAMES
            .iter()
            .copied()
            .find(|k| *k == name)
            .ok_or_else(|| KindError::Unknown(name.to_owned()))?;
        let days = match days {
            None => None,
            Some(d) if (1..=i64::from(MAX_DAYS)).contains(&d) => Some(d as u32),
            Some(d) => return Err(KindError::DaysOutOfRange(d)),
        };
        let need = |days: Option<u32>| days.ok_or(KindError::MissingDays { kind: name });
        let none = |days: Option<u32>| match days {
            None => Ok(()),
            Some(_) => Err(KindError::UnexpectedDays { kind: name }),
        };
        Ok(match name {
            "TASK_DUE_SOON" => Self::TaskDueSoon { days: need(days)? },
            "TASK_OVERDUE" => none(days).map(|()| Self::TaskOverdue)?,
            "STAGE_SLA_EXCEEDED" => none(days).map(|()| Self::StageSlaExceeded)?,
            "APPROVAL_PENDING" => Self::ApprovalPending { days: need(days)? },
            "TARGET_QUARTER_AT_RISK" => Self::TargetQuarterAtRisk { days: need(days)? },
            "LAW_CHANGE_FOLLOW_UP" => Self::LawChangeFollowUp { days: need(days)? },
            "MILESTONE_DUE" => Self::MilestoneDue { days: need(days)? },
            "STALE_PROCEDURE" => Self::StaleProcedure { days: need(days)? },
            _ => Self::QuarterlyReportDue { days: need(days)? },
        })
    }

    /// The kind's stable name.
    pub fn name(self) -> &'static str {
        match self {
            Self::TaskDueSoon { .. } => KIND_NAMES[0],
            Self::TaskOverdue => KIND_NAMES[1],
            Self::StageSlaExceeded => KIND_NAMES[2],
            Self::ApprovalPending { .. } => KIND_NAMES[3],
            Self::TargetQuarterAtRisk { .. } => KIND_NAMES[4],
            Self::LawChangeFollowUp { .. } => KIND_NAMES[5],
            Self::MilestoneDue { .. } => KIND_NAMES[6],
            Self::StaleProcedure { .. } => KIND_NAMES[7],
            Self::QuarterlyReportDue { .. } => KIND_NAMES[8],
        }
    }

    /// The number of days, for the kinds that take one.
    pub fn days(self) -> Option<u32> {
        match self {
            Self::TaskDueSoon { days }
            | Self::ApprovalPending { days }
            | Self::TargetQuarterAtRisk { days }
            | Self::LawChangeFollowUp { days }
            | Self::MilestoneDue { days }
            | Self::StaleProcedure { days }
            | Self::QuarterlyReportDue { days } => Some(days),
            Self::TaskOverdue | Self::StageSlaExceeded => None,
        }
    }
}

/// Which items a rule considers. Empty lists mean "all".
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ReminderScope {
    pub bureaus: Vec<BureauId>,
    /// Workflow state keys (for kinds about procedures).
    pub states: Vec<String>,
    /// Only priority procedures (10,000+ applications a year).
    pub priority_only: bool,
}

/// Who receives a rule's items. Each item goes to the union of these, each person once.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Recipients {
    /// The assignee of a task item.
    pub assignee: bool,
    /// The active coordinators of the item's bureau.
    pub bureau_coordinators: bool,
    /// Every active project-office member.
    pub project_office: bool,
    /// Named users (every item of the firing).
    pub users: Vec<UserId>,
}

impl Recipients {
    pub fn is_empty(&self) -> bool {
        !self.assignee && !self.bureau_coordinators && !self.project_office && self.users.is_empty()
    }
}

/// How a digest reaches its recipient.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Channel {
    InApp,
    Email,
    Webhook,
}

impl Channel {
    pub fn name(self) -> &'static str {
        match self {
            Self::InApp => "IN_APP",
            Self::Email => "EMAIL",
            Self::Webhook => "WEBHOOK",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::InApp, Self::Email, Self::Webhook]
            .into_iter()
            .find(|c| c.name() == s)
    }
}

/// A reminder rule as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct ReminderRule {
    pub id: ReminderRuleId,
    pub name: String,
    /// The crontab expression as typed (5 fields, or 6 with seconds first).
    pub schedule: String,
    /// IANA time zone of the schedule (default Asia/Tokyo).
    pub time_zone: String,
    pub kind: ReminderKind,
    pub scope: ReminderScope,
    pub recipients: Recipients,
    /// At least one; IN_APP is always implied for in-app reading but listed explicitly.
    pub channels: Vec<Channel>,
    pub holiday_policy: HolidayPolicy,
    pub misfire_policy: MisfirePolicy,
    /// An item reminded to a person by this rule within this many days is not repeated (0: every
    /// firing).
    pub quiet_days: u32,
    pub enabled: bool,
    /// Scheduling state: ticks at or before the cursor are handled (fired or counted missed).
    pub cursor: DateTime<Utc>,
    pub last_fired_at: Option<DateTime<Utc>>,
    /// The tick of the last firing.
    pub last_tick: Option<DateTime<Utc>>,
    pub missed_ticks: i64,
    pub created_by: Option<UserId>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}
