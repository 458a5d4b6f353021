//! Tasks: follow-ups with a person and a due date, usually left by a hearing. A task belongs to a
//! bureau (and usually to one of its procedures), is changed under optimistic concurrency like a
//! procedure, and ends DONE (with a note) or CANCELLED (with a reason). "Overdue" is judged
//! against a date the caller supplies: today in Asia/Tokyo.

use chrono::{DateTime, NaiveDate, Utc};

use crate::procedure::keyed_enum;
use crate::{BureauId, HearingId, ProcedureId, TaskId, UserId};

keyed_enum!(
    /// Where a task stands.
    TaskStatus {
        Open => "OPEN",
        Done => "DONE",
        Cancelled => "CANCELLED",
    }
);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Task {
    pub id: TaskId,
    pub title: String,
    pub description: Option<String>,
    pub procedure_id: Option<ProcedureId>,
    pub bureau_id: BureauId,
    pub assignee_id: Option<UserId>,
    pub due_on: Option<NaiveDate>,
    pub status: TaskStatus,
    /// The note given on completion, or the reason given on cancellation.
    pub completion_note: Option<String>,
    /// When the task was completed or cancelled.
    pub completed_at: Option<DateTime<Utc>>,
    /// The hearing that left this task, if any.
    pub hearing_id: Option<HearingId>,
    pub created_by: UserId,
    /// Optimistic-concurrency version: starts at 1, up by one with every change.
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Task {
    /// Open and due before `today` (a task due today is not overdue).
    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        self.status == TaskStatus::Open && self.due_on.is_some_and(|due| due < today)
    }
}

/// `None` when a due date is acceptable for a task created `today`, otherwise why not.
pub fn check_due_on(due_on: Option<NaiveDate>, today: NaiveDate) -> Option<String> {
    due_on
        .filter(|due| *due < today)
        .map(|due| format!("the due date {due} is before the task's creation date {today}"))
}

/// Why a task cannot change: it is already closed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the task is already {}", .0.as_str())]
pub struct TaskClosed(pub TaskStatus);

/// The task as completing (`Done`) or cancelling (`Cancelled`) it leaves it; only an open task
/// can be closed.
pub fn close(
    task: &Task,
    status: TaskStatus,
    note: Option<String>,
    now: DateTime<Utc>,
) -> Result<Task, TaskClosed> {
    if task.status != TaskStatus::Open {
        return Err(TaskClosed(task.status));
    }
    Ok(Task {
        status,
        completion_note: note,
        completed_at: Some(now),
        version: task.version + 1,
        updated_at: now,
        ..task.clone()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn task(due: Option<&str>, status: TaskStatus) -> Task {
        Task {
            id: TaskId(Uuid::from_u128(1)),
            title: "t".into(),
            description: None,
            procedure_id: None,
            bureau_id: BureauId(Uuid::from_u128(2)),
            assignee_id: None,
            due_on: due.map(|d| d.parse().unwrap()),
            status,
            completion_note: None,
            completed_at: None,
            hearing_id: None,
            created_by: UserId(Uuid::from_u128(3)),
            version: 1,
            created_at: DateTime::<Utc>::MIN_UTC,
            updated_at: DateTime::<Utc>::MIN_UTC,
        }
    }

    #[test]
    fn due_today_is_not_overdue_due_yesterday_is() {
        let today: NaiveDate = "2026-12-06".parse().unwrap();
        assert!(!task(Some("2026-12-06"), TaskStatus::Open).is_overdue(today));
        assert!(task(Some("2026-12-05"), TaskStatus::Open).is_overdue(today));
        assert!(!task(Some("2026-12-05"), TaskStatus::Done).is_overdue(today));
        assert!(!task(None, TaskStatus::Open).is_overdue(today));
    }

    #[test]
    fn only_open_tasks_close_and_closing_bumps_the_version() {
        let now = DateTime::<Utc>::MIN_UTC;
        let done = close(
            &task(None, TaskStatus::Open),
            TaskStatus::Done,
            Some("ok".into()),
            now,
        )
        .unwrap();
        assert_eq!((done.status, done.version), (TaskStatus::Done, 2));
        assert_eq!(
            close(&done, TaskStatus::Cancelled, None, now),
            Err(TaskClosed(TaskStatus::Done))
        );
    }

    #[test]
    fn a_due_date_before_today_is_refused() {
        let today: NaiveDate = "2026-12-06".parse().unwrap();
        assert!(check_due_on(Some(today), today).is_none());
        assert!(check_due_on(Some("2026-12-05".parse().unwrap()), today).is_some());
        assert!(check_due_on(None, today).is_none());
    }
}
