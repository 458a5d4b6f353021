//! The free-text rule ([`rollout_domain::text`]) applied to use-case inputs, so that GraphQL, the
//! CSV import and the CLI, which all call these use cases, inherit one way of validating text.
//! Each use case names its text fields and their kinds here before any other check; a refusal is
//! a VALIDATION error whose path is the field. Shapes (codes, e-mail addresses) are still judged
//! by the domain's constructors, which run the same rule first.

use rollout_domain::text::{self, TextError, TextKind};

use crate::{AppError, AppResult, FieldError};

impl From<TextError> for FieldError {
    fn from(e: TextError) -> Self {
        Self {
            message: e.to_string(),
            path: vec![e.field],
        }
    }
}

/// Collects the problems of several fields, cleaning each value in place.
#[derive(Debug, Default)]
pub(crate) struct TextChecks(Vec<FieldError>);

impl TextChecks {
    /// Replaces `value` with its clean form, or records why it cannot be.
    pub(crate) fn check(&mut self, field: &str, kind: TextKind, value: &mut String) -> &mut Self {
        match text::clean(field, kind, value) {
            Ok(clean) => *value = clean,
            Err(e) => self.0.push(e.into()),
        }
        self
    }

    pub(crate) fn check_opt(
        &mut self,
        field: &str,
        kind: TextKind,
        value: Option<&mut String>,
    ) -> &mut Self {
        if let Some(v) = value {
            self.check(field, kind, v);
        }
        self
    }

    /// Every problem found, as one VALIDATION error.
    pub(crate) fn finish(&mut self) -> AppResult<()> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(AppError::Validation(std::mem::take(&mut self.0)))
        }
    }
}

/// One field through the rule.
pub(crate) fn clean(field: &str, kind: TextKind, raw: &str) -> AppResult<String> {
    text::clean(field, kind, raw).map_err(|e| AppError::Validation(vec![e.into()]))
}
