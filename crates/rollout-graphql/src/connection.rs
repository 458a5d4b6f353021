//! Relay-style connections (`edges { cursor node }`, `pageInfo`, `totalCount`) for procedures,
//! history records, approval requests and audit entries, built from a store [`Page`]. Hand-written rather than async-graphql's
//! `connection` module: that module's generic types name their edges and fields in ways the
//! contract does not, and forward-only keyset paging needs none of its machinery.
//!
//! `totalCount` costs a `COUNT(*)` over the whole filter, so the store counts only when the
//! client selected it: every connection resolver builds its [`PageRequest`] with
//! [`page_request`], which asks for the total exactly when the field's own selection set names
//! `totalCount`.

use async_graphql::{ComplexObject, Context, SimpleObject};
use rollout_store::{
    HistoryCursor, MAX_PAGE_SIZE, Page, PageRequest, ProcedureCursor, ProcedureOrder,
};

use crate::approval::ApprovalRequest;
use crate::audit::AuditEntry;
use crate::errors;
use crate::history::TransitionRecord;
use crate::ids::{self, TimeOrdering};
use crate::procedure::Procedure;

/// The page size when `first` is not given.
pub(crate) const DEFAULT_PAGE_SIZE: usize = 50;

/// Checks `first` (0..=500, default 50) before any store call.
pub(crate) fn page_size(first: Option<i32>) -> async_graphql::Result<usize> {
    let Some(first) = first else {
        return Ok(DEFAULT_PAGE_SIZE);
    };
    usize::try_from(first)
        .ok()
        .filter(|n| *n <= MAX_PAGE_SIZE)
        .ok_or_else(|| {
            errors::validation(format!(
                "first must be between 0 and {MAX_PAGE_SIZE} (got {first}); page with `after`"
            ))
        })
}

/// The store request for the connection field being resolved (`ctx` is that field's context):
/// `first` items after `after`, counted when the field's selection set names `totalCount`,
/// directly, under an alias or inside a fragment (the look-ahead follows fragment spreads and
/// inline fragments). async-graphql resolves only fields of that same selection set, so a
/// connection whose `totalCount` gets resolved was always counted; a `@skip`ped or
/// `@include(if: false)` `totalCount` is counted needlessly, never missed.
pub(crate) fn page_request<C>(ctx: &Context<'_>, first: usize, after: Option<C>) -> PageRequest<C> {
    PageRequest {
        first,
        after,
        with_total: ctx.look_ahead().field("totalCount").exists(),
    }
}

/// The value of `totalCount`: the page's count, which [`page_request`] guarantees is there
/// whenever the field is selected; its absence would be a bug in this module, not in the request.
pub(crate) fn selected_total(total: Option<i64>) -> async_graphql::Result<i64> {
    total.ok_or_else(|| errors::internal("totalCount resolved on a page read without its count"))
}

/// Where a page sits in the whole listing.
#[derive(Debug, Clone, SimpleObject)]
pub struct PageInfo {
    pub has_next_page: bool,
    pub has_previous_page: bool,
    pub start_cursor: Option<String>,
    pub end_cursor: Option<String>,
}

impl PageInfo {
    pub(crate) fn of<T>(page: &Page<T>, cursors: &[String]) -> Self {
        Self {
            has_next_page: page.has_next_page,
            has_previous_page: page.has_previous_page,
            start_cursor: cursors.first().cloned(),
            end_cursor: cursors.last().cloned(),
        }
    }
}

#[derive(Debug, Clone, SimpleObject)]
pub struct ProcedureEdge {
    pub cursor: String,
    pub node: Procedure,
}

/// One page of procedures.
#[derive(Debug, Clone, SimpleObject)]
#[graphql(complex)]
pub struct ProcedureConnection {
    pub edges: Vec<ProcedureEdge>,
    pub page_info: PageInfo,
    /// Counted only if `totalCount` was selected ([`page_request`]).
    #[graphql(skip)]
    total: Option<i64>,
}

#[ComplexObject]
impl ProcedureConnection {
    /// How many procedures match the filter in all, ignoring pagination.
    async fn total_count(&self) -> async_graphql::Result<i64> {
        selected_total(self.total)
    }
}

impl ProcedureConnection {
    pub(crate) fn new(mut page: Page<rollout_domain::Procedure>, order: ProcedureOrder) -> Self {
        let cursors: Vec<String> = page
            .items
            .iter()
            .map(|p| ids::encode_procedure_cursor(&ProcedureCursor::of(p, order), order))
            .collect();
        let page_info = PageInfo::of(&page, &cursors);
        let edges = Procedure::page(std::mem::take(&mut page.items))
            .into_iter()
            .zip(cursors)
            .map(|(node, cursor)| ProcedureEdge { cursor, node })
            .collect();
        Self {
            edges,
            page_info,
            total: page.total_count,
        }
    }
}

