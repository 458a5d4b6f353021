//! Which items each kind of rule selects, from facts the caller loaded (and only the facts the
//! kind needs: [`Needs`]). "Today" is the date in Asia/Tokyo at the tick, a parameter.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};

use super::item::{ItemSubject, ReminderItem};
use super::rule::{ReminderKind, ReminderRule};
use crate::approval::ApprovalRequest;
use crate::blockers::{LawChange, Milestone};
use crate::task::{Task, TaskStatus};
use crate::workflow::WorkflowDefinition;
use crate::workflow::definition::StateKind;
use crate::{BureauId, FiscalQuarter, ProcedureCode, ProcedureId};

/// What a procedure-facing kind knows of a procedure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcedureActivity {
    pub id: ProcedureId,
    pub code: ProcedureCode,
    pub name: String,
    pub name_en: Option<String>,
    pub bureau_id: BureauId,
    pub state: String,
    pub annual_applications: Option<i64>,
    pub target_quarter: Option<FiscalQuarter>,
    /// The last change of any kind (a field or a move).
    pub updated_at: DateTime<Utc>,
    /// When it entered its current state (its latest history record).
    pub state_entered_at: DateTime<Utc>,
}

impl ProcedureActivity {
    pub fn is_priority(&self) -> bool {
        self.annual_applications
            .is_some_and(|n| n >= crate::procedure::PRIORITY_THRESHOLD)
    }
}

/// A pending approval request with what its item shows.
#[derive(Debug, Clone, PartialEq)]
pub struct PendingApproval {
    pub request: ApprovalRequest,
    pub procedure_code: ProcedureCode,
    pub procedure_name: String,
    pub bureau_id: BureauId,
}

/// An open law change with the instant of its last status change.
#[derive(Debug, Clone, PartialEq)]
pub struct LawChangeActivity {
    pub law_change: LawChange,
    pub last_status_at: DateTime<Utc>,
}

/// The facts a kind reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Needs {
    /// Open tasks due on or before this date.
    TasksDueBy(NaiveDate),
    Procedures,
    PendingApprovals,
    OpenLawChanges,
    Milestones,
    Nothing,
}

/// What [`select`] reads; the caller fills what [`needs`] asked for.
#[derive(Debug, Clone, Copy)]
pub struct Facts<'a> {
    pub today: NaiveDate,
    pub now: DateTime<Utc>,
    pub workflow: &'a WorkflowDefinition,
    pub tasks: &'a [Task],
    pub procedures: &'a [ProcedureActivity],
    pub approvals: &'a [PendingApproval],
    pub law_changes: &'a [LawChangeActivity],
    pub milestones: &'a [Milestone],
    /// Procedure codes and bureaus for task items (`Task` holds only the id).
    pub procedure_refs: &'a HashMap<ProcedureId, (ProcedureCode, BureauId)>,
}

/// The facts `kind` needs on `today`.
pub fn needs(kind: ReminderKind, today: NaiveDate) -> Needs {
    match kind {
        ReminderKind::TaskDueSoon { days } => Needs::TasksDueBy(add_days(today, i64::from(days))),
        ReminderKind::TaskOverdue => Needs::TasksDueBy(add_days(today, -1)),
        ReminderKind::StageSlaExceeded
        | ReminderKind::TargetQuarterAtRisk { .. }
        | ReminderKind::StaleProcedure { .. } => Needs::Procedures,
        ReminderKind::ApprovalPending { .. } => Needs::PendingApprovals,
        ReminderKind::LawChangeFollowUp { .. } => Needs::OpenLawChanges,
        ReminderKind::MilestoneDue { .. } => Needs::Milestones,
        ReminderKind::QuarterlyReportDue { .. } => Needs::Nothing,
    }
}

fn add_days(d: NaiveDate, n: i64) -> NaiveDate {
    d.checked_add_signed(chrono::Duration::days(n)).unwrap_or(d)
}

fn days_between(from: DateTime<Utc>, to: DateTime<Utc>) -> i64 {
    (to - from).num_days()
}

