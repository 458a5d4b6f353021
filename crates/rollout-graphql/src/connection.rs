//! Relay-style connections (`edges { cursor node }`, `pageInfo`, `totalCount`) for procedures,
//! history records, approval requests and audit entries, built from a store [`Page`]. Hand-written rather than async-graphql's
//! `connection` module: that module's generic types name their edges and fields in ways the
//! contract does not, and forward-only keyset paging needs none of its machinery.

use async_graphql::SimpleObject;
use rollout_store::{HistoryCursor, MAX_PAGE_SIZE, Page, ProcedureCursor, ProcedureOrder};

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

/// Where a page sits in the whole listing.
#[derive(Debug, Clone, SimpleObject)]
pub struct PageInfo {
    pub has_next_page: bool,
    pub has_previous_page: bool,
    pub start_cursor: Option<String>,
    pub end_cursor: Option<String>,
}

impl PageInfo {
    fn of<T>(page: &Page<T>, cursors: &[String]) -> Self {
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
pub struct ProcedureConnection {
    pub edges: Vec<ProcedureEdge>,
    pub page_info: PageInfo,
    /// How many procedures match the filter in all, ignoring pagination.
    pub total_count: i64,
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
            total_count: page.total_count,
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
pub struct TransitionRecordConnection {
    pub edges: Vec<TransitionRecordEdge>,
    pub page_info: PageInfo,
    /// How many records the procedure's history holds in all.
    pub total_count: i64,
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
            total_count: page.total_count,
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
pub struct ApprovalRequestConnection {
    pub edges: Vec<ApprovalRequestEdge>,
    pub page_info: PageInfo,
    /// How many requests match the filter in all, ignoring pagination.
    pub total_count: i64,
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
            total_count: page.total_count,
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
pub struct AuditEntryConnection {
    pub edges: Vec<AuditEntryEdge>,
    pub page_info: PageInfo,
    /// How many entries match the filter in all, ignoring pagination.
    pub total_count: i64,
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
            total_count: page.total_count,
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