#[derive(Debug, Clone, SimpleObject)]
pub struct TransitionRecordEdge {
    pub cursor: String,
    pub node: TransitionRecord,
}

/// One page of a procedure's history, oldest first.
#[derive(Debug, Clone, SimpleObject)]
#[graphql(complex)]
pub struct TransitionRecordConnection {
    pub edges: Vec<TransitionRecordEdge>,
    pub page_info: PageInfo,
    /// Counted only if `totalCount` was selected ([`page_request`]).
    #[graphql(skip)]
    total: Option<i64>,
}

#[ComplexObject]
impl TransitionRecordConnection {
    /// How many records the procedure's history holds in all.
    async fn total_count(&self) -> async_graphql::Result<i64> {
        selected_total(self.total)
    }
}

impl TransitionRecordConnection {
    pub(crate) fn new(page: Page<rollout_domain::TransitionRecord>, procedure: &Procedure) -> Self {
        let cursors: Vec<String> = page
            .items
            .iter()
            .map(|r| {
                ids::encode_history_cursor(&HistoryCursor {
                    procedure_version: r.procedure_version,
                })
            })
            .collect();
        let page_info = PageInfo::of(&page, &cursors);
        let edges = page
            .items
            .into_iter()
            .zip(cursors)
            .map(|(r, cursor)| TransitionRecordEdge {
                cursor,
                node: TransitionRecord::new(r, procedure.clone()),
            })
            .collect();
        Self {
            edges,
            page_info,
            total: page.total_count,
        }
    }
}

#[derive(Debug, Clone, SimpleObject)]
pub struct ApprovalRequestEdge {
    pub cursor: String,
    pub node: ApprovalRequest,
}

/// One page of approval requests, newest first.
#[derive(Debug, Clone, SimpleObject)]
#[graphql(complex)]
pub struct ApprovalRequestConnection {
    pub edges: Vec<ApprovalRequestEdge>,
    pub page_info: PageInfo,
    /// Counted only if `totalCount` was selected ([`page_request`]).
    #[graphql(skip)]
    total: Option<i64>,
}

#[ComplexObject]
impl ApprovalRequestConnection {
    /// How many requests match the filter in all, ignoring pagination.
    async fn total_count(&self) -> async_graphql::Result<i64> {
        selected_total(self.total)
    }
}

impl ApprovalRequestConnection {
    pub(crate) fn new(mut page: Page<rollout_domain::approval::ApprovalRequest>) -> Self {
        let cursors: Vec<String> = page
            .items
            .iter()
            .map(|r| ids::encode_time_cursor(TimeOrdering::Approvals, r.created_at, r.id.as_uuid()))
            .collect();
        let page_info = PageInfo::of(&page, &cursors);
        let edges = ApprovalRequest::page(std::mem::take(&mut page.items))
            .into_iter()
            .zip(cursors)
            .map(|(node, cursor)| ApprovalRequestEdge { cursor, node })
            .collect();
        Self {
            edges,
            page_info,
            total: page.total_count,
        }
    }
}

#[derive(Debug, Clone, SimpleObject)]
pub struct AuditEntryEdge {
    pub cursor: String,
    pub node: AuditEntry,
}

/// One page of the audit trail, oldest first.
#[derive(Debug, Clone, SimpleObject)]
#[graphql(complex)]
pub struct AuditEntryConnection {
    pub edges: Vec<AuditEntryEdge>,
    pub page_info: PageInfo,
    /// Counted only if `totalCount` was selected ([`page_request`]).
    #[graphql(skip)]
    total: Option<i64>,
}

#[ComplexObject]
impl AuditEntryConnection {
    /// How many entries match the filter in all, ignoring pagination.
    async fn total_count(&self) -> async_graphql::Result<i64> {
        selected_total(self.total)
    }
}

impl AuditEntryConnection {
    pub(crate) fn new(mut page: Page<rollout_domain::audit::AuditEntry>) -> Self {
        let cursors: Vec<String> = page
            .items
            .iter()
            .map(|e| ids::encode_time_cursor(TimeOrdering::Audit, e.at, e.id.as_uuid()))
            .collect();
        let page_info = PageInfo::of(&page, &cursors);
        let edges = AuditEntry::page(std::mem::take(&mut page.items))
            .into_iter()
            .zip(cursors)
            .map(|(node, cursor)| AuditEntryEdge { cursor, node })
            .collect();
        Self {
            edges,
            page_info,
            total: page.total_count,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_sizes() {
        assert_eq!(page_size(None).unwrap(), 50);
        assert_eq!(page_size(Some(0)).unwrap(), 0);
        assert_eq!(page_size(Some(500)).unwrap(), 500);
        for bad in [-1, 501, i32::MAX] {
            let err = page_size(Some(bad)).unwrap_err();
            assert!(err.message.contains("between 0 and 500"), "{}", err.message);
        }
    }
}
