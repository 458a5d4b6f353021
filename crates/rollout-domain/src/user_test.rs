//! User tests (利用者テスト): before a procedure's new screens are released, people try them.
//! A user test records who took part, what they managed and the verdict; the workflow guard
//! `user_test_passed` lets a procedure leave `built` only when the latest user test recorded
//! since it entered that state passed.

use chrono::{DateTime, NaiveDate, Utc};

use crate::procedure::keyed_enum;
use crate::{ProcedureId, UserId, UserTestId};

/// The most findings one user test may list.
pub const MAX_FINDINGS: usize = 100;

keyed_enum!(
    /// The verdict of a user test.
    UserTestVerdict {
        Pass => "PASS",
        Fail => "FAIL",
    }
);

#[derive(Debug, Clone, PartialEq)]
pub struct UserTest {
    pub id: UserTestId,
    pub procedure_id: ProcedureId,
    pub held_on: NaiveDate,
    pub participants: i32,
    pub tasks_attempted: i32,
    pub tasks_completed: i32,
    pub median_minutes: Option<f64>,
    /// System Usability Scale score, 0–100.
    pub sus_score: Option<f64>,
    pub findings: Vec<String>,
    pub verdict: UserTestVerdict,
    pub recorded_by: UserId,
    pub created_at: DateTime<Utc>,
}

impl UserTest {
    /// Completed ÷ attempted tasks, 0 when nothing was attempted.
    pub fn completion_rate(&self) -> f64 {
        if self.tasks_attempted == 0 {
            0.0
        } else {
            f64::from(self.tasks_completed) / f64::from(self.tasks_attempted)
        }
    }
}

/// Every rule a user test breaks, as `(field, message)`: held today or earlier, at least one
/// participant, no negative counts, no more completed than attempted tasks, a SUS score within
/// 0–100, a finite non-negative median.
pub fn check_user_test(t: &UserTest, today: NaiveDate) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    if t.held_on > today {
        out.push((
            "heldOn",
            format!("a user test cannot be held in the future (today is {today})"),
        ));
    }
    if t.participants < 1 {
        out.push(("participants", "at least one participant".to_owned()));
    }
    if t.tasks_attempted < 0 {
        out.push(("tasksAttempted", "must not be negative".to_owned()));
    }
    if t.tasks_completed < 0 {
        out.push(("tasksCompleted", "must not be negative".to_owned()));
    } else if t.tasks_completed > t.tasks_attempted {
        out.push((
            "tasksCompleted",
            format!(
                "{} tasks completed but only {} attempted",
                t.tasks_completed, t.tasks_attempted
            ),
        ));
    }
    if let Some(m) = t.median_minutes
        && !(m.is_finite() && m >= 0.0)
    {
        out.push((
            "medianMinutes",
            "must be a number of minutes, 0 or more".to_owned(),
        ));
    }
    if let Some(s) = t.sus_score
        && !(s.is_finite() && (0.0..=100.0).contains(&s))
    {
        out.push(("susScore", format!("must be within 0–100 (got {s})")));
    }
    if t.findings.len() > MAX_FINDINGS {
        out.push(("findings", format!("at most {MAX_FINDINGS} findings")));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn test(participants: i32, attempted: i32, completed: i32, sus: Option<f64>) -> UserTest {
        UserTest {
            id: UserTestId(Uuid::from_u128(1)),
            procedure_id: ProcedureId(Uuid::from_u128(2)),
            held_on: "2026-11-20".parse().unwrap(),
            participants,
            tasks_attempted: attempted,
            tasks_completed: completed,
            median_minutes: Some(4.5),
            sus_score: sus,
            findings: vec![],
            verdict: UserTestVerdict::Pass,
            recorded_by: UserId(Uuid::from_u128(3)),
            created_at: DateTime::<Utc>::MIN_UTC,
        }
    }

    #[test]
    fn a_sound_test_passes_the_checks_and_rates_completion() {
        let t = test(5, 10, 8, Some(72.5));
        assert!(check_user_test(&t, "2026-11-20".parse().unwrap()).is_empty());
        assert!((t.completion_rate() - 0.8).abs() < 1e-9);
        assert_eq!(test(1, 0, 0, None).completion_rate(), 0.0);
    }

    #[test]
    fn each_broken_rule_names_its_field() {
        let t = test(0, 3, 4, Some(100.5));
        let fields: Vec<&str> = check_user_test(&t, "2026-11-19".parse().unwrap())
            .into_iter()
            .map(|(f, _)| f)
            .collect();
        assert_eq!(
            fields,
            ["heldOn", "participants", "tasksCompleted", "susScore"]
        );
    }
}
