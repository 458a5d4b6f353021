//! The counting store's forwarding of the analytics reads: each call is counted and fails during
//! an outage.

use async_trait::async_trait;
use rollout_domain::FiscalQuarter;
use rollout_domain::analytics::ProcedureFacts;
use rollout_store::{AnalyticsStamp, AnalyticsStore, QuarterSnapshot, StoreResult};

use crate::store::CountingStore;

#[async_trait]
impl AnalyticsStore for CountingStore {
    async fn analytics_stamp(&self) -> StoreResult<AnalyticsStamp> {
        self.call("analytics_stamp")?;
        self.inner().analytics_stamp().await
    }
    async fn analytics_facts(&self) -> StoreResult<Vec<ProcedureFacts>> {
        self.call("analytics_facts")?;
        self.inner().analytics_facts().await
    }
    async fn quarter_snapshot(
        &self,
        quarter: FiscalQuarter,
    ) -> StoreResult<Option<QuarterSnapshot>> {
        self.call("quarter_snapshot")?;
        self.inner().quarter_snapshot(quarter).await
    }
}
