//! The counting store's forwarding of the quality reads (issue 13): each call is counted and
//! fails during an outage. The writes go through `commit`, forwarded with the evidence.

use async_trait::async_trait;
use rollout_domain::quality::QualityAssessment;
use rollout_domain::{FiscalQuarter, ProcedureId};
use rollout_store::{QualityStore, ReviewCount, StoreResult};

use crate::store::CountingStore;

#[async_trait]
impl QualityStore for CountingStore {
    async fn latest_quality_assessments(
        &self,
        procedures: &[ProcedureId],
    ) -> StoreResult<Vec<QualityAssessment>> {
        self.call("latest_quality_assessments")?;
        self.inner().latest_quality_assessments(procedures).await
    }
    async fn quality_assessments_for(
        &self,
        procedures: &[ProcedureId],
    ) -> StoreResult<Vec<QualityAssessment>> {
        self.call("quality_assessments_for")?;
        self.inner().quality_assessments_for(procedures).await
    }
    async fn review_counts(
        &self,
        procedures: &[ProcedureId],
        quarters: Option<&[FiscalQuarter]>,
    ) -> StoreResult<Vec<ReviewCount>> {
        self.call("review_counts")?;
        self.inner().review_counts(procedures, quarters).await
    }
    async fn review_counts_by_quarter(
        &self,
        procedure: ProcedureId,
        quarters: &[FiscalQuarter],
    ) -> StoreResult<Vec<ReviewCount>> {
        self.call("review_counts_by_quarter")?;
        self.inner()
            .review_counts_by_quarter(procedure, quarters)
            .await
    }
}
