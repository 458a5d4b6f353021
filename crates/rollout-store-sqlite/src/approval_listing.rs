//! Approval request listings: the filter in SQL (statuses, bureaus through the procedure, role,
//! requester, procedure, and "not yet voted on by this person" directly or as a substitute),
//! newest first by (creation time, id) with a keyset cursor, and the filter's total count.

use rollout_domain::approval::ApprovalRequest;
use rollout_store::{ApprovalCursor, ApprovalFilter, Page, PageRequest, StoreResult};
use sqlx::{QueryBuilder, Sqlite, SqlitePool};

use crate::approvals::{REQUEST_COLUMNS, RequestRow};
use crate::paging;
use crate::rows::{decode_all, instant, uuid};

/// Appends ` WHERE ...` for `filter` (always a WHERE, so callers can append `AND ...`).
fn push_filter(qb: &mut QueryBuilder<Sqlite>, filter: &ApprovalFilter) {
    qb.push(" WHERE TRUE");
    if !filter.statuses.is_empty() {
        qb.push(" AND status IN (");
        let mut list = qb.separated(", ");
        for status in &filter.statuses {
            list.push_bind(status.as_str());
        }
        qb.push(")");
    }
    if !filter.bureau_codes.is_empty() {
        qb.push(
            " AND procedure_id IN (SELECT p.id FROM procedures p \
             JOIN bureaus b ON b.id = p.bureau_id WHERE b.code IN (",
        );
        let mut list = qb.separated(", ");
        for code in &filter.bureau_codes {
            list.push_bind(code.as_str().to_owned());
        }
        qb.push("))");
    }
    if let Some(role) = filter.role {
        qb.push(" AND role = ").push_bind(role.as_str());
    }
    if let Some(requester) = filter.requested_by {
        qb.push(" AND requested_by = ").push_bind(uuid(requester.0));
    }
    if let Some(procedure) = filter.procedure_id {
        qb.push(" AND procedure_id = ").push_bind(uuid(procedure.0));
    }
    if let Some(voter) = filter.not_voted_by {
        let voter = uuid(voter.0);
        qb.push(
            " AND NOT EXISTS (SELECT 1 FROM approval_votes v \
             WHERE v.request_id = approval_requests.id AND (v.approver = ",
        )
        .push_bind(voter.clone())
        .push(" OR v.counts_for = ")
        .push_bind(voter)
        .push("))");
    }
}

pub(crate) async fn list(
    reader: &SqlitePool,
    filter: &ApprovalFilter,
    page: &PageRequest<ApprovalCursor>,
) -> StoreResult<Page<ApprovalRequest>> {
    let mut items_query =
        QueryBuilder::<Sqlite>::new(format!("SELECT {REQUEST_COLUMNS} FROM approval_requests"));
    push_filter(&mut items_query, filter);
    if let Some(cursor) = &page.after {
        // Newest first, so "after the cursor" is strictly before it.
        items_query
            .push(" AND (created_at, id) < (")
            .push_bind(instant(cursor.created_at))
            .push(", ")
            .push_bind(uuid(cursor.id.0))
            .push(")");
    }
    let limit = page.fetch_limit();
    items_query
        .push(" ORDER BY created_at DESC, id DESC LIMIT ")
        .push_bind(limit);
    let mut count_query = QueryBuilder::<Sqlite>::new("SELECT COUNT(*) FROM approval_requests");
    push_filter(&mut count_query, filter);
    let (rows, total_count) = paging::fetch(
        reader,
        items_query.build_query_as::<RequestRow>(),
        page.with_total.then(|| count_query.build_query_scalar()),
        "list approval requests",
    )
    .await?;

    let items = decode_all(rows, RequestRow::into_domain)?;
    Ok(Page::from_overfetch(items, page, total_count))
}
