//! Residents' user reviews: submitting one (only the review intake identity, the e-application
//! sites' review form; never a person's token) and a procedure's review summary, overall and per
//! fiscal quarter.
//!
//! A submission is checked in this order: permission (audited when refused, before anything is
//! read), the identity's rate limit (RATE_LIMITED, not audited: a flood must not fill the trail),
//! the input (rating 1–5, the comment through the free-text rule), the procedure (any existing
//! procedure: the form sits on every e-application, the map shows the priority ones). The audit
//! entry records the rating and channel and whether there was a comment, not the comment itself:
//! the trail is read and exported widely and cannot be redacted, while a resident's free text
//! may carry personal details; the review row keeps it.

use rollout_domain::authz::Action;
use rollout_domain::quality::{ReviewAggregate, ReviewChannel, UserReview, check_review};
use rollout_domain::text::TextKind;
use rollout_domain::{FiscalQuarter, Procedure, ProcedureId, UserReviewId};
use rollout_store::Write;
use serde_json::json;
use tracing::instrument;

use super::quarters_back;
use crate::audit::Target;
use crate::procedures::field_errors;
use crate::text::TextChecks;
use crate::{Actor, App, AppError, AppResult, FieldError, new_uuid};

/// The most quarters one summary may span: ten years.
pub const MAX_SUMMARY_QUARTERS: usize = 40;
/// The quarters a summary spans when the caller names no start: two years.
pub const DEFAULT_SUMMARY_QUARTERS: u32 = 8;

/// Input of [`App::submit_user_review`].
#[derive(Debug, Clone)]
pub struct SubmitUserReview {
    pub procedure_id: ProcedureId,
    /// 1 to 5; anything else is refused at `rating`.
    pub rating: i64,
    /// A comment-length text; a blank comment is no comment.
    pub comment: Option<String>,
    pub channel: ReviewChannel,
}

/// The reviews of one quarter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuarterReviews {
    pub quarter: FiscalQuarter,
    pub reviews: ReviewAggregate,
}

/// A procedure's reviews: over all time, and per quarter over a span of quarters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewSummary {
    pub procedure: Procedure,
    pub overall: ReviewAggregate,
    /// Every quarter of the span, oldest first, those without reviews included.
    pub quarters: Vec<QuarterReviews>,
}

impl App {
    /// Stores one resident's review of a procedure, as the review intake identity.
    #[instrument(name = "app.submit_user_review", skip(self, actor, input), fields(procedure_id = %input.procedure_id, actor = %actor.label))]
    pub async fn submit_user_review(
        &self,
        actor: &Actor,
        input: SubmitUserReview,
    ) -> AppResult<UserReview> {
        let target = Target::new("Procedure", input.procedure_id);
        self.require(
            actor,
            Action::SubmitUserReview,
            "user_review.submit",
            &target,
        )
        .await?;
        let submitted_by = actor.user_id().ok_or_else(|| {
            AppError::validation(
                "input",
                "a review is submitted by the review intake identity",
            )
        })?;
        if let Err(retry_after_secs) = self.quality.limiter.take(submitted_by) {
            tracing::warn!(retry_after_secs, "user review refused: over the rate limit");
            return Err(AppError::RateLimited {
                message: format!(
                    "more than {} reviews a minute from this identity: try again in \
                     {retry_after_secs} s",
                    self.quality.limiter.per_minute()
                ),
                retry_after_secs,
            });
        }
        let mut comment = input.comment;
        let mut checks = TextChecks::default();
        checks.check_opt("comment", TextKind::Comment, comment.as_mut());
        let mut errors: Vec<FieldError> = match checks.finish() {
            Err(AppError::Validation(errors)) => errors,
            _ => Vec::new(),
        };
        errors.extend(field_errors(check_review(input.rating)));
        let Ok(rating) = rollout_domain::quality::Rating::new(input.rating) else {
            return Err(AppError::Validation(errors));
        };
        if !errors.is_empty() {
            return Err(AppError::Validation(errors));
        }
        if self.store().procedure(input.procedure_id).await?.is_none() {
            return Err(AppError::NotFound {
                entity: "procedure",
                key: input.procedure_id.to_string(),
            });
        }
        let review = UserReview {
            id: UserReviewId(new_uuid()),
            procedure_id: input.procedure_id,
            rating,
            comment: comment
                .map(|c| c.trim().to_owned())
                .filter(|c| !c.is_empty()),
            channel: input.channel,
            submitted_at: self.now(),
            submitted_by,
        };
        let audit = self.audit_entry(
            actor,
            "user_review.submit",
            &Target::new("UserReview", review.id),
            None,
            Some(json!({
                "id": review.id.to_string(),
                "procedureId": review.procedure_id.to_string(),
                "rating": review.rating.get(),
                "channel": review.channel.as_str(),
                "withComment": review.comment.is_some(),
            })),
        );
        self.store()
            .commit(&[Write::InsertUserReview(review.clone()), Write::Audit(audit)])
            .await
            .map_err(|e| AppError::from(e.error))?;
        Ok(review)
    }

    /// A procedure's reviews over all time and per quarter from `from` to `to` (default: the
    /// current quarter and the seven before it; at most [`MAX_SUMMARY_QUARTERS`]). Three
    /// statements: the procedure, its counts per rating, its counts per quarter and rating.
    #[instrument(name = "app.review_summary", skip(self, actor, procedure), fields(procedure_id = %procedure, actor = %actor.label))]
    pub async fn review_summary(
        &self,
        actor: &Actor,
        procedure: ProcedureId,
        from: Option<FiscalQuarter>,
        to: Option<FiscalQuarter>,
    ) -> AppResult<ReviewSummary> {
        self.require_quietly(actor, Action::Read)?;
        let to = match to {
            Some(q) => q,
            None => self.current_quarter()?,
        };
        let from = from.unwrap_or_else(|| {
            *quarters_back(to, DEFAULT_SUMMARY_QUARTERS)
                .last()
                .expect("at least the last quarter")
        });
        if from > to {
            return Err(AppError::validation(
                "from",
                format!("{from} is after {to}: give the earlier quarter first"),
            ));
        }
        let span: Vec<FiscalQuarter> = std::iter::successors(Some(from), FiscalQuarter::next)
            .take_while(|q| *q <= to)
            .take(MAX_SUMMARY_QUARTERS + 1)
            .collect();
        if span.len() > MAX_SUMMARY_QUARTERS {
            return Err(AppError::validation(
                "from",
                format!("at most {MAX_SUMMARY_QUARTERS} quarters from {from} to {to}"),
            ));
        }
        let Some(found) = self.store().procedure(procedure).await? else {
            return Err(AppError::NotFound {
                entity: "procedure",
                key: procedure.to_string(),
            });
        };
        let overall = ReviewAggregate::from_counts(
            self.store()
                .review_counts(&[procedure], None)
                .await?
                .into_iter()
                .map(|c| (c.rating, c.count)),
        );
        let counts = self
            .store()
            .review_counts_by_quarter(procedure, &span)
            .await?;
        let quarters = span
            .into_iter()
            .map(|quarter| QuarterReviews {
                quarter,
                reviews: ReviewAggregate::from_counts(
                    counts
                        .iter()
                        .filter(|c| c.quarter == Some(quarter))
                        .map(|c| (c.rating, c.count)),
                ),
            })
            .collect();
        Ok(ReviewSummary {
            procedure: found,
            overall,
            quarters,
        })
    }
}
