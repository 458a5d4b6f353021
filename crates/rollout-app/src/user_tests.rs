//! Recording user tests (利用者テスト) of a procedure's new screens, and reading one by id. The
//! rules of a sound test are the domain's (`user_test::check_user_test`, judged against today
//! in Tokyo); this module cleans the findings with the free-text rule, asks `App::require`
//! whether the actor works on the procedure's bureau, and writes the test with its audit entry
//! in one batch. What a test means for the workflow (the `user_test_passed` guard) is read back
//! through `guard_facts`, not decided here.

use chrono::NaiveDate;
use rollout_domain::authz::Action;
use rollout_domain::text::{self, TextKind};
use rollout_domain::user_test::{UserTest, UserTestVerdict, check_user_test};
use rollout_domain::{ProcedureId, UserTestId, bounds};
use rollout_store::Write;
use serde_json::{Value, json};
use tracing::instrument;

use crate::audit::Target;
use crate::procedures::field_errors;
use crate::{Actor, App, AppError, AppResult, FieldError, new_uuid};

/// Input of [`App::record_user_test`].
#[derive(Debug, Clone)]
pub struct RecordUserTest {
    pub procedure_id: ProcedureId,
    pub held_on: NaiveDate,
    pub participants: i32,
    pub tasks_attempted: i32,
    pub tasks_completed: i32,
    pub median_minutes: Option<f64>,
    pub sus_score: Option<f64>,
    /// Each a comment-length text; blank ones are refused rather than dropped.
    pub findings: Vec<String>,
    pub verdict: UserTestVerdict,
}

/// The audit snapshot of a user test.
fn user_test_json(t: &UserTest) -> Value {
    json!({
        "id": t.id.to_string(),
        "procedureId": t.procedure_id.to_string(),
        "heldOn": t.held_on.to_string(),
        "participants": t.participants,
        "tasksAttempted": t.tasks_attempted,
        "tasksCompleted": t.tasks_completed,
        "medianMinutes": t.median_minutes,
        "susScore": t.sus_score,
        "findings": t.findings,
        "verdict": t.verdict.as_str(),
    })
}

/// Each finding through the text rule, problems at `["findings", "<index>"]`.
fn clean_findings(findings: &mut [String]) -> Vec<FieldError> {
    let mut errors = Vec::new();
    for (i, finding) in findings.iter_mut().enumerate() {
        let path = vec!["findings".to_owned(), i.to_string()];
        match text::clean("findings", TextKind::Comment, finding) {
            Ok(clean) if clean.trim().is_empty() => errors.push(FieldError {
                path,
                message: "a finding must not be blank".to_owned(),
            }),
            Ok(clean) => *finding = clean.trim().to_owned(),
            Err(e) => errors.push(FieldError {
                path,
                message: e.to_string(),
            }),
        }
    }
    errors
}

impl App {
    /// Records a user test of a procedure: any coordinator of its bureau, or the project office.
    /// Every broken rule is reported at once, each at its input field.
    #[instrument(name = "app.record_user_test", skip(self, actor, input), fields(procedure_id = %input.procedure_id, actor = %actor.label))]
    pub async fn record_user_test(
        &self,
        actor: &Actor,
        input: RecordUserTest,
    ) -> AppResult<UserTest> {
        let mut input = input;
        let mut errors = clean_findings(&mut input.findings);
        let procedure = self
            .store()
            .procedure(input.procedure_id)
            .await?
            .ok_or_else(|| AppError::NotFound {
                entity: "procedure",
                key: input.procedure_id.to_string(),
            })?;
        let target = Target::new("Procedure", procedure.id);
        self.require(
            actor,
            Action::WorkOnProcedure(procedure.bureau_id),
            "user_test.record",
            &target,
        )
        .await?;
        let test = UserTest {
            id: UserTestId(new_uuid()),
            procedure_id: procedure.id,
            held_on: input.held_on,
            participants: input.participants,
            tasks_attempted: input.tasks_attempted,
            tasks_completed: input.tasks_completed,
            median_minutes: input.median_minutes,
            sus_score: input.sus_score,
            findings: input.findings,
            verdict: input.verdict,
            recorded_by: actor.user_id().ok_or_else(|| {
                AppError::validation("input", "a user test is recorded by a user, not the system")
            })?,
            created_at: self.now(),
        };
        // The domain judges the future against today; the past is bounded by what is stored.
        if let Err(e) = bounds::check_date(test.held_on) {
            errors.push(FieldError {
                path: vec!["heldOn".to_owned()],
                message: e.to_string(),
            });
        }
        errors.extend(field_errors(check_user_test(&test, self.today())));
        if !errors.is_empty() {
            return Err(AppError::Validation(errors));
        }
        let audit = self.audit_entry(
            actor,
            "user_test.record",
            &Target::new("UserTest", test.id),
            None,
            Some(user_test_json(&test)),
        );
        self.store()
            .commit(&[Write::InsertUserTest(test.clone()), Write::Audit(audit)])
            .await
            .map_err(|e| AppError::from(e.error))?;
        Ok(test)
    }

    /// A user test, shown to whoever sees its procedure (`visible_procedure`).
    #[instrument(name = "app.visible_user_test", skip(self, actor), fields(actor = %actor.label))]
    pub async fn visible_user_test(
        &self,
        actor: &Actor,
        id: UserTestId,
    ) -> AppResult<Option<UserTest>> {
        let Some(test) = self.store().user_test(id).await? else {
            return Ok(None);
        };
        let procedure = self.visible_procedure(actor, test.procedure_id).await?;
        Ok(procedure.map(|_| test))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn findings_are_cleaned_and_blank_ones_named_by_index() {
        let mut findings = vec![
            "  申請ボタンが見つけにくい ".to_owned(),
            "   ".to_owned(),
            "bad\u{0007}bell".to_owned(),
        ];
        let errors = clean_findings(&mut findings);
        assert_eq!(findings[0], "申請ボタンが見つけにくい");
        let paths: Vec<Vec<String>> = errors.into_iter().map(|e| e.path).collect();
        assert_eq!(
            paths,
            [
                vec!["findings".to_owned(), "1".to_owned()],
                vec!["findings".to_owned(), "2".to_owned()],
            ]
        );
    }
}
