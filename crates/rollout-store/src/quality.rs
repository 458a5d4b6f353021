//! Quality assessments and user reviews (issue 13): the reads the quality map and the review
//! summaries need. Both are written through the atomic batch ([`crate::Write::InsertQualityAssessment`],
//! [`crate::Write::InsertUserReview`]) with their audit entry, and never updated or deleted: the
//! latest assessment of a procedure is its current state, the rest its history.
//!
//! Reviews are read only as counts per rating, aggregated in SQL (one row per procedure, quarter
//! when asked, and rating: at most five per procedure and quarter, whatever the number of
//! reviews); count, mean and distribution are the domain's ([`ReviewAggregate`]). Each review is
//! stored with the fiscal quarter of its Tokyo day ([`UserReview::quarter`]), computed in Rust
//! when it is written, so that no backend converts time zones.
//!
//! [`ReviewAggregate`]: rollout_domain::quality::ReviewAggregate
//! [`UserReview::quarter`]: rollout_domain::quality::UserReview::quarter

use async_trait::async_trait;
use rollout_domain::quality::{QualityAssessment, Rating};
use rollout_domain::{FiscalQuarter, ProcedureId};

use crate::StoreResult;

/// How many reviews of a procedure gave `rating` (in `quarter`, when counted per quarter).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct ReviewCount {
    pub procedure_id: ProcedureId,
    /// Set by [`QualityStore::review_counts_by_quarter`], `None` from
    /// [`QualityStore::review_counts`].
    pub quarter: Option<FiscalQuarter>,
    pub rating: Rating,
    pub count: u64,
}

/// The reads of the quality map. Batch reads take a page's procedures and are one statement
/// whatever their number; results come in no particular order of procedures.
#[async_trait]
pub trait QualityStore: Send + Sync {
    /// The latest assessment (by `assessed_at`, then id) of each of `procedures` that has one.
    async fn latest_quality_assessments(
        &self,
        procedures: &[ProcedureId],
    ) -> StoreResult<Vec<QualityAssessment>>;

    /// Every assessment of each of `procedures`, within one procedure newest first (by
    /// `assessed_at`, then id).
    async fn quality_assessments_for(
        &self,
        procedures: &[ProcedureId],
    ) -> StoreResult<Vec<QualityAssessment>>;

    /// Reviews of each of `procedures` counted per rating, over the given quarters (over all
    /// time when `quarters` is `None`; an empty list counts nothing). Pairs with no review are
    /// absent; `quarter` is `None` in every row.
    async fn review_counts(
        &self,
        procedures: &[ProcedureId],
        quarters: Option<&[FiscalQuarter]>,
    ) -> StoreResult<Vec<ReviewCount>>;

    /// Reviews of `procedure` counted per quarter and rating, for the given quarters only.
    async fn review_counts_by_quarter(
        &self,
        procedure: ProcedureId,
        quarters: &[FiscalQuarter],
    ) -> StoreResult<Vec<ReviewCount>>;
}