/// The items `rule` selects from `facts`, in a stable order (by reference), each once.
pub fn select(rule: &ReminderRule, facts: &Facts<'_>) -> Vec<ReminderItem> {
    let scope = &rule.scope;
    let bureau_ok = |b: BureauId| scope.bureaus.is_empty() || scope.bureaus.contains(&b);
    let today = facts.today;
    let mut items: Vec<ReminderItem> = match rule.kind {
        ReminderKind::TaskDueSoon { .. } | ReminderKind::TaskOverdue => {
            let overdue = rule.kind == ReminderKind::TaskOverdue;
            let last = match needs(rule.kind, today) {
                Needs::TasksDueBy(d) => d,
                _ => today,
            };
            facts
                .tasks
                .iter()
                .filter(|t| t.status == TaskStatus::Open && bureau_ok(t.bureau_id))
                .filter_map(|t| {
                    let due = t.due_on?;
                    let hit = if overdue {
                        due < today
                    } else {
                        due >= today && due <= last
                    };
                    hit.then(|| task_item(t, due, today, facts))
                })
                .collect()
        }
        ReminderKind::StageSlaExceeded => procedures(rule, facts)
            .filter_map(|p| {
                let sla = facts.workflow.state(&p.state)?.sla_days?;
                let days = days_between(p.state_entered_at, facts.now);
                (days > i64::from(sla)).then(|| procedure_item(p, None, days - i64::from(sla)))
            })
            .collect(),
        ReminderKind::TargetQuarterAtRisk { days } => procedures(rule, facts)
            .filter_map(|p| {
                let end = p.target_quarter?.last_day();
                let left = (end - today).num_days();
                (left >= 0 && left <= i64::from(days)).then(|| procedure_item(p, Some(end), -left))
            })
            .collect(),
        ReminderKind::StaleProcedure { days } => procedures(rule, facts)
            .filter_map(|p| {
                let idle = days_between(p.updated_at, facts.now);
                (idle >= i64::from(days)).then(|| procedure_item(p, None, idle))
            })
            .collect(),
        ReminderKind::ApprovalPending { days } => facts
            .approvals
            .iter()
            .filter(|a| bureau_ok(a.bureau_id))
            .filter_map(|a| {
                let waited = days_between(a.request.created_at, facts.now);
                (waited >= i64::from(days)).then(|| ReminderItem {
                    subject: ItemSubject::Approval(a.request.id),
                    bureau: Some(a.bureau_id),
                    assignee: None,
                    reference: a.procedure_code.as_str().to_owned(),
                    title_ja: format!(
                        "{} ({} → {})",
                        a.procedure_name, a.request.from_state, a.request.to_state
                    ),
                    title_en: None,
                    date: None,
                    days: waited,
                })
            })
            .collect(),
        ReminderKind::LawChangeFollowUp { days } => facts
            .law_changes
            .iter()
            .filter(|l| l.law_change.is_open() && bureau_ok(l.law_change.owner_bureau_id))
            .filter_map(|l| {
                let quiet = days_between(l.last_status_at, facts.now);
                (quiet >= i64::from(days)).then(|| ReminderItem {
                    subject: ItemSubject::LawChange(l.law_change.id),
                    bureau: Some(l.law_change.owner_bureau_id),
                    assignee: None,
                    reference: l.law_change.code.clone(),
                    title_ja: l.law_change.title_ja.clone(),
                    title_en: l.law_change.title_en.clone(),
                    date: l.law_change.expected_effective_on,
                    days: quiet,
                })
            })
            .collect(),
        ReminderKind::MilestoneDue { days } => facts
            .milestones
            .iter()
            .filter(|m| m.is_open() && scope.bureaus.is_empty())
            .filter_map(|m| {
                let planned = m.planned_on?;
                let left = (planned - today).num_days();
                (left <= i64::from(days)).then(|| ReminderItem {
                    subject: ItemSubject::Milestone(m.id),
                    bureau: None,
                    assignee: None,
                    reference: m.name.clone(),
                    title_ja: m.name.clone(),
                    title_en: None,
                    date: Some(planned),
                    days: -left,
                })
            })
            .collect(),
        ReminderKind::QuarterlyReportDue { days } => {
            quarterly_report(today, days).into_iter().collect()
        }
    };
    items.sort_by(|a, b| {
        a.reference
            .cmp(&b.reference)
            .then(a.subject.cmp(&b.subject))
    });
    items.dedup_by(|a, b| a.subject == b.subject);
    items
}

/// Open procedures within the rule's scope.
fn procedures<'a>(
    rule: &'a ReminderRule,
    facts: &'a Facts<'a>,
) -> impl Iterator<Item = &'a ProcedureActivity> + 'a {
    let scope = &rule.scope;
    facts.procedures.iter().filter(move |p| {
        let open = facts
            .workflow
            .state(&p.state)
            .is_some_and(|s| !matches!(s.kind, StateKind::Done | StateKind::Closed));
        open && (scope.bureaus.is_empty() || scope.bureaus.contains(&p.bureau_id))
            && (scope.states.is_empty() || scope.states.contains(&p.state))
            && (!scope.priority_only || p.is_priority())
    })
}

fn procedure_item(p: &ProcedureActivity, date: Option<NaiveDate>, days: i64) -> ReminderItem {
    ReminderItem {
        subject: ItemSubject::Procedure(p.id),
        bureau: Some(p.bureau_id),
        assignee: None,
        reference: p.code.as_str().to_owned(),
        title_ja: p.name.clone(),
        title_en: p.name_en.clone(),
        date,
        days,
    }
}

fn task_item(t: &Task, due: NaiveDate, today: NaiveDate, facts: &Facts<'_>) -> ReminderItem {
    let code = t
        .procedure_id
        .and_then(|id| facts.procedure_refs.get(&id))
        .map(|(code, _)| code.as_str().to_owned());
    ReminderItem {
        subject: ItemSubject::Task(t.id),
        bureau: Some(t.bureau_id),
        assignee: t.assignee_id,
        reference: code.unwrap_or_else(|| t.title.clone()),
        title_ja: t.title.clone(),
        title_en: None,
        date: Some(due),
        days: (today - due).num_days(),
    }
}

/// The report of the last finished quarter, from `days` days after its end for a week.
fn quarterly_report(today: NaiveDate, days: u32) -> Option<ReminderItem> {
    let previous = FiscalQuarter::try_containing(today).ok()?.previous()?;
    let end = previous.last_day();
    let since = (today - end).num_days() - i64::from(days);
    (0..7).contains(&since).then(|| ReminderItem {
        subject: ItemSubject::QuarterlyReport(end),
        bureau: None,
        assignee: None,
        reference: previous.to_string(),
        title_ja: format!("{} 四半期報告", previous.label_ja()),
        title_en: Some(format!("{} quarterly progress report", previous.label_en())),
        date: Some(end),
        days: (today - end).num_days(),
    })
}

#[cfg(test)]
#[path = "select_tests.rs"]
mod tests;
