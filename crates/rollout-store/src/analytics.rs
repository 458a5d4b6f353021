//! The analytics port: what the project office's figures are computed from. One read loads every
//! procedure with its whole history ([`AnalyticsStore::analytics_facts`]); a cheap stamp tells a
//! cache whether anything changed since ([`AnalyticsStore::analytics_stamp`]); frozen quarter
//! snapshots are read here and written with [`crate::Write::FreezeQuarter`]. Field revisions are
//! appended with [`crate::Write::FieldRevision`] in the batch of the update that makes them.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rollout_domain::FiscalQuarter;
use rollout_domain::analytics::ProcedureFacts;
use rollout_domain::analytics::snapshot::QuarterFigures;

use crate::StoreResult;

/// Changes whenever any procedure is created or changed: the number of procedures and the sum
/// of their versions (every change moves a version up and procedures are never deleted).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AnalyticsStamp {
    pub procedures: i64,
    pub version_sum: i64,
}

/// A quarter's figures as frozen by the project office.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuarterSnapshot {
    pub figures: QuarterFigures,
    pub frozen_at: DateTime<Utc>,
    /// The actor label of who froze it.
    pub frozen_by: String,
}

#[async_trait]
pub trait AnalyticsStore {
    async fn analytics_stamp(&self) -> StoreResult<AnalyticsStamp>;

    /// Every procedure with its state changes, field revisions and target-quarter changes, each
    /// oldest first (insertion order among equal instants), procedures in code order.
    async fn analytics_facts(&self) -> StoreResult<Vec<ProcedureFacts>>;

    async fn quarter_snapshot(
        &self,
        quarter: FiscalQuarter,
    ) -> StoreResult<Option<QuarterSnapshot>>;
}
