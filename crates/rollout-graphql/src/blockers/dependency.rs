//! The `Dependency` type: "procedure `from` needs `on`". Removed dependencies stay readable
//! (`removedAt`, `removedBy`, `removedReason`) and no longer block. The procedures, blockers and
//! users of a page of dependencies load together.

use std::sync::Arc;

use async_graphql::{Context, ID, Object};
use rollout_domain::blockers as domain;

use super::{Blocker, BlockerBatch};
use crate::app;
use crate::identity::User;
use crate::ids::{NodeType, global_id};
use crate::loaders::{ProcedureBatch, UserBatch};
use crate::procedure::Procedure;
use crate::scalars::DateTime;

/// "Procedure `from` needs `on`" (a law change, a milestone or another procedure).
#[derive(Debug, Clone)]
pub struct Dependency {
    row: domain::Dependency,
    page: Arc<PageRefs>,
}

#[derive(Debug)]
struct PageRefs {
    procedures: ProcedureBatch,
    blockers: BlockerBatch,
    users: UserBatch,
}

impl Dependency {
    /// The dependencies of one page, whose references load together.
    pub(crate) fn page(rows: Vec<domain::Dependency>) -> Vec<Self> {
        let page = Arc::new(PageRefs {
            procedures: ProcedureBatch::new(rows.iter().map(|d| d.procedure_id)),
            blockers: BlockerBatch::new(rows.iter().map(|d| d.on)),
            users: UserBatch::new(
                rows.iter()
                    .flat_map(|d| d.created_by.into_iter().chain(d.removed_by)),
            ),
        });
        rows.into_iter()
            .map(|row| Self {
                row,
                page: page.clone(),
            })
            .collect()
    }

    pub(crate) fn single(row: domain::Dependency) -> Self {
        Self::page(vec![row])
            .pop()
            .expect("a page of one dependency has one dependency")
    }
}

#[Object]
impl Dependency {
    pub async fn id(&self) -> ID {
        global_id(NodeType::Dependency, self.row.id.as_uuid())
    }

    /// The procedure that waits.
    async fn from(&self, ctx: &Context<'_>) -> async_graphql::Result<Procedure> {
        self.page
            .procedures
            .get(app(ctx)?, self.row.procedure_id)
            .await
    }

    /// What it waits on.
    async fn on(&self, ctx: &Context<'_>) -> async_graphql::Result<Blocker> {
        self.page.blockers.get(app(ctx)?, self.row.on).await
    }

    async fn reason(&self) -> Option<&str> {
        self.row.reason.as_deref()
    }

    /// Null for dependencies loaded by an import or the demo data.
    async fn created_by(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
        match self.row.created_by {
            None => Ok(None),
            Some(id) => Ok(Some(self.page.users.get(app(ctx)?, id).await?)),
        }
    }

    async fn created_at(&self) -> DateTime {
        DateTime(self.row.created_at)
    }

    /// Whether the dependency still holds its procedure back: not removed, and what it waits on
    /// is still open (a law change not ENACTED or WITHDRAWN, a PLANNED milestone, a procedure
    /// not released or closed).
    async fn open(&self, ctx: &Context<'_>) -> async_graphql::Result<bool> {
        if self.row.is_removed() {
            return Ok(false);
        }
        let app = app(ctx)?;
        Ok(match self.page.blockers.get(app, self.row.on).await? {
            Blocker::LawChange(l) => l.row().is_open(),
            Blocker::Milestone(m) => m.row().is_open(),
            Blocker::Procedure(p) => app
                .workflow()
                .state(&p.row().state)
                .is_none_or(|s| !s.kind.is_terminal()),
        })
    }

    async fn removed_at(&self) -> Option<DateTime> {
        self.row.removed_at.map(DateTime)
    }

    async fn removed_by(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
        match self.row.removed_by {
            None => Ok(None),
            Some(id) => Ok(Some(self.page.users.get(app(ctx)?, id).await?)),
        }
    }

    async fn removed_reason(&self) -> Option<&str> {
        self.row.removed_reason.as_deref()
    }
}
