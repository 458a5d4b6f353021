//! Recording a quality assessment of a procedure, and reading assessments back. Only the project
//! office and admins may record one (`Action::RecordQualityAssessment`, checked before anything
//! is read, so a refusal says nothing about the procedure); the indicators are checked by the
//! domain, the note by the free-text rule, and the assessment is appended with its audit entry
//! in one batch. Earlier assessments stay: they are the procedure's quality history.

use rollout_domain::authz::Action;
use rollout_domain::quality::{
    FeePayment, IdentityCheck, QualityAssessment, QualityIndicators, check_indicators,
};
use rollout_domain::text::TextKind;
use rollout_domain::{ProcedureId, QualityAssessmentId};
use rollout_store::Write;
use serde_json::{Value, json};
use tracing::instrument;

use crate::audit::Target;
use crate::procedures::field_errors;
use crate::text::TextChecks;
use crate::{Actor, App, AppError, AppResult, FieldError, new_uuid};

/// Input of [`App::record_quality_assessment`]. Counts come as the client sent them and are
/// checked here (not negative, within the domain's limits), each at its field.
#[derive(Debug, Clone)]
pub struct RecordQualityAssessment {
    pub procedure_id: ProcedureId,
    pub online_end_to_end: bool,
    pub smartphone_ready: bool,
    pub attachments: i64,
    pub identity_check: IdentityCheck,
    pub fee: FeePayment,
    pub standard_days: Option<i64>,
    pub actual_days: Option<i64>,
    /// A comment-length text; a blank note is no note.
    pub note: Option<String>,
}

impl RecordQualityAssessment {
    /// The indicators, and the fields holding negative counts (taken as 0 in the indicators, so
    /// that the domain's limits are still checked for the rest). Counts beyond `u32` become
    /// `u32::MAX`, which the domain's limits then refuse with the usual message.
    fn indicators(&self) -> (QualityIndicators, Vec<FieldError>) {
        let mut errors = Vec::new();
        let mut count = |field: &str, v: i64| {
            if v < 0 {
                errors.push(FieldError {
                    path: vec![field.to_owned()],
                    message: format!("must not be negative (got {v})"),
                });
            }
            u32::try_from(v.max(0)).unwrap_or(u32::MAX)
        };
        let indicators = QualityIndicators {
            online_end_to_end: self.online_end_to_end,
            smartphone_ready: self.smartphone_ready,
            attachments: count("attachments", self.attachments),
            identity_check: self.identity_check,
            fee: self.fee,
            standard_days: self.standard_days.map(|d| count("standardDays", d)),
            actual_days: self.actual_days.map(|d| count("actualDays", d)),
        };
        (indicators, errors)
    }
}

/// The audit snapshot of an assessment.
pub(crate) fn assessment_json(a: &QualityAssessment) -> Value {
    let i = &a.indicators;
    json!({
        "id": a.id.to_string(),
        "procedureId": a.procedure_id.to_string(),
        "onlineEndToEnd": i.online_end_to_end,
        "smartphoneReady": i.smartphone_ready,
        "attachments": i.attachments,
        "identityCheck": i.identity_check.as_str(),
        "fee": i.fee.as_str(),
        "standardDays": i.standard_days,
        "actualDays": i.actual_days,
        "note": a.note,
    })
}

impl App {
    /// Appends an assessment of a procedure's quality; every broken rule is reported at once,
    /// each at its input field.
    #[instrument(name = "app.record_quality_assessment", skip(self, actor, input), fields(procedure_id = %input.procedure_id, actor = %actor.label))]
    pub async fn record_quality_assessment(
        &self,
        actor: &Actor,
        input: RecordQualityAssessment,
    ) -> AppResult<QualityAssessment> {
        let target = Target::new("Procedure", input.procedure_id);
        self.require(
            actor,
            Action::RecordQualityAssessment,
            "quality_assessment.record",
            &target,
        )
        .await?;
        let mut note = input.note.clone();
        let mut checks = TextChecks::default();
        checks.check_opt("note", TextKind::Comment, note.as_mut());
        let mut errors = match checks.finish() {
            Err(AppError::Validation(errors)) => errors,
            _ => Vec::new(),
        };
        let (indicators, negative) = input.indicators();
        errors.extend(negative);
        errors.extend(field_errors(check_indicators(&indicators)));
        if !errors.is_empty() {
            return Err(AppError::Validation(errors));
        }
        let procedure = self
            .store()
            .procedure(input.procedure_id)
            .await?
            .ok_or_else(|| AppError::NotFound {
                entity: "procedure",
                key: input.procedure_id.to_string(),
            })?;
        let assessment = QualityAssessment {
            id: QualityAssessmentId(new_uuid()),
            procedure_id: procedure.id,
            indicators,
            note: note.map(|n| n.trim().to_owned()).filter(|n| !n.is_empty()),
            assessed_at: self.now(),
            assessed_by: actor.user_id().ok_or_else(|| {
                AppError::validation(
                    "input",
                    "an assessment is recorded by a user, not the system",
                )
            })?,
        };
        let audit = self.audit_entry(
            actor,
            "quality_assessment.record",
            &Target::new("QualityAssessment", assessment.id),
            None,
            Some(assessment_json(&assessment)),
        );
        self.store()
            .commit(&[
                Write::InsertQualityAssessment(assessment.clone()),
                Write::Audit(audit),
            ])
            .await
            .map_err(|e| AppError::from(e.error))?;
        Ok(assessment)
    }

    /// Every assessment of each of `procedures`, newest first within a procedure (for a page's
    /// `qualityAssessments`: one read). The procedures were already shown to the reader.
    pub async fn quality_assessments_for(
        &self,
        procedures: &[ProcedureId],
    ) -> AppResult<Vec<QualityAssessment>> {
        Ok(self.store().quality_assessments_for(procedures).await?)
    }

    /// A procedure's assessments, newest first, for whoever may read; `NotFound` for an unknown
    /// procedure.
    #[instrument(name = "app.quality_history", skip(self, actor, procedure), fields(procedure_id = %procedure, actor = %actor.label))]
    pub async fn quality_history(
        &self,
        actor: &Actor,
        procedure: ProcedureId,
    ) -> AppResult<Vec<QualityAssessment>> {
        self.require_quietly(actor, Action::Read)?;
        if self.store().procedure(procedure).await?.is_none() {
            return Err(AppError::NotFound {
                entity: "procedure",
                key: procedure.to_string(),
            });
        }
        self.quality_assessments_for(&[procedure]).await
    }
}
