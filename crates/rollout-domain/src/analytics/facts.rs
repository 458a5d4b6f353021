//! What the analytics read: every procedure with its whole state history, its field revisions
//! and its target-quarter changes, loaded once and replayed in memory. [`ProcedureFacts::as_of`]
//! answers "what was true of this procedure at that instant", which every as-of figure (KPIs,
//! scope, flow, snapshots, the quarterly report) is built on, so that a past quarter's figures
//! never change when later history is written.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use chrono_tz::Asia::Tokyo;

use crate::procedure::PRIORITY_THRESHOLD;
use crate::procedure::keyed_enum;
use crate::{Authority, BureauId, Category, FiscalQuarter, Platform, ProcedureId};

/// The first instant after `date` ends in Asia/Tokyo: "as of 2021-12-31" means every record
/// strictly before this instant.
pub fn end_of_day(date: NaiveDate) -> DateTime<Utc> {
    let next = date.succ_opt().unwrap_or(date);
    Tokyo
        .from_local_datetime(&next.and_hms_opt(0, 0, 0).expect("midnight exists"))
        .single()
        .expect("Asia/Tokyo has no DST gap at midnight")
        .with_timezone(&Utc)
}

/// The Asia/Tokyo calendar date of an instant.
pub fn tokyo_date(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&Tokyo).date_naive()
}

/// One state change of a procedure (its creation included: the first change of every history).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateChange {
    pub at: DateTime<Utc>,
    pub to: String,
    pub comment: Option<String>,
}

keyed_enum!(
    /// The descriptive fields whose changes are kept as revisions, because figures as of a past
    /// date depend on them.
    RevisedField {
        Bureau => "BUREAU",
        Category => "CATEGORY",
        Authority => "AUTHORITY",
        AnnualApplications => "ANNUAL_APPLICATIONS",
        ProcessCount => "PROCESS_COUNT",
        Platform => "PLATFORM",
    }
);

/// One change of one descriptive field. Values are in their storage form (`TOKYO`, a bureau's
/// id, a number); `None` is an empty optional field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldRevision {
    pub procedure_id: ProcedureId,
    pub field: RevisedField,
    pub old: Option<String>,
    pub new: Option<String>,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub reason: Option<String>,
}

/// One change of the target quarter (see [`crate::target::TargetChange`]), as analytics need it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TargetMove {
    pub at: DateTime<Utc>,
    pub from: Option<FiscalQuarter>,
    pub to: Option<FiscalQuarter>,
}

/// A procedure as it stands now, with everything that happened to it, oldest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcedureFacts {
    pub id: ProcedureId,
    pub code: String,
    pub name: String,
    pub name_en: Option<String>,
    pub bureau_id: BureauId,
    pub category: Category,
    pub authority: Authority,
    pub annual_applications: Option<i64>,
    pub process_count: i32,
    pub platform: Option<Platform>,
    pub target_quarter: Option<FiscalQuarter>,
    /// State changes, oldest first; the first is the creation.
    pub changes: Vec<StateChange>,
    /// Field revisions, oldest first.
    pub revisions: Vec<FieldRevision>,
    /// Target-quarter changes, oldest first.
    pub target_moves: Vec<TargetMove>,
}

/// What was true of a procedure at one instant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcedureAt<'a> {
    pub facts: &'a ProcedureFacts,
    pub state: &'a str,
    /// When it entered `state`.
    pub state_since: DateTime<Utc>,
    pub bureau_id: BureauId,
    pub category: Category,
    pub authority: Authority,
    pub annual_applications: Option<i64>,
    pub process_count: i32,
    pub platform: Option<Platform>,
    pub target_quarter: Option<FiscalQuarter>,
}

impl ProcedureAt<'_> {
    pub fn is_priority(&self) -> bool {
        self.annual_applications
            .is_some_and(|n| n >= PRIORITY_THRESHOLD)
    }
}

