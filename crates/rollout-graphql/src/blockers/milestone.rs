//! The `Milestone` type: something procedures wait on that is not a law change (a platform
//! going live, a system procurement).

use std::sync::Arc;

use async_graphql::{Context, ID, Object};
use rollout_domain::blockers::{self as domain, BlockerRef};

use super::BlockedBatches;
use crate::app;
use crate::enums::{MilestoneStatus, Platform};
use crate::ids::{NodeType, global_id};
use crate::procedure::Procedure;
use crate::scalars::{Date, DateTime};

/// A platform going live, a system procurement: something procedures may wait on.
#[derive(Debug, Clone)]
pub struct Milestone {
    row: domain::Milestone,
    blocked: Arc<BlockedBatches>,
}

impl Milestone {
    /// The milestones of one page, whose blocked procedures load together.
    pub(crate) fn page(rows: Vec<domain::Milestone>) -> Vec<Self> {
        let blocked = Arc::new(BlockedBatches::new(
            rows.iter().map(|m| BlockerRef::Milestone(m.id)),
        ));
        rows.into_iter()
            .map(|row| Self {
                row,
                blocked: blocked.clone(),
            })
            .collect()
    }

    pub(crate) fn single(row: domain::Milestone) -> Self {
        Self::page(vec![row])
            .pop()
            .expect("a page of one milestone has one milestone")
    }

    pub(crate) fn row(&self) -> &domain::Milestone {
        &self.row
    }
}

#[Object]
impl Milestone {
    pub async fn id(&self) -> ID {
        global_id(NodeType::Milestone, self.row.id.as_uuid())
    }

    async fn name(&self) -> &str {
        &self.row.name
    }

    async fn platform(&self) -> Option<Platform> {
        self.row.platform.map(Into::into)
    }

    async fn planned_on(&self) -> Option<Date> {
        self.row.planned_on.map(Date)
    }

    async fn status(&self) -> MilestoneStatus {
        self.row.status.into()
    }

    /// Only a PLANNED milestone holds its dependents back.
    async fn open(&self) -> bool {
        self.row.is_open()
    }

    /// The day a DONE milestone happened.
    async fn done_on(&self) -> Option<Date> {
        self.row.done_on.map(Date)
    }

    async fn notes(&self) -> Option<&str> {
        self.row.notes.as_deref()
    }

    /// The procedures that depend on this milestone: directly, or also through other
    /// procedures (`transitive`); the first `first` (0 to 500) when given, all otherwise.
    async fn blocked_procedures(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = false)] transitive: bool,
        first: Option<i32>,
    ) -> async_graphql::Result<Vec<Procedure>> {
        let first = super::blocked_first(first)?;
        self.blocked
            .get(
                app(ctx)?,
                BlockerRef::Milestone(self.row.id),
                transitive,
                first,
            )
            .await
    }

    /// How many procedures depend on this milestone (directly, or also `transitive`ly),
    /// without reading them.
    async fn blocked_count(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = false)] transitive: bool,
    ) -> async_graphql::Result<i32> {
        self.blocked
            .count(app(ctx)?, BlockerRef::Milestone(self.row.id), transitive)
            .await
    }

    /// Optimistic-concurrency version: give it back as `expectedVersion` when changing this.
    async fn version(&self) -> i32 {
        self.row.version
    }

    async fn created_at(&self) -> DateTime {
        DateTime(self.row.created_at)
    }

    async fn updated_at(&self) -> DateTime {
        DateTime(self.row.updated_at)
    }
}
