//! What a firing reminds people of: items, each with a stable key (so a person is never told
//! of the same item twice in one firing, can snooze it and is not told again within a quiet
//! period), the bureau and assignee that decide its recipients, and the facts a digest shows.

use chrono::NaiveDate;

use crate::{ApprovalRequestId, BureauId, LawChangeId, MilestoneId, ProcedureId, TaskId, UserId};

/// What an item is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ItemSubject {
    Task(TaskId),
    Procedure(ProcedureId),
    Approval(ApprovalRequestId),
    LawChange(LawChangeId),
    Milestone(MilestoneId),
    /// The quarterly report of the fiscal quarter ending on this date.
    QuarterlyReport(NaiveDate),
}

impl ItemSubject {
    /// The stable key: `task:<uuid>`, `procedure:<uuid>`, …, `report:2026-09-30`.
    pub fn key(&self) -> String {
        match self {
            Self::Task(id) => format!("task:{id}"),
            Self::Procedure(id) => format!("procedure:{id}"),
            Self::Approval(id) => format!("approval:{id}"),
            Self::LawChange(id) => format!("law_change:{id}"),
            Self::Milestone(id) => format!("milestone:{id}"),
            Self::QuarterlyReport(end) => format!("report:{end}"),
        }
    }
}

/// One thing to remind people of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReminderItem {
    pub subject: ItemSubject,
    /// The bureau whose coordinators hear of it (none for programme-wide items).
    pub bureau: Option<BureauId>,
    /// The person it is assigned to (tasks).
    pub assignee: Option<UserId>,
    /// A short reference (procedure or law-change code, task title).
    pub reference: String,
    /// Its title in Japanese and, when known, English.
    pub title_ja: String,
    pub title_en: Option<String>,
    /// The date that makes it due (due date, quarter end, planned date…), if any.
    pub date: Option<NaiveDate>,
    /// How many days past (positive) or before (negative) that date, or how many days stale.
    pub days: i64,
}

impl ReminderItem {
    pub fn key(&self) -> String {
        self.subject.key()
    }
}