impl ProcedureFacts {
    /// The procedure as it was just before `at` (records at `at` or later are not seen); `None`
    /// when it did not exist yet.
    pub fn as_of(&self, at: DateTime<Utc>) -> Option<ProcedureAt<'_>> {
        let seen = self.changes.partition_point(|c| c.at < at);
        let last = self.changes.get(seen.checked_sub(1)?)?;
        let mut out = ProcedureAt {
            facts: self,
            state: &last.to,
            state_since: last.at,
            bureau_id: self.bureau_id,
            category: self.category,
            authority: self.authority,
            annual_applications: self.annual_applications,
            process_count: self.process_count,
            platform: self.platform,
            target_quarter: self.target_quarter,
        };
        // A field's value at `at` is the old value of its first revision at or after `at`.
        let later = self.revisions.partition_point(|r| r.at < at);
        let mut undone = [false; RevisedField::ALL.len()];
        for r in &self.revisions[later..] {
            let slot = RevisedField::ALL
                .iter()
                .position(|f| *f == r.field)
                .unwrap_or(0);
            if std::mem::replace(&mut undone[slot], true) {
                continue;
            }
            restore(&mut out, r.field, r.old.as_deref());
        }
        let later = self.target_moves.partition_point(|m| m.at < at);
        if let Some(m) = self.target_moves.get(later) {
            out.target_quarter = m.from;
        }
        Some(out)
    }

    /// When the procedure first entered one of `states`, if ever before `at`.
    pub fn first_entered(&self, states: &[&str], at: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.changes
            .iter()
            .take_while(|c| c.at < at)
            .find(|c| states.contains(&c.to.as_str()))
            .map(|c| c.at)
    }

    /// When it was created (its first history record).
    pub fn created_at(&self) -> Option<DateTime<Utc>> {
        self.changes.first().map(|c| c.at)
    }
}

/// Puts a revision's old value back. A value that no longer parses (a bureau id that is not a
/// UUID, say) leaves the field as it is: the stores only write values of the right form.
fn restore(out: &mut ProcedureAt<'_>, field: RevisedField, old: Option<&str>) {
    match field {
        RevisedField::Bureau => {
            if let Some(id) = old.and_then(|v| v.parse().ok()) {
                out.bureau_id = BureauId(id);
            }
        }
        RevisedField::Category => {
            if let Some(v) = old.and_then(Category::parse) {
                out.category = v;
            }
        }
        RevisedField::Authority => {
            if let Some(v) = old.and_then(Authority::parse) {
                out.authority = v;
            }
        }
        RevisedField::AnnualApplications => {
            out.annual_applications = old.and_then(|v| v.parse().ok());
        }
        RevisedField::ProcessCount => {
            if let Some(v) = old.and_then(|v| v.parse().ok()) {
                out.process_count = v;
            }
        }
        RevisedField::Platform => out.platform = old.and_then(Platform::parse),
    }
}

/// The revisions a change from `before` to `after` makes (fields in [`RevisedField`] only).
pub fn revisions_between(
    before: &crate::Procedure,
    after: &crate::Procedure,
    at: DateTime<Utc>,
    actor: &str,
    reason: Option<&str>,
) -> Vec<FieldRevision> {
    let pairs: [(RevisedField, Option<String>, Option<String>); 6] = [
        (
            RevisedField::Bureau,
            Some(before.bureau_id.0.to_string()),
            Some(after.bureau_id.0.to_string()),
        ),
        (
            RevisedField::Category,
            Some(before.category.as_str().into()),
            Some(after.category.as_str().into()),
        ),
        (
            RevisedField::Authority,
            Some(before.authority.as_str().into()),
            Some(after.authority.as_str().into()),
        ),
        (
            RevisedField::AnnualApplications,
            before.annual_applications.map(|n| n.to_string()),
            after.annual_applications.map(|n| n.to_string()),
        ),
        (
            RevisedField::ProcessCount,
            Some(before.process_count.to_string()),
            Some(after.process_count.to_string()),
        ),
        (
            RevisedField::Platform,
            before.platform.map(|p| p.as_str().into()),
            after.platform.map(|p| p.as_str().into()),
        ),
    ];
    pairs
        .into_iter()
        .filter(|(_, old, new)| old != new)
        .map(|(field, old, new)| FieldRevision {
            procedure_id: before.id,
            field,
            old,
            new,
            at,
            actor: actor.to_owned(),
            reason: reason.map(str::to_owned),
        })
        .collect()
}
